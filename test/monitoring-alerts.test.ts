/**
 * Alerts compiled from policy (issue #19): every tiered service `npm run backups` lists has an
 * RPO alert with the same RPO; thresholds follow the tiers and the environment; every
 * expression parses with the Prometheus grammar and names only pinned metrics; a metric typo or
 * a mechanism left unwatched stops the synth naming the service.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupLedger } from '../constructs/backup/coverage';
import { AlertRulesError } from '../constructs/monitoring/alert-rules';
import { parseEnvironment } from '../environments/schema';
import { App } from '../lib/tf';
import type { BackupMechanism } from '../policy/backup/record';
import { resolveTiers } from '../policy/backup/tiers';
import { alertProblems, compileAlerts, BACKUP_MARGIN_MINUTES, type MonitoringInput } from '../policy/monitoring/alerts';
import { METRICS } from '../policy/monitoring/metrics';
import { parsePromql, promqlProblems } from '../policy/monitoring/promql';
import { buildEnvironment } from '../stacks/estate';
import { coverageReport, type SynthesizedStack } from '../tools/reports/backup-report';
import { alertsReport, renderAlertsMarkdown } from '../tools/reports/alerts-report';
import { configOf, manifestsOf, synthEstate, type Json } from './helpers';

const { stack, stackNames } = synthEstate();
const stacks: SynthesizedStack[] = stackNames.map((name) => ({ name, json: stack(name) }));
const ENVIRONMENTS = ['dev', 'staging', 'prod', 'dr'];

/** Synthesizes one environment from a mutated copy of its file; returns its stacks. */
function synthWith(name: string, mutate: (config: any) => void = () => undefined): SynthesizedStack[] {
  const config: any = configOf(name);
  mutate(config);
  const outdir = mkdtempSync(join(tmpdir(), 'moit-alerts-'));
  const app = new App({ outdir });
  buildEnvironment(app, parseEnvironment(config, `environments/${name}.ts`));
  app.synth();
  return readdirSync(join(outdir, 'stacks')).map((n) => ({ name: n, json: JSON.parse(readFileSync(join(outdir, 'stacks', n, 'cdk.tf.json'), 'utf8')) as Json }));
}

function rulesOf(json: Json): Json[] {
  return manifestsOf(json, 'PrometheusRule').flatMap((m) => m.spec.groups.flatMap((g: Json) => g.rules));
}

describe('PromQL is checked with the Prometheus grammar and the pinned metric list', () => {
  it('finds the metrics an expression names', () => {
    expect(parsePromql('time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule="kafka"}) > 16200')).toEqual({ errors: [], metrics: ['velero_backup_last_successful_timestamp'] });
  });

  it('refuses an expression that does not parse, and one naming an unknown metric', () => {
    expect(promqlProblems('max(ceph_health_status{namespace="rook-ceph"} >= 2')[0]).toMatch(/does not parse as PromQL at column/);
    expect(promqlProblems('velero_backup_last_sucessful_timestamp > 0')).toEqual([expect.stringContaining('names metric "velero_backup_last_sucessful_timestamp", which no pinned exporter exposes')]);
  });

  it('is silent on a valid expression over pinned metrics', () => {
    expect(promqlProblems('sum by (schedule) (increase(velero_backup_failure_total[1h])) > 0')).toEqual([]);
  });

  it('cites a source for every pinned metric', () => {
    for (const [name, m] of Object.entries(METRICS)) expect([name, m.source.length > 10]).toEqual([name, true]);
  });
});

