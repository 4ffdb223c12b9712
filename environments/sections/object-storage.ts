/**
 * The `objectStorage` section of an environment file: how big the Ceph cluster of every
 * workload cluster is, how its pools keep data, and the defaults every bucket gets.
 *
 * Cross-field checks (HA minimums per environment class, failure domains, enough data-zone
 * nodes for the layout) are in {@link checkObjectStorage}, which the environment schema's
 * superRefine calls with the whole environment.
 */
import { z } from 'zod';

/** A Kubernetes quantity for a size in bytes: "500Gi", "2Ti", "10G". */
const QUANTITY = /^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$/;
const quantity = (what: string) =>
  z.string().regex(QUANTITY, { message: `${what} must be a whole size with an optional unit, such as "500Gi" or "2Ti"` });

/** A container image pinned by tag or digest; never a floating "latest". */
const IMAGE = /^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;

/**
 * The default image of the bucket configurator Job (AWS CLI v2). Mirror it into the data
 * centre's registry and pin it there by digest; re-check the tag before production.
 */
export const DEFAULT_S3_CLI_IMAGE = 'docker.io/amazon/aws-cli:2.27.50';

const replicated = z.strictObject({
  type: z.literal('replicated'),
  /** Copies of every object, each in a different failure domain. */
  replicas: z.number().int().min(1).max(7),
});

const erasureCoded = z.strictObject({
  type: z.literal('erasureCoded'),
  /** Data chunks per object (k). */
  dataChunks: z.number().int().min(2).max(16),
  /** Coding chunks per object (m): how many failure domains may be lost at once. */
  codingChunks: z.number().int().min(1).max(8),
});

export const OBJECT_LOCK_MODES = ['COMPLIANCE', 'GOVERNANCE'] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

export const objectStorageSection = z.strictObject({
  ceph: z.strictObject({
    /** Ceph monitors; odd, so they keep a quorum. */
    monitors: z.number().int().min(1).max(9),
    /** Ceph managers (one active, the others standby). */
    managers: z.number().int().min(1).max(3),
    /**
     * Whether monitors and managers may share a node. Only a single-node development cluster
     * needs this. @default false
     */
    allowMultipleDaemonsPerNode: z.boolean().default(false),
    /**
     * Which raw block devices of the data-zone nodes become OSDs: every empty device, or those
     * whose name matches this regular expression (e.g. "^sd[b-z]"). @default every empty device
     */
    deviceFilter: z.string().min(1).optional(),
  }),
  /**
   * What a pool spreads its copies (or chunks) across: "host" keeps them on different nodes,
   * "osd" only on different disks (one node may hold them all). Production and recovery need
   * "host".
   */
  failureDomain: z.enum(['host', 'osd']),
  /** The RBD pool behind the `ceph-rbd-retain` StorageClass (Postgres, Kafka volumes). */
  blockPool: z.strictObject({ replicas: z.number().int().min(1).max(7) }),
  objectStore: z.strictObject({
    /** Replicas of the object store's metadata and index pools (always replicated). */
    metadataReplicas: z.number().int().min(1).max(7),
    /** How object data is kept: replicated, or erasure coded (less raw space, needs k+m failure domains). */
    dataPool: z.discriminatedUnion('type', [replicated, erasureCoded]),
    /** S3 gateway (RGW) pods. */
    gateways: z.number().int().min(1).max(12),
  }),
  /** Defaults every bucket gets unless it says otherwise. */
  buckets: z
    .strictObject({
      /** Quota on a bucket's total size. @default "1Ti" */
      maxSize: quantity('maxSize').default('1Ti'),
      /** Quota on a bucket's number of objects. @default 10000000 */
      maxObjects: z.number().int().min(1).default(10_000_000),
      /** Days a noncurrent (overwritten or deleted) version is kept before lifecycle removes it. @default 30 */
      noncurrentVersionExpirationDays: z.number().int().min(1).max(36500).default(30),
      /** Days after which an unfinished multipart upload is aborted and its parts freed. @default 7 */
      abortIncompleteUploadDays: z.number().int().min(1).max(365).default(7),
      /**
       * Default retention (WORM) of backup and archive buckets in production and recovery.
       * COMPLIANCE: nobody, not even the bucket owner, can delete a locked version early.
       * @default { mode: "COMPLIANCE", days: 30 }
       */
      objectLock: z
        .strictObject({
          mode: z.enum(OBJECT_LOCK_MODES).default('COMPLIANCE'),
          days: z.number().int().min(1).max(36500).default(30),
        })
        .default({ mode: 'COMPLIANCE', days: 30 }),
    })
    .default({ maxSize: '1Ti', maxObjects: 10_000_000, noncurrentVersionExpirationDays: 30, abortIncompleteUploadDays: 7, objectLock: { mode: 'COMPLIANCE', days: 30 } }),
  /**
   * The image of the Job that turns on versioning, blocks public access and sets object lock on
   * each bucket (things an ObjectBucketClaim cannot declare). @default DEFAULT_S3_CLI_IMAGE
   */
  s3CliImage: z
    .string()
    .regex(IMAGE, { message: 'must be an image pinned by tag or digest, such as "registry.dc.moit.gov.vn/aws-cli:2.27.50"' })
    .refine((image) => !image.endsWith(':latest'), { message: 'must be pinned: "latest" changes under you' })
    .default(DEFAULT_S3_CLI_IMAGE),
});

