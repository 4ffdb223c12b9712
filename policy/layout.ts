/**
 * The namespaces of a workload cluster, each in exactly one zone. Both the platform stack
 * (which creates them) and the services stack (which places workloads and flows in them)
 * read this plan, so no cross-stack reference is needed.
 */
import type { ZoneName } from './zones';

/** Pod Security Admission levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface PodSecurityException {
  /** The level enforced instead of `restricted`. */
  readonly level: Exclude<PodSecurityLevel, 'restricted'>;
  /** Why this namespace cannot run restricted, in words an auditor can check (10+ characters). */
  readonly reason: string;
}

export interface NamespaceQuota {
  /** Total CPU requested by all pods, e.g. "16". */
  readonly requestsCpu: string;
  /** Total memory requested and limited, e.g. "64Gi". */
  readonly memory: string;
  readonly pods: number;
  readonly persistentVolumeClaims: number;
  /** Total storage requested by claims, e.g. "2Ti". */
  readonly storage: string;
}

export interface NamespacePlan {
  readonly name: string;
  readonly zone: ZoneName;
  readonly purpose: string;
  readonly podSecurityException?: PodSecurityException;
  readonly labels?: Record<string, string>;
  /** @default DEFAULT_QUOTA (constructs/network/zoned-namespace.ts) */
  readonly quota?: NamespaceQuota;
}

/** Well-known namespaces, referred to by constructs. */
export const NS = {
  certManager: 'cert-manager',
  cnpgSystem: 'cnpg-system',
  strimziSystem: 'strimzi-system',
  rookSystem: 'rook-ceph-system',
  rookCluster: 'rook-ceph',
  velero: 'velero',
  externalSecrets: 'external-secrets',
  postgres: 'postgres',
  kafka: 'kafka',
  gateway: 'gateway',
  exchange: 'exchange',
  monitoring: 'monitoring',
} as const;

/** The platform namespaces every workload cluster has. */
export const PLATFORM_NAMESPACES: readonly NamespacePlan[] = [
  { name: NS.certManager, zone: 'mgmt', purpose: 'cert-manager: issues TLS certificates from the internal CA.' },
  { name: NS.cnpgSystem, zone: 'mgmt', purpose: 'CloudNativePG operator and its Barman Cloud plugin.' },
  { name: NS.strimziSystem, zone: 'mgmt', purpose: 'Strimzi cluster operator.' },
  { name: NS.externalSecrets, zone: 'mgmt', purpose: 'External Secrets Operator: writes the Secrets the estate consumes from OpenBao, and pushes generated ones back.' },
  {
    name: NS.rookSystem,
    zone: 'mgmt',
    purpose: 'Rook operator and the Ceph-CSI drivers.',
    podSecurityException: {
      level: 'privileged',
      reason: 'Ceph-CSI node plugins mount host paths and map RBD devices into the kernel; they cannot run unprivileged.',
    },
  },
  {
    name: NS.velero,
    zone: 'mgmt',
    purpose: 'Velero: backups of namespaces and volumes.',
    podSecurityException: {
      level: 'privileged',
      reason: "Velero's node-agent reads pod volumes through the kubelet's host path to move snapshot data off the cluster.",
    },
  },
  {
    name: NS.rookCluster,
    zone: 'data',
    purpose: 'The Ceph cluster: monitors, OSDs and the S3 gateway (RGW).',
    podSecurityException: {
      level: 'privileged',
      reason: 'Ceph OSDs own raw block devices on the hosts and need privileged containers to manage them.',
    },
    // Ceph's limits in prod (12 OSDs x 4Gi, monitors, managers, gateways, log collectors) exceed the default quota.
    quota: { requestsCpu: '64', memory: '256Gi', pods: 150, persistentVolumeClaims: 20, storage: '1Ti' },
  },
  {
    name: NS.monitoring,
    zone: 'mgmt',
    purpose: 'Prometheus, Alertmanager and Grafana (kube-prometheus-stack), the node exporter on every node, and the log shipper of the audit logs.',
    podSecurityException: {
      level: 'privileged',
      reason: "The node exporter reads the host's /proc and /sys with the host's network and PID namespaces, and the log shipper reads /var/log on every node: both need host access.",
    },
  },
  { name: NS.postgres, zone: 'data', purpose: 'CloudNativePG Postgres clusters of the data domains.' },
  { name: NS.kafka, zone: 'data', purpose: 'Strimzi Kafka clusters carrying data-domain events.' },
  { name: NS.gateway, zone: 'dmz', purpose: 'Ingress gateway: the only entry from outside.' },
  { name: NS.exchange, zone: 'exchange', purpose: 'Inter-agency data-sharing gateway (NDOP and other ministries).' },
];

/** Label on a tenant namespace naming the data domain it serves. */
export const DOMAIN_LABEL = 'moit.gov.vn/domain';

/** The tenant namespace of a data domain (app zone): where the domain's own workloads run. */
export function tenantNamespace(domain: string): string {
  return `app-${domain}`;
}

/** Label on a namespace naming the backup tier of what it holds (constructs/backup). */
export const BACKUP_TIER_LABEL = 'moit.gov.vn/backup-tier';

/** One tenant namespace per data domain, in the app zone, labelled with its domain and its backup tier. */
export function tenantNamespaces(domains: ReadonlyArray<{ readonly name: string; readonly title: string; readonly backupTier?: string }>): NamespacePlan[] {
  return domains.map((d) => ({ name: tenantNamespace(d.name), zone: 'app', purpose: `Applications of the ${d.name} data domain (${d.title}).`, labels: { [DOMAIN_LABEL]: d.name, ...(d.backupTier ? { [BACKUP_TIER_LABEL]: d.backupTier } : {}) } }));
}

/** The full namespace plan of a cluster: platform namespaces plus the given tenants. */
export function clusterNamespaces(tenants: readonly NamespacePlan[] = []): NamespacePlan[] {
  const all = [...PLATFORM_NAMESPACES, ...tenants];
  const seen = new Set<string>();
  for (const ns of all) {
    if (seen.has(ns.name)) throw new Error(`policy/layout.ts: namespace "${ns.name}" is planned twice`);
    seen.add(ns.name);
  }
  return all;
}

/** The zone of a planned namespace; an unknown namespace is an error naming the known ones. */
export function zoneOf(plan: readonly NamespacePlan[], namespace: string): ZoneName {
  const found = plan.find((n) => n.name === namespace);
  if (!found) throw new Error(`namespace "${namespace}" is not in the cluster layout; known: ${plan.map((n) => n.name).join(', ')}`);
  return found.zone;
}

/**
 * StorageClasses the Ceph cluster provides (created by the object-storage platform). Both
 * retain their volumes when a claim is deleted; stateful services use these names.
 */
export const STORAGE_CLASSES = {
  /** RBD block volumes for Postgres, Kafka and other stateful pods. */
  block: 'ceph-rbd-retain',
  /** The bucket provisioner used by ObjectBucketClaims. */
  bucket: 'ceph-bucket-retain',
} as const;
