import { DENY_AT_ADMISSION } from './admission';
import { BEFORE_FIRST_DRILL, MONITORING_LISTENERS_WITHOUT_TLS, PLATFORM_ADMINS_CLUSTER_ADMIN } from './audit-exceptions';
import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';
import { postgresBackupFor } from '../policy/backup/tiers';

/** Production at the primary site: security level 4, a node pool per zone. */
export const prod: EnvironmentInput = {
  name: 'prod',
  description: 'Production at the Hanoi primary site.',
  class: 'production',
  securityLevel: 4,
  site: { name: 'hanoi-1', location: 'Hà Nội primary data centre' },
  state: { type: 's3', bucket: 'tfstate-prod', keyPrefix: 'moit/prod', endpoint: 'https://s3.mgmt.dc.moit.gov.vn', region: 'hanoi-1' },
  zones: standardZones(4),
  clusterBaseline: {
    // The ministry's Keycloak realm (an assumption until the identity team confirms it: docs/install-order.md).
    identityProvider: { issuerUrl: 'https://sso.moit.gov.vn/realms/dc', audiences: ['kubernetes'] },
    access: { platformAdmins: 'oidc:dc-platform-admins', auditors: 'oidc:dc-auditors' },
  },
  management: {
    kubeconfig: { path: '~/.kube/config', context: 'moit-mgmt-hanoi' },
    namespace: 'capi-prod',
    nodeCidr: '10.1.0.0/24',
    controlPlaneCidr: '10.1.0.8/29',
    registry: { repository: 'registry.mgmt.dc.moit.gov.vn/capi', cidr: '10.1.0.50/32' },
  },
  secrets: {
    // OpenBao on the management cluster, behind its VIP on the management node network.
    store: { host: 'openbao.prod.dc.moit.gov.vn', cidr: '10.1.0.60/32' },
    // The HSM of the Hanoi site holds the unseal key; no person holds a share.
    unseal: { method: 'pkcs11', slot: 0, keyLabel: 'openbao-prod-unseal' },
  },
  clusters: [
    {
      name: 'core',
      mode: 'clusterApi',
      kubeconfig: { path: '~/.kube/config', context: 'moit-prod-core' },
      kubernetesVersion: 'v1.35.2',
      controlPlane: { replicas: 3, machine: { cpus: 8, memoryMiB: 16384, diskGiB: 100 }, endpoint: { host: '10.10.0.10', port: 6443 } },
      vsphere: {
        server: 'vcenter.hanoi-1.dc.moit.gov.vn',
        thumbprint: '3A:7F:21:9C:0B:44:D2:E8:51:6A:9F:13:C7:80:2D:4E:B5:61:F0:9A',
        datacenter: 'HN1',
        datastore: 'vsan-gold',
        folder: '/HN1/vm/k8s/prod-core',
        resourcePool: '/HN1/host/cluster-a/Resources/k8s-prod',
        template: 'ubuntu-2404-kube-v1.35.2',
        identity: { name: 'hanoi-vcenter', secretName: 'hanoi-vcenter-credentials' },
        controlPlaneNetwork: 'seg-prod-mgmt',
        serverCidr: '10.0.1.10/32',
      },
      network: { pods: '10.244.0.0/16', services: '10.96.0.0/12' },
      nodeCidr: '10.10.0.0/22',
      // The control-plane machines' IPAM pool, with the VIP 10.10.0.10.
      controlPlaneCidr: '10.10.0.8/29',
      nodePools: [
        { name: 'edge', zone: 'dmz', replicas: 3, machine: { cpus: 4, memoryMiB: 8192, diskGiB: 60 }, network: 'seg-prod-dmz' },
        { name: 'app', zone: 'app', replicas: 6, machine: { cpus: 8, memoryMiB: 32768, diskGiB: 100 }, network: 'seg-prod-app' },
        { name: 'data', zone: 'data', replicas: 6, machine: { cpus: 16, memoryMiB: 65536, diskGiB: 200 }, network: 'seg-prod-data' },
        { name: 'ops', zone: 'mgmt', replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 100 }, network: 'seg-prod-mgmt' },
        { name: 'exchange', zone: 'exchange', replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 80 }, network: 'seg-prod-exchange' },
      ],
    },
  ],
  objectStorage: {
    ceph: { monitors: 3, managers: 2 },
    failureDomain: 'host',
    blockPool: { replicas: 3 },
    // Six data nodes: erasure coding 4+2 survives two lost hosts at 1.5x raw space.
    objectStore: { metadataReplicas: 3, dataPool: { type: 'erasureCoded', dataChunks: 4, codingChunks: 2 }, gateways: 3 },
    buckets: { maxSize: '5Ti', noncurrentVersionExpirationDays: 90, objectLock: { mode: 'COMPLIANCE', days: 35 } },
  },
  // Three instances on three hosts, a commit waits for one standby (dataDurability: required).
  // The dr site follows this cluster through its backup bucket (environments/dr.ts).
  postgres: [
    {
      name: 'main',
      cluster: 'core',
      instances: 3,
      storage: { size: '200Gi', walSize: '50Gi' },
      resources: { cpu: '3', memory: '12Gi' },
      parameters: { max_connections: '400', shared_buffers: '3GB' },
      pooler: { enabled: true, instances: 3 },
      // Tier gold (backup.assign below): 90 days, a base backup at 01:00, WAL continuously.
      backup: postgresBackupFor('gold'),
      // The dr site's replica cluster reads this cluster's backup bucket, read-only. Its traffic
      // arrives from the recovery site's cross-site egress address (assumed: docs/install-order.md).
      readableBy: [{ environment: 'dr', cidr: '10.40.8.2/32' }],
    },
  ],
  /*
   * Kafka: replication factor 3, min.insync.replicas 2, rack-aware over the data nodes.
   * "tls" serves the ministry's applications inside the cluster. "site" serves only the
   * recovery site's MirrorMaker 2: TLS passthrough through the exchange zone's Gateway
   * (which must exist, with the Gateway API TLSRoute CRD), mutual TLS as "mirror-dr", a user
   * that can only read the topics marked for the off-site copy.
   */
  kafka: {
    clusters: [
      {
        name: 'events',
        cluster: 'core',
        controllers: { replicas: 3, storage: '20Gi', resources: { cpu: '500m', memory: '2Gi' } },
        brokers: { replicas: 3, storage: '500Gi', resources: { cpu: '2', memory: '12Gi' } },
        listeners: [
          { name: 'tls', port: 9093, type: 'internal', authentication: 'tls' },
          {
            name: 'site',
            port: 9095,
            type: 'tlsroute',
            authentication: 'tls',
            gateway: {
              name: 'site-gateway',
              namespace: 'exchange',
              sectionName: 'kafka-passthrough',
              podSelector: { 'app.kubernetes.io/name': 'site-gateway' },
              // The recovery site's MirrorMaker 2 arrives, by SNI on 443, from the site's one
              // cross-site egress address (as readableBy above; assumed: docs/install-order.md).
              entry: { name: 'dr-site', cidr: '10.40.8.2/32', port: 443 },
            },
            bootstrapHost: 'events-bootstrap.kafka.hanoi-1.dc.moit.gov.vn',
            brokerHostTemplate: 'events-broker-{nodeId}.kafka.hanoi-1.dc.moit.gov.vn',
          },
        ],
        offsiteCopy: { user: 'mirror-dr', listener: 'site' },
      },
    ],
  },
  /*
   * Backups: the default tiers (policy/backup/tiers.ts). Off-site copies go to the recovery
   * site's receiving bucket "offsite-prod", which has object lock: nothing holding this site's
   * keys can delete or overwrite them. This site keeps "offsite-dr" for the recovery site.
   * Restore drills are recorded in `drills` as they are done (npm run backups lists what is due).
   */
  backup: {
    assign: { 'core/postgres/main': 'gold', 'core/kafka/events': 'gold' },
    offsite: {
      environment: 'dr',
      site: 'hcm-1',
      distanceKm: 1140,
      endpoint: 'https://s3.hcm-1.dc.moit.gov.vn',
      cidr: '10.40.8.10/32',
      bucket: 'offsite-prod',
      credentialsSecret: 'offsite-prod-keys',
      immutable: true,
    },
    receives: [
      {
        from: 'dr',
        bucket: 'offsite-dr',
        gateway: { namespace: 'exchange', podSelector: { 'app.kubernetes.io/name': 'site-gateway' }, entry: { name: 'dr-site', cidr: '10.40.8.2/32', port: 443 } },
      },
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
    prometheus: { retention: '30d', storage: '200Gi', replicas: 2 },
    receivers: [
      { name: 'dc-oncall', type: 'webhook', urlSecret: { name: 'alertmanager-oncall', key: 'url' }, cidr: '10.1.0.40/32' },
      { name: 'dc-platform', type: 'email', to: ['dc-platform@moit.gov.vn'], from: 'alertmanager@moit.gov.vn', smarthost: 'smtp.moit.gov.vn:587', passwordSecret: { name: 'alertmanager-smtp', key: 'password' }, cidr: '10.1.0.41/32' },
    ],
    route: { critical: 'dc-oncall', warning: 'dc-platform' },
  },
};
