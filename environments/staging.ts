import { DENY_AT_ADMISSION } from './admission';
import { BEFORE_FIRST_DRILL, MONITORING_LISTENERS_WITHOUT_TLS, PLATFORM_ADMINS_CLUSTER_ADMIN } from './audit-exceptions';
import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';

/** Pre-production at the primary site: one Cluster API cluster, three control-plane nodes, small pools. */
export const staging: EnvironmentInput = {
  name: 'staging',
  description: 'Pre-production at the Hanoi primary site; mirrors prod at small scale.',
  class: 'staging',
  securityLevel: 3,
  site: { name: 'hanoi-1', location: 'Hà Nội primary data centre' },
  state: { type: 's3', bucket: 'tfstate-staging', keyPrefix: 'moit/staging', endpoint: 'https://s3.mgmt.dc.moit.gov.vn', region: 'hanoi-1' },
  zones: standardZones(3),
  clusterBaseline: {
    // The ministry's Keycloak realm (an assumption until the identity team confirms it: docs/install-order.md).
    identityProvider: { issuerUrl: 'https://sso.moit.gov.vn/realms/dc-staging', audiences: ['kubernetes'] },
    access: { platformAdmins: 'oidc:dc-platform-admins', auditors: 'oidc:dc-auditors' },
  },
  // Its own management cluster: Cluster API upgrades are rehearsed here before prod's, and the
  // two environments never install the same operators or cluster-scoped objects into one cluster.
  management: {
    kubeconfig: { path: '~/.kube/config', context: 'moit-mgmt-hanoi-staging' },
    namespace: 'capi-staging',
    nodeCidr: '10.2.0.0/24',
    controlPlaneCidr: '10.2.0.8/29',
    registry: { repository: 'registry.mgmt.dc.moit.gov.vn/capi', cidr: '10.1.0.50/32' },
  },
  secrets: {
    store: { host: 'openbao.staging.dc.moit.gov.vn', cidr: '10.2.0.60/32' },
    // Auto-unseal from the production transit engine's staging key, as prod will run it.
    unseal: { method: 'transit', address: 'https://openbao-unseal.dc.moit.gov.vn:8200', keyName: 'openbao-staging' },
  },
  clusters: [
    {
      name: 'core',
      mode: 'clusterApi',
      kubeconfig: { path: '~/.kube/config', context: 'moit-staging-core' },
      kubernetesVersion: 'v1.35.2',
      controlPlane: { replicas: 3, machine: { cpus: 4, memoryMiB: 8192, diskGiB: 60 }, endpoint: { host: '10.20.0.10', port: 6443 } },
      vsphere: {
        server: 'vcenter.hanoi-1.dc.moit.gov.vn',
        thumbprint: '3A:7F:21:9C:0B:44:D2:E8:51:6A:9F:13:C7:80:2D:4E:B5:61:F0:9A',
        datacenter: 'HN1',
        datastore: 'vsan-silver',
        folder: '/HN1/vm/k8s/staging-core',
        resourcePool: '/HN1/host/cluster-b/Resources/k8s-staging',
        template: 'ubuntu-2404-kube-v1.35.2',
        identity: { name: 'hanoi-vcenter', secretName: 'hanoi-vcenter-credentials' },
        controlPlaneNetwork: 'seg-staging-mgmt',
        serverCidr: '10.0.1.10/32',
      },
      network: { pods: '10.244.0.0/16', services: '10.96.0.0/12' },
      nodeCidr: '10.20.0.0/22',
      // The control-plane machines' IPAM pool, with the VIP 10.20.0.10.
      controlPlaneCidr: '10.20.0.8/29',
      nodePools: [
        { name: 'app', zone: 'app', replicas: 2, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 80 }, network: 'seg-staging-app' },
        { name: 'data', zone: 'data', replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 120 }, network: 'seg-staging-data' },
        { name: 'edge', zone: 'dmz', replicas: 2, machine: { cpus: 2, memoryMiB: 4096, diskGiB: 40 }, network: 'seg-staging-dmz' },
        // The operators, cert-manager and the Velero server run in the mgmt zone: without a pool
        // there they could not be scheduled (every pool is tainted with its zone).
        { name: 'ops', zone: 'mgmt', replicas: 2, machine: { cpus: 4, memoryMiB: 8192, diskGiB: 80 }, network: 'seg-staging-mgmt' },
      ],
    },
  ],
  objectStorage: {
    ceph: { monitors: 3, managers: 2 },
    failureDomain: 'host',
    blockPool: { replicas: 3 },
    objectStore: { metadataReplicas: 3, dataPool: { type: 'replicated', replicas: 3 }, gateways: 2 },
    buckets: { maxSize: '500Gi', noncurrentVersionExpirationDays: 14 },
  },
  // Three instances like prod, small; synchronous "preferred" (writes go on if both standbys are down).
  postgres: [
    {
      name: 'main',
      cluster: 'core',
      instances: 3,
      storage: { size: '50Gi', walSize: '10Gi' },
      resources: { cpu: '1', memory: '2Gi' },
      pooler: { enabled: true, instances: 2 },
    },
  ],
  // Prod's shape at small scale: 3 controllers, 3 brokers, replication factor 3.
  kafka: {
    clusters: [
      {
        name: 'events',
        cluster: 'core',
        controllers: { replicas: 3, storage: '10Gi', resources: { cpu: '250m', memory: '1Gi' } },
        brokers: { replicas: 3, storage: '50Gi', resources: { cpu: '500m', memory: '4Gi' } },
      },
    ],
  },
  /*
   * Backups: pre-production holds test data, so every tier keeps two weeks at most; level 3
   * still means 3-2-1, so copies go to the recovery site's receiving bucket (object lock).
   */
  backup: {
    tiers: { gold: { retentionDays: 14 }, silver: { retentionDays: 14 }, bronze: { retentionDays: 7 } },
    assign: { 'core/postgres/main': 'gold', 'core/kafka/events': 'gold' },
    offsite: {
      environment: 'dr',
      site: 'hcm-1',
      distanceKm: 1140,
      endpoint: 'https://s3.hcm-1.dc.moit.gov.vn',
      cidr: '10.40.8.10/32',
      bucket: 'offsite-staging',
      credentialsSecret: 'offsite-staging-keys',
      immutable: true,
    },
  },
  auditSuppressions: [BEFORE_FIRST_DRILL, PLATFORM_ADMINS_CLUSTER_ADMIN, MONITORING_LISTENERS_WITHOUT_TLS],
  admission: DENY_AT_ADMISSION,
  /*
   * Monitoring (constructs/monitoring): Prometheus keeps 15d of metrics; Alertmanager pages the
   * data centre's on-call for critical alerts (a gold service's RPO at risk, a synchronous
   * standby missing, Ceph in HEALTH_ERR) and mails the platform team the warnings. The webhook
   * URL and the mail relay password are Secrets delivered by the secret-management process.
   */
  monitoring: {
    prometheus: { retention: '15d', storage: '100Gi', replicas: 1 },
    receivers: [
      { name: 'dc-oncall', type: 'webhook', urlSecret: { name: 'alertmanager-oncall', key: 'url' }, cidr: '10.1.0.40/32' },
      { name: 'dc-platform', type: 'email', to: ['dc-platform@moit.gov.vn'], from: 'alertmanager@moit.gov.vn', smarthost: 'smtp.moit.gov.vn:587', passwordSecret: { name: 'alertmanager-smtp', key: 'password' }, cidr: '10.1.0.41/32' },
    ],
    route: { critical: 'dc-oncall', warning: 'dc-platform' },
  },
};