export type ObjectStorageInput = z.input<typeof objectStorageSection>;
export type ObjectStorageConfig = z.output<typeof objectStorageSection>;

/** The environment fields the cross-field checks read (kept structural to avoid an import cycle). */
interface EnvironmentView {
  readonly class: string;
  readonly objectStorage: ObjectStorageConfig;
  readonly clusters: ReadonlyArray<
    { readonly name: string; readonly mode: 'existing' } | { readonly name: string; readonly mode: 'clusterApi'; readonly nodePools: ReadonlyArray<{ readonly zone: string; readonly replicas: number }> }
  >;
}

type Report = (path: (string | number)[], message: string, input: unknown) => void;

/** Copies (replicated) or chunks (erasure coded) of the data pool: the failure domains it needs. */
export function dataPoolWidth(pool: ObjectStorageConfig['objectStore']['dataPool']): number {
  return pool.type === 'replicated' ? pool.replicas : pool.dataChunks + pool.codingChunks;
}

/**
 * Cross-field checks of the section, called by the environment schema. Outside development the
 * storage must survive the loss of a node: three monitors, two managers, two gateways, three
 * copies (or two coding chunks), no daemons sharing a node. Production and recovery spread
 * copies across hosts, and each Cluster API cluster must have enough data-zone nodes for that.
 */
export function checkObjectStorage(env: EnvironmentView, report: Report): void {
  const s = env.objectStorage;
  const at = (...path: (string | number)[]) => ['objectStorage', ...path];
  const cls = env.class;
  const dev = cls === 'development';

  if (s.ceph.monitors % 2 === 0) report(at('ceph', 'monitors'), 'must be odd so the monitors keep a quorum (1, 3, 5 ...)', s.ceph.monitors);
  if (!dev) {
    const minimum = (path: (string | number)[], value: number, min: number, why: string) => {
      if (value < min) report(at(...path), `must be >= ${min} outside development (class "${cls}"): ${why}`, value);
    };
    minimum(['ceph', 'monitors'], s.ceph.monitors, 3, 'losing one monitor must not stop the cluster');
    minimum(['ceph', 'managers'], s.ceph.managers, 2, 'a standby manager takes over when the active one fails');
    minimum(['objectStore', 'gateways'], s.objectStore.gateways, 2, 'S3 stays available while one gateway restarts');
    minimum(['blockPool', 'replicas'], s.blockPool.replicas, 3, 'volumes keep two copies while one is lost');
    minimum(['objectStore', 'metadataReplicas'], s.objectStore.metadataReplicas, 3, 'bucket indexes keep two copies while one is lost');
    const pool = s.objectStore.dataPool;
    if (pool.type === 'replicated') minimum(['objectStore', 'dataPool', 'replicas'], pool.replicas, 3, 'objects keep two copies while one is lost');
    else minimum(['objectStore', 'dataPool', 'codingChunks'], pool.codingChunks, 2, 'objects stay readable and writable while one failure domain is lost');
    if (s.ceph.allowMultipleDaemonsPerNode) {
      report(at('ceph', 'allowMultipleDaemonsPerNode'), `must be false outside development (class "${cls}"): one node must never hold two monitors`, true);
    }
  }
  if ((cls === 'production' || cls === 'recovery') && s.failureDomain !== 'host') {
    report(at('failureDomain'), `must be "host" for class "${cls}": with "osd" every copy of an object may sit on one machine`, s.failureDomain);
  }

  env.clusters.forEach((c) => {
    if (c.mode !== 'clusterApi') return;
    const dataNodes = c.nodePools.filter((p) => p.zone === 'data').reduce((n, p) => n + p.replicas, 0);
    if (dataNodes === 0) return; // no dedicated data pool: the daemons share the general nodes
    const needs: Array<[string[], number, string]> = [];
    if (!s.ceph.allowMultipleDaemonsPerNode) needs.push([['ceph', 'monitors'], s.ceph.monitors, 'monitors, one per node']);
    if (s.failureDomain === 'host') {
      needs.push([['blockPool', 'replicas'], s.blockPool.replicas, 'block pool copies, one per host']);
      needs.push([['objectStore', 'metadataReplicas'], s.objectStore.metadataReplicas, 'metadata copies, one per host']);
      const width = dataPoolWidth(s.objectStore.dataPool);
      needs.push([['objectStore', 'dataPool'], width, s.objectStore.dataPool.type === 'replicated' ? 'data copies, one per host' : 'erasure-coded chunks (k+m), one per host']);
    }
    for (const [path, count, what] of needs) {
      if (count > dataNodes) {
        report(at(...path), `needs ${count} data-zone nodes in cluster "${c.name}" (${what}), but its data node pools have ${dataNodes}; add data nodes or lower the value`, count);
      }
    }
  });
}
