import type { EnvironmentInput } from './schema';

type Suppression = NonNullable<EnvironmentInput['auditSuppressions']>[number];

/**
 * No restore has been drilled yet: the estate is not in service. Each tier's first drill is part
 * of go-live (record it in `backup.drills` with its evidence); past the expiry, BAK-004 fails
 * again and so does the synth.
 */
export const BEFORE_FIRST_DRILL: Suppression = {
  rule: 'BAK-004',
  reason: 'Not yet in service: no data to restore. The first restore drill of each tier is a go-live step, recorded in backup.drills.',
  owner: 'platform/backup-lead',
  expires: '2027-03-31',
};

/**
 * Platform administrators install operators and their CRDs, which needs cluster-wide rights;
 * the control is membership of the group (reviewed quarterly, governance.md A3).
 */
export const PLATFORM_ADMINS_CLUSTER_ADMIN: Suppression = {
  rule: 'RBAC-001',
  reason: 'Platform administrators install operators and CRDs, which needs cluster-admin; the group is small and reviewed quarterly (governance A3).',
  owner: 'platform/dc-platform-lead',
  expires: '2027-06-30',
  path: 'access/platform-admins',
};

/**
 * The monitoring stack's web listeners (Prometheus 9090, Alertmanager 9093, Grafana 3000) serve
 * plain HTTP, and Prometheus and Alertmanager authenticate no one (MON-003). Reached only from
 * the monitoring namespace (default deny) and by port-forward through the API server's RBAC;
 * the fix is docs/monitoring.md "Known gap: listeners without TLS". Applied to the release of
 * every cluster's kube-prometheus-stack (workload and management clusters).
 */
export const MONITORING_LISTENERS_WITHOUT_TLS: Suppression = {
  rule: 'MON-003',
  reason:
    'Prometheus (9090), Alertmanager (9093) and Grafana (3000) serve plain HTTP, and Prometheus and Alertmanager have no authentication: whoever can run a pod in the monitoring namespace can read every metric and silence or send alerts. Limited by the default deny of the namespace (only pods of the monitoring namespace reach these ports) and by port-forward, which the API server grants only through RBAC (pods/portforward). Fix: cert-manager certificates for the three web servers (web.tlsConfig, Grafana https) and every client switched to https, plus client-certificate or proxy authentication (docs/monitoring.md, Known gap: listeners without TLS).',
  owner: 'platform/dc-platform-lead',
  expires: '2027-03-31',
  path: 'monitoring/chart/release',
};
