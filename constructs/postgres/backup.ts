import { Construct } from 'constructs';
import { ConstructPropsError } from '../../lib/errors';
import { CustomResource } from '../k8s-object';
import type { Peer } from '../network/peer';
import type { Port } from '../network/port';
import type { IConnectable } from '../network/segmentation';
import { BARMAN_CLOUD_PLUGIN } from './names';
import { checkBucketName, checkHttpsEndpoint, checkRetention, checkSecretName } from '../../policy/postgres/validation';
import { checkSixFieldCron } from '../../lib/cron';

/** A key of a Secret in the Postgres cluster's namespace. */
export interface SecretKeyRef {
  readonly secretName: string;
  readonly key: string;
}

/** S3 credentials: a Secret reference, never a value. */
export interface S3CredentialsRef {
  /** The Secret, in the Postgres cluster's namespace, holding the access key pair. */
  readonly secretName: string;
  /** @default "AWS_ACCESS_KEY_ID" (the key an ObjectBucketClaim's Secret uses) */
  readonly accessKeyIdKey?: string;
  /** @default "AWS_SECRET_ACCESS_KEY" */
  readonly secretAccessKeyKey?: string;
}

/**
 * Where a cluster's base backups and WAL live: an S3 bucket on the data centre's object store
 * (Ceph RGW), reached over https with the CA that signed the endpoint. The object-storage
 * construct's Bucket provides all of it (see constructs/postgres/README section of README.md).
 */
export interface BackupDestination {
  readonly bucket: string;
  /** The S3 endpoint, https only. */
  readonly endpointUrl: string;
  readonly credentials: S3CredentialsRef;
  /** The CA bundle that verifies the endpoint's certificate (`endpointCA`). */
  readonly ca: SecretKeyRef;
  /** Where the endpoint is on the network: Postgres pods get egress to it, and only to it. */
  readonly peer: Peer | IConnectable;
  /** Ports of the endpoint. @default the peer's own ports */
  readonly ports?: readonly Port[];
  /** A folder inside the bucket. @default the bucket's root */
  readonly path?: string;
}

/** The two instance choices of a base backup. */
export type BackupTarget = 'primary' | 'prefer-standby';

/**
 * How a cluster is backed up. Issue 9 (backup tiers) sets retention and schedule per tier;
 * the defaults are the daily tier.
 */
export interface PostgresBackupPolicy {
  /** Where base backups and WAL go. */
  readonly destination: BackupDestination;
  /** How long base backups (and the WAL to replay them) are kept: "30d", "6w", "3m". @default "30d" */
  readonly retention?: string;
  /**
   * When base backups run: six fields, seconds first (robfig/cron), not the five of a CronJob.
   * WAL is archived continuously regardless, which is what makes any point in time recoverable.
   * @default "0 0 2 * * *" (02:00 daily)
   */
  readonly schedule?: string;
  /** Which instance takes the base backup. @default "prefer-standby" (spares the primary) */
  readonly target?: BackupTarget;
  /**
   * Server-side encryption requested from the object store. RGW needs a KMS for it, so it is
   * off unless asked; backups travel over TLS either way and rest on the Ceph cluster's disks.
   * @default none
   */
  readonly encryption?: 'AES256' | 'aws:kms';
}

export const DEFAULT_BACKUP_RETENTION = '30d';
export const DEFAULT_BACKUP_SCHEDULE = '0 0 2 * * *';

/** Checks a destination; returns every problem as [field, message, received]. */
export function destinationProblems(d: BackupDestination, field: string): Array<[string, string, unknown]> {
  const out: Array<[string, string, unknown]> = [];
  const add = (f: string, msg: string | undefined, v: unknown) => msg && out.push([`${field}.${f}`, msg, v]);
  add('bucket', checkBucketName(d.bucket), d.bucket);
  add('endpointUrl', checkHttpsEndpoint(d.endpointUrl), d.endpointUrl);
  add('credentials.secretName', checkSecretName(d.credentials.secretName), d.credentials.secretName);
  add('ca.secretName', checkSecretName(d.ca.secretName), d.ca.secretName);
  if (d.path !== undefined && !/^[a-z0-9][a-z0-9._/-]*$/.test(d.path)) add('path', 'must be a folder name of lower-case letters, digits, ".", "_", "-" and "/"', d.path);
  return out;
}

