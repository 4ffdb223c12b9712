/**
 * MON-001, MON-002 and LOG-002 (issue #19): each fires on the weakness it names, including the
 * seeded "audit logs kept only on the node", and is silent on what the constructs synthesize.
 */
import { expectFires, expectOutcomes, expectSilent, manifests, run, stack, type Json } from './fixture';

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
/** A services stack with the locked audit-log bucket (the shipper is installed beside it, after it). */
const withArchive = (resources: Record<string, Record<string, Json>>): Record<string, Record<string, Json>> => ({ ...resources, ...manifests(claim(), configurator('COMPLIANCE', 180)) });

describe('LOG-002 audit logs leave the node for an immutable store', () => {
  it('fires on the seeded weakness: audit logs kept only on the node (no shipper tails them)', () => {
    const certManager = { helm_release: { cm: { chart: 'cert-manager', namespace: 'cert-manager', values: ['{}'] } } };
    expectFires('LOG-002', on('services', withArchive(certManager)), /audit logs kept only on the node: no log shipper in cluster core tails \/var\/log\/kubernetes\/audit\/\*\.log/);
    expectFires('LOG-002', on('services', withArchive(shipper({ config: { inputs: '[INPUT]\n    Name tail\n    Path /var/log/containers/*.log\n', outputs: OUTPUT } }))), /audit logs kept only on the node/);
  });

  it('fires for a shipper without verified TLS, or one that never runs on the control plane', () => {
    expectFires('LOG-002', on('services', withArchive(shipper({ ...goodShipper, config: { ...goodShipper.config, outputs: OUTPUT.replace('tls.verify On', 'tls.verify Off') } }))), /without verified TLS/);
    expectFires('LOG-002', on('services', withArchive(shipper({ ...goodShipper, tolerations: [] }))), /does not tolerate the control-plane taint/);
  });

  it('fires for no audit-log bucket, one not locked in COMPLIANCE mode, and one locked too briefly for the level', () => {
    expectFires('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(false), configurator('COMPLIANCE', 180)) }), /declares no audit-log bucket/);
    expectFires('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(), configurator('GOVERNANCE', 180)) }), /is not locked in COMPLIANCE mode \(got GOVERNANCE\)/);
    expectFires('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(), configurator('COMPLIANCE', 90)) }), /locks audit logs 90 days; security level 4 requires at least 180/);
  });

  it('is silent for the shipper and the locked bucket as the constructs declare them', () => {
    expectSilent('LOG-002', on('services', withArchive(shipper(goodShipper))));
    expectSilent('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(), configurator('GOVERNANCE', 90)) }, { class: 'development', securityLevel: 3 }));
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

describe('MON-001: which namespaces each kind of service needs scraped, and the evidence', () => {
  const kafkaService = { service: 'core/kafka/events', kind: 'kafka', tier: 'gold', resources: [], mechanisms: [] };
  const bucketService = { service: 'core/raw', kind: 'bucket', tier: 'bronze', resources: [], mechanisms: [{ kind: 'offsite-copy' }] };
  const otherService = { service: 'core/x', kind: 'other', tier: 'gold', resources: [], mechanisms: [] };
  const veleroService = { ...nsService, mechanisms: [{ kind: 'offsite-copy' }, { kind: 'velero' }] };
  const rules = [
    rule('KafkaStale', 'core/kafka/events', '4h'), rule('KafkaStale', 'core/kafka/events', '4h'), rule('KafkaLag', 'core/kafka/events', '4h'), rule('OtherStale', 'core/other', '4h'),
    rule('BucketStale', 'core/raw', '24h'), rule('VeleroBackupStale', 'core/app-trade', '12h'), { alert: 'Unlabelled', labels: 'x' }, { alert: 'Null', labels: null }, null as unknown as Json,
  ];
  // Selects no namespace by name (a number is not one), so it scrapes its own.
  const ownMonitor = { ...podMonitor('kafka', 'kafka'), metadata: { name: 'kafka', namespace: 'kafka' }, spec: { namespaceSelector: { matchNames: [42] }, selector: {} } };
  const plainMonitor = { ...podMonitor('plain', 'x'), spec: { selector: {} } };
  it('reads a monitor without namespace names as scraping its own namespace, and names each alert once', () => {
    expectOutcomes('MON-001', on('services', manifests({ ...prometheusRule(rules), spec: { groups: [null, { name: 'g', rules }] } }, ownMonitor, plainMonitor, serviceMonitor('ceph', 'rook-ceph'), serviceMonitor('velero', 'velero')), {}, record([kafkaService, bucketService, otherService, veleroService])), [
      ['pass', 'service core/kafka/events (RPO 4h) is watched by KafkaStale, KafkaLag, scraped in kafka'],
      ['pass', 'service core/raw (RPO 24h) is watched by BucketStale, scraped in rook-ceph'],
      ['pass', 'service core/app-trade (RPO 12h) is watched by VeleroBackupStale, scraped in velero'],
    ]);
  });
  it('fires for a service whose tier the record does not define', () => {
    expectFires('MON-001', on('services', manifests(prometheusRule(rules)), {}, record([{ ...kafkaService, tier: 'platinum' }])), /^service core\/kafka\/events \(tier platinum, RPO undefined\) has no alert labelled with its RPO/);
  });
  it('fires for an unscraped exporter namespace, naming each alert once', () => {
    expectOutcomes('MON-001', on('services', manifests(prometheusRule(rules)), {}, record([kafkaService])), [
      ['fail', 'service core/kafka/events: its alerts (KafkaStale, KafkaLag) read metrics from namespace kafka, which no PodMonitor or ServiceMonitor of this stack scrapes'],
    ]);
  });
  it('applies only to a services stack with a backup record', () => {
    expect(run('MON-001', on('platform', manifests(prometheusRule([])), {}, record([kafkaService])))).toEqual([]);
    expect(run('MON-001', on('services', manifests(prometheusRule([]))))).toEqual([]);
    const json = on('services', manifests(prometheusRule([])), {}, record([kafkaService]));
    delete json['//'].environment;
    expect(run('MON-001', json)).toEqual([]);
  });
});

describe('LOG-002: scope, each part of the shipper and of the lock', () => {
  it("applies to workload clusters' services stacks with buckets, where the shipper and the archive both are", () => {
    expect(run('LOG-002', on('services', withArchive(shipper({ config: {} })), { cluster: 'mgmt' }))).toEqual([]);
    expect(run('LOG-002', on('platform', withArchive(shipper({ config: {} }))))).toEqual([]);
    expect(run('LOG-002', on('kafka', manifests(claim(false))))).toEqual([]);
    expect(run('LOG-002', on('services', { ...shipper({ config: {} }), kubernetes_namespace_v1: { n: { metadata: { name: 'n' } } } }))).toEqual([]);
    const json = on('services', withArchive(shipper({ config: {} })));
    delete json['//'].environment;
    expect(run('LOG-002', json)).toEqual([]);
  });
  it('judges only the releases that tail the audit directory, and says what the shipper does', () => {
    const other = { chart: 'cert-manager', namespace: 'cert-manager', values: [JSON.stringify({ config: { inputs: 42 } })] };
    expectOutcomes('LOG-002', on('services', withArchive({ helm_release: { ...shipper(goodShipper).helm_release, other }, kubernetes_namespace_v1: { n: { metadata: { name: 'monitoring' } } } })), [
      ['pass', 'helm_release shipper ships /var/log/kubernetes/audit/*.log from the control-plane nodes to S3 over verified TLS'],
      ['pass', 'ObjectBucketClaim monitoring/audit-logs-prod-core keeps audit logs locked 180 days in COMPLIANCE mode (level 4 requires 180)'],
    ]);
  });
  it('fires for a shipper without an s3 output, without tls On, or tolerating another taint', () => {
    expectFires('LOG-002', on('services', withArchive(shipper({ ...goodShipper, config: { ...goodShipper.config, outputs: OUTPUT.replace('Name s3', 'Name stdout') } }))), /^helm_release shipper tails the audit logs but ships them nowhere immutable \(no s3 output\)$/);
    expectFires('LOG-002', on('services', withArchive(shipper({ ...goodShipper, config: { ...goodShipper.config, outputs: OUTPUT.replace('tls On', 'tls Off') } }))), /without verified TLS/);
    expectFires('LOG-002', on('services', withArchive(shipper({ ...goodShipper, tolerations: [null, { key: 'node-role.kubernetes.io/infra', operator: 'Exists' }] }))), /does not tolerate the control-plane taint/);
  });
  it('reads the lock mode and days, per level, and says how long the logs are kept', () => {
    expectOutcomes('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(), configurator('COMPLIANCE', 180), claim(false)) }), [
      ['pass', 'helm_release shipper ships /var/log/kubernetes/audit/*.log from the control-plane nodes to S3 over verified TLS'],
      ['pass', 'ObjectBucketClaim monitoring/audit-logs-prod-core keeps audit logs locked 180 days in COMPLIANCE mode (level 4 requires 180)'],
    ]);
    expectFires('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(), configurator('COMPLIANCE', 364)) }, { securityLevel: 5 }), /locks audit logs 364 days; security level 5 requires at least 365/);
    expectSilent('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(), configurator('COMPLIANCE', 90)) }, { securityLevel: 3 }));
    expectFires('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim()) }), /^ObjectBucketClaim monitoring\/audit-logs-prod-core holds the audit logs but is not locked in COMPLIANCE mode \(got no lock\); anyone with its keys could delete them$/);
    expectFires('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim()) }, { class: 'development', securityLevel: 3 }), /is not locked in COMPLIANCE or GOVERNANCE mode \(got no lock\)/);
  });
});

describe('MON-002: scope, every receiver setting, and the evidence', () => {
  it('applies to kube-prometheus-stack releases of platform stacks', () => {
    expect(run('MON-002', on('services', monitoringRelease(routed)))).toEqual([]);
    expect(run('MON-002', on('platform', { helm_release: { x: { ...monitoringRelease(routed).helm_release.kps, chart: 'other' } }, terraform_data: { t: { chart: 'kube-prometheus-stack' } } }))).toEqual([]);
    const json = on('platform', monitoringRelease(routed));
    delete json['//'].environment;
    expect(run('MON-002', json)).toEqual([]);
  });
  it.each(['webhook_configs', 'email_configs', 'slack_configs', 'msteams_configs', 'pagerduty_configs', 'opsgenie_configs'])('reads %s', (configs) => {
    expectFires('MON-002', on('platform', monitoringRelease({ ...routed, receivers: [{ name: 'r', [configs]: [{ url: 'https://hooks.example/T0KEN' }] }] })), /receiver r has a literal url/);
  });
  it.each(['url', 'auth_password', 'api_key', 'routing_key', 'service_key', 'webhook_url'])('fires for a literal %s', (key) => {
    expectFires('MON-002', on('platform', monitoringRelease({ ...routed, receivers: [{ name: 'r', webhook_configs: [{ [key]: 'x' }] }] })), new RegExp(`receiver r has a literal ${key} in the chart values; use ${key}_file`));
  });
  it('fires for a literal credential under any receiver type', () => {
    expectFires('MON-002', on('platform', monitoringRelease({ ...routed, receivers: [null, { name: 'pager', pagerduty_configs: [null, { routing_key: 'R0UT1NG' }] }] })), /^Alertmanager receiver pager has a literal routing_key in the chart values; use routing_key_file with a Secret from alertmanagerSpec.secrets$/);
    expectFires('MON-002', on('platform', monitoringRelease({ ...routed, receivers: [{ name: 'genie', opsgenie_configs: [{ api_key: 'K' }] }] })), /literal api_key/);
  });
  it('says where critical alerts go, falling back to the default route', () => {
    expectOutcomes('MON-002', on('platform', monitoringRelease(routed)), [['pass', 'Alertmanager sends critical alerts to dc-oncall (receivers: dc-oncall, dc-platform)']]);
    expectOutcomes('MON-002', on('platform', monitoringRelease({ ...routed, route: { receiver: 'dc-platform', routes: [null, { receiver: 'dc-oncall', matchers: ['severity="warning"'] }] } })), [['pass', 'Alertmanager sends critical alerts to dc-platform (receivers: dc-oncall, dc-platform)']]);
    expectFires('MON-002', on('platform', monitoringRelease({ receivers: routed.receivers })), /^Alertmanager of prod\/core sends critical alerts to no receiver; declare/);
    expectOutcomes('MON-002', on('platform', monitoringRelease({}), { class: 'development', name: 'dev' }), [['pass', 'development: Alertmanager notifies no one (receivers are optional here)']]);
    const withValues = (values: Json) => on('platform', { helm_release: { kps: { ...monitoringRelease({}).helm_release.kps, values: [JSON.stringify(values)] } } });
    expectFires('MON-002', withValues({}), /sends critical alerts to no receiver/);
    expectFires('MON-002', withValues({ alertmanager: {} }), /sends critical alerts to no receiver/);
    expectOutcomes('MON-002', on('platform', monitoringRelease(routed), { class: 'development', name: 'dev' }), [['pass', 'development: Alertmanager notifies dc-oncall, dc-platform (receivers are optional here)']]);
  });
});

describe('LOG-002: fluent-bit and lock settings as people write them', () => {
  const outputs = (text: string) => on('services', withArchive(shipper({ ...goodShipper, config: { ...goodShipper.config, outputs: text } })));
  it('reads values aligned with several spaces, with trailing spaces, and a last line without a newline', () => {
    expectSilent('LOG-002', outputs('[OUTPUT]\n    Name        s3  \n    tls         On  \n    tls.verify  On'));
    expectSilent('LOG-002', outputs('[OUTPUT]\n    Name s3\n    tls.verify On  \n    tls On\n'));
  });
  it('does not take commented-out settings', () => {
    expectFires('LOG-002', outputs('[OUTPUT]\n    # Name s3\n    Name stdout\n    tls On\n    tls.verify On\n'), /no s3 output/);
    expectFires('LOG-002', outputs('[OUTPUT]\n    Name s3\n    # tls On\n    tls.verify On\n'), /without verified TLS/);
    expectFires('LOG-002', outputs('[OUTPUT]\n    Name s3\n    tls On\n    # tls.verify On\n'), /without verified TLS/);
  });
  it('reads a lock configuration written with spaces', () => {
    const spaced: Json = configurator('COMPLIANCE', 180);
    spaced.spec.template.spec.containers[0].args = [`s3 put-object-lock-configuration --object-lock-configuration '{"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode" : "COMPLIANCE" , "Days" : 180}}}'`];
    expectSilent('LOG-002', on('services', { ...shipper(goodShipper), ...manifests(claim(), spaced) }));
  });
});
