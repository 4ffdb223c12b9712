import { describeObject, fail, keepsData, pass } from '../checks';
import { asString, isObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';
import { BARMAN_CLOUD_PLUGIN } from './PG-003-wal-archiving-plugin';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Postgres cluster has no scheduled base backup through the Barman Cloud plugin, or a scheduled backup uses another method or a five-field cron.',
  why: 'WAL alone is useless without a base backup to replay it onto; ScheduledBackup still defaults to the deprecated barmanObjectStore method, and CloudNativePG reads six-field cron (seconds first).',
  controls: ['ISO-8.13', 'NIST-CP-9', 'VN-B1'],
  check(stack) {
    if (!keepsData(stack)) return [];
    const out: Evaluation[] = [];
    const backups = stack.objectsOf('ScheduledBackup', 'postgresql.cnpg.io');
    for (const b of backups) {
      const method = asString(b.spec.method) ?? 'barmanObjectStore (the CRD default)';
      const plugin = isObject(b.spec.pluginConfiguration) ? asString(b.spec.pluginConfiguration.name) : undefined;
      const fields = (asString(b.spec.schedule) ?? '').trim().split(/\s+/).filter(Boolean).length;
      if (method !== 'plugin' && method !== 'volumeSnapshot') out.push(fail(b, `${describeObject(b)} uses method ${method}; set method: plugin and pluginConfiguration.name: ${BARMAN_CLOUD_PLUGIN}`));
      else if (method === 'plugin' && plugin !== BARMAN_CLOUD_PLUGIN) out.push(fail(b, `${describeObject(b)} uses method plugin with pluginConfiguration.name ${plugin ?? '(unset)'}; name ${BARMAN_CLOUD_PLUGIN}`));
      else if (fields !== 6) out.push(fail(b, `${describeObject(b)} has schedule "${asString(b.spec.schedule) ?? ''}" with ${fields} fields; CloudNativePG needs six, seconds first (e.g. "0 0 2 * * *")`));
      else out.push(pass(b, `${describeObject(b)} runs ${method} backups on "${asString(b.spec.schedule)}"`));
    }
    for (const c of stack.objectsOf('Cluster', 'postgresql.cnpg.io')) {
      const mine = backups.find((b) => b.namespace === c.namespace && isObject(b.spec.cluster) && b.spec.cluster.name === c.name && b.spec.method === 'plugin');
      out.push(mine ? pass(c, `${describeObject(c)} has scheduled plugin backups (${describeObject(mine)})`) : fail(c, `${describeObject(c)} has no ScheduledBackup with method: plugin in this stack`));
    }
    return out;
  },
});
