/**
 * The backups of one workload cluster's services stack, compiled from the environment's tiers:
 *
 * - Velero: the backup bucket (claim in the velero namespace), the BackupStorageLocation over
 *   https with the internal CA, and one Schedule per namespace that may hold state (app and data
 *   zones) on its tier's schedule and retention;
 * - Postgres: each cluster's backup bucket takes the cluster's tier, and its backups (Barman
 *   retention, base-backup schedule) must be at least as strict as the tier's;
 * - Kafka: Velero for its objects and broker volumes; MirrorMaker 2 at the other site where the
 *   environment declares an off-site copy;
 * - off-site copies: every bucket whose tier keeps one is copied to the other site's receiving
 *   bucket (offsite.ts); receiving buckets for other environments' copies are declared here;
 * - restore drills in progress: a scratch Postgres cluster recovered from the object store.
 *
 * The wiring that needs every service of the stack runs when the stack is prepared
 * (BackupLedger.onPrepare), so services declared after this construct are covered too.
 */
import { Construct } from 'constructs';
import type { ReceiveConfig } from '../../environments/sections/backup';
import { NS, tenantNamespace } from '../../policy/layout';
import { Annotations } from '../../lib/providers';
import { KafkaCluster } from '../kafka/kafka-cluster';
import { Segmentation } from '../network/segmentation';
import { allowGatewayEntry, gatewayPeer } from '../network/gateway';
import { ClusterContext } from '../context';
import { PostgresCluster } from '../postgres/cluster';
import type { Bucket } from '../storage/bucket';
import { S3_REGION } from '../storage/names';
import type { ObjectStore } from '../storage/object-store';
import { assignBackupTier, BackupLedger, markScratch, namespaceTier, resolveBackupTier, serviceOf } from './coverage';
import { OffsiteCopier } from './offsite';
import type { BackupMechanism } from '../../policy/backup/record';
import { cronIntervalMinutes, fiveFieldOf } from '../../lib/cron';
import { formatMinutes, resolveTiers, strictestTier, tierRank, type BackupTier, type BackupTierName } from '../../policy/backup/tiers';
import { veleroBucketName, veleroPods, VELERO_WORKLOADS, VeleroBackupLocation, VeleroSchedule, type NamespaceBackupScope } from './velero';

export { veleroBucketName };

/** Zones whose namespaces may hold state: every namespace there gets a Velero Schedule. */
export const STATEFUL_ZONES = ['app', 'data'] as const;

/** What Velero copies of the platform's data namespaces, and why (on the Schedule). */
export const NAMESPACE_SCOPES: Readonly<Record<string, { readonly scope: NamespaceBackupScope; readonly reason: string }>> = {
  [NS.postgres]: {
    scope: 'objects-only',
    reason:
      'Postgres data is kept by Barman (base backups and continuous WAL in its own bucket). A snapshot of a running database volume would be a second, inconsistent copy, and CloudNativePG must create the volumes of a recovered cluster itself; the objects (role Secrets, certificates) are backed up.',
  },
  [NS.rookCluster]: {
    scope: 'objects-only',
    reason: "Ceph's data is its pools (buckets and volumes, each backed up on its own tier); monitor and OSD disks are not volumes to copy. The objects (keyrings, configuration) are backed up.",
  },
  [NS.kafka]: {
    scope: 'objects-and-volumes',
    reason:
      'Broker volumes are snapshotted and moved to the bucket: a crash-consistent copy per broker (Kafka truncates to its last consistent offset on start). Where an off-site copy is declared, MirrorMaker 2 at the other site keeps a continuous one.',
  },
};

/** The reason a bucket Velero writes to is not locked (Bucket's object-lock opt-out). */
export const VELERO_BUCKET_LOCK_EXCEPTION =
  'Velero deletes expired backups and its kopia repository rewrites and removes index blobs; object lock breaks both. The immutable copy is the off-site receiving bucket, which has object lock.';

export interface BackupServicesProps {
  /** The cluster's object store: the backup bucket and the receiving buckets live there. */
  readonly objectStore: ObjectStore;
}

