/**
 * The alert model: Prometheus alerting rules compiled from policy, never written by hand.
 *
 * Every tiered service of a cluster's backup record (policy/backup/record.ts, the same record
 * `npm run backups` reads) gets RPO alerts with its tier's RPO, one per way it is kept:
 *
 *   velero        last successful backup of its Schedule older than the tier's schedule + margin
 *   base-backup   newest base backup in the object store older than the base-backup schedule + margin
 *   wal-archiving seconds since the last archived WAL segment over the tier's RPO
 *   offsite-copy  last successful run of the off-site copier older than its schedule + margin
 *   raft-snapshot last successful run of OpenBao's Raft snapshot job older than its schedule + margin
 *   (only kept in place: versioning, a receiving bucket, infrastructure holding other services'
 *   data) the object store's Ceph cluster in HEALTH_ERR: the copies are only as safe as the store
 *
 * and, where its environment requires drills, a restore-drill-overdue alert on the due date the
 * record computes. Then the platform's own alerts: Postgres replication lag and a missing
 * synchronous standby where durability is required; Kafka under-replicated and offline
 * partitions and MirrorMaker 2 lag where a cluster mirrors another site; Ceph health, OSDs down,
 * pools near full; certificates expiring; Velero backup failures; scrape targets down.
 *
 * Each rule carries the labels Alertmanager routes on (severity, environment, service, domain,
 * tier, rpo) and a runbook link into docs/alerts.md. Every expression is checked here with the
 * Prometheus grammar and the pinned metric list ({@link alertProblems}); the synth refuses a
 * rule that fails, naming its service. No cdktf import: the synth, `npm run alerts` and the
 * audit share this module.
 */
import { addMonths } from '../backup/drills';
import type { DrillRecord, DrillRequirement } from '../backup/drills';
import type { BackupMechanism, BackupServiceRecord } from '../backup/record';
import { cronIntervalMinutes } from '../../lib/cron';
import { durationMinutes, formatMinutes, type BackupTier, type BackupTierName } from '../backup/tiers';
import { promqlProblems } from './promql';

/** Added to a schedule's longest interval before a backup counts as late: a run takes time. */
export const BACKUP_MARGIN_MINUTES = 30;

/**
 * A standby further behind than this is lagging: CloudNativePG archives a WAL segment at least
 * every 5 minutes (archive_timeout), so a standby more than one segment behind is not keeping up.
 */
export const REPLICATION_LAG_SECONDS = 300;

/** A certificate this close to expiry has missed its renewal (cert-manager renews at 2/3 of its life). */
export const CERTIFICATE_EXPIRY_DAYS = 21;

/**
 * An ExternalSecret not Ready for this long has failed more than one retry: ESO retries a failed
 * sync with backoff, so a blip of the store clears well within it.
 */
export const SECRET_SYNC_GRACE = '15m';

/** Ceph's default nearfull ratio (mon_osd_nearfull_ratio 0.85): writes slow down past it. */
export const POOL_NEAR_FULL_RATIO = 0.85;

/** Where the runbooks are: every rule's `runbook_url` is this file and an anchor of it. */
export const RUNBOOK_DOC = 'docs/alerts.md';

export type Severity = 'critical' | 'warning';

/** What an alert watches: a service's RPO, its restore drills, or a part of the platform. */
export type AlertKind = 'rpo' | 'drill' | 'postgres' | 'kafka' | 'ceph' | 'certificates' | 'velero' | 'secrets' | 'cluster-api' | 'scrape';

/** One alerting rule, with what the alerts table shows about it. */
export interface AlertRule {
  /** The alert name (PascalCase), as Alertmanager shows it. */
  readonly alert: string;
  readonly kind: AlertKind;
  /** The service it watches: a backup service (`core/postgres/main`) or a platform part (`core/rook-ceph`). */
  readonly service: string;
  /** The data domain owning the service, or `platform`. */
  readonly domain: string;
  readonly tier?: BackupTierName;
  /** The tier's RPO, on every RPO alert. */
  readonly rpo?: string;
  /** In words: what fires it. */
  readonly condition: string;
  /** The threshold, as people read it ("4h 30m", "21 days"). */
  readonly threshold: string;
  /** Where the threshold comes from (the tier field, the environment, a documented constant). */
  readonly source: string;
  readonly expr: string;
  /** How long the condition must hold (Prometheus duration). */
  readonly for: string;
  readonly severity: Severity;
  /** The anchor of its runbook in docs/alerts.md. */
  readonly runbook: string;
  readonly summary: string;
}

