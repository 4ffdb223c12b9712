import { describeObject, fail, keepsData, pass, retentionDays } from '../checks';
import { asArray, asString, isObject, type KubeObject } from '../model';
import { backupTierOf } from '../../../lib/markers';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';
import { BARMAN_CLOUD_PLUGIN } from './PG-003-wal-archiving-plugin';

export default defineRule(__filename, {
  severity: 'error',
  title: "A backup is kept for less time than its tier's retention.",
  why: 'A retention shorter than the tier promises deletes the restore points the recovery objectives and the law rely on.',
  controls: ['ISO-8.13', 'NIST-CP-9', 'NIST-SI-12', 'VN-B1'],
  check(stack) {
    if (!keepsData(stack)) return [];
    const out: Evaluation[] = [];
    const judge = (object: KubeObject, tier: string | undefined, value: unknown, field: string) => {
      const record = tier ? stack.backupTiers[tier] : undefined;
      if (!tier || !record) return; // BAK-001 reports the missing tier
      const days = retentionDays(value);
      if (value === undefined) out.push(pass(object, `${describeObject(object)} sets no ${field}: backups are kept until deleted, beyond tier "${tier}" (${record.retentionDays} days)`));
      else if (days === undefined) out.push(fail(object, `${describeObject(object)} has ${field} "${String(value)}", which is not a retention such as "30d" or "720h0m0s"`));
      else if (days + 1e-9 < record.retentionDays) out.push(fail(object, `${describeObject(object)} keeps backups ${Math.round(days * 10) / 10} days (${field}: ${String(value)}); tier "${tier}" needs at least ${record.retentionDays}`));
      else out.push(pass(object, `${describeObject(object)} keeps backups ${Math.round(days * 10) / 10} days (${field}: ${String(value)}), meeting tier "${tier}" (${record.retentionDays} days)`));
    };
    // A CloudNativePG ObjectStore is held to the tier of the clusters archiving into it.
    const stores = stack.objectsOf('ObjectStore', 'barmancloud.cnpg.io');
    for (const c of stack.objectsOf('Cluster', 'postgresql.cnpg.io')) {
      const plugin = asArray(c.spec.plugins).filter(isObject).find((p) => p.name === BARMAN_CLOUD_PLUGIN);
      const storeName = plugin && isObject(plugin.parameters) ? asString(plugin.parameters.barmanObjectName) : undefined;
      const store = stores.find((s) => s.name === storeName && s.namespace === c.namespace);
      if (store) judge(store, backupTierOf(c.resource.body), store.spec.retentionPolicy, 'spec.retentionPolicy');
    }
    // A Velero Schedule carries its own tier.
    for (const s of stack.objectsOf('Schedule', 'velero.io')) {
      const template = isObject(s.spec.template) ? s.spec.template : {};
      judge(s, backupTierOf(s.resource.body), template.ttl, 'spec.template.ttl');
    }
    return out;
  },
});