/** Barman retention ("30d", "6w", "3m") in days; months count 30 days. */
export function barmanRetentionDays(retention: string): number | undefined {
  const m = /^([1-9][0-9]*)([dwm])$/.exec(retention);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'd' ? 1 : m[2] === 'w' ? 7 : 30);
}

export class BackupServices extends Construct {
  readonly tiers: Record<BackupTierName, BackupTier>;
  /** Velero's bucket. */
  readonly bucket: Bucket;
  readonly location: VeleroBackupLocation;
  /** The Schedules, by namespace. */
  readonly schedules = new Map<string, VeleroSchedule>();
  /** Receiving buckets for other environments' off-site copies, by sending environment. */
  readonly receiving = new Map<string, Bucket>();
  /** Off-site copiers, by tier (created when the stack is prepared). */
  readonly copiers = new Map<BackupTierName, OffsiteCopier>();
  /** Scratch clusters of restore drills in progress (created when the stack is prepared). */
  readonly drillClusters: PostgresCluster[] = [];
  private readonly ledger: BackupLedger;
  private readonly store: ObjectStore;
  /** Services whose data Velero's bucket carries besides whole namespaces (Kafka broker volumes). */
  private readonly inVeleroBucket: string[] = [];

  constructor(scope: Construct, id: string, props: BackupServicesProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const env = stack.environment;
    this.tiers = resolveTiers(env.backup.tiers);
    this.ledger = BackupLedger.of(this);
    this.store = props.objectStore;
    const cluster = stack.cluster;

    // Velero's bucket, its location and its traffic.
    const locked = env.class === 'production' || env.class === 'recovery';
    const bucketName = veleroBucketName(env.name, cluster);
    this.bucket = props.objectStore.addBucket('velero-backups', {
      name: bucketName,
      namespace: NS.velero,
      purpose: 'backup',
      description: `Velero backups of cluster ${cluster}: objects and volume data of the stateful namespaces`,
      ...(locked ? { objectLock: { disabled: true, reason: VELERO_BUCKET_LOCK_EXCEPTION } } : {}),
    });
    const ca = props.objectStore.caBundleIn(NS.velero);
    this.location = new VeleroBackupLocation(this, 'location', {
      bucket: bucketName,
      endpoint: props.objectStore.endpoint,
      region: S3_REGION,
      ca: { secretName: ca.secretName, key: ca.key },
    });
    this.location.manifest.dependsOn = [this.bucket.claim.manifest.fqn, ca.certificate.manifest.fqn];
    // Velero uses the claim's own keys (its Secret has the AWS_* names the AWS SDK reads).
    Segmentation.of(this).allow(veleroPods(), props.objectStore, { description: `Velero writes backups to bucket ${bucketName}`, declaredBy: this });
    // The chart was installed before the claim existed, with those keys as optional variables:
    // once the bucket is configured (its Secret exists), restart the server and node agents
    // once, so they start with the keys.
    for (const w of VELERO_WORKLOADS) {
      new Annotations(this, `reload-${w.name}`, {
        provider: stack.kubernetes,
        apiVersion: w.apiVersion,
        kind: w.kind,
        metadata: { name: w.name, namespace: NS.velero },
        templateAnnotations: { 'moit.gov.vn/restarted-for-bucket': bucketName },
        dependsOn: [this.bucket.configurator],
      });
    }

    // One Schedule per namespace that may hold state.
    const namespaceTiers: BackupTierName[] = [];
    for (const ns of stack.namespaces.filter((n) => (STATEFUL_ZONES as readonly string[]).includes(n.zone))) {
      const tier = namespaceTier(stack.namespaces, ns.name) ?? (ns.zone === 'data' ? env.backup.platform : undefined);
      if (!tier) {
        this.ledger.reportProblem(
          `namespace ${ns.name} (zone ${ns.zone}) may hold volumes but has no backup tier; give it the label ${'moit.gov.vn/backup-tier'} in policy/layout.ts (a tenant namespace takes its data domain's tier from the catalogue)`,
        );
        continue;
      }
      namespaceTiers.push(tier);
      const s = NAMESPACE_SCOPES[ns.name];
      const schedule = new VeleroSchedule(this, `schedule-${ns.name}`, { namespace: ns.name, tier: this.tiers[tier], scope: s?.scope, reason: s?.reason });
      schedule.manifest.dependsOn = [this.location.manifest.fqn];
      const service = `${cluster}/${ns.name}`;
      assignBackupTier(schedule.manifest, tier, { service, kind: 'namespace' });
      this.ledger.addMechanism(service, {
        kind: 'velero',
        schedule: this.tiers[tier].schedule,
        retentionDays: this.tiers[tier].retentionDays,
        target: `bucket ${bucketName}`,
        watch: { schedule: ns.name },
        description: `Velero Schedule ${ns.name}: ${schedule.scope === 'objects-and-volumes' ? 'objects and volumes (CSI snapshots, data mover)' : 'objects only'}`,
      });
      this.schedules.set(ns.name, schedule);
    }
    const bucketTier = strictestTier(namespaceTiers) ?? env.backup.platform;
    assignBackupTier(this.bucket, bucketTier, { service: `${cluster}/${NS.velero}/${bucketName}`, kind: 'backup-store' });

    // Receiving buckets for other environments' off-site copies.
    for (const r of env.backup.receives) this.receiving.set(r.from, this.receive(r));

    this.ledger.onPrepare(() => this.prepare());
  }