/** A Postgres cluster of the cluster, as the alerts need it. */
export interface MonitoredPostgres {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  /** A commit waits for a standby (`dataDurability: required`). */
  readonly synchronousRequired: boolean;
  /** A replica cluster following another site (no synchronous standby of its own). */
  readonly replica: boolean;
  readonly tier?: BackupTierName;
}

/** A Kafka cluster of the cluster. */
export interface MonitoredKafka {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly tier?: BackupTierName;
  /** It mirrors another site's cluster with MirrorMaker 2 (the recovery site). */
  readonly mirrorFrom?: { readonly environment: string; readonly cluster: string };
}

/** What a cluster's alerts are compiled from. */
export interface MonitoringInput {
  readonly environment: string;
  readonly cluster: string;
  readonly tiers: Readonly<Record<BackupTierName, BackupTier>>;
  /** The tiered services of the cluster (its stacks' backup records). */
  readonly services: readonly BackupServiceRecord[];
  readonly requireDrills: boolean;
  readonly required: readonly DrillRequirement[];
  readonly drills: readonly DrillRecord[];
  /** The data domain of each tenant namespace. */
  readonly namespaceDomains: Readonly<Record<string, string>>;
  readonly postgres: readonly MonitoredPostgres[];
  readonly kafka: readonly MonitoredKafka[];
  /**
   * Services that are this cluster itself, as the management cluster records it (the Cluster API
   * Cluster and control plane): their data is each service's, and their alert is the API server's.
   */
  readonly clusterServices?: readonly string[];
  /** The namespace of the Ceph cluster (its mgr exporter), if the cluster runs one. */
  readonly cephNamespace?: string;
  /** The namespace Velero runs in, if it does. */
  readonly veleroNamespace?: string;
  /** The namespace External Secrets Operator runs in, if it does (its sync alerts). */
  readonly externalSecretsNamespace?: string;
  /** The namespaces of the Cluster API controllers, on a management cluster. */
  readonly clusterApiNamespaces?: readonly string[];
  readonly certManager: boolean;
}

/** Thrown at synth when a compiled rule fails its checks. */
export class AlertCompileError extends Error {}

const seconds = (minutes: number): number => minutes * 60;

/** The namespace of a service id `<cluster>/<namespace>[/<name>]`. */
export function namespaceOfService(service: string): string | undefined {
  return service.split('/')[1];
}

function domainOf(input: MonitoringInput, service: string): string {
  const ns = namespaceOfService(service);
  return (ns && input.namespaceDomains[ns]) || 'platform';
}

function matchers(watch: Readonly<Record<string, string>>): string {
  return Object.entries(watch)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
}

/** The anchor of an alert's runbook (GitHub's heading anchors: lower case, spaces to dashes). */
export function runbookAnchor(alert: string): string {
  return alert.toLowerCase();
}

/** Gold services page people; the others wait for working hours. */
function rpoSeverity(tier: BackupTierName): Severity {
  return tier === 'gold' ? 'critical' : 'warning';
}

