import { describeObject, fail, keepsData, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';

export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Postgres cluster does not archive its WAL through the Barman Cloud plugin to a declared ObjectStore.',
  why: 'Without a WAL archive there is no point-in-time recovery and base backups alone lose everything since the last one; the in-tree barmanObjectStore is deprecated and removed in CloudNativePG 1.31.',
  controls: ['ISO-8.13', 'NIST-CP-9', 'VN-B1'],
  check(stack) {
    if (!keepsData(stack)) return [];
    const stores = stack.objectsOf('ObjectStore', 'barmancloud.cnpg.io');
    return stack.objectsOf('Cluster', 'postgresql.cnpg.io').map((c) => {
      const backup = isObject(c.spec.backup) ? c.spec.backup : {};
      if (backup.barmanObjectStore !== undefined) return fail(c, `${describeObject(c)} uses the deprecated spec.backup.barmanObjectStore; archive through the ${BARMAN_CLOUD_PLUGIN} plugin instead`);
      const plugin = asArray(c.spec.plugins).filter(isObject).find((p) => p.name === BARMAN_CLOUD_PLUGIN && p.isWALArchiver === true);
      if (!plugin) return fail(c, `${describeObject(c)} has no spec.plugins entry {name: ${BARMAN_CLOUD_PLUGIN}, isWALArchiver: true}`);
      const storeName = isObject(plugin.parameters) ? asString(plugin.parameters.barmanObjectName) : undefined;
      const store = stores.find((s) => s.name === storeName && s.namespace === c.namespace);
      if (!store) return fail(c, `${describeObject(c)} archives WAL to ObjectStore "${storeName ?? '(unset)'}", which this stack does not declare in namespace ${c.namespace ?? '?'}`);
      return pass(c, `${describeObject(c)} archives WAL through ${BARMAN_CLOUD_PLUGIN} to ${describeObject(store)}`);
    });
  },
});
