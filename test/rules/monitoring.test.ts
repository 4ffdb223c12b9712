/**
 * MON-001, MON-002 and LOG-002 (issue #19): each fires on the weakness it names, including the
 * seeded "audit logs kept only on the node", and is silent on what the constructs synthesize.
 */
import { expectFires, expectSilent, manifests, stack, type Json } from './fixture';

const ENV = { name: 'prod', class: 'production', securityLevel: 4, ephemeral: false, site: 'hanoi-1', cluster: 'core', namespaces: { postgres: 'data', velero: 'mgmt', monitoring: 'mgmt', 'rook-ceph': 'data' } };
const on = (layer: string, resources: Record<string, Record<string, Json>>, env: Partial<typeof ENV> = {}, top: Json = {}): Json => stack(resources, {}, { environment: { ...ENV, ...env, layer }, ...top });

// --- MON-001 -------------------------------------------------------------------------------

const TIERS = { gold: { rpo: '4h' }, silver: { rpo: '12h' }, bronze: { rpo: '24h' } };
const record = (services: Json[]): Json => ({ backup: { tiers: TIERS, services } });
const pgService = { service: 'core/postgres/main', kind: 'postgres', tier: 'gold', resources: [], mechanisms: [{ kind: 'wal-archiving' }] };
const nsService = { service: 'core/app-trade', kind: 'namespace', tier: 'silver', resources: [], mechanisms: [{ kind: 'velero' }] };
const rule = (alert: string, service: string, rpo: string): Json => ({ alert, expr: 'up == 0', labels: { severity: 'critical', service, rpo } });
const prometheusRule = (rules: Json[]): Json => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'moit-alerts', namespace: 'monitoring' }, spec: { groups: [{ name: 'backup-rpo', rules }] } });
const podMonitor = (name: string, ns: string): Json => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name, namespace: 'monitoring' }, spec: { namespaceSelector: { matchNames: [ns] }, selector: { matchLabels: { a: 'b' } }, podMetricsEndpoints: [{ port: 'metrics' }] } });
const serviceMonitor = (name: string, ns: string): Json => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name, namespace: 'monitoring' }, spec: { namespaceSelector: { matchNames: [ns] }, selector: { matchLabels: { a: 'b' } }, endpoints: [{ port: 'http' }] } });

describe('MON-001 every tiered service has an RPO alert and is scraped', () => {
  const watched = [rule('WalArchivingStale', 'core/postgres/main', '4h'), rule('VeleroBackupStale', 'core/app-trade', '12h')];

  it('fires for a service without an alert carrying its RPO', () => {
    expectFires('MON-001', on('services', manifests(prometheusRule([watched[1]!]), podMonitor('pg', 'postgres'), serviceMonitor('velero', 'velero')), {}, record([pgService, nsService])), /service core\/postgres\/main \(tier gold, RPO 4h\) has no alert labelled with its RPO/);
    expectFires('MON-001', on('services', manifests(prometheusRule([rule('WalArchivingStale', 'core/postgres/main', '24h'), watched[1]!]), podMonitor('pg', 'postgres'), serviceMonitor('velero', 'velero')), {}, record([pgService, nsService])), /core\/postgres\/main .* has no alert labelled with its RPO/);
  });

  it('fires for a service whose alert reads metrics nothing scrapes', () => {
    expectFires('MON-001', on('services', manifests(prometheusRule(watched), serviceMonitor('velero', 'velero')), {}, record([pgService, nsService])), /service core\/postgres\/main: its alerts \(WalArchivingStale\) read metrics from namespace postgres, which no PodMonitor or ServiceMonitor of this stack scrapes/);
  });

  it('is silent when every service has its alert and its exporter is scraped', () => {
    expectSilent('MON-001', on('services', manifests(prometheusRule(watched), podMonitor('pg', 'postgres'), serviceMonitor('velero', 'velero')), {}, record([pgService, nsService])));
  });
});

// --- LOG-002 -------------------------------------------------------------------------------

const shipper = (values: Json): Json => ({ helm_release: { shipper: { '//': { metadata: { path: 'prod-core-platform/audit-logs/chart/release' } }, chart: 'fluent-bit', namespace: 'monitoring', values: [JSON.stringify(values)] } } });
const OUTPUT = '[OUTPUT]\n    Name s3\n    Match audit.*\n    bucket audit-logs-prod-core\n    tls On\n    tls.verify On\n';
const goodShipper = { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }], config: { inputs: '[INPUT]\n    Name tail\n    Path /var/log/kubernetes/audit/*.log\n', outputs: OUTPUT } };
const claim = (marked = true): Json => [
  { apiVersion: 'objectbucket.io/v1alpha1', kind: 'ObjectBucketClaim', metadata: { name: 'audit-logs-prod-core', namespace: 'monitoring', labels: { 'moit.gov.vn/bucket-purpose': 'archive' } }, spec: { bucketName: 'audit-logs-prod-core' } },
  marked ? { auditLogs: { retentionDays: 180 } } : {},
];
const configurator = (mode: string, days: number): Json => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'configure', namespace: 'monitoring', labels: { 'moit.gov.vn/bucket-configurator': 'audit-logs-prod-core' } },
  spec: { template: { spec: { containers: [{ args: [`s3 put-object-lock-configuration --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"${mode}","Days":${days}}}}'`] }] } } },
});