/** Alerts of one mechanism of a service; empty when the mechanism is not watched by itself. */
function mechanismAlerts(input: MonitoringInput, s: BackupServiceRecord, m: BackupMechanism): AlertRule[] {
  const tier = input.tiers[s.tier];
  const base = { kind: 'rpo' as const, service: s.service, domain: domainOf(input, s.service), tier: s.tier, rpo: tier.rpo, severity: rpoSeverity(s.tier) };
  const watch = m.watch;
  const late = (schedule: string, what: string) => {
    const interval = cronIntervalMinutes(schedule) ?? 0;
    const limit = interval + BACKUP_MARGIN_MINUTES;
    return {
      limit,
      threshold: formatMinutes(limit),
      source: `${what} "${schedule}" (runs at least every ${formatMinutes(interval)}) + margin ${BACKUP_MARGIN_MINUTES}m (policy/monitoring/alerts.ts BACKUP_MARGIN_MINUTES); tier ${s.tier} RPO ${tier.rpo}`,
    };
  };
  switch (m.kind) {
    case 'velero': {
      if (!watch) return [];
      const l = late(m.schedule, `tier ${s.tier} schedule`);
      return [
        {
          ...base,
          alert: 'VeleroBackupStale',
          condition: `the last successful Velero backup of Schedule ${watch.schedule} is older than ${l.threshold}`,
          threshold: l.threshold,
          source: l.source,
          expr: `time() - max by (schedule) (velero_backup_last_successful_timestamp{${matchers(watch)}}) > ${seconds(l.limit)}`,
          for: '5m',
          runbook: runbookAnchor('VeleroBackupStale'),
          summary: `${s.service}: no successful Velero backup for more than ${l.threshold} (tier ${s.tier}, RPO ${tier.rpo})`,
        },
      ];
    }
    case 'base-backup': {
      if (!watch) return [];
      const l = late(m.schedule, `tier ${s.tier} baseBackupSchedule`);
      return [
        {
          ...base,
          alert: 'PostgresBaseBackupStale',
          condition: `the newest base backup of ${s.service} in its object store is older than ${l.threshold}`,
          threshold: l.threshold,
          source: l.source,
          expr: `time() - max by (namespace, cnpg_io_cluster) (barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${matchers(watch)}}) > ${seconds(l.limit)}`,
          for: '5m',
          runbook: runbookAnchor('PostgresBaseBackupStale'),
          summary: `${s.service}: no new base backup for more than ${l.threshold} (tier ${s.tier})`,
        },
      ];
    }
    case 'wal-archiving': {
      if (!watch) return [];
      const rpo = durationMinutes(tier.rpo);
      return [
        {
          ...base,
          alert: 'WalArchivingStale',
          condition: `no WAL segment of ${s.service} archived for longer than the tier's RPO`,
          threshold: tier.rpo,
          source: `tier ${s.tier} rpo (policy/backup/tiers.ts, environments/<env>.ts backup.tiers)`,
          expr: `max by (namespace, cnpg_io_cluster) (cnpg_pg_stat_archiver_seconds_since_last_archival{${matchers(watch)}}) > ${seconds(rpo)}`,
          for: '1m',
          runbook: runbookAnchor('WalArchivingStale'),
          summary: `${s.service}: WAL archiving has stopped for more than ${tier.rpo}; point-in-time recovery is losing its RPO`,
        },
      ];
    }
    case 'offsite-copy': {
      if (!watch) return [];
      const l = late(m.schedule, 'off-site copier schedule');
      return [
        {
          ...base,
          alert: 'OffsiteCopyStale',
          condition: `the last successful run of CronJob ${watch.namespace}/${watch.cronjob} (the off-site copy of ${s.service}) is older than ${l.threshold}`,
          threshold: l.threshold,
          source: l.source,
          expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${matchers(watch)}}) > ${seconds(l.limit)}`,
          for: '5m',
          runbook: runbookAnchor('OffsiteCopyStale'),
          summary: `${s.service}: the off-site copy has not succeeded for more than ${l.threshold}`,
        },
      ];
    }
    case 'raft-snapshot': {
      if (!watch) return [];
      const l = late(m.schedule, `tier ${s.tier} schedule`);
      return [
        {
          ...base,
          alert: 'OpenBaoSnapshotStale',
          condition: `the last successful run of CronJob ${watch.namespace}/${watch.cronjob} (the Raft snapshot of ${s.service}) is older than ${l.threshold}`,
          threshold: l.threshold,
          source: l.source,
          expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${matchers(watch)}}) > ${seconds(l.limit)}`,
          for: '5m',
          runbook: runbookAnchor('OpenBaoSnapshotStale'),
          summary: `${s.service}: no successful OpenBao Raft snapshot for more than ${l.threshold} (tier ${s.tier}, RPO ${tier.rpo})`,
        },
      ];
    }
    default:
      return [];
  }
}

