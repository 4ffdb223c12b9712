/**
 * Names derived from a Postgres cluster, in one place: Kubernetes objects, the services
 * CloudNativePG creates, the labels on its pods, role names per data domain and the backup
 * bucket. Other constructs (object storage, sharing agreements, restore drills) use these so
 * everyone agrees on them. No cdktf import: environment files may use them.
 */

/** The plugin name CloudNativePG uses for the Barman Cloud plugin (CNPG-I). */
export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** PostgreSQL listens here, and so does PgBouncer. */
export const POSTGRES_PORT = 5432;
/** The instance manager's status endpoint, which the operator polls. */
export const INSTANCE_STATUS_PORT = 8000;

/**
 * Labels CloudNativePG 1.30 puts on pods (`pkg/utils/labels_annotations.go`). `cnpg.io/cluster`
 * is on the instances, on their bootstrap and join jobs, and on the pods of every Pooler of the
 * cluster: select instances with `podRole: instance` as well, jobs with their `jobRole`.
 */
export const CNPG_LABELS = {
  /** On every pod of a cluster and of its poolers: never select with it alone. */
  cluster: 'cnpg.io/cluster',
  /** `instance` on the Postgres instances, `pooler` on PgBouncer pods; absent on jobs. */
  podRole: 'cnpg.io/podRole',
  /** On the pods of the operator's jobs: `initdb`, `full-recovery`, `join`, ... */
  jobRole: 'cnpg.io/jobRole',
  /** On every pod of a pooler. */
  pooler: 'cnpg.io/poolerName',
} as const;

/** The value of `cnpg.io/podRole` on a cluster's Postgres instances. */
export const INSTANCE_POD_ROLE = 'instance';

/**
 * The jobs CloudNativePG runs for the clusters of this estate: `initdb` creates a new cluster,
 * `full-recovery` restores a recovery or replica cluster from its origin's object store, `join`
 * clones the primary into each further instance.
 */
export type CnpgJobRole = 'initdb' | 'full-recovery' | 'join';

/** The names of a cluster's objects. */
export function clusterNames(cluster: string, namespace: string) {
  const services = [`${cluster}-rw`, `${cluster}-ro`, `${cluster}-r`];
  return {
    /** The cert-manager Certificate and the kubernetes.io/tls Secret it writes. */
    serverTls: `${cluster}-server-tls`,
    /** The ObjectStore this cluster archives its WAL and base backups to. */
    backupStore: `${cluster}-backup`,
    /** The ObjectStore a recovered or replica cluster reads its origin from. */
    originStore: `${cluster}-origin`,
    /** The name of the origin in `externalClusters`. */
    origin: 'origin',
    scheduledBackup: `${cluster}-daily`,
    /** The services CloudNativePG creates, and every name a client may use for them. */
    services,
    dnsNames: services.flatMap((s) => [s, `${s}.${namespace}`, `${s}.${namespace}.svc`, `${s}.${namespace}.svc.cluster.local`]),
  };
}

/** The PgBouncer pooler of a cluster and its TLS certificate. */
export function poolerNames(cluster: string, namespace: string, type: 'rw' | 'ro' | 'r') {
  const name = `${cluster}-pooler-${type}`;
  return {
    name,
    tls: `${name}-tls`,
    dnsNames: [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`],
  };
}

/** A data domain ("energy-statistics") as a SQL identifier ("energy_statistics"). */
export function domainIdentifier(domain: string): string {
  return domain.replace(/-/g, '_');
}

/** The login role that owns a domain's databases and schemas. */
export function ownerRoleOf(domain: string): string {
  return `${domainIdentifier(domain)}_owner`;
}

/**
 * The NOLOGIN role that reads a domain's data (`<domain>_read`), or one schema of it
 * (`<database>_<schema>_read`): consumers are made members of it (grantRead), and the
 * domain's schema migrations grant USAGE and SELECT to it.
 */
export function readRoleOf(domain: string, schema?: SchemaRef): string {
  return schema ? `${schema.database}_${schema.schema}_read` : `${domainIdentifier(domain)}_read`;
}

/** One schema of one database: the unit a sharing agreement shares. */
export interface SchemaRef {
  readonly database: string;
  readonly schema: string;
}

/**
 * The kubernetes.io/basic-auth Secret holding a login role's password, in the cluster's
 * namespace. It is created in-cluster (see PostgresCluster docs), never by Terraform.
 */
export function roleSecretName(cluster: string, role: string): string {
  return `${cluster}-${role.replace(/_/g, '-')}-credentials`;
}

/** The Database custom resource of a database. */
export function databaseObjectName(cluster: string, database: string): string {
  return `${cluster}-${database.replace(/_/g, '-')}`;
}

/**
 * The bucket holding a Postgres cluster's base backups and WAL. It includes the environment
 * and cluster so that a recovery site can name the primary site's bucket without reading its
 * code, and two clusters never archive into the same place.
 */
export function backupBucketName(environment: string, kubernetesCluster: string, postgresCluster: string): string {
  return `pg-${environment}-${kubernetesCluster}-${postgresCluster}`;
}