describe('LOG-002 audit logs leave the node for an immutable store', () => {
  it('fires on the seeded weakness: audit logs kept only on the node (no shipper tails them)', () => {
    const certManager = { helm_release: { cm: { chart: 'cert-manager', namespace: 'cert-manager', values: ['{}'] } } };
    expectFires('LOG-002', on('platform', certManager), /audit logs kept only on the node: no log shipper in cluster core tails \/var\/log\/kubernetes\/audit\/\*\.log/);
    expectFires('LOG-002', on('platform', shipper({ config: { inputs: '[INPUT]\n    Name tail\n    Path /var/log/containers/*.log\n', outputs: OUTPUT } })), /audit logs kept only on the node/);
  });

  it('fires for a shipper without verified TLS, or one that never runs on the control plane', () => {
    expectFires('LOG-002', on('platform', shipper({ ...goodShipper, config: { ...goodShipper.config, outputs: OUTPUT.replace('tls.verify On', 'tls.verify Off') } })), /without verified TLS/);
    expectFires('LOG-002', on('platform', shipper({ ...goodShipper, tolerations: [] })), /does not tolerate the control-plane taint/);
  });

  it('fires for no audit-log bucket, one not locked in COMPLIANCE mode, and one locked too briefly for the level', () => {
    expectFires('LOG-002', on('services', manifests(claim(false), configurator('COMPLIANCE', 180))), /declares no audit-log bucket/);
    expectFires('LOG-002', on('services', manifests(claim(), configurator('GOVERNANCE', 180))), /is not locked in COMPLIANCE mode \(got GOVERNANCE\)/);
    expectFires('LOG-002', on('services', manifests(claim(), configurator('COMPLIANCE', 90))), /locks audit logs 90 days; security level 4 requires at least 180/);
  });

  it('is silent for the shipper and the locked bucket as the constructs declare them', () => {
    expectSilent('LOG-002', on('platform', shipper(goodShipper)));
    expectSilent('LOG-002', on('services', manifests(claim(), configurator('COMPLIANCE', 180))));
    expectSilent('LOG-002', on('services', manifests(claim(), configurator('GOVERNANCE', 90)), { class: 'development', securityLevel: 3 }));
  });
});

// --- MON-002 -------------------------------------------------------------------------------

const monitoringRelease = (config: Json): Json => ({ helm_release: { kps: { '//': { metadata: { path: 'prod-core-platform/monitoring/chart/release' } }, chart: 'kube-prometheus-stack', namespace: 'monitoring', values: [JSON.stringify({ alertmanager: { config } })] } } });
const routed = {
  route: { receiver: 'dc-platform', routes: [{ receiver: 'dc-oncall', matchers: ['severity="critical"'] }] },
  receivers: [
    { name: 'dc-oncall', webhook_configs: [{ url_file: '/etc/alertmanager/secrets/oncall/url' }] },
    { name: 'dc-platform', email_configs: [{ to: 'x@moit.gov.vn', auth_password_file: '/etc/alertmanager/secrets/smtp/password' }] },
  ],
};

describe('MON-002 alert receivers outside development', () => {
  it('fires when critical alerts reach no one outside development', () => {
    expectFires('MON-002', on('platform', monitoringRelease({ route: { receiver: 'none', routes: [] }, receivers: [{ name: 'none' }] })), /sends critical alerts to "none", which notifies no one; declare monitoring.receivers and monitoring.route in environments\/prod.ts/);
  });

  it('fires for a credential written in the values', () => {
    expectFires('MON-002', on('platform', monitoringRelease({ ...routed, receivers: [{ name: 'dc-oncall', webhook_configs: [{ url: 'https://hooks.example/T0KEN' }] }] })), /receiver dc-oncall has a literal url in the chart values; use url_file/);
  });

  it('is silent with routed receivers reading mounted Secrets, and in development without receivers', () => {
    expectSilent('MON-002', on('platform', monitoringRelease(routed)));
    expectSilent('MON-002', on('platform', monitoringRelease({ route: { receiver: 'none', routes: [] }, receivers: [{ name: 'none' }] }), { class: 'development', name: 'dev' }));
  });
});