/** The RPO alert of a service kept only in place: the health of the store that keeps it. */
function storeAlert(input: MonitoringInput, s: BackupServiceRecord): AlertRule | undefined {
  const tier = input.tiers[s.tier];
  if (input.clusterServices?.includes(s.service)) {
    return {
      alert: 'ClusterApiServerDown',
      kind: 'rpo',
      service: s.service,
      domain: 'platform',
      tier: s.tier,
      rpo: tier.rpo,
      condition: `no API server of cluster ${input.cluster} (declared as ${s.service}) answers its scrape: the cluster holding every service's data is unreachable`,
      threshold: 'no API server up for 5m',
      source: `the cluster holds other services' data, each watched by its own RPO alerts; tier ${s.tier} RPO ${tier.rpo}`,
      expr: '(count(up{job="apiserver"} == 1) or vector(0)) < 1',
      for: '5m',
      severity: rpoSeverity(s.tier),
      runbook: runbookAnchor('ClusterApiServerDown'),
      summary: `cluster ${input.cluster}: no API server is up`,
    };
  }
  if (!input.cephNamespace) return undefined;
  const kinds = [...new Set(s.mechanisms.map((m) => m.kind))].join(', ');
  return {
    alert: 'StoreUnhealthy',
    kind: 'rpo',
    service: s.service,
    domain: domainOf(input, s.service),
    tier: s.tier,
    rpo: tier.rpo,
    condition: `the Ceph cluster holding ${s.service} (kept by: ${kinds}) reports HEALTH_ERR`,
    threshold: 'HEALTH_ERR (2) for 5m',
    source: `Ceph health levels (metrics.ts ceph_health_status); tier ${s.tier} RPO ${tier.rpo}: data kept in place is only as safe as its store`,
    expr: `max(ceph_health_status{namespace=${JSON.stringify(input.cephNamespace)}}) >= 2`,
    for: '5m',
    severity: rpoSeverity(s.tier),
    runbook: runbookAnchor('StoreUnhealthy'),
    summary: `${s.service}: its store is in HEALTH_ERR; copies kept in place (${kinds}) are at risk`,
  };
}

const DAY = 86_400;

function epochOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 1000;
}

function drillAlerts(input: MonitoringInput): AlertRule[] {
  if (!input.requireDrills) return [];
  const services = new Map(input.services.map((s) => [s.service, s]));
  return [...input.required]
    .sort((a, b) => a.service.localeCompare(b.service))
    .filter((r) => services.has(r.service))
    .map((r): AlertRule => {
      const last = input.drills.filter((d) => d.service === r.service && d.kind === r.kind).sort((a, b) => b.lastSuccess.localeCompare(a.lastSuccess))[0];
      const dueBy = last ? addMonths(last.lastSuccess, r.everyMonths) : undefined;
      return {
        alert: 'RestoreDrillOverdue',
        kind: 'drill',
        service: r.service,
        domain: domainOf(input, r.service),
        tier: r.tier,
        rpo: input.tiers[r.tier].rpo,
        condition: dueBy ? `no ${r.kind} drill of ${r.service} recorded after ${last!.lastSuccess}; the next was due by ${dueBy}` : `no ${r.kind} drill of ${r.service} was ever recorded`,
        threshold: dueBy ? `due by ${dueBy}` : 'never drilled',
        source: `tier ${r.tier} drillEveryMonths (${r.everyMonths}, capped by the security level) from the last backup.drills record`,
        // A scalar time compared to the due date: the rule is recompiled when a drill is recorded.
        expr: dueBy ? `vector(time()) > ${epochOf(dueBy) + DAY}` : 'vector(1)',
        for: '1h',
        severity: 'warning',
        runbook: runbookAnchor('RestoreDrillOverdue'),
        summary: `${r.service}: restore drill (${r.kind}) ${dueBy ? `overdue since ${dueBy}` : 'never recorded'}; run one and record it in backup.drills`,
      };
    });
}

