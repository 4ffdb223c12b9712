import { BEFORE_FIRST_DRILL, MONITORING_LISTENERS_WITHOUT_TLS, PLATFORM_ADMINS_CLUSTER_ADMIN } from './audit-exceptions';
import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';

/**
 * The embedded default: one existing local cluster (kind, k3d or similar) reached through a
 * kubeconfig context, local state, small sizes. Stateful resources may be destroyed here.
 */
export const dev: EnvironmentInput = {
  name: 'dev',
  description: 'Developer environment on one existing local cluster.',
  class: 'development',
  ephemeral: true,
  securityLevel: 3,
  site: { name: 'local', location: 'developer workstation' },
  state: { type: 'local' },
  zones: standardZones(3),
  clusterBaseline: {
    // The ministry's Keycloak realm (an assumption until the identity team confirms it: docs/install-order.md).
    identityProvider: { issuerUrl: 'https://sso.moit.gov.vn/realms/dc-dev', audiences: ['kubernetes'] },
    access: { platformAdmins: 'oidc:dc-platform-admins', auditors: 'oidc:dc-auditors' },
    // Audit logs at the level-3 minimum (90 days), few files: a developer's node has little disk.
    auditLog: { maxBackups: 10 },
  },
  secrets: {
    // dev has no management cluster: its OpenBao is to run on its only cluster (docs/secrets.md).
    store: { host: 'openbao.dev.dc.moit.gov.vn', cidr: '172.18.0.60/32' },
    unseal: { method: 'shamir', shares: 3, threshold: 2 },
  },
  clusters: [{ name: 'core', mode: 'existing', kubeconfig: { path: '~/.kube/config', context: 'moit-dev' }, nodeCidr: '172.18.0.0/16', controlPlaneCidr: '172.18.0.0/29' }],
  objectStorage: {
    // One local node: one monitor and manager, single copies; data may be lost here.
    ceph: { monitors: 1, managers: 1, allowMultipleDaemonsPerNode: true },
    failureDomain: 'osd',
    blockPool: { replicas: 1 },
    objectStore: { metadataReplicas: 1, dataPool: { type: 'replicated', replicas: 1 }, gateways: 1 },
    buckets: { maxSize: '50Gi', maxObjects: 1_000_000, noncurrentVersionExpirationDays: 7, abortIncompleteUploadDays: 1 },
  },
  // One small instance (asynchronous: there is no standby); backups still on, as everywhere.
  postgres: [{ name: 'main', cluster: 'core', instances: 1, storage: { size: '5Gi', walSize: '2Gi' }, resources: { cpu: '500m', memory: '1Gi' } }],
  // One controller and one broker: replication factor 1, no Cruise Control, no rack
  // awareness (a local cluster has no zones). Topics may be deleted here.
  kafka: {
    clusters: [
      {
        name: 'events',
        cluster: 'core',
        controllers: { replicas: 1, storage: '5Gi', resources: { cpu: '250m', memory: '1Gi' } },
        brokers: { replicas: 1, storage: '10Gi', resources: { cpu: '500m', memory: '2Gi' } },
      },
    ],
  },
  /*
   * Backups: the same tiers, kept a week and not copied off site: a workstation has no second
   * site, so the security-level minimums are waived here (the coverage table reports it).
   */
  backup: {
    tiers: {
      gold: { retentionDays: 7, offsiteCopy: false, immutableCopy: false },
      silver: { retentionDays: 7, offsiteCopy: false },
      bronze: { retentionDays: 7, offsiteCopy: false },
    },
    assign: { 'core/postgres/main': 'gold', 'core/kafka/events': 'gold' },
    waiver: { reason: 'A developer workstation with synthetic data only and no second site to copy to.' },
  },
  auditSuppressions: [BEFORE_FIRST_DRILL, PLATFORM_ADMINS_CLUSTER_ADMIN, MONITORING_LISTENERS_WITHOUT_TLS],
  // Development warns only: its admission policies say what staging would refuse.
  admission: { deny: [] },
};
