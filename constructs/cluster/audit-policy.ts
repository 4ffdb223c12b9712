/**
 * The API-server audit policy of every Cluster API cluster: who touched what, kept as evidence
 * for auditors (NIST AU-3, ISO 27001 8.15, TCVN 14423 logging controls).
 *
 * What it records, first matching rule wins:
 * - nothing for health probes and for the control plane's own high-volume housekeeping;
 * - Secrets, ConfigMaps and token requests at `Metadata` only: who read or changed which one,
 *   never the content, so the log never becomes a copy of the credentials;
 * - changes to RBAC, admission, network policy, workloads and the data services' custom
 *   resources at `RequestResponse`: the full object as asked and as stored;
 * - nothing for other reads (`get`, `list`, `watch`), which are most of the volume and say little;
 * - `Metadata` for everything else.
 */

/** A rule of an `audit.k8s.io/v1` Policy (the fields this project uses). */
export interface AuditRule {
  readonly level: 'None' | 'Metadata' | 'Request' | 'RequestResponse';
  readonly users?: readonly string[];
  readonly userGroups?: readonly string[];
  readonly verbs?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly resources?: ReadonlyArray<{ readonly group: string; readonly resources?: readonly string[] }>;
  readonly nonResourceURLs?: readonly string[];
  readonly omitStages?: readonly string[];
}

export interface AuditPolicy {
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly kind: 'Policy';
  readonly omitStages: readonly string[];
  readonly rules: readonly AuditRule[];
}

/** Verbs that change state. */
export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
/** Verbs that only read. */
export const READ_VERBS = ['get', 'list', 'watch'] as const;

/** Resources whose content must never reach the log: only who touched them. */
export const CONTENT_NEVER_LOGGED: NonNullable<AuditRule['resources']> = [
  { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
  { group: 'authentication.k8s.io', resources: ['tokenreviews', 'tokenrequests'] },
];

/**
 * API groups whose changes are logged with request and response: access control, admission,
 * network policy, workloads, and the custom resources of the data services.
 */
export const CHANGES_LOGGED_IN_FULL: NonNullable<AuditRule['resources']> = [
  { group: 'rbac.authorization.k8s.io' },
  { group: 'admissionregistration.k8s.io' },
  { group: 'networking.k8s.io' },
  { group: 'policy' },
  { group: 'apps' },
  { group: 'batch' },
  { group: '', resources: ['pods', 'services', 'serviceaccounts', 'persistentvolumeclaims', 'persistentvolumes', 'namespaces', 'resourcequotas', 'limitranges', 'nodes'] },
  { group: 'apiextensions.k8s.io' },
  { group: 'cert-manager.io' },
  { group: 'postgresql.cnpg.io' },
  { group: 'barmancloud.cnpg.io' },
  { group: 'kafka.strimzi.io' },
  { group: 'ceph.rook.io' },
  { group: 'objectbucket.io' },
  { group: 'velero.io' },
];

/** Streaming sub-resources: the session is logged (who, where), its bytes cannot be. */
const SESSIONS: NonNullable<AuditRule['resources']> = [
  { group: '', resources: ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy', 'nodes/proxy'] },
];

/** The audit policy, as the API server reads it from `--audit-policy-file`. */
export function auditPolicy(): AuditPolicy {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    // The RequestReceived stage duplicates every event; ResponseComplete carries the outcome.
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/version/', '/metrics', '/openapi/*'] },
      // Housekeeping of the control plane itself: leader election and node heartbeats.
      { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }, { group: 'discovery.k8s.io', resources: ['endpointslices'] }] },
      { level: 'None', userGroups: ['system:nodes'], verbs: ['get', 'update', 'patch'], resources: [{ group: '', resources: ['nodes', 'nodes/status'] }, { group: 'coordination.k8s.io', resources: ['leases'] }] },
      { level: 'None', users: ['system:kube-controller-manager', 'system:kube-scheduler'], verbs: ['get', 'update'], namespaces: ['kube-system'], resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
      { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
      // Before any read rule: reading a Secret is exactly what must be on record.
      { level: 'Metadata', resources: CONTENT_NEVER_LOGGED },
      { level: 'Metadata', resources: SESSIONS },
      { level: 'RequestResponse', verbs: WRITE_VERBS, resources: CHANGES_LOGGED_IN_FULL },
      { level: 'None', verbs: READ_VERBS },
      { level: 'Metadata' },
    ],
  };
}

/** Where the policy and the log live on every control-plane node. */
export const AUDIT_PATHS = {
  policy: '/etc/kubernetes/apiserver/audit-policy.yaml',
  logDir: '/var/log/kubernetes/audit',
  log: '/var/log/kubernetes/audit/audit.log',
} as const;