function platformAlerts(input: MonitoringInput): AlertRule[] {
  const out: AlertRule[] = [];
  const platform = (service: string) => ({ service, domain: domainOf(input, service) });
  for (const pg of input.postgres) {
    const sel = matchers({ namespace: pg.namespace, cnpg_io_cluster: pg.name });
    out.push({
      ...platform(pg.service),
      alert: 'PostgresReplicationLag',
      kind: 'postgres',
      ...(pg.tier ? { tier: pg.tier } : {}),
      condition: `a standby of ${pg.service} replays more than ${REPLICATION_LAG_SECONDS / 60}m behind its primary`,
      threshold: formatMinutes(REPLICATION_LAG_SECONDS / 60),
      source: 'one archived WAL segment (archive_timeout 5m; policy/monitoring/alerts.ts REPLICATION_LAG_SECONDS)',
      expr: `max by (namespace, cnpg_io_cluster) (cnpg_pg_replication_lag{${sel}}) > ${REPLICATION_LAG_SECONDS}`,
      for: '5m',
      severity: 'warning',
      runbook: runbookAnchor('PostgresReplicationLag'),
      summary: `${pg.service}: a standby is more than ${REPLICATION_LAG_SECONDS / 60} minutes behind`,
    });
    if (pg.synchronousRequired && !pg.replica) {
      out.push({
        ...platform(pg.service),
        alert: 'PostgresSynchronousStandbyMissing',
        kind: 'postgres',
        ...(pg.tier ? { tier: pg.tier } : {}),
        condition: `the primary of ${pg.service} has no streaming standby, and its durability is "required": commits wait`,
        threshold: 'fewer than 1 streaming standby',
        source: `environments/${input.environment}.ts postgres (synchronous ANY 1, dataDurability required)`,
        expr: `(max by (namespace, cnpg_io_cluster) (cnpg_pg_replication_streaming_replicas{${sel}} and on (pod) (cnpg_pg_replication_in_recovery{${sel}} == 0))) < 1`,
        for: '2m',
        severity: 'critical',
        runbook: runbookAnchor('PostgresSynchronousStandbyMissing'),
        summary: `${pg.service}: no synchronous standby; writes block until one is back`,
      });
    }
  }
  for (const k of input.kafka) {
    const sel = matchers({ namespace: k.namespace, strimzi_io_cluster: k.name });
    out.push({
      ...platform(k.service),
      alert: 'KafkaUnderReplicatedPartitions',
      kind: 'kafka',
      ...(k.tier ? { tier: k.tier } : {}),
      condition: `${k.service} has partitions with fewer in-sync replicas than replicas`,
      threshold: '> 0 partitions for 10m',
      source: 'Strimzi prometheus-kafka-rules.yaml (UnderReplicatedPartitions > 0)',
      expr: `sum by (namespace, strimzi_io_cluster) (kafka_server_replicamanager_underreplicatedpartitions{${sel}}) > 0`,
      for: '10m',
      severity: 'warning',
      runbook: runbookAnchor('KafkaUnderReplicatedPartitions'),
      summary: `${k.service}: under-replicated partitions`,
    });
    out.push({
      ...platform(k.service),
      alert: 'KafkaOfflinePartitions',
      kind: 'kafka',
      ...(k.tier ? { tier: k.tier } : {}),
      condition: `${k.service} has partitions without a leader: writes to them fail`,
      threshold: '> 0 partitions',
      source: 'Strimzi prometheus-kafka-rules.yaml (OfflinePartitions > 0)',
      expr: `sum by (namespace, strimzi_io_cluster) (kafka_controller_kafkacontroller_offlinepartitionscount{${sel}}) > 0`,
      for: '1m',
      severity: 'critical',
      runbook: runbookAnchor('KafkaOfflinePartitions'),
      summary: `${k.service}: offline partitions`,
    });
    if (k.mirrorFrom && k.tier) {
      const rpo = input.tiers[k.tier].rpo;
      out.push({
        ...platform(k.service),
        alert: 'MirrorMakerLag',
        kind: 'kafka',
        tier: k.tier,
        rpo,
        condition: `records from ${k.mirrorFrom.environment}'s ${k.mirrorFrom.cluster} reach ${k.service} later than the tier's RPO`,
        threshold: rpo,
        source: `tier ${k.tier} rpo; mirrorFrom in environments/${input.environment}.ts kafka`,
        expr: `max by (namespace) (kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max{namespace=${JSON.stringify(k.namespace)}}) > ${seconds(durationMinutes(rpo)) * 1000}`,
        for: '10m',
        severity: rpoSeverity(k.tier),
        runbook: runbookAnchor('MirrorMakerLag'),
        summary: `${k.service}: MirrorMaker 2 from ${k.mirrorFrom.environment} is more than ${rpo} behind`,
      });
    }
  }
  if (input.cephNamespace) {
    const service = `${input.cluster}/${input.cephNamespace}`;
    const ns = JSON.stringify(input.cephNamespace);
    const ceph = (alert: string, condition: string, threshold: string, source: string, expr: string, forTime: string, severity: Severity, summary: string): AlertRule => ({
      ...platform(service),
      alert,
      kind: 'ceph',
      condition,
      threshold,
      source,
      expr,
      for: forTime,
      severity,
      runbook: runbookAnchor(alert),
      summary,
    });
    out.push(
      ceph('CephHealthError', 'the Ceph cluster reports HEALTH_ERR', 'ceph_health_status = 2', 'Rook localrules.yaml (CephHealthError)', `max(ceph_health_status{namespace=${ns}}) == 2`, '5m', 'critical', 'Ceph is in HEALTH_ERR'),
      ceph('CephHealthWarning', 'the Ceph cluster reports HEALTH_WARN', 'ceph_health_status = 1 for 15m', 'Rook localrules.yaml (CephHealthWarning)', `max(ceph_health_status{namespace=${ns}}) == 1`, '15m', 'warning', 'Ceph is in HEALTH_WARN'),
      ceph('CephOsdDown', 'an OSD is down', 'any OSD down for 5m', 'Rook localrules.yaml (CephOSDDown)', `count(ceph_osd_up{namespace=${ns}} == 0) > 0`, '5m', 'critical', 'a Ceph OSD is down: data is less redundant until it returns'),
      ceph(
        'CephPoolNearFull',
        `a pool is more than ${POOL_NEAR_FULL_RATIO * 100}% full`,
        `${POOL_NEAR_FULL_RATIO * 100}%`,
        "Ceph's mon_osd_nearfull_ratio default (policy/monitoring/alerts.ts POOL_NEAR_FULL_RATIO)",
        `max by (name) (ceph_pool_percent_used{namespace=${ns}}) > ${POOL_NEAR_FULL_RATIO}`,
        '10m',
        'warning',
        'a Ceph pool is near full',
      ),
    );
  }
  if (input.certManager) {
    out.push({
      ...platform(`${input.cluster}/cert-manager`),
      alert: 'CertificateExpiringSoon',
      kind: 'certificates',
      condition: `a cert-manager Certificate expires within ${CERTIFICATE_EXPIRY_DAYS} days: its renewal has failed`,
      threshold: `${CERTIFICATE_EXPIRY_DAYS} days`,
      source: 'policy/monitoring/alerts.ts CERTIFICATE_EXPIRY_DAYS (issue #19)',
      expr: `min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time() < ${CERTIFICATE_EXPIRY_DAYS * DAY}`,
      for: '1h',
      severity: 'warning',
      runbook: runbookAnchor('CertificateExpiringSoon'),
      summary: `a certificate expires within ${CERTIFICATE_EXPIRY_DAYS} days`,
    });
  }
  if (input.veleroNamespace) {
    out.push({
      ...platform(`${input.cluster}/${input.veleroNamespace}`),
      alert: 'VeleroBackupFailed',
      kind: 'velero',
      condition: 'a Velero backup of a Schedule failed in the last hour',
      threshold: '> 0 failures in 1h',
      source: 'any failure is a finding; the stale alerts say when the RPO is at risk',
      expr: 'sum by (schedule) (increase(velero_backup_failure_total[1h])) > 0',
      for: '0s',
      severity: 'warning',
      runbook: runbookAnchor('VeleroBackupFailed'),
      summary: 'a Velero backup failed',
    });
  }
  if (input.externalSecretsNamespace) {
    const service = `${input.cluster}/${input.externalSecretsNamespace}`;
    out.push(
      {
        ...platform(service),
        alert: 'ExternalSecretNotReady',
        kind: 'secrets',
        condition: 'an ExternalSecret reports Ready=False: the Secret it produces is not (or no longer) in sync with OpenBao',
        threshold: `Ready=False for ${SECRET_SYNC_GRACE}`,
        source: 'policy/monitoring/alerts.ts SECRET_SYNC_GRACE (ESO retries with backoff; issue #23 "alerts fire when a sync fails")',
        expr: 'max by (namespace, name) (externalsecret_status_condition{condition="Ready",status="False"}) == 1',
        for: SECRET_SYNC_GRACE,
        severity: 'warning',
        runbook: runbookAnchor('ExternalSecretNotReady'),
        summary: 'an ExternalSecret is not Ready: its Secret is stale or missing',
      },
      {
        ...platform(service),
        alert: 'ExternalSecretSyncErrors',
        kind: 'secrets',
        condition: 'syncs of an ExternalSecret from OpenBao keep failing',
        threshold: `errors in every ${SECRET_SYNC_GRACE} window for 30m`,
        source: 'any sustained failure is a finding; ExternalSecretNotReady says when the Secret is stale',
        expr: `sum by (namespace, name) (increase(externalsecret_sync_calls_error[${SECRET_SYNC_GRACE}])) > 0`,
        for: '30m',
        severity: 'warning',
        runbook: runbookAnchor('ExternalSecretSyncErrors'),
        summary: 'an ExternalSecret fails to sync from OpenBao',
      },
    );
  }
  for (const namespace of input.clusterApiNamespaces ?? []) {
    const service = `${input.cluster}/${namespace}`;
    const ns = JSON.stringify(namespace);
    out.push(
      {
        ...platform(service),
        alert: 'ClusterApiControllerDown',
        kind: 'cluster-api',
        condition: `no controller in ${namespace} answers its scrape: the workload clusters it manages are neither repaired nor scaled`,
        threshold: 'no target up for 10m',
        source: 'the controller is a single leader-elected Deployment: no target up means none runs',
        expr: `(count(up{namespace=${ns}} == 1) or vector(0)) < 1`,
        for: '10m',
        severity: 'critical',
        runbook: runbookAnchor('ClusterApiControllerDown'),
        summary: `${service}: no Cluster API controller is up`,
      },
      {
        ...platform(service),
        alert: 'ClusterApiReconcileErrors',
        kind: 'cluster-api',
        condition: `a controller in ${namespace} keeps failing to reconcile its objects`,
        threshold: 'errors in every 15m window for 30m',
        source: 'any sustained failure is a finding (controller-runtime reconcile errors)',
        expr: `sum by (namespace, controller) (increase(controller_runtime_reconcile_errors_total{namespace=${ns}}[15m])) > 0`,
        for: '30m',
        severity: 'warning',
        runbook: runbookAnchor('ClusterApiReconcileErrors'),
        summary: `${service}: a Cluster API controller keeps failing`,
      },
    );
  }
  out.push({
    ...platform(`${input.cluster}/monitoring`),
    alert: 'ScrapeTargetDown',
    kind: 'scrape',
    condition: 'Prometheus cannot scrape a target: the alerts that read its metrics are blind',
    threshold: 'up = 0 for 10m',
    source: 'every ServiceMonitor and PodMonitor of constructs/monitoring',
    expr: 'up == 0',
    for: '10m',
    severity: 'warning',
    runbook: runbookAnchor('ScrapeTargetDown'),
    summary: 'a scrape target is down',
  });
  return out;
}

