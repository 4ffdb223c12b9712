/**
 * The metrics the estate's alerts may name: every one an exporter this estate installs exposes,
 * at the version pinned in lib/versions.ts, with where that is written upstream. An alert naming
 * a metric not listed here fails the synth (policy/monitoring/alerts.ts): a typo would otherwise
 * be an alert that can never fire.
 *
 * Sources as researched in ../shared/reference/platform-addons.md ("kube-prometheus-stack 88.5.3
 * and metric names"), cited as repository `path` @tag. Re-check when a pin moves.
 */

/** Who exposes a metric, and where that is written. */
export interface MetricSource {
  /** The exporter that exposes it (and is scraped by a monitor of constructs/monitoring). */
  readonly exporter: 'cloudnative-pg' | 'barman-cloud-plugin' | 'velero' | 'strimzi-kafka' | 'strimzi-mirror-maker-2' | 'ceph-mgr' | 'cert-manager' | 'kube-state-metrics' | 'prometheus' | 'external-secrets' | 'controller-runtime';
  /** Upstream file and tag that define it. */
  readonly source: string;
  /** What it measures, in one line. */
  readonly meaning: string;
}

export const METRICS: Readonly<Record<string, MetricSource>> = {
  cnpg_pg_stat_archiver_seconds_since_last_archival: {
    exporter: 'cloudnative-pg',
    source: 'cloudnative-pg/cloudnative-pg config/manager/default-monitoring.yaml @v1.30.0 (pg_stat_archiver, primary only)',
    meaning: 'seconds since the last WAL segment was archived',
  },
  cnpg_pg_stat_archiver_failed_count: {
    exporter: 'cloudnative-pg',
    source: 'cloudnative-pg/cloudnative-pg config/manager/default-monitoring.yaml @v1.30.0 (pg_stat_archiver)',
    meaning: 'failed WAL archiving attempts (counter)',
  },
  cnpg_pg_replication_lag: {
    exporter: 'cloudnative-pg',
    source: 'cloudnative-pg/cloudnative-pg config/manager/default-monitoring.yaml @v1.30.0 (pg_replication.lag)',
    meaning: 'seconds a standby replays behind its primary',
  },
  cnpg_pg_replication_streaming_replicas: {
    exporter: 'cloudnative-pg',
    source: 'cloudnative-pg/cloudnative-pg config/manager/default-monitoring.yaml @v1.30.0 (pg_replication.streaming_replicas)',
    meaning: 'standbys streaming from this instance',
  },
  cnpg_pg_replication_in_recovery: {
    exporter: 'cloudnative-pg',
    source: 'cloudnative-pg/cloudnative-pg config/manager/default-monitoring.yaml @v1.30.0 (pg_replication.in_recovery)',
    meaning: '1 on a standby, 0 on the primary',
  },
  barman_cloud_cloudnative_pg_io_last_available_backup_timestamp: {
    exporter: 'barman-cloud-plugin',
    source: 'cloudnative-pg/plugin-barman-cloud internal/cnpgi/instance/metrics.go @v0.14.0',
    meaning: 'epoch of the newest base backup in the object store',
  },
  velero_backup_last_successful_timestamp: {
    exporter: 'velero',
    source: 'vmware-tanzu/velero pkg/metrics/metrics.go @v1.18.1 (label schedule)',
    meaning: 'epoch of the last successful backup of a Schedule',
  },
  velero_backup_failure_total: {
    exporter: 'velero',
    source: 'vmware-tanzu/velero pkg/metrics/metrics.go @v1.18.1 (label schedule)',
    meaning: 'failed backups of a Schedule (counter)',
  },
  kafka_server_replicamanager_underreplicatedpartitions: {
    exporter: 'strimzi-kafka',
    source: 'strimzi/strimzi-kafka-operator packaging/examples/metrics/strimzi-metrics-reporter/grafana-dashboards/strimzi-kafka.json (metricsConfig type strimziMetricsReporter, labels namespace and strimzi_io_cluster) and prometheus-install/prometheus-rules/prometheus-kafka-rules.yaml @1.2.0',
    meaning: 'partitions led by a broker with fewer in-sync replicas than replicas',
  },
  kafka_controller_kafkacontroller_offlinepartitionscount: {
    exporter: 'strimzi-kafka',
    source: 'strimzi/strimzi-kafka-operator packaging/examples/metrics/prometheus-install/prometheus-rules/prometheus-kafka-rules.yaml @1.2.0',
    meaning: 'partitions without a leader (reported by the active controller)',
  },
  kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max: {
    exporter: 'strimzi-mirror-maker-2',
    source:
      'strimzi/strimzi-kafka-operator packaging/examples/metrics/strimzi-metrics-reporter/grafana-dashboards/strimzi-kafka-mirror-maker-2.json @1.2.0, panel "Replication Latency" (metricsConfig type strimziMetricsReporter, as constructs/kafka/mirror-maker.ts sets: the Kafka MBean kafka.connect.mirror:type=MirrorSourceConnector attribute replication-latency-ms-max, lower-cased with no separator added inside the type; the JMX exporter rules of packaging/examples/metrics/kafka-mirror-maker-2-metrics.yaml, which name it kafka_connect_mirror_source_connector_*, do not apply)',
    meaning: 'largest delay, in milliseconds, between a record written at the source and its copy at the target',
  },
  ceph_health_status: {
    exporter: 'ceph-mgr',
    source: 'rook/rook deploy/charts/rook-ceph-cluster/prometheus/localrules.yaml @v1.20.6 (0 ok, 1 warn, 2 error)',
    meaning: 'the Ceph cluster health',
  },
  ceph_osd_up: {
    exporter: 'ceph-mgr',
    source: 'rook/rook deploy/charts/rook-ceph-cluster/prometheus/localrules.yaml @v1.20.6 (CephOSDDown)',
    meaning: '1 when an OSD is up',
  },
  ceph_pool_percent_used: {
    exporter: 'ceph-mgr',
    source: 'rook/rook deploy/charts/rook-ceph-cluster/prometheus/localrules.yaml @v1.20.6 (CephPoolNearFull)',
    meaning: 'fraction of a pool used, 0 to 1',
  },
  certmanager_certificate_expiration_timestamp_seconds: {
    exporter: 'cert-manager',
    source: 'cert-manager/cert-manager internal/collectors/certificate_collector.go @v1.21.1',
    meaning: "epoch at which a Certificate's current certificate expires",
  },
  certmanager_certificate_ready_status: {
    exporter: 'cert-manager',
    source: 'cert-manager/cert-manager internal/collectors/certificate_collector.go @v1.21.1',
    meaning: 'the Ready condition of a Certificate (label condition)',
  },
  kube_cronjob_status_last_successful_time: {
    exporter: 'kube-state-metrics',
    source: 'kubernetes/kube-state-metrics docs/metrics/workload/cronjob-metrics.md (chart of kube-prometheus-stack 88.5.3)',
    meaning: 'epoch of the last successful run of a CronJob',
  },
  externalsecret_status_condition: {
    exporter: 'external-secrets',
    source:
      'external-secrets/external-secrets pkg/controllers/externalsecret/esmetrics/esmetrics.go @v2.9.0 (subsystem "externalsecret", name "status_condition"; labels name, namespace of the ExternalSecret, condition, status; ../shared/reference/secrets.md)',
    meaning: 'the status conditions of an ExternalSecret: 1 on the series of its current Ready status (True or False), 0 on the other',
  },
  externalsecret_sync_calls_error: {
    exporter: 'external-secrets',
    source: 'external-secrets/external-secrets pkg/controllers/externalsecret/esmetrics/esmetrics.go @v2.9.0 (subsystem "externalsecret", name "sync_calls_error"; labels name, namespace)',
    meaning: 'failed syncs of an ExternalSecret from its store (counter)',
  },
  controller_runtime_reconcile_errors_total: {
    exporter: 'controller-runtime',
    source:
      'kubernetes-sigs/controller-runtime pkg/internal/controller/metrics/metrics.go (label controller): served by every Cluster API controller (CAPI v1.13.5, CAPV v1.16) on its diagnostics endpoint',
    meaning: 'reconciliations of a controller that returned an error (counter)',
  },
  up: {
    exporter: 'prometheus',
    source: 'Prometheus: the synthetic series of every scrape target (prometheus/prometheus docs/configuration, "up")',
    meaning: '1 when the last scrape of a target succeeded',
  },
};

/** Is a metric in the pinned list? */
export function isKnownMetric(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(METRICS, name);
}
