import { asString, isObject, type Json, type Resource } from '../model';
import { fail, pass } from '../checks';
import { defineRule } from '../rule';

/** The OpenBao releases of a stack (the secret store). */
export function secretStoreReleases(resources: readonly Resource[]): Resource[] {
  return resources.filter((r) => r.type === 'helm_release' && r.body.chart === 'openbao');
}

/** A block the Kubernetes provider writes as an object or a one-element list. */
function block(value: unknown): Json {
  const v = Array.isArray(value) ? value[0] : value;
  return isObject(v) ? v : {};
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'The secret store (OpenBao) is not backed up and tiered: its release (holding the Raft volumes) has no backup tier, no CronJob takes scheduled Raft snapshots, or its snapshots do not reach an immutable off-site copy over TLS.',
  why: 'OpenBao holds every credential and generated password of the environment; lost with its volumes, every database role, repository and site key must be re-issued by hand, and the recovery site cannot read the same values.',
  controls: ['ISO-8.13', 'ISO-8.24', 'ISO-5.17', 'NIST-CP-9', 'NIST-SC-12', 'NIST-SC-28', 'VN-A3', 'VN-B2'],
  check(stack) {
    const stores = secretStoreReleases(stack.resources);
    if (stores.length === 0) return [];
    const development = stack.environment?.class === 'development';
    const jobs = stack.resources.filter((r) => r.type === 'kubernetes_cron_job_v1' && isObject(r.comment.secretStore) && r.comment.secretStore.what === 'raft-snapshots');
    if (jobs.length === 0) {
      return stores.map((s) => fail(undefined, `helm_release ${s.name} runs the secret store but no CronJob takes its Raft snapshots (a kubernetes_cron_job_v1 marked "//".secretStore.what = raft-snapshots); declare them (constructs/secrets/openbao-backup.ts) with an off-site target in backup.offsite`, s));
    }
    const untiered = stores.filter((s) => !asString(s.comment.backupTier));
    if (untiered.length > 0) {
      return untiered.map((s) => fail(undefined, `helm_release ${s.name} holds the secret store's Raft volumes but has no backup tier; mark it stateful and assign one (assignBackupTier or backup.assign) so its RPO, retention and drills are known`, s));
    }
    const tier = stores.map((s) => asString(s.comment.backupTier)).join(', ');
    return jobs.map((j) => {
      const record = isObject(j.comment.secretStore) ? j.comment.secretStore : {};
      const target = isObject(record.target) ? record.target : {};
      const schedule = asString(block(j.body.spec).schedule);
      const endpoint = asString(target.endpoint) ?? '';
      const where = `${asString(target.bucket) ?? '?'}/${asString(target.prefix) ?? ''}`;
      if (!schedule) return fail(undefined, `${j.address} takes the secret store's snapshots but has no schedule`, j);
      if (!endpoint.startsWith('https://')) return fail(undefined, `${j.address} sends the secret store's snapshots to ${endpoint || 'no endpoint'}, not over TLS (https)`, j);
      if (record.offsite !== true) return fail(undefined, `${j.address} keeps the secret store's snapshots on this site only; a copy must be at another site`, j);
      if (!development && record.immutable !== true) return fail(undefined, `${j.address} writes the secret store's snapshots to ${where}, which is not immutable (object lock): anyone holding this site's keys could delete them`, j);
      return pass(undefined, `${j.address} snapshots the secret store on "${schedule}" (tier ${tier}) to ${asString(target.environment) ?? 'the other site'}: ${where} over TLS${record.immutable === true ? ', object-locked' : ''}`, undefined, j);
    });
  },
});