export interface BarmanObjectStoreProps {
  readonly name: string;
  readonly namespace: string;
  readonly destination: BackupDestination;
  /**
   * The retention the plugin enforces. Leave it unset on a store that is only read (the
   * origin of a recovery or replica): a reader must never delete its origin's backups.
   * @default no retention (nothing is deleted)
   */
  readonly retention?: string;
  /** @default none (see PostgresBackupPolicy.encryption) */
  readonly encryption?: 'AES256' | 'aws:kms';
}

/**
 * A Barman Cloud plugin `ObjectStore` (barmancloud.cnpg.io/v1): the bucket, endpoint, CA and
 * credential Secret references, compression, and the resources of the sidecar the plugin adds
 * to every instance pod. `serverName` is deliberately absent (the plugin requires it to be set
 * on the Cluster's plugin parameters instead).
 */
export class BarmanObjectStore extends CustomResource {
  readonly storeName: string;

  constructor(scope: Construct, id: string, props: BarmanObjectStoreProps) {
    const d = props.destination;
    const path = d.path ? `${d.path.replace(/\/+$/, '')}/` : '';
    const encryption = props.encryption ? { encryption: props.encryption } : {};
    super(scope, id, {
      object: {
        apiVersion: 'barmancloud.cnpg.io/v1',
        kind: 'ObjectStore',
        metadata: { name: props.name, namespace: props.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          ...(props.retention ? { retentionPolicy: props.retention } : {}),
          configuration: {
            destinationPath: `s3://${d.bucket}/${path}`,
            endpointURL: d.endpointUrl,
            endpointCA: { name: d.ca.secretName, key: d.ca.key },
            s3Credentials: {
              accessKeyId: { name: d.credentials.secretName, key: d.credentials.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID' },
              secretAccessKey: { name: d.credentials.secretName, key: d.credentials.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY' },
            },
            wal: { compression: 'zstd', maxParallel: 4, ...encryption },
            data: { compression: 'lz4', jobs: 2, ...encryption },
          },
          instanceSidecarConfiguration: {
            retentionPolicyIntervalSeconds: 1800,
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          },
        },
      },
    });
    const problems = destinationProblems(d, 'destination');
    if (props.retention !== undefined) {
      const r = checkRetention(props.retention);
      if (r) problems.push(['retention', r, props.retention]);
    }
    if (problems.length > 0) {
      const [field, message, received] = problems[0]!;
      throw new ConstructPropsError(this.node.path, field, message, received);
    }
    this.storeName = props.name;
  }
}

export interface PostgresScheduledBackupProps {
  readonly name: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly schedule: string;
  readonly target: BackupTarget;
}

/**
 * A `ScheduledBackup` through the Barman Cloud plugin. `method: plugin` is written explicitly:
 * the CRD still defaults to the in-tree `barmanObjectStore` method, which CloudNativePG 1.31
 * removes. The first backup runs as soon as the cluster exists (`immediate`), so a new
 * cluster is recoverable from day one.
 */
export class PostgresScheduledBackup extends CustomResource {
  constructor(scope: Construct, id: string, props: PostgresScheduledBackupProps) {
    super(scope, id, {
      object: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ScheduledBackup',
        metadata: { name: props.name, namespace: props.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          schedule: props.schedule,
          immediate: true,
          backupOwnerReference: 'self',
          cluster: { name: props.cluster },
          method: 'plugin',
          pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
          target: props.target,
        },
      },
    });
    const problem = checkSixFieldCron(props.schedule);
    if (problem) throw new ConstructPropsError(this.node.path, 'schedule', problem, props.schedule);
  }
}