describe('on every environment, the alerts cover what npm run backups lists', () => {
  const coverage = coverageReport(stacks, '2026-11-27');
  const alerts = alertsReport(stacks);

  it.each(ENVIRONMENTS)('%s: every service of the backup table has an RPO alert with the same RPO', (env) => {
    // Services whose backup runs on the management cluster (OpenBao's Raft snapshots) are alerted by
    // that cluster's own Prometheus (constructs/monitoring/management.ts): required like any other.
    const services = new Map(coverage.rows.filter((r) => r.environment === env).map((r) => [r.service, r.rpo]));
    expect(services.size).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const [service, rpo] of services) {
      const own = alerts.rows.filter((a) => a.environment === env && a.kind === 'rpo' && a.service === service);
      if (own.length === 0 || own.some((a) => a.rpo !== rpo)) missing.push(`${service} (RPO ${rpo}): ${own.map((a) => `${a.alert} ${a.rpo}`).join(', ') || 'no RPO alert'}`);
    }
    expect(missing).toEqual([]);
  });

  it('every expression of every PrometheusRule parses and names only pinned metrics, with a runbook link and an owner', () => {
    const bad: string[] = [];
    for (const s of stacks) {
      for (const r of rulesOf(s.json)) {
        for (const p of promqlProblems(r.expr)) bad.push(`${s.name} ${r.alert} ${r.labels.service}: ${p}`);
        if (!/^docs\/alerts\.md#[a-z0-9-]+$/.test(r.annotations.runbook_url)) bad.push(`${s.name} ${r.alert}: runbook ${r.annotations.runbook_url}`);
        if (!r.labels.domain || !r.labels.severity || !r.labels.service) bad.push(`${s.name} ${r.alert}: labels ${JSON.stringify(r.labels)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('every runbook anchor is a heading of docs/alerts.md', () => {
    const doc = readFileSync(join(__dirname, '..', 'docs', 'alerts.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    const missing = [...new Set(alerts.rows.map((r) => r.runbook.split('#')[1]!))].filter((a) => !anchors.has(a));
    expect(missing).toEqual([]);
  });

  it('places the rules in the services stack of each workload cluster, in the monitoring namespace', () => {
    for (const env of ENVIRONMENTS) {
      const [rule] = manifestsOf(stack(`${env}-core-services`), 'PrometheusRule');
      expect(rule?.metadata).toMatchObject({ name: 'moit-alerts', namespace: 'monitoring' });
    }
  });

  it('watches synchronous standbys where durability is required (prod), and MirrorMaker 2 lag where a site mirrors another (dr)', () => {
    const names = (s: string) => rulesOf(stack(s)).map((r) => r.alert);
    expect(names('prod-core-services')).toContain('PostgresSynchronousStandbyMissing');
    expect(names('dev-core-services')).not.toContain('PostgresSynchronousStandbyMissing');
    expect(names('dr-core-services')).toContain('MirrorMakerLag');
    expect(names('prod-core-services')).not.toContain('MirrorMakerLag');
    for (const a of ['KafkaUnderReplicatedPartitions', 'KafkaOfflinePartitions', 'CephHealthError', 'CephOsdDown', 'CephPoolNearFull', 'CertificateExpiringSoon', 'VeleroBackupFailed', 'WalArchivingStale']) {
      expect([a, names('prod-core-services').includes(a)]).toEqual([a, true]);
    }
  });

  it('renders a table with the service, condition, threshold, source, severity and receiver', () => {
    const md = renderAlertsMarkdown({ rows: alerts.rows.filter((r) => r.environment === 'prod') });
    expect(md).toContain('| service | alert | condition | threshold | where it comes from | RPO | severity | receiver | domain | runbook |');
    expect(md).toMatch(/\| core\/postgres\/main \| WalArchivingStale \| .* \| 4h \| tier gold rpo .* \| 4h \| critical \| dc-oncall \|/);
  });
});

describe('thresholds come from the tiers and the environment, never by hand', () => {
  it('a tier schedule made shorter in the environment file shortens the backup alert of its services', () => {
    const rules = rulesOf(synthWith('dev', (c) => (c.backup.tiers = { ...c.backup.tiers, gold: { ...c.backup.tiers?.gold, schedule: '0 */2 * * *' } })).find((s) => s.name === 'dev-core-services')!.json);
    const velero = rules.find((r) => r.alert === 'VeleroBackupStale' && r.labels.service === 'core/postgres')!;
    expect(velero.expr).toMatch(new RegExp(`> ${(120 + BACKUP_MARGIN_MINUTES) * 60}$`));
    expect(velero.annotations.threshold).toBe('2h 30m');
  });

  it('a recorded drill moves the drill alert to the day after its due date', () => {
    const rules = rulesOf(synthWith('prod', (c) => c.backup.drills = [...(c.backup.drills ?? []), { service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-10-01', evidence: 'DRILL-1' }]).find((s) => s.name === 'prod-core-services')!.json);
    const drill = rules.find((r) => r.alert === 'RestoreDrillOverdue' && r.labels.service === 'core/postgres/main')!;
    expect(drill.expr).toBe(`vector(time()) > ${Date.UTC(2027, 0, 1) / 1000 + 86400}`);
  });
});

describe('a broken alert stops the synth, naming the service', () => {
  it('GIVEN a metric name no exporter exposes (a typo) THEN synth fails naming each service whose alert uses it', () => {
    const saved = (METRICS as Record<string, unknown>).velero_backup_last_successful_timestamp;
    delete (METRICS as Record<string, unknown>).velero_backup_last_successful_timestamp;
    try {
      expect(() => synthWith('dev')).toThrow(AlertRulesError);
      expect(() => synthWith('dev')).toThrow(/alert VeleroBackupStale of service core\/postgres: its expression names metric "velero_backup_last_successful_timestamp"/);
    } finally {
      (METRICS as Record<string, unknown>).velero_backup_last_successful_timestamp = saved;
    }
  });

  it("GIVEN a tier's backups no longer watched (a mechanism without its metric labels) THEN synth fails naming the service", () => {
    const original = BackupLedger.prototype.addMechanism;
    const spy = jest.spyOn(BackupLedger.prototype, 'addMechanism').mockImplementation(function (this: BackupLedger, service: string, m: BackupMechanism) {
      const { watch: _dropped, ...rest } = m;
      original.call(this, service, m.kind === 'wal-archiving' ? rest : m);
    });
    try {
      expect(() => synthWith('dev')).toThrow(/service core\/postgres\/main \(tier gold, RPO 4h\): its wal-archiving mechanism .* names no watch/);
    } finally {
      spy.mockRestore();
    }
  });

  it('GIVEN a service whose RPO alert is missing THEN alertProblems names it', () => {
    const tiers = resolveTiers();
    const input: MonitoringInput = {
      environment: 'x',
      cluster: 'core',
      tiers,
      services: [{ service: 'core/app-a', kind: 'namespace', tier: 'silver', resources: [], mechanisms: [{ kind: 'velero', schedule: tiers.silver.schedule, description: 'd', watch: { schedule: 'app-a' } }] }],
      requireDrills: false,
      required: [],
      drills: [],
      namespaceDomains: { 'app-a': 'a' },
      postgres: [],
      kafka: [],
      certManager: false,
    };
    const rules = compileAlerts(input);
    expect(alertProblems(input, rules)).toEqual([]);
    expect(rules[0]).toMatchObject({ alert: 'VeleroBackupStale', rpo: '12h', domain: 'a', threshold: '12h 30m', severity: 'warning' });
    expect(alertProblems(input, rules.filter((r) => r.kind !== 'rpo'))).toEqual([expect.stringContaining('service core/app-a (tier silver, RPO 12h) has no RPO alert')]);
    expect(alertProblems(input, rules.map((r) => ({ ...r, rpo: '4h' })))).toEqual([expect.stringContaining('service core/app-a: alert VeleroBackupStale carries RPO 4h, but its tier silver promises 12h')]);
  });

  it('GIVEN the secret store kept by Raft snapshots THEN its RPO alert watches the snapshot CronJob on the tier schedule plus margin', () => {
    const tiers = resolveTiers();
    const input: MonitoringInput = {
      environment: 'x',
      cluster: 'mgmt',
      tiers,
      services: [{ service: 'mgmt/openbao/openbao', kind: 'secret-store', tier: 'gold', resources: [], mechanisms: [{ kind: 'raft-snapshot', schedule: tiers.gold.schedule, description: 'd', watch: { namespace: 'openbao', cronjob: 'openbao-snapshot' } }] }],
      requireDrills: false,
      required: [],
      drills: [],
      namespaceDomains: {},
      postgres: [],
      kafka: [],
      certManager: false,
    };
    const rules = compileAlerts(input);
    expect(alertProblems(input, rules)).toEqual([]);
    expect(rules[0]).toMatchObject({ alert: 'OpenBaoSnapshotStale', service: 'mgmt/openbao/openbao', rpo: '4h', threshold: '4h 30m' });
    expect(rules[0]!.expr).toContain('kube_cronjob_status_last_successful_time{namespace="openbao",cronjob="openbao-snapshot"}');
  });
});

describe('the monitoring section of an environment file', () => {
  it('refuses a route to a receiver that is not declared, and receivers without a route', () => {
    const withBadRoute: any = { ...configOf('dev'), monitoring: { receivers: [{ name: 'ops', type: 'webhook', urlSecret: { name: 'ops-hook', key: 'url' }, cidr: '10.1.0.40/32' }], route: { critical: 'ops', warning: 'nobody' } } };
    expect(() => parseEnvironment(withBadRoute, 'environments/dev.ts')).toThrow(/monitoring\.route\.warning: must name one of monitoring\.receivers \(ops\)/);
    const noRoute: any = { ...configOf('dev'), monitoring: { receivers: [{ name: 'ops', type: 'webhook', urlSecret: { name: 'ops-hook', key: 'url' }, cidr: '10.1.0.40/32' }] } };
    expect(() => parseEnvironment(noRoute, 'environments/dev.ts')).toThrow(/monitoring\.route: receivers are declared but no route/);
  });

  it('accepts receivers whose credentials are Secret references, and has no field for a literal URL or password', () => {
    const ok: any = { ...configOf('dev'), monitoring: { receivers: [{ name: 'ops', type: 'webhook', urlSecret: { name: 'ops-hook', key: 'url' }, cidr: '10.1.0.40/32' }], route: { critical: 'ops', warning: 'ops' } } };
    expect(parseEnvironment(ok, 'environments/dev.ts').monitoring.route).toEqual({ critical: 'ops', warning: 'ops' });
    const literal: any = { ...configOf('dev'), monitoring: { receivers: [{ name: 'ops', type: 'webhook', url: 'https://hooks.example/T0KEN' }], route: { critical: 'ops', warning: 'ops' } } };
    expect(() => parseEnvironment(literal, 'environments/dev.ts')).toThrow(/url/);
  });
});
