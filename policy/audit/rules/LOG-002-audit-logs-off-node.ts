import { describeObject, fail, pass } from '../checks';
import { asArray, asString, chartValues, isObject, type KubeObject, type StackModel } from '../model';
import { configuratorOf } from '../buckets';
import { defineRule } from '../rule';
import { AUDIT_LOG_DAYS } from './LOG-001-audit-log-retention';

/** Where the control plane writes the API servers' audit logs. */
export const AUDIT_LOG_DIRECTORY = '/var/log/kubernetes/audit';

export default defineRule(__filename, {
  severity: 'error',
  title: "A workload cluster's API-server audit logs are kept only on the node, or leave it for a store that is not immutable for the security level's retention.",
  why: 'A log on the node can be deleted by whoever it should hold to account; TCVN 14423 asks level 4 for immutable logs on a separate system, kept 3, 6 or 12 months by level.',
  controls: ['ISO-8.15', 'NIST-AU-9', 'NIST-AU-11', 'CIS-1.2.audit', 'VN-L1', 'VN-L2'],
  check(stack) {
    const env = stack.environment;
    // The management cluster runs no object store; its audit logs are out of this rule's scope (docs/monitoring.md).
    // The shipper and the bucket are both in a workload cluster's services stack: the shipper is
    // installed once the bucket is locked (constructs/monitoring/audit-logs.ts).
    if (!env || env.cluster === 'mgmt' || env.layer !== 'services') return [];
    const required = AUDIT_LOG_DAYS[env.securityLevel] ?? 365;
    const claims = stack.objectsOf('ObjectBucketClaim', 'objectbucket.io');
    // A services stack without an object store has nowhere to keep them and installs no shipper.
    if (claims.length === 0) return [];
    return [...shipperOutcomes(stack, env.cluster), ...archiveOutcomes(stack, claims, env, required)];
  },
});

/** The releases that tail the audit directory: each must ship over verified TLS to S3 from the control-plane nodes. */
function shipperOutcomes(stack: StackModel, cluster: string) {
  const shippers = stack.resources.filter((r) => r.type === 'helm_release').filter((r) => {
    const config = chartValues(r).config;
    const inputs = isObject(config) ? asString(config.inputs) ?? '' : '';
    return inputs.includes(AUDIT_LOG_DIRECTORY);
  });
  if (shippers.length === 0) {
    return [fail(undefined, `audit logs kept only on the node: no log shipper in cluster ${cluster} tails ${AUDIT_LOG_DIRECTORY}/*.log; ship them to a locked bucket (constructs/monitoring/audit-logs.ts)`)];
  }
  return shippers.map((r) => {
    const values = chartValues(r);
    const config = isObject(values.config) ? values.config : {};
    const outputs = asString(config.outputs) ?? '';
    const tls = /^\s*tls\s+On\s*$/im.test(outputs) && /^\s*tls\.verify\s+On\s*$/im.test(outputs);
    const controlPlane = asArray(values.tolerations).some((t) => isObject(t) && t.key === 'node-role.kubernetes.io/control-plane');
    if (!/^\s*Name\s+s3\s*$/im.test(outputs)) return fail(undefined, `helm_release ${r.name} tails the audit logs but ships them nowhere immutable (no s3 output)`, r);
    if (!tls) return fail(undefined, `helm_release ${r.name} ships the audit logs without verified TLS (tls On and tls.verify On on every output)`, r);
    if (!controlPlane) return fail(undefined, `helm_release ${r.name} does not tolerate the control-plane taint, so it never runs where the audit logs are written`, r);
    return pass(undefined, `helm_release ${r.name} ships ${AUDIT_LOG_DIRECTORY}/*.log from the control-plane nodes to S3 over verified TLS`, undefined, r);
  });
}

/** The buckets marked as the audit-log archive: each locked long enough, in the mode the class requires. */
function archiveOutcomes(stack: StackModel, claims: readonly KubeObject[], env: NonNullable<StackModel['environment']>, required: number) {
  const archives = claims.filter((c) => isObject(c.resource.comment.auditLogs));
  if (archives.length === 0) return [fail(undefined, `cluster ${env.cluster} declares no audit-log bucket (an ObjectBucketClaim marked "//".auditLogs); audit logs would be kept only on the node`)];
  return archives.map((claim) => {
    const script = configuratorOf(stack, claim)?.script ?? '';
    const lock = /"Mode\\?"\s*:\s*\\?"(COMPLIANCE|GOVERNANCE)\\?"\s*,\s*\\?"Days\\?"\s*:\s*(\d+)/.exec(script);
    const mode = lock?.[1];
    const days = lock ? Number(lock[2]) : 0;
    const wanted = env.class === 'development' ? ['COMPLIANCE', 'GOVERNANCE'] : ['COMPLIANCE'];
    if (!mode || !wanted.includes(mode)) return fail(claim, `${describeObject(claim)} holds the audit logs but is not locked in ${wanted.join(' or ')} mode (got ${mode ?? 'no lock'}); anyone with its keys could delete them`);
    if (days < required) return fail(claim, `${describeObject(claim)} locks audit logs ${days} days; security level ${env.securityLevel} requires at least ${required}`);
    return pass(claim, `${describeObject(claim)} keeps audit logs locked ${days} days in ${mode} mode (level ${env.securityLevel} requires ${required})`);
  });
}