/** Mechanisms watched by an alert of their own. */
export const WATCHED_MECHANISMS: readonly string[] = ['velero', 'base-backup', 'wal-archiving', 'offsite-copy', 'raft-snapshot'];

/** The RPO alerts of every service of the input; a service left without one is a problem. */
export function rpoAlerts(input: MonitoringInput): AlertRule[] {
  const out: AlertRule[] = [];
  for (const s of [...input.services].sort((a, b) => a.service.localeCompare(b.service))) {
    // Kept only in place (versioning, a receiving bucket, contents): the store's health.
    if (!s.mechanisms.some((m) => WATCHED_MECHANISMS.includes(m.kind))) {
      const store = storeAlert(input, s);
      if (store) out.push(store);
      continue;
    }
    const own = s.mechanisms.flatMap((m) => mechanismAlerts(input, s, m));
    // One alert per distinct expression: a service copied with Velero's bucket shares its copier.
    out.push(...new Map(own.map((a) => [a.expr, a])).values());
  }
  return out;
}

/** Every alert of a cluster, RPO alerts first. */
export function compileAlerts(input: MonitoringInput): AlertRule[] {
  return [...rpoAlerts(input), ...drillAlerts(input), ...platformAlerts(input)];
}

/**
 * What is wrong with compiled alerts, each naming its service: an expression that does not
 * parse or names an unknown metric, and a service of the input without an RPO alert (or whose
 * RPO alert carries another RPO than its tier's).
 */
