import { describeObject, extraArgs, fail, pass } from '../checks';
import { isObject } from '../model';
import { defineRule } from '../rule';

/** Days of API-server audit logs to keep, by security level (TCVN 14423 per governance.md 1.2.3 [R]). */
export const AUDIT_LOG_DAYS: Readonly<Record<number, number>> = { 1: 90, 2: 90, 3: 90, 4: 180, 5: 365 };

export default defineRule(__filename, {
  severity: 'error',
  title: 'A cluster control plane does not write API-server audit logs, or keeps them for less than its security level requires.',
  why: 'Audit logs are the record of who did what to the cluster; TCVN 14423 asks for at least 3 months at level 3, 6 at level 4 and 12 at level 5.',
  controls: ['ISO-8.15', 'NIST-AU-11', 'CIS-1.2.audit', 'VN-L1'],
  check(stack) {
    const level = stack.environment?.securityLevel;
    return stack.objectsOf('KubeadmControlPlane', 'controlplane.cluster.x-k8s.io').map((kcp) => {
      const spec = isObject(kcp.spec.kubeadmConfigSpec) ? kcp.spec.kubeadmConfigSpec : {};
      const cc = isObject(spec.clusterConfiguration) ? spec.clusterConfiguration : {};
      const args = extraArgs(isObject(cc.apiServer) ? cc.apiServer.extraArgs : undefined);
      const missing = ['audit-log-path', 'audit-policy-file', 'audit-log-maxage'].filter((a) => !args.get(a));
      if (missing.length > 0) return fail(kcp, `${describeObject(kcp)} apiServer extraArgs lack ${missing.join(', ')}; audit logging must be on with a policy and a retention`);
      const required = level === undefined ? undefined : AUDIT_LOG_DAYS[level];
      const days = Number(args.get('audit-log-maxage'));
      if (required === undefined) return fail(kcp, `${describeObject(kcp)}: the stack records no security level, so the required audit-log retention is unknown`);
      if (!Number.isFinite(days) || days < required) return fail(kcp, `${describeObject(kcp)} keeps audit logs ${args.get('audit-log-maxage')} days (audit-log-maxage); security level ${level} requires at least ${required}`);
      return pass(kcp, `${describeObject(kcp)} writes audit logs to ${args.get('audit-log-path')} and keeps them ${days} days (level ${level} requires ${required})`);
    });
  },
});
