/**
 * The monitoring stack on every workload cluster (issue #19): kube-prometheus-stack at its pin with
 * the environment's retention, storage and receivers (secrets by reference only), monitors for
 * every operator, scraping through declared flows with default deny intact, and the API servers'
 * audit logs shipped to a bucket locked for the security level's retention.
 */
import { parse } from 'yaml';
import { OPERATORS } from '../lib/versions';
import { alertmanagerConfig } from '../constructs/monitoring/monitoring-stack';
import { shipperConfig } from '../constructs/monitoring/audit-logs';
import { parseEnvironment } from '../environments/schema';
import { configOf, manifestsOf, synthEstate, type Json } from './helpers';

const { stack } = synthEstate();
const releases = (s: string): Json[] => Object.values(stack(s).resource.helm_release ?? {}) as Json[];
const release = (s: string, chart: string): Json => releases(s).find((r) => r.chart === chart)!;
const valuesOf = (r: Json): Json => parse(r.values[0]) as Json;
const policies = (s: string): Json[] => Object.values(stack(s).resource.kubernetes_network_policy_v1 ?? {}) as Json[];

describe('kube-prometheus-stack on every workload cluster', () => {
  it.each(['dev', 'staging', 'prod', 'dr'])('%s: installed at the pinned version in the monitoring namespace, which has default deny', (env) => {
    const r = release(`${env}-core-platform`, 'kube-prometheus-stack');
    expect(r).toMatchObject({ version: OPERATORS.kubePrometheusStack.chartVersion, repository: OPERATORS.kubePrometheusStack.repository, namespace: 'monitoring', atomic: true });
    expect(policies(`${env}-core-platform`).find((p) => p.metadata.namespace === 'monitoring' && p.metadata.name === 'default-deny')?.spec).toMatchObject({ policy_types: ['Ingress', 'Egress'] });
  });

  it("takes Prometheus's retention, storage and replicas from the environment, and picks up every namespace's monitors and rules", () => {
    const spec = valuesOf(release('prod-core-platform', 'kube-prometheus-stack')).prometheus.prometheusSpec;
    expect(spec).toMatchObject({
      retention: '30d',
      replicas: 2,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
      externalLabels: { environment: 'prod', cluster: 'core' },
    });
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe('200Gi');
    expect(spec.nodeSelector).toEqual({ 'moit.gov.vn/zone': 'mgmt' });
  });

  it('runs the node exporter on every pool and the control plane', () => {
    expect(valuesOf(release('prod-core-platform', 'kube-prometheus-stack'))['prometheus-node-exporter'].tolerations).toEqual([
      { key: 'moit.gov.vn/zone', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('routes critical and warning alerts to the receivers of the environment, reading every credential from a mounted Secret', () => {
    const am = valuesOf(release('prod-core-platform', 'kube-prometheus-stack')).alertmanager;
    expect(am.alertmanagerSpec.secrets).toBeUndefined();
    expect(am.alertmanagerSpec.volumes).toEqual([
      { name: 'receiver-secret-0', secret: { secretName: 'alertmanager-oncall' } },
      { name: 'receiver-secret-1', secret: { secretName: 'alertmanager-smtp' } },
    ]);
    expect(am.alertmanagerSpec.volumeMounts).toEqual([
      { name: 'receiver-secret-0', mountPath: '/etc/alertmanager/secrets/alertmanager-oncall', readOnly: true },
      { name: 'receiver-secret-1', mountPath: '/etc/alertmanager/secrets/alertmanager-smtp', readOnly: true },
    ]);
    expect(am.config.route.routes).toEqual([
      { receiver: 'dc-oncall', matchers: ['severity="critical"'], repeat_interval: '1h' },
      { receiver: 'dc-platform', matchers: ['severity="warning"'] },
    ]);
    expect(am.config.receivers[0].webhook_configs[0]).toEqual({ url_file: '/etc/alertmanager/secrets/alertmanager-oncall/url', send_resolved: true });
    expect(JSON.stringify(am)).not.toMatch(/"url":|"auth_password":/);
  });

  it('sends alerts nowhere but Alertmanager when a development environment names no receiver', () => {
    const dev = parseEnvironment(configOf('dev'), 'environments/dev.ts');
    expect(alertmanagerConfig(dev.monitoring)).toMatchObject({ route: { receiver: 'none', routes: [] }, receivers: [{ name: 'none' }] });
  });
});

describe('scraping through default deny', () => {
  it.each([
    ['postgres', 'flow-prometheus-to-postgres-instances-in', '9187'],
    ['kafka', 'flow-prometheus-to-kafka-pods-in', '9404'],
    ['rook-ceph', 'flow-prometheus-to-rook-ceph-mgr-in', '9283'],
    ['velero', 'flow-prometheus-to-velero-server-in', '8085'],
    ['cert-manager', 'flow-prometheus-to-cert-manager-controller-in', '9402'],
    ['cnpg-system', 'flow-prometheus-to-cnpg-operator-in', '8080'],
    ['external-secrets', 'flow-prometheus-to-external-secrets-controller-in', '8080'],
  ])('%s admits Prometheus on its metrics port only (%s)', (ns, name, port) => {
    const p = policies('prod-core-platform').find((x) => x.metadata.namespace === ns && x.metadata.name === name)!;
    expect(p.spec.ingress).toEqual([{ from: [expect.objectContaining({ namespace_selector: expect.anything(), pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } } })], ports: [{ port, protocol: 'TCP' }] }]);
  });

  it('declares a PodMonitor or ServiceMonitor for every target, with the labels the alerts select on', () => {
    const monitors = [...manifestsOf(stack('prod-core-services'), 'PodMonitor'), ...manifestsOf(stack('prod-core-services'), 'ServiceMonitor')];
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['cert-manager-controller', 'cnpg-operator', 'external-secrets-controller', 'kafka-mirror-maker', 'kafka-pods', 'postgres-instances', 'rook-ceph-mgr', 'strimzi-operator', 'velero-server']);
    expect(monitors.find((m) => m.metadata.name === 'postgres-instances')!.spec).toMatchObject({ namespaceSelector: { matchNames: ['postgres'] }, podTargetLabels: ['cnpg.io/cluster'] });
  });

  it('lets Alertmanager reach each receiver at its declared address only', () => {
    const out = policies('prod-core-platform').find((p) => p.metadata.name === 'flow-alertmanager-to-receiver-dc-platform-out')!;
    expect(out.spec.egress).toEqual([{ to: [{ ip_block: { cidr: '10.1.0.41/32' } }], ports: [{ port: '587', protocol: 'TCP' }] }]);
  });
});

describe('audit logs off the node', () => {
  it('ships the audit logs from the control-plane nodes over verified TLS to the locked bucket', () => {
    const v = valuesOf(release('prod-core-services', 'fluent-bit'));
    expect(v.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(v.tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(v.envFrom).toEqual([{ secretRef: { name: 'audit-logs-prod-core' } }]);
    expect(v.config.inputs).toContain('Path /var/log/kubernetes/audit/*.log');
    expect(v.config.outputs).toContain('bucket audit-logs-prod-core');
    expect(v.config.outputs).toMatch(/tls On\n\s+tls.verify On/);
    expect(shipperConfig('b').outputs.match(/Name s3/g)).toHaveLength(2);
  });

  it('installs the shipper only once its bucket is bound, issued its CA bundle and locked (the configurator Job has completed)', () => {
    expect(releases('prod-core-platform').filter((r) => r.chart === 'fluent-bit')).toEqual([]);
    const jobs = stack('prod-core-services').resource.kubernetes_job_v1 as Record<string, Json>;
    const configurator = Object.keys(jobs).find((k) => jobs[k]!.metadata.labels?.['moit.gov.vn/bucket-configurator'] === 'audit-logs-prod-core')!;
    expect(release('prod-core-services', 'fluent-bit').depends_on).toEqual([`kubernetes_job_v1.${configurator}`]);
  });

  it.each([
    ['prod', 'COMPLIANCE', 180],
    ['staging', 'COMPLIANCE', 90],
    ['dr', 'COMPLIANCE', 180],
  ])('%s locks the audit-log bucket in %s mode for %i days', (env, mode, days) => {
    const jobs = Object.values(stack(`${env}-core-services`).resource.kubernetes_job_v1 ?? {}) as Json[];
    const job = jobs.find((j) => j.metadata.labels?.['moit.gov.vn/bucket-configurator'] === `audit-logs-${env}-core`)!;
    expect(JSON.stringify(job)).toContain(`\\"Mode\\":\\"${mode}\\",\\"Days\\":${days}`);
  });

  it('lets the shipper reach the object store, and nothing else leave the monitoring namespace for it', () => {
    const out = policies('prod-core-services').filter((p) => p.metadata.namespace === 'monitoring' && p.metadata.name.startsWith('flow-audit-log-shipper'));
    expect(out.map((p) => p.metadata.name)).toEqual([expect.stringMatching(/^flow-audit-log-shipper-to-rgw/)]);
  });
});