export function alertProblems(input: MonitoringInput, rules: readonly AlertRule[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const p of promqlProblems(r.expr)) out.push(`alert ${r.alert} of service ${r.service}: its expression ${p}: ${r.expr}`);
  }
  for (const s of input.services) {
    const rpo = input.tiers[s.tier].rpo;
    for (const m of s.mechanisms.filter((x) => WATCHED_MECHANISMS.includes(x.kind) && !x.watch)) {
      out.push(`service ${s.service} (tier ${s.tier}, RPO ${rpo}): its ${m.kind} mechanism (${m.description}) names no watch, so nothing alerts when it stops; give it the metric labels that single it out (BackupMechanism.watch, constructs/backup)`);
    }
    const own = rules.filter((r) => r.kind === 'rpo' && r.service === s.service);
    if (own.length === 0) {
      out.push(
        `service ${s.service} (tier ${s.tier}, RPO ${rpo}) has no RPO alert: none of its mechanisms (${s.mechanisms.map((m) => m.kind).join(', ') || 'none'}) is watched, and no store health covers it; give each mechanism a watch (constructs/backup) or run the service on the object store`,
      );
    }
    for (const r of own.filter((x) => x.rpo !== rpo)) out.push(`service ${s.service}: alert ${r.alert} carries RPO ${r.rpo}, but its tier ${s.tier} promises ${rpo}`);
  }
  return out;
}

/** A PrometheusRule group of rules (the `spec.groups[]` item), with the labels Alertmanager routes on. */
export function ruleGroup(name: string, environment: string, rules: readonly AlertRule[]): { name: string; rules: Array<Record<string, unknown>> } {
  return {
    name,
    rules: rules.map((r) => ({
      alert: r.alert,
      expr: r.expr,
      for: r.for,
      labels: {
        severity: r.severity,
        environment,
        service: r.service,
        domain: r.domain,
        ...(r.tier ? { tier: r.tier } : {}),
        ...(r.rpo ? { rpo: r.rpo } : {}),
      },
      annotations: {
        summary: r.summary,
        description: `${r.condition}. Threshold ${r.threshold}: ${r.source}.`,
        runbook_url: `${RUNBOOK_DOC}#${r.runbook}`,
        kind: r.kind,
        condition: r.condition,
        threshold: r.threshold,
        threshold_source: r.source,
      },
    })),
  };
}
