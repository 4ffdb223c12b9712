import { DENY_AT_ADMISSION } from './admission';
import { BEFORE_FIRST_DRILL, MONITORING_LISTENERS_WITHOUT_TLS, PLATFORM_ADMINS_CLUSTER_ADMIN } from './audit-exceptions';
import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';
import { postgresBackupFor } from '../policy/backup/tiers';

/**
 * The disaster-recovery site: a smaller copy of prod in Ho Chi Minh City, far beyond the 30 km
 * a level-5 system would need. Its state lives at the DR site (pg backend), so losing the
 * primary site loses nothing the recovery needs.
 */
export const dr: EnvironmentInput = {
  name: 'dr',
  description: 'Disaster-recovery copy of prod at the Ho Chi Minh City site.',
  class: 'recovery',
  securityLevel: 4,
  site: { name: 'hcm-1', location: 'TP. Hồ Chí Minh recovery data centre', distanceFromPrimaryKm: 1140 },
  state: { type: 'pg', schemaPrefix: 'tfstate_dr' },
  zones: standardZones(4),
  clusterBaseline: {
    // The same realm as prod: users keep one identity when the recovery site takes over (an assumption: docs/install-order.md).
    identityProvider: { issuerUrl: 'https://sso.moit.gov.vn/realms/dc', audiences: ['kubernetes'] },
    access: { platformAdmins: 'oidc:dc-platform-admins', auditors: 'oidc:dc-auditors' },
  },
  management: {
    kubeconfig: { path: '~/.kube/config', context: 'moit-mgmt-hcm' },
    namespace: 'capi-dr',
    nodeCidr: '10.3.0.0/24',
    controlPlaneCidr: '10.3.0.8/29',
    // The recovery site has its own registry mirror: it must work with the primary site gone.
    registry: { repository: 'registry.mgmt.hcm-1.dc.moit.gov.vn/capi', cidr: '10.3.0.50/32' },
  },
  secrets: {
    store: { host: 'openbao.dr.dc.moit.gov.vn', cidr: '10.3.0.60/32' },
    unseal: { method: 'pkcs11', slot: 0, keyLabel: 'openbao-dr-unseal' },
  },
  clusters: [
    {
      name: 'core',
      mode: 'clusterApi',
      kubeconfig: { path: '~/.kube/config', context: 'moit-dr-core' },
      kubernetesVersion: 'v1.35.2',
      controlPlane: { replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 100 }, endpoint: { host: '10.40.0.10', port: 6443 } },
      vsphere: {
        server: 'vcenter.hcm-1.dc.moit.gov.vn',
        thumbprint: '9C:12:E4:70:AB:3D:58:C1:06:F2:7B:94:DE:21:8A:45:C3:0F:67:B9',
        datacenter: 'HCM1',
        datastore: 'vsan-gold',
        folder: '/HCM1/vm/k8s/dr-core',
        resourcePool: '/HCM1/host/cluster-a/Resources/k8s-dr',
        template: 'ubuntu-2404-kube-v1.35.2',
        identity: { name: 'hcm-vcenter', secretName: 'hcm-vcenter-credentials' },
        controlPlaneNetwork: 'seg-dr-mgmt',
        serverCidr: '10.30.1.10/32',
      },
      network: { pods: '10.245.0.0/16', services: '10.97.0.0/16' },
      nodeCidr: '10.40.0.0/22',
      // The control-plane machines' IPAM pool, with the VIP 10.40.0.10.
      controlPlaneCidr: '10.40.0.8/29',
      nodePools: [
        { name: 'edge', zone: 'dmz', replicas: 2, machine: { cpus: 4, memoryMiB: 8192, diskGiB: 60 }, network: 'seg-dr-dmz' },
        { name: 'app', zone: 'app', replicas: 3, machine: { cpus: 8, memoryMiB: 32768, diskGiB: 100 }, network: 'seg-dr-app' },
        { name: 'data', zone: 'data', replicas: 3, machine: { cpus: 16, memoryMiB: 65536, diskGiB: 200 }, network: 'seg-dr-data' },
        { name: 'ops', zone: 'mgmt', replicas: 2, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 100 }, network: 'seg-dr-mgmt' },
        { name: 'exchange', zone: 'exchange', replicas: 2, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 80 }, network: 'seg-dr-exchange' },
      ],
    },
  ],
  objectStorage: {
    ceph: { monitors: 3, managers: 2 },
    failureDomain: 'host',
    blockPool: { replicas: 3 },
    // Three data nodes: erasure coding would need at least 4 hosts for k+m with m >= 2.
    objectStore: { metadataReplicas: 3, dataPool: { type: 'replicated', replicas: 3 }, gateways: 2 },
    buckets: { maxSize: '5Ti', noncurrentVersionExpirationDays: 90, objectLock: { mode: 'COMPLIANCE', days: 35 } },
  },
  /*
   * A replica cluster of prod's "main". What dr reads: only prod's backup bucket (base backups
   * and archived WAL), read-only, over https at the primary site's S3 endpoint; no Postgres
   * connection crosses sites and nothing at dr can write to prod. Data loss on a site loss is
   * bounded by WAL archiving (a segment is archived at least every 5 minutes). It archives its
   * own WAL into its own bucket at this site. Promotion is `replicaOf.promote: true`.
   */
  postgres: [
    {
      name: 'main',
      cluster: 'core',
      instances: 3,
      storage: { size: '200Gi', walSize: '50Gi' },
      resources: { cpu: '3', memory: '12Gi' },
      parameters: { max_connections: '400', shared_buffers: '3GB' },
      pooler: { enabled: true, instances: 2 },
      // Tier gold (backup.assign below): its own backups at this site, 90 days.
      backup: postgresBackupFor('gold'),
      replicaOf: {
        environment: 'prod',
        cluster: 'core',
        postgres: 'main',
        // The S3 endpoint the primary site publishes for the recovery site (its address block
        // is the only place dr's Postgres may reach outside its own cluster).
        endpointUrl: 'https://s3-dr.hanoi-1.dc.moit.gov.vn',
        cidr: '10.10.8.10/32',
        // Read-only keys to prod's bucket, delivered by the secret-management process.
        credentialsSecret: 'main-origin-s3-readonly',
        // Both sites' certificates come from the ministry's internal CA.
        ca: { secretName: 'dc-internal-ca-bundle', key: 'ca.crt' },
      },
    },
  ],
  /*
   * Kafka: the same shape as prod, holding the off-site copy of prod's topics. MirrorMaker 2
   * here pulls them from prod's "site" listener through the primary site's exchange gateway
   * (the only address outside this cluster Kafka may reach), as prod's read-only "mirror-dr"
   * user. The operators copy two Secrets from prod into the "kafka" namespace here: the user's
   * (user.crt, user.key) as "prod-events-mirror-dr", and prod's cluster CA certificate
   * (events-cluster-ca-cert, ca.crt) as "prod-events-cluster-ca"; again after each renewal.
   */
  kafka: {
    clusters: [
      {
        name: 'events',
        cluster: 'core',
        controllers: { replicas: 3, storage: '20Gi', resources: { cpu: '500m', memory: '2Gi' } },
        brokers: { replicas: 3, storage: '500Gi', resources: { cpu: '2', memory: '12Gi' } },
        mirrorFrom: {
          alias: 'prod',
          bootstrapServers: 'events-bootstrap.kafka.hanoi-1.dc.moit.gov.vn:443',
          cidr: '10.10.8.21/32',
          user: 'mirror-dr',
          credentialsSecret: 'prod-events-mirror-dr',
          caSecret: 'prod-events-cluster-ca',
          replicas: 2,
        },
      },
    ],
  },
  /*
   * Backups: the default tiers. This site's own copies go back to the primary site's receiving
   * bucket "offsite-dr" (object lock), through the endpoint the primary site publishes for this
   * one. It keeps receiving buckets for prod's and staging's off-site copies.
   */
  backup: {
    assign: { 'core/postgres/main': 'gold', 'core/kafka/events': 'gold' },
    offsite: {
      environment: 'prod',
      site: 'hanoi-1',
      distanceKm: 1140,
      endpoint: 'https://s3-dr.hanoi-1.dc.moit.gov.vn',
      cidr: '10.10.8.10/32',
      bucket: 'offsite-dr',
      credentialsSecret: 'offsite-dr-keys',
      immutable: true,
    },
    receives: [
      { from: 'prod', bucket: 'offsite-prod', gateway: { namespace: 'exchange', podSelector: { 'app.kubernetes.io/name': 'site-gateway' }, entry: { name: 'prod-site', cidr: '10.10.0.0/22', port: 443 } } },
      { from: 'staging', bucket: 'offsite-staging', gateway: { namespace: 'exchange', podSelector: { 'app.kubernetes.io/name': 'site-gateway' }, entry: { name: 'staging-site', cidr: '10.20.0.0/22', port: 443 } } },
    ],
  },
  auditSuppressions: [BEFORE_FIRST_DRILL, PLATFORM_ADMINS_CLUSTER_ADMIN, MONITORING_LISTENERS_WITHOUT_TLS],
  admission: DENY_AT_ADMISSION,
  /*
   * Monitoring (constructs/monitoring): Prometheus keeps 30d of metrics; Alertmanager pages the
   * data centre's on-call for critical alerts (a gold service's RPO at risk, a synchronous
   * standby missing, Ceph in HEALTH_ERR) and mails the platform team the warnings. The webhook
   * URL and the mail relay password are Secrets delivered by the secret-management process.
   */
  monitoring: {
    prometheus: { retention: '30d', storage: '100Gi', replicas: 2 },
    receivers: [
      { name: 'dc-oncall', type: 'webhook', urlSecret: { name: 'alertmanager-oncall', key: 'url' }, cidr: '10.40.8.40/32' },
      { name: 'dc-platform', type: 'email', to: ['dc-platform@moit.gov.vn'], from: 'alertmanager@moit.gov.vn', smarthost: 'smtp.moit.gov.vn:587', passwordSecret: { name: 'alertmanager-smtp', key: 'password' }, cidr: '10.40.8.41/32' },
    ],
    route: { critical: 'dc-oncall', warning: 'dc-platform' },
  },
};
