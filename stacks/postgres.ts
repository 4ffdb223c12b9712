import { Construct } from 'constructs';
import type { PostgresClusterConfig, PostgresReplicaOfConfig } from '../environments/sections/postgres';
import { NS } from '../policy/layout';
import type { InternalCaIssuer } from '../constructs/cert-manager';
import { Peer } from '../constructs/network/peer';
import { Port } from '../constructs/network/port';
import { ClusterContext } from '../constructs/context';
import type { ObjectStore } from '../constructs/storage/object-store';
import type { BackupDestination } from '../constructs/postgres/backup';
import { PostgresCluster, postgresPeer, RecoverySource } from '../constructs/postgres/cluster';
import { backupBucketName } from '../constructs/postgres/names';

export interface PostgresEstateProps {
  /**
   * The backup bucket of one Postgres cluster, with write access for it (the object-storage
   * construct provides it). Called once per cluster.
   */
  readonly backupDestination: (config: PostgresClusterConfig, bucketName: string) => BackupDestination;
  /** The ClusterIssuer of the server certificates. @default "dc-internal-ca" */
  readonly issuerName?: string;
}

/**
 * The Postgres clusters an environment file declares for the workload cluster of this stack
 * (the `postgres` section), by name. A cluster with `replicaOf` follows another environment's
 * cluster through that cluster's backup bucket.
 */
export class PostgresEstate extends Construct {
  readonly clusters = new Map<string, PostgresCluster>();

  constructor(scope: Construct, id: string, props: PostgresEstateProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const env = stack.environment;
    for (const config of env.postgres.filter((pg) => pg.cluster === stack.cluster)) {
      const destination = props.backupDestination(config, backupBucketName(env.name, stack.cluster, config.name));
      const common = {
        name: config.name,
        namespace: NS.postgres,
        instances: config.instances,
        image: config.image,
        storage: config.storage,
        resources: config.resources,
        parameters: config.parameters,
        backup: { destination, retention: config.backup.retention, schedule: config.backup.schedule },
        pooler: config.pooler.enabled ? { instances: config.pooler.instances, poolMode: config.pooler.poolMode } : undefined,
        issuerName: props.issuerName,
      };
      // Construct ids are the cluster names: renaming one replaces a real database.
      const cluster = config.replicaOf
        ? PostgresCluster.replicaOf(this, config.name, { ...common, source: originOf(config.replicaOf), promote: config.replicaOf.promote })
        : new PostgresCluster(this, config.name, common);
      this.clusters.set(config.name, cluster);
    }
  }
}

/**
 * The origin of a replica cluster at another site: that environment's backup bucket, named by
 * convention, reached through one external backup-target flow to its S3 endpoint.
 */
export function originOf(replicaOf: PostgresReplicaOfConfig): RecoverySource {
  return {
    serverName: replicaOf.postgres,
    destination: {
      bucket: backupBucketName(replicaOf.environment, replicaOf.cluster, replicaOf.postgres),
      endpointUrl: replicaOf.endpointUrl,
      credentials: { secretName: replicaOf.credentialsSecret },
      ca: { secretName: replicaOf.ca.secretName, key: replicaOf.ca.key },
      peer: Peer.external({ name: `${replicaOf.environment}-s3`, cidr: replicaOf.cidr, backupTarget: true }),
      ports: [Port.tcp(replicaOf.port)],
    },
  };
}

/** What the services stack offers the Postgres clusters. */
export interface PostgresServices extends Construct {
  readonly objectStore: ObjectStore;
  readonly issuer: InternalCaIssuer;
}

/**
 * Declares the environment's Postgres clusters in a services stack, each with its own backup
 * bucket in the object store (purpose "backup": versioned, and object-locked in production and
 * recovery), owned in the postgres namespace, with write access for the cluster's pods only.
 * Sites listed in `readableBy` get read-only access to it. Returns the clusters by name.
 */
export function postgresClusters(services: PostgresServices): Map<string, PostgresCluster> {
  const estate = new PostgresEstate(services, 'postgres', {
    issuerName: services.issuer.issuerName,
    backupDestination: (config, bucketName) => {
      const namespace = NS.postgres;
      const bucket = services.objectStore.addBucket(`postgres-${config.name}-backup`, {
        name: bucketName,
        namespace,
        purpose: 'backup',
        description: `Base backups and WAL of Postgres cluster ${config.name}`,
      });
      const grant = bucket.grantWrite({ name: config.name, namespace, peer: postgresPeer(config.name, namespace, 'data') });
      for (const reader of config.readableBy) {
        // Read-only keys for the other site's replica cluster; the Secret appears here and is
        // carried to that site by the secret-management process.
        bucket.grantRead({ name: `${config.name}-${reader.environment}`, namespace, peer: Peer.external({ name: `${reader.environment}-postgres-${config.name}`, cidr: reader.cidr }) });
      }
      return {
        bucket: grant.bucketName,
        endpointUrl: grant.endpoint,
        credentials: { secretName: grant.credentials.secretName, accessKeyIdKey: grant.credentials.accessKeyIdKey, secretAccessKeyKey: grant.credentials.secretAccessKeyKey },
        ca: { secretName: grant.caBundle.secretName, key: grant.caBundle.key },
        peer: services.objectStore,
      };
    },
  });
  return estate.clusters;
}
