/**
 * What issues #19 and #23 still asked of monitoring: the Cluster API controllers on the
 * management clusters are scraped by a monitoring stack of their own (same chart pin, the
 * environment's receivers), External Secrets Operator's sync failures alert, and the MirrorMaker 2
 * lag alert names the metric the Strimzi Metrics Reporter exposes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AlertRulesError } from '../constructs/monitoring/alert-rules';
import { AUTHENTICATED_SCRAPE_CLASS } from '../constructs/monitoring/monitoring-stack';
import { clusterApiNamespaces, managementScrapeTargets } from '../constructs/monitoring/management';
import { parseEnvironment } from '../environments/schema';
import { App } from '../lib/tf';
import { OPERATORS } from '../lib/versions';
import { METRICS } from '../policy/monitoring/metrics';
import { promqlProblems } from '../policy/monitoring/promql';
import { buildEnvironment } from '../stacks/estate';
import { configOf, manifestsOf, synthEstate, type Json } from './helpers';

const { stack } = synthEstate();
const MANAGED = ['staging', 'prod', 'dr'];
const releaseOf = (s: string, chart: string): Json => (Object.values(stack(s).resource.helm_release ?? {}) as Json[]).find((r) => r.chart === chart)!;
const valuesOf = (r: Json): Json => parse(r.values[0]) as Json;
const policies = (s: string): Json[] => Object.values(stack(s).resource.kubernetes_network_policy_v1 ?? {}) as Json[];
const rulesOf = (json: Json): Json[] => manifestsOf(json, 'PrometheusRule').flatMap((m) => m.spec.groups.flatMap((g: Json) => g.rules));

function synthManagement(name: string): void {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-mgmt-mon-')) });
  buildEnvironment(app, parseEnvironment(configOf(name), `environments/${name}.ts`));
  app.synth();
}

describe('a monitoring stack on every management cluster', () => {
  it.each(MANAGED)('%s: kube-prometheus-stack at the pinned version in the management platform stack, in a default-deny monitoring namespace', (env) => {
    const r = releaseOf(`${env}-mgmt-platform`, 'kube-prometheus-stack');
    expect(r).toMatchObject({ version: OPERATORS.kubePrometheusStack.chartVersion, repository: OPERATORS.kubePrometheusStack.repository, namespace: 'monitoring' });
    expect(policies(`${env}-mgmt-platform`).find((p) => p.metadata.namespace === 'monitoring' && p.metadata.name === 'default-deny')?.spec).toMatchObject({ policy_types: ['Ingress', 'Egress'] });
  });

  it("takes retention, storage and the receivers from the environment, on the cluster's default StorageClass (no Ceph there)", () => {
    const mgmt = valuesOf(releaseOf('prod-mgmt-platform', 'kube-prometheus-stack'));
    const core = valuesOf(releaseOf('prod-core-platform', 'kube-prometheus-stack'));
    expect(mgmt.prometheus.prometheusSpec).toMatchObject({ retention: '30d', replicas: 2, podMonitorSelectorNilUsesHelmValues: false, externalLabels: { environment: 'prod', cluster: 'mgmt' } });
    expect(mgmt.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBeUndefined();
    expect(mgmt.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe('200Gi');
    expect(mgmt.alertmanager.config).toEqual(core.alertmanager.config);
    expect(mgmt.alertmanager.alertmanagerSpec.volumes).toEqual(core.alertmanager.alertmanagerSpec.volumes);
  });

  it("scrapes the controllers' secure endpoints with Prometheus's own mounted token (a scrape class), declaring no Secret", () => {
    expect(valuesOf(releaseOf('prod-mgmt-platform', 'kube-prometheus-stack')).prometheus.prometheusSpec.scrapeClasses).toEqual([JSON.parse(JSON.stringify(AUTHENTICATED_SCRAPE_CLASS))]);
    // The workload clusters scrape nothing secure: their values carry no scrape class.
    expect(valuesOf(releaseOf('prod-core-platform', 'kube-prometheus-stack')).prometheus.prometheusSpec.scrapeClasses).toBeUndefined();
    expect(Object.keys(stack('prod-mgmt-clusters').resource.kubernetes_secret_v1 ?? {})).toEqual([]);
  });

  it.each(MANAGED)('%s: a PodMonitor for the Cluster API operator and every provider (HTTPS on 8443), and cert-manager, in the clusters stack', (env) => {
    const pods = manifestsOf(stack(`${env}-mgmt-clusters`), 'PodMonitor');
    expect(pods.map((m) => m.metadata.name).sort()).toEqual(['capi-bootstrap', 'capi-control-plane', 'capi-core', 'capi-operator', 'capv']);
    for (const m of pods) {
      expect(m.spec).toMatchObject({ scrapeClass: AUTHENTICATED_SCRAPE_CLASS.name, podMetricsEndpoints: [{ portNumber: 8443, scheme: 'https', interval: '30s' }] });
    }
    expect(manifestsOf(stack(`${env}-mgmt-clusters`), 'ServiceMonitor').map((m) => m.metadata.name)).toEqual(['cert-manager-controller']);
    expect(manifestsOf(stack(`${env}-mgmt-platform`), 'PodMonitor')).toEqual([]);
  });

  it('admits Prometheus to each controller on its metrics port only, through the default deny of its namespace', () => {
    for (const t of managementScrapeTargets()) {
      const p = policies('prod-mgmt-platform').find((x) => x.metadata.namespace === t.peer.namespace && x.metadata.name === `flow-prometheus-to-${t.peer.name}-in`);
      expect([t.peer.name, p?.spec.ingress]).toEqual([t.peer.name, [{ from: [expect.objectContaining({ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } } })], ports: [{ port: String(t.port.port), protocol: 'TCP' }] }]]);
    }
  });

  it.each(MANAGED)('%s: alerts when a Cluster API controller is down or keeps failing, routed to the environment receivers', (env) => {
    const rules = rulesOf(stack(`${env}-mgmt-clusters`));
    for (const ns of clusterApiNamespaces()) {
      const own = rules.filter((r) => r.labels.service === `mgmt/${ns}`).map((r) => r.alert).sort();
      expect([ns, own]).toEqual([ns, ['ClusterApiControllerDown', 'ClusterApiReconcileErrors']]);
    }
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['CertificateExpiringSoon', 'ScrapeTargetDown']));
    for (const r of rules) expect([r.alert, promqlProblems(r.expr)]).toEqual([r.alert, []]);
    expect(stack(`${env}-mgmt-clusters`)['//'].alerting).toBeDefined();
  });

  it('GIVEN the controller-runtime metric unpinned (a typo) THEN the synth of a management cluster fails naming the controllers', () => {
    const saved = (METRICS as Record<string, unknown>).controller_runtime_reconcile_errors_total;
    delete (METRICS as Record<string, unknown>).controller_runtime_reconcile_errors_total;
    try {
      expect(() => synthManagement('prod')).toThrow(AlertRulesError);
      expect(() => synthManagement('prod')).toThrow(/alert ClusterApiReconcileErrors of service mgmt\/capi-system: its expression names metric "controller_runtime_reconcile_errors_total"/);
    } finally {
      (METRICS as Record<string, unknown>).controller_runtime_reconcile_errors_total = saved;
    }
  });
});

describe('External Secrets Operator: a failed sync alerts (issue #23)', () => {
  it.each(['dev', 'staging', 'prod', 'dr'])('%s: scrapes the ESO controller, keeping the ExternalSecret labels, and alerts on Ready=False and sync errors', (env) => {
    const monitor = manifestsOf(stack(`${env}-core-services`), 'PodMonitor').find((m) => m.metadata.name === 'external-secrets-controller')!;
    expect(monitor.spec).toMatchObject({ namespaceSelector: { matchNames: ['external-secrets'] }, podMetricsEndpoints: [{ port: 'metrics', honorLabels: true }] });
    const rules = rulesOf(stack(`${env}-core-services`)).filter((r) => r.labels.service === 'core/external-secrets');
    expect(rules.map((r) => r.alert).sort()).toEqual(['ExternalSecretNotReady', 'ExternalSecretSyncErrors']);
    expect(rules.find((r) => r.alert === 'ExternalSecretNotReady')!.expr).toContain('externalsecret_status_condition{condition="Ready",status="False"}');
  });

  it('admits Prometheus to the ESO controller on 8080 only', () => {
    const p = policies('prod-core-platform').find((x) => x.metadata.namespace === 'external-secrets' && x.metadata.name === 'flow-prometheus-to-external-secrets-controller-in')!;
    expect(p.spec.ingress).toEqual([{ from: [expect.objectContaining({ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } } })], ports: [{ port: '8080', protocol: 'TCP' }] }]);
  });

  it('pins the ESO metrics with their upstream source at v2.9.0', () => {
    for (const name of ['externalsecret_status_condition', 'externalsecret_sync_calls_error']) {
      expect([name, METRICS[name]?.exporter, METRICS[name]?.source]).toEqual([name, 'external-secrets', expect.stringContaining('esmetrics.go @v2.9.0')]);
    }
  });

  it('GIVEN an ESO metric name with a typo THEN the expression is refused', () => {
    expect(promqlProblems('max by (namespace, name) (externalsecret_status_conditions{condition="Ready"}) == 1')).toEqual([expect.stringContaining('names metric "externalsecret_status_conditions", which no pinned exporter exposes')]);
  });
});

describe('MirrorMaker 2 lag reads the metric the Strimzi Metrics Reporter exposes', () => {
  it('names kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max, cited from the reporter dashboard at 1.2.0', () => {
    const lag = rulesOf(stack('dr-core-services')).find((r) => r.alert === 'MirrorMakerLag')!;
    expect(lag.expr).toContain('kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max{');
    expect(METRICS.kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max!.source).toContain('strimzi-metrics-reporter/grafana-dashboards/strimzi-kafka-mirror-maker-2.json @1.2.0');
    // The JMX exporter's name does not exist under the reporter this estate configures.
    expect(METRICS).not.toHaveProperty('kafka_connect_mirror_source_connector_replication_latency_ms_max');
  });
});