  private receive(r: ReceiveConfig): Bucket {
    const stack = ClusterContext.of(this);
    const bucket = this.store.addBucket(`receive-${r.from}`, {
      name: r.bucket,
      namespace: NS.velero,
      purpose: 'backup',
      description: `Off-site copies from environment ${r.from}, written by its copier through the ${r.gateway.namespace} gateway`,
    });
    const gateway = gatewayPeer({ namespace: r.gateway.namespace, zone: stack.zoneOf(r.gateway.namespace), podSelector: r.gateway.podSelector });
    bucket.grantWrite({ name: `offsite-${r.from}`, namespace: NS.velero, peer: gateway });
    if (r.gateway.entry) allowGatewayEntry(this, gateway, r.gateway.entry, `${r.gateway.entry.name} enters the ${r.gateway.namespace} gateway to write ${r.from}'s off-site copies into bucket ${r.bucket} (TLS passthrough)`);
    assignBackupTier(bucket, stack.environment.backup.platform, { service: `${stack.cluster}/${NS.velero}/${r.bucket}`, kind: 'backup-store' });
    this.ledger.addMechanism(`${stack.cluster}/${NS.velero}/${r.bucket}`, {
      kind: 'receives',
      schedule: 'continuous',
      immutable: bucket.objectLock !== undefined,
      description: `receives ${r.from}'s off-site copies; every version kept${bucket.objectLock ? `, locked ${bucket.objectLock.days} days (${bucket.objectLock.mode})` : ''}`,
    });
    return bucket;
  }

