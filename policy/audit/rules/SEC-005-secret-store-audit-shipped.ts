import { asArray, asString, chartValues, isObject } from '../model';
import { fail, pass } from '../checks';
import { defineRule } from '../rule';
import { secretStoreReleases } from './SEC-004-secret-store-backed-up';

/** The file paths of the file audit devices declared in an OpenBao configuration (HCL). */
export function auditFilePaths(config: string): string[] {
  const out: string[] = [];
  const device = /audit\s+"file"\s+"[^"]*"\s*\{[\s\S]*?file_path\s*=\s*"([^"]+)"/g;
  for (let m = device.exec(config); m; m = device.exec(config)) out.push(m[1]!);
  return out;
}

export default defineRule(__filename, {
  severity: 'error',
  title: "The secret store's (OpenBao's) audit log stays on its volume: no file audit device declared in the configuration, no shipper tailing it to S3 over verified TLS, or a target that is not immutable.",
  why: 'The audit log is the only record of who read which secret; on the pod\'s volume, anyone with the cluster or the store\'s root token can erase it. TCVN 14423 level 4 asks for immutable logs on a separate system.',
  controls: ['ISO-8.15', 'ISO-5.17', 'NIST-AU-9', 'NIST-IA-5', 'NIST-SC-12', 'VN-A3', 'VN-L2'],
  check(stack) {
    const development = stack.environment?.class === 'development';
    return secretStoreReleases(stack.resources).map((r) => {
      const values = chartValues(r);
      const server = isObject(values.server) ? values.server : {};
      const ha = isObject(server.ha) ? server.ha : {};
      const raft = isObject(ha.raft) ? ha.raft : {};
      const config = asString(raft.config) ?? asString(isObject(server.standalone) ? server.standalone.config : undefined) ?? '';
      const paths = auditFilePaths(config);
      if (paths.length === 0) return fail(undefined, `helm_release ${r.name} declares no file audit device in its configuration (audit "file" {...}); the API cannot add one from OpenBao 2.3.2 on`, r);
      const shippers = asArray(server.extraContainers).filter(isObject).filter((c) => {
        const args = asArray(c.args).map(String);
        return paths.some((p) => args.includes(`path=${p}`));
      });
      if (shippers.length === 0) return fail(undefined, `helm_release ${r.name}: nothing in the server pods tails the audit log ${paths.join(', ')}; it is kept only on the pod's volume`, r);
      for (const c of shippers) {
        const args = asArray(c.args).map(String).join(' ');
        if (!/-o s3\b/.test(args)) return fail(undefined, `helm_release ${r.name}: container ${String(c.name)} tails the audit log but ships it to no S3 store`, r);
        if (!/\btls=on\b/.test(args) || !/\btls\.verify=on\b/.test(args)) return fail(undefined, `helm_release ${r.name}: container ${String(c.name)} ships the audit log without verified TLS (tls=on and tls.verify=on)`, r);
      }
      const record = isObject(r.comment.secretStore) && r.comment.secretStore.what === 'audit-log' ? r.comment.secretStore : undefined;
      if (!record) return fail(undefined, `helm_release ${r.name} ships the audit log but does not record where ("//".secretStore.what = audit-log), so its immutability cannot be judged`, r);
      const target = isObject(record.target) ? record.target : {};
      const where = `${asString(target.bucket) ?? '?'}/${asString(target.prefix) ?? ''}`;
      if (!development && record.immutable !== true) return fail(undefined, `helm_release ${r.name} ships the audit log to ${where}, which is not immutable (object lock): anyone holding its keys could delete it`, r);
      return pass(undefined, `helm_release ${r.name} ships its audit log ${paths.join(', ')} over verified TLS to ${where}${record.immutable === true ? ', object-locked' : ''}`, undefined, r);
    });
  },
});