  /** Late wiring, once every service of the stack exists. */
  private prepare(): void {
    const stack = ClusterContext.of(this);
    const env = stack.environment;
    const all = stack.node.findAll();

    for (const pg of all.filter((c): c is PostgresCluster => c instanceof PostgresCluster)) this.preparePostgres(pg);
    for (const k of all.filter((c): c is KafkaCluster => c instanceof KafkaCluster)) this.prepareKafka(k);
    this.prepareDrills(all.filter((c): c is PostgresCluster => c instanceof PostgresCluster));

    // Every bucket is versioned by its configurator: overwrites and deletes keep earlier versions.
    const receiving = new Set([...this.receiving.values()]);
    for (const b of this.store.buckets.filter((x) => !receiving.has(x))) {
      this.ledger.addMechanism(resolveBackupTier(b.claim.manifest).service, {
        kind: 'versioning',
        schedule: 'continuous',
        target: `bucket ${b.bucketName}`,
        immutable: b.objectLock !== undefined,
        description: `versioned: overwritten and deleted objects stay as earlier versions until lifecycle expires them${b.objectLock ? `; every version locked ${b.objectLock.days} days (${b.objectLock.mode})` : ''}`,
      });
    }

    // Off-site copies, one copier per tier that keeps them.
    const offsite = env.backup.offsite;
    if (!offsite) return;
    const byTier = new Map<BackupTierName, Bucket[]>();
    for (const b of this.store.buckets) {
      if (receiving.has(b)) continue;
      const tier = resolveBackupTier(b.claim.manifest).tier;
      if (!tier || !this.tiers[tier].offsiteCopy) continue;
      byTier.set(tier, [...(byTier.get(tier) ?? []), b]);
    }
    const prefix = `${env.name}/${stack.cluster}`;
    for (const [tier, buckets] of [...byTier.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const copier = new OffsiteCopier(this, `offsite-${tier}`, { tier: this.tiers[tier], buckets, target: offsite, prefix });
      this.copiers.set(tier, copier);
      for (const b of buckets) {
        const mechanism: BackupMechanism = {
          kind: 'offsite-copy',
          schedule: this.tiers[tier].schedule,
          target: `${offsite.environment} (${offsite.site}): bucket ${offsite.bucket}/${prefix}/${b.bucketName}`,
          immutable: offsite.immutable,
          offsite: true,
          watch: { namespace: NS.velero, cronjob: copier.cronJobName },
          description: `CronJob offsite-copy-${tier} mirrors bucket ${b.bucketName} to the other site`,
        };
        const service = resolveBackupTier(b.claim.manifest).service;
        this.ledger.addMechanism(service, mechanism);
        // Namespaces backed up by Velero are copied with its bucket.
        if (b === this.bucket) {
          for (const s of [...[...this.schedules.keys()].map((ns) => `${stack.cluster}/${ns}`), ...this.inVeleroBucket]) {
            this.ledger.addMechanism(s, { ...mechanism, description: `with Velero's bucket: ${mechanism.description}` });
          }
        }
      }
    }
  }

  private preparePostgres(pg: PostgresCluster): void {
    const stack = ClusterContext.of(this);
    const resolved = resolveBackupTier(pg.resource.manifest);
    const service = serviceOf(stack.cluster, pg.resource.manifest);
    const bucket = this.store.bucket(pg.backup.destination.bucket);
    if (!resolved.tier) return; // the coverage check names the cluster
    const tier = this.tiers[resolved.tier];
    if (bucket) assignBackupTier(bucket, tier.name, { service, kind: 'postgres' });
    // Databases kept inside the cluster (no Database resource to carry a domain label): the
    // cluster is at least as strict as the domains whose databases it holds.
    for (const db of pg.databases.values()) {
      if (db.resource) continue; // a Database resource is checked by its own domain label
      const domainTier = namespaceTier(stack.namespaces, tenantNamespace(db.domain));
      if (domainTier && tierRank(domainTier) > tierRank(tier.name)) {
        this.ledger.reportProblem(
          `${pg.node.path} (database ${db.name}): service ${service} is tier "${tier.name}" (${resolved.source}) but holds data of domain "${db.domain}", whose tier is "${domainTier}"; a service takes the strictest tier of the domains whose data it holds: make it "${domainTier}" (backup.assign["${service}"] in environments/${stack.environment.name}.ts)`,
        );
      }
    }
    const env = stack.environment;
    const where = env.postgres.findIndex((p) => p.name === pg.name && p.cluster === stack.cluster);
    const field = where >= 0 ? `environments/${env.name}.ts: postgres[${where}].backup` : `${pg.node.path}: backup`;
    const days = barmanRetentionDays(pg.backup.retention);
    const interval = cronIntervalMinutes(fiveFieldOf(pg.backup.schedule));
    const wanted = cronIntervalMinutes(tier.baseBackupSchedule)!;
    const fix = `use postgresBackupFor('${tier.name}') (policy/backup/tiers.ts)`;
    if (days === undefined || days < tier.retentionDays) {
      this.ledger.reportProblem(`${field}.retention: Postgres cluster ${service} is tier "${tier.name}", which keeps backups ${tier.retentionDays} days; got "${pg.backup.retention}"; ${fix}`);
    }
    if (interval === undefined || interval > wanted) {
      this.ledger.reportProblem(
        `${field}.schedule: Postgres cluster ${service} is tier "${tier.name}", whose base backups run at least every ${formatMinutes(wanted)}; "${pg.backup.schedule}" runs every ${interval === undefined ? 'never' : formatMinutes(interval)} at the longest; ${fix}`,
      );
    }
    const immutable = bucket?.objectLock !== undefined;
    this.ledger.addMechanism(service, {
      kind: 'base-backup',
      schedule: fiveFieldOf(pg.backup.schedule),
      ...(days !== undefined ? { retentionDays: days } : {}),
      target: `bucket ${pg.backup.destination.bucket}`,
      immutable,
      watch: { namespace: pg.namespace, cnpg_io_cluster: pg.name },
      description: `CloudNativePG ScheduledBackup through the Barman Cloud plugin, retention ${pg.backup.retention}`,
    });
    this.ledger.addMechanism(service, {
      kind: 'wal-archiving',
      schedule: 'continuous',
      target: `bucket ${pg.backup.destination.bucket}`,
      immutable,
      watch: { namespace: pg.namespace, cnpg_io_cluster: pg.name },
      description: 'WAL archived continuously (a segment at least every 5 minutes): point-in-time recovery',
    });
  }

  private prepareKafka(k: KafkaCluster): void {
    const stack = ClusterContext.of(this);
    const service = serviceOf(stack.cluster, k.kafka.manifest);
    const schedule = this.schedules.get(k.namespace);
    if (schedule) {
      if (schedule.scope === 'objects-and-volumes') this.inVeleroBucket.push(service);
      this.ledger.addMechanism(service, {
        kind: 'velero',
        schedule: schedule.tier.schedule,
        retentionDays: schedule.tier.retentionDays,
        target: `bucket ${this.bucket.bucketName}`,
        watch: { schedule: k.namespace },
        description: `with namespace ${k.namespace}: objects and broker volumes (crash-consistent per broker)`,
      });
    }
    const config = stack.environment.kafka.clusters.find((c) => c.name === k.clusterName && c.cluster === stack.cluster);
    const offsite = stack.environment.backup.offsite;
    if (config?.offsiteCopy) {
      this.ledger.addMechanism(service, {
        kind: 'mirror-maker',
        schedule: 'continuous',
        target: `${offsite ? `${offsite.environment} (${offsite.site})` : 'the recovery site'}: MirrorMaker 2 as user ${config.offsiteCopy.user}`,
        offsite: true,
        description: `topics marked for the off-site copy are mirrored continuously through listener ${config.offsiteCopy.listener}`,
      });
    }
  }

  /**
   * Restore drills in progress (`backup.drills[].inProgress`, kind postgres-recovery): a scratch
   * cluster `<name>-drill` recovered from the origin's object store, archiving its own WAL under
   * `drills/` in the same bucket. It costs the origin's instances and storage until the drill is
   * recorded and `inProgress` removed; it is scratch, so removing it is an ordinary plan.
   */
  private prepareDrills(clusters: readonly PostgresCluster[]): void {
    const stack = ClusterContext.of(this);
    const env = stack.environment;
    for (const d of env.backup.drills.filter((x) => x.inProgress && x.kind === 'postgres-recovery')) {
      const origin = clusters.find((c) => serviceOf(stack.cluster, c.resource.manifest) === d.service);
      if (!origin) {
        if (d.service.startsWith(`${stack.cluster}/`)) {
          this.ledger.reportProblem(`environments/${env.name}.ts: backup.drills: a postgres-recovery drill of ${d.service} is in progress, but this cluster has no such Postgres cluster; known: ${clusters.map((c) => serviceOf(stack.cluster, c.resource.manifest)).join(', ') || 'none'}`);
        }
        continue;
      }
      const config = env.postgres.find((p) => p.name === origin.name && p.cluster === stack.cluster);
      if (!config) continue;
      const drill = PostgresCluster.recoverFrom(this, `drill-${origin.name}`, {
        name: `${origin.name}-drill`.slice(0, 30),
        instances: config.instances,
        storage: config.storage,
        resources: config.resources,
        image: config.image,
        backup: { destination: { ...origin.backup.destination, path: 'drills' }, retention: '7d', schedule: origin.backup.schedule },
        source: origin,
      });
      markScratch(drill, `restore drill of ${d.service}, declared while backup.drills marks it in progress`);
      this.drillClusters.push(drill);
    }
  }
}
