/**
 * Backups at synth: every stateful resource has a tier (or synth fails naming it), the tiers
 * used meet the environment's security-level minimums, each tier compiles to each service's
 * schedules and retention, off-site copies exist where a tier asks for one, drills are data,
 * and the coverage table derived from the synthesized stacks has no gaps.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupCoverageError } from '../constructs/backup/coverage';
import { backupRecordOf, type BackupRecord } from '../policy/backup/record';
import { coverageReport, renderCoverageMarkdown, serviceGaps, type SynthesizedStack } from '../tools/reports/backup-report';
import { sixFieldSchedule } from '../lib/cron';
import { barmanRetention, postgresBackupFor, resolveTiers, tierRank, veleroTtl, type BackupTierName } from '../policy/backup/tiers';
import { loadCatalogue } from '../environments/catalogue';
import { loadEnvironments, parseEnvironment } from '../environments';
import { clusterNamespaces } from '../policy/layout';
import { PlatformStack } from '../stacks/platform';
import { ServicesStack } from '../stacks/services';
import { backupTierOf, statefulKindOf } from '../lib/markers';
import { App } from '../lib/tf';
import { runbookOf } from '../scripts/backups';
import { buildEnvironment, type EnvironmentStacks } from '../stacks/estate';
import { configOf, manifestsOf, resourcesOf, synthEstate, type Json } from './helpers';

const TODAY = '2026-11-27';
const { stack, stackNames, estate } = synthEstate();

/** Synthesizes one environment from a mutated copy of its file; throws what synth throws. */
function synthWith(name: string, mutate: (config: any) => void, declare: (stacks: EnvironmentStacks) => void = () => undefined): { stack: (n: string) => Json; stacks: SynthesizedStack[] } {
  const config: any = configOf(name);
  mutate(config);
  const outdir = mkdtempSync(join(tmpdir(), 'moit-backup-'));
  const app = new App({ outdir });
  declare(buildEnvironment(app, parseEnvironment(config, `environments/${name}.ts`)));
  app.synth();
  const read = (n: string): Json => JSON.parse(readFileSync(join(outdir, 'stacks', n, 'cdk.tf.json'), 'utf8'));
  return { stack: read, stacks: readdirSync(join(outdir, 'stacks')).map((n) => ({ name: n, json: read(n) })) };
}

function synthError(name: string, mutate: (config: any) => void, declare?: (stacks: EnvironmentStacks) => void): BackupCoverageError {
  try {
    synthWith(name, mutate, declare);
  } catch (e) {
    if (e instanceof BackupCoverageError) return e;
    throw e;
  }
  throw new Error('synth succeeded');
}

const stacksOf = (env: string): SynthesizedStack[] => stackNames.filter((n) => n.startsWith(`${env}-`)).map((n) => ({ name: n, json: stack(n) }));
const tiersOf = (env: string) => resolveTiers(estate.find((e) => e.environment.name === env)!.environment.backup.tiers);

describe('every stateful resource has a backup tier', () => {
  it('GIVEN every environment WHEN synthesized THEN each stateful resource carries its tier and service', () => {
    let count = 0;
    for (const name of stackNames) {
      for (const [type, id, body] of resourcesOf(stack(name))) {
        if (!statefulKindOf(body)) continue;
        count++;
        expect([`${name} ${type}.${id}`, backupTierOf(body)]).toEqual([`${name} ${type}.${id}`, expect.stringMatching(/^(gold|silver|bronze)$/)]);
        expect(body['//'].backupService).toMatch(/^[a-z][-a-z0-9]*\/[a-z0-9][-a-z0-9]*(\/[a-z0-9][-a-z0-9.]*)?$/);
      }
    }
    expect(count).toBeGreaterThan(20);
  });

  it('derives tiers: a database backup bucket belongs to its cluster, a Kafka node pool to its Kafka, infrastructure takes the platform tier', () => {
    const services = Object.fromEntries(resourcesOf(stack('prod-core-services')).filter(([, , b]) => statefulKindOf(b)).map(([, , b]) => [b['//'].metadata.path, [b['//'].backupService, b['//'].backupTier]]));
    expect(services['prod-core-services/object-store/postgres-main-backup/claim/manifest']).toEqual(['core/postgres/main', 'gold']);
    expect(services['prod-core-services/kafka-events/brokers/manifest']).toEqual(['core/kafka/events', 'gold']);
    expect(services['prod-core-services/object-store/store/manifest']).toEqual(['core/rook-ceph/dc-objectstore', 'gold']);
  });

  it('fails synth naming an untiered Postgres cluster and its backup bucket, with the fix', () => {
    const error = synthError('staging', (c) => delete c.backup.assign['core/postgres/main']);
    expect(error.message).toMatch(/^Backups \(staging-core-services\): \d+ problems\. Nothing was synthesized\./);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'staging-core-services/object-store/postgres-main-backup/claim/manifest holds data (bucket, service core/postgres/pg-staging-core-main) but has no backup tier; assign one in environments/staging.ts (backup.assign["core/postgres/pg-staging-core-main"]: "gold" | "silver" | "bronze"), or call assignBackupTier on it where it is declared',
        'staging-core-services/postgres/main/cluster/manifest holds data (postgres, service core/postgres/main) but has no backup tier; assign one in environments/staging.ts (backup.assign["core/postgres/main"]: "gold" | "silver" | "bronze"), or call assignBackupTier on it where it is declared',
      ]),
    );
    // Its databases belong to it, and are named too; nothing else is.
    for (const p of error.problems) expect(p).toMatch(/service core\/postgres\/(main|pg-staging-core-main)\)/);
  });

  it('fails synth naming an untiered Kafka cluster, each of its resources', () => {
    const error = synthError('staging', (c) => delete c.backup.assign['core/kafka/events']);
    expect(error.problems.length).toBeGreaterThanOrEqual(3);
    for (const p of error.problems) expect(p).toMatch(/^staging-core-services\/kafka-events\/.* holds data \((kafka|kafka-topic), service core\/kafka\/events\) but has no backup tier/);
  });
});

describe("a service is at least as strict as the domains whose data it holds", () => {
  // A gold domain's database in the shared cluster, declared through the Postgres construct's API.
  const goldDatabase = (stacks: EnvironmentStacks) => {
    const pg = stacks.clusters[0]!.services.postgres.get('main')!;
    if (!pg.databases.has('backup_probe')) pg.addDatabase({ name: 'backup_probe', domain: 'energy-statistics' });
  };

  it("fails synth when a silver Postgres cluster holds a gold domain's database, naming both", () => {
    const error = synthError('staging', (c) => (c.backup.assign['core/postgres/main'] = 'silver'), goldDatabase);
    // Named by its Database resource, or by the cluster where databases live inside it.
    expect(error.problems).toContainEqual(
      expect.stringMatching(
        /^staging-core-services\/postgres\/main(\/database-backup_probe\/manifest| \(database backup_probe\)): service core\/postgres\/main is tier "silver" \(backup\.assign\) but holds data of domain "energy-statistics", whose tier is "gold"; a service takes the strictest tier of the domains whose data it holds: make it "gold" \(backup\.assign\["core\/postgres\/main"\] in environments\/staging\.ts\)$/,
      ),
    );
    for (const p of error.problems) expect(p).toMatch(/whose tier is "gold"/);
    expect(() => synthWith('staging', () => undefined, goldDatabase)).not.toThrow();
  });

  it('is silent in every environment file: each resource of a domain is at least as strict as the domain', () => {
    const catalogue = loadCatalogue({ today: TODAY });
    const labelled = resourcesOf(stack('prod-core-services')).filter(([, , b]) => statefulKindOf(b) && b.manifest?.metadata?.labels?.['moit.gov.vn/domain']);
    expect(labelled.length).toBeGreaterThan(0);
    for (const [, , b] of labelled) {
      const domain = catalogue.domain(b.manifest.metadata.labels['moit.gov.vn/domain']);
      expect([b['//'].metadata.path, tierRank(backupTierOf(b) as BackupTierName) >= tierRank(domain.backupTier)]).toEqual([b['//'].metadata.path, true]);
    }
  });
});

describe('every namespace that may hold volumes has a tier', () => {
  it('fails synth naming an app-zone namespace without a tier label; tenant namespaces take their domain tier', () => {
    const env = loadEnvironments(['staging'])[0]!;
    const cluster = env.clusters[0]!;
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-backup-ns-')) });
    const namespaces = [...clusterNamespaces(), { name: 'app-unlabelled', zone: 'app' as const, purpose: 'an application namespace outside the data domains' }];
    const common = { environment: env, cluster: cluster.name, kubeconfig: cluster.kubeconfig, namespaces };
    const platform = new PlatformStack(app, 'x-core-platform', common);
    new ServicesStack(app, 'x-core-services', { ...common, platform });
    expect(() => app.synth()).toThrow(
      'namespace app-unlabelled (zone app) may hold volumes but has no backup tier; give it the label moit.gov.vn/backup-tier in policy/layout.ts (a tenant namespace takes its data domain\'s tier from the catalogue)',
    );
  });
});

describe('security-level minimums at synth', () => {
  it('fail a level-4 environment whose tier in use drills a restore less often than every 6 months', () => {
    const error = synthError('prod', (c) => (c.backup.tiers = { bronze: { drillEveryMonths: 12 } }));
    expect(error.problems).toEqual([
      expect.stringMatching(/^environments\/prod\.ts: tier "bronze" \(used by core\/app-industrial-production, .*core\/app-trade-promotion.*\) drills a restore every 12 months, but security level 4 requires one at least every 6 months/),
    ]);
  });

  it('fail a level-3 environment whose tier in use keeps no off-site copy (3-2-1)', () => {
    const error = synthError('staging', (c) => (c.backup.tiers.silver = { offsiteCopy: false, retentionDays: 14 }));
    expect(error.problems).toEqual([expect.stringMatching(/^environments\/staging\.ts: tier "silver" \(used by core\/app-certificates-of-origin, .*\) keeps no off-site copy, but security level 3 requires the 3-2-1 rule/)]);
  });

  const level5 = (c: any) => {
    c.securityLevel = 5;
    c.zones = c.zones.map((z: any) => ({ ...z, securityLevel: 5 }));
  };

  it('fail level 5 with a standby site closer than 30 km', () => {
    const error = synthError('prod', (c) => {
      level5(c);
      c.backup.offsite.distanceKm = 20;
    });
    expect(error.problems).toEqual([expect.stringMatching(/^environments\/prod\.ts: the off-site site "hcm-1" is 20 km away, but security level 5 requires a standby site at least 30 km away/)]);
  });

  it('fail level 5 with tiers in use drilled less often than quarterly, naming each', () => {
    const error = synthError('prod', level5);
    expect(error.stackName).toBe('prod-core-services');
    expect(error.problems).toEqual([
      expect.stringMatching(/^environments\/prod\.ts: tier "silver" \(used by .*\) drills a restore every 6 months, but security level 5 requires one at least every 3 months/),
      expect.stringMatching(/^environments\/prod\.ts: tier "bronze" \(used by .*\) drills a restore every 6 months, but security level 5 requires one at least every 3 months/),
    ]);
  });

  it('are silent in every environment as written, and waived only where dev records why', () => {
    expect(stackNames).toEqual(expect.arrayContaining(['dev-core-services', 'staging-core-services', 'prod-core-services', 'dr-core-services']));
    expect(backupRecordOf(stack('dev-core-services'))!.waiver).toMatch(/developer workstation/);
    for (const env of ['staging', 'prod', 'dr']) expect(backupRecordOf(stack(`${env}-core-services`))!.waiver).toBeUndefined();
  });
});

describe('each tier compiles to every service', () => {
  it.each(['dev', 'staging', 'prod', 'dr'])('%s: each namespace Schedule runs on its tier schedule and keeps backups its tier retention', (env) => {
    const tiers = tiersOf(env);
    const catalogue = loadCatalogue({ today: TODAY });
    const schedules = manifestsOf(stack(`${env}-core-services`), 'Schedule');
    expect(schedules.length).toBeGreaterThanOrEqual(catalogue.domains.length + 3);
    for (const s of schedules) {
      const tier = s.metadata.labels['moit.gov.vn/backup-tier'] as BackupTierName;
      expect([s.metadata.name, s.spec.schedule, s.spec.template.ttl]).toEqual([s.metadata.name, tiers[tier].schedule, veleroTtl(tiers[tier])]);
    }
    for (const d of catalogue.domains) {
      const s = schedules.find((x) => x.metadata.name === `app-${d.name}`)!;
      expect([d.name, s.metadata.labels['moit.gov.vn/backup-tier']]).toEqual([d.name, d.backupTier]);
    }
  });

  it('prod: the Postgres cluster archives WAL continuously and keeps base backups on the gold schedule and retention', () => {
    const gold = tiersOf('prod').gold;
    const services = stack('prod-core-services');
    const scheduled = manifestsOf(services, 'ScheduledBackup').find((s) => s.spec.cluster.name === 'main')!;
    expect(scheduled.spec.schedule).toBe(sixFieldSchedule(gold.baseBackupSchedule));
    const store = manifestsOf(services, 'ObjectStore').find((s) => s.metadata.name === 'main-backup')!;
    expect(store.spec.retentionPolicy).toBe(barmanRetention(gold));
    const cluster = manifestsOf(services, 'Cluster').find((c) => c.metadata.name === 'main')!;
    expect(cluster.spec.plugins).toEqual([expect.objectContaining({ isWALArchiver: true, parameters: expect.objectContaining({ barmanObjectName: 'main-backup' }) })]);
  });

  it("fails synth when a Postgres cluster's backups are looser than its tier, naming the field and the fix", () => {
    const error = synthError('prod', (c) => (c.postgres[0].backup = { retention: '30d', schedule: '0 0 2 * * 0' }));
    expect(error.problems).toEqual([
      'environments/prod.ts: postgres[0].backup.retention: Postgres cluster core/postgres/main is tier "gold", which keeps backups 90 days; got "30d"; use postgresBackupFor(\'gold\') (policy/backup/tiers.ts)',
      'environments/prod.ts: postgres[0].backup.schedule: Postgres cluster core/postgres/main is tier "gold", whose base backups run at least every 1d; "0 0 2 * * 0" runs every 7d at the longest; use postgresBackupFor(\'gold\') (policy/backup/tiers.ts)',
    ]);
  });

  it('accepts Postgres backups stricter than the tier (longer retention, more frequent)', () => {
    expect(() => synthWith('prod', (c) => (c.postgres[0].backup = { ...postgresBackupFor('gold'), retention: '6m', schedule: '0 0 */12 * * *' }))).not.toThrow();
  });
});

describe('off-site copies', () => {
  const cronJobs = (name: string) => resourcesOf(stack(name)).filter(([t]) => t === 'kubernetes_cron_job_v1').map(([, , b]) => b);

  it('prod: one copier per tier copies every bucket of that tier to the recovery site, with read-only source keys and the other site keys by reference', () => {
    const jobs = cronJobs('prod-core-services');
    expect(jobs.map((j) => j.metadata.name)).toEqual(expect.arrayContaining(['offsite-copy-gold']));
    for (const j of jobs) expect(j.metadata.name).toMatch(/^offsite-copy-(gold|silver|bronze)$/);
    const job = jobs.find((j) => j.metadata.name === 'offsite-copy-gold')!;
    expect(job.spec.schedule).toBe(tiersOf('prod').gold.schedule);
    expect(job.spec.concurrency_policy).toBe('Forbid');
    const container = job.spec.job_template.spec.template.spec.container[0];
    const script = container.command[2] as string;
    expect(script).toMatch(/for b in (\S+ )*pg-prod-core-main (\S+ )*velero-prod-core( \S+)*; do/);
    // Each bucket is copied on its own tier's schedule, by its tier's copier.
    const copied = jobs.flatMap((j) => /for b in ([^;]+);/.exec(j.spec.job_template.spec.template.spec.container[0].command[2])![1]!.split(' '));
    expect(new Set(copied).size).toBe(copied.length);
    expect(script).toContain('rclone sync "src:$b" "dst:offsite-prod/prod/core/$b"');
    const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e]));
    expect(env.RCLONE_CONFIG_DST_ENDPOINT.value).toBe('https://s3.hcm-1.dc.moit.gov.vn');
    expect(env.RCLONE_CONFIG_DST_ACCESS_KEY_ID.value_from.secret_key_ref).toEqual({ name: 'offsite-prod-keys', key: 'AccessKey' });
    expect(env.RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY.value_from.secret_key_ref.name).toBe('rook-ceph-object-user-dc-objectstore-velero-offsite-copier');
    for (const e of container.env) if (/KEY/.test(e.name)) expect(e.value).toBeUndefined();
    expect(container.security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true });
  });

  it('prod: the copier reaches outside the cluster only to the declared backup target, on 443', () => {
    const policies = resourcesOf(stack('prod-core-services')).filter(([t, , b]) => t === 'kubernetes_network_policy_v1' && b.metadata.namespace === 'velero' && JSON.stringify(b.spec).includes('ip_block'));
    const copier = policies.map(([, , b]) => b).filter((b) => b.spec.pod_selector.match_labels?.['moit.gov.vn/offsite-copier'] === 'gold');
    expect(copier).toHaveLength(1);
    expect(copier[0]!.spec.egress).toEqual([{ to: [{ ip_block: { cidr: '10.40.8.10/32' } }], ports: [{ port: '443', protocol: 'TCP' }] }]);
  });

  it('dr: keeps receiving buckets with object lock for prod and staging, written only through the exchange gateway', () => {
    const claims = manifestsOf(stack('dr-core-services'), 'ObjectBucketClaim').filter((c) => c.metadata.namespace === 'velero');
    const byName = Object.fromEntries(claims.map((c) => [c.metadata.name, c]));
    for (const b of ['offsite-prod', 'offsite-staging']) {
      expect(byName[b].metadata.annotations['moit.gov.vn/object-lock']).toBe('COMPLIANCE 35d');
      expect(byName[b].metadata.labels['moit.gov.vn/bucket-purpose']).toBe('backup');
    }
    const ingress = resourcesOf(stack('dr-core-services'))
      .filter(([t, , b]) => t === 'kubernetes_network_policy_v1' && b.metadata.namespace === 'rook-ceph' && JSON.stringify(b.spec.ingress ?? []).includes('site-gateway'))
      .map(([, , b]) => b.spec.ingress[0].from[0]);
    expect(ingress).toContainEqual({ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'exchange' } }, pod_selector: { match_labels: { 'app.kubernetes.io/name': 'site-gateway' } } });
  });

  it('dev: copies nothing off site (no second site; the minimums are waived there)', () => {
    expect(cronJobs('dev-core-services')).toEqual([]);
  });
});

describe('the backup record of each stack', () => {
  const record = (): BackupRecord => backupRecordOf(stack('prod-core-services'))!;

  it('lists each service with its tier, how it is kept and the drill it needs', () => {
    const pg = record().services.find((s) => s.service === 'core/postgres/main')!;
    expect(pg).toMatchObject({ kind: 'postgres', tier: 'gold' });
    expect(pg.mechanisms.map((m) => m.kind)).toEqual(['base-backup', 'wal-archiving', 'versioning', 'offsite-copy']);
    expect(pg.mechanisms.find((m) => m.kind === 'offsite-copy')).toMatchObject({ offsite: true, immutable: true, target: 'dr (hcm-1): bucket offsite-prod/prod/core/pg-prod-core-main' });
    expect(record().required).toContainEqual({ service: 'core/postgres/main', kind: 'postgres-recovery', tier: 'gold', everyMonths: 3, rto: '4h' });
    expect(record().required).toContainEqual({ service: 'core/app-trade-promotion', kind: 'velero-restore', tier: 'bronze', everyMonths: 6, rto: '72h' });
    expect(record()).toMatchObject({ environment: 'prod', securityLevel: 4, requireDrills: true, minimums: { maxDrillIntervalMonths: 6 } });
  });

  it("writes the audit's stack records: every tier's retention and off-site target", () => {
    expect(stack('prod-core-services')['//'].backupTiers).toEqual({
      gold: { retentionDays: 90, offsite: 'dr (hcm-1, 1140 km): bucket offsite-prod with object lock' },
      silver: { retentionDays: 35, offsite: 'dr (hcm-1, 1140 km): bucket offsite-prod with object lock' },
      bronze: { retentionDays: 14, offsite: 'dr (hcm-1, 1140 km): bucket offsite-prod with object lock' },
    });
    expect(stack('prod-core-services')['//'].restoreDrills).toEqual([]);
  });
});

describe('restore drills', () => {
  const drill = { service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-09-15', evidence: 'OPS-2026-0915', restoreMinutes: 95 };

  it('records a drill in the synthesized stack, for the coverage table and the audit', () => {
    const { stack: s } = synthWith('prod', (c) => (c.backup.drills ??= []).push(drill));
    expect(s('prod-core-services')['//'].restoreDrills).toEqual([{ tier: 'gold', lastSuccess: '2026-09-15', evidence: 'OPS-2026-0915', target: 'core/postgres/main', kind: 'postgres-recovery' }]);
    expect(backupRecordOf(s('prod-core-services'))!.drills).toEqual([{ ...drill, inProgress: false }]);
  });

  it('declares a scratch cluster recovered from the object store only while a Postgres drill is in progress, removable by a plan', () => {
    const { stack: s } = synthWith('prod', (c) => (c.backup.drills ??= []).push({ ...drill, inProgress: true }));
    const bodies = resourcesOf(s('prod-core-services')).filter(([t, , b]) => t === 'kubernetes_manifest' && b.manifest.kind === 'Cluster' && b.manifest.metadata.name === 'main-drill');
    expect(bodies).toHaveLength(1);
    const body = bodies[0]![2];
    expect(body.manifest.spec.bootstrap.recovery.source).toBe('origin');
    expect(body.lifecycle?.prevent_destroy).toBeUndefined();
    expect(body['//'].stateful).toBeUndefined();
    expect(body['//'].scratch).toMatch(/restore drill of core\/postgres\/main/);
    expect(manifestsOf(stack('prod-core-services'), 'Cluster').map((c) => c.metadata.name)).toEqual(['main']);
  });
});

describe('the coverage table', () => {
  const report = coverageReport(stacksOf('prod'), TODAY);

  it('lists every stateful resource of prod, each with tier, schedule, retention, off-site and immutable copies: no gaps', () => {
    const stateful = stacksOf('prod').flatMap((s) => resourcesOf(s.json).filter(([, , b]) => statefulKindOf(b)).map(([, , b]) => b['//'].metadata.path));
    const rows = new Map(report.rows.map((r) => [r.resource, r]));
    for (const path of stateful) expect([path, rows.has(path)]).toEqual([path, true]);
    for (const r of report.rows) {
      expect([r.resource, r.gaps]).toEqual([r.resource, []]);
      expect([r.resource, r.tier, r.schedule]).toEqual([r.resource, expect.any(String), expect.stringMatching(/\S/)]);
      if (r.serviceKind === 'other') continue; // infrastructure: its contents are the other rows
      expect([r.resource, r.retentionDays]).toEqual([r.resource, expect.any(Number)]);
      if (r.serviceKind !== 'backup-store') expect([r.resource, r.offsite]).toEqual([r.resource, expect.stringContaining('dr (hcm-1)')]);
      if (r.tier === 'gold' && r.serviceKind !== 'backup-store') expect([r.resource, r.immutable]).toEqual([r.resource, expect.stringContaining('off-site')]);
    }
    expect(report.rows.filter((r) => r.resourceKind === 'namespace').map((r) => r.service)).toEqual(expect.arrayContaining(['core/postgres', 'core/kafka', 'core/app-energy-statistics']));
  });

  it('shows a drill never done, and one done, by what the environment file records', () => {
    expect(report.rows.find((r) => r.service === 'core/postgres/main')!.drill).toEqual({ kind: 'postgres-recovery', status: 'never' });
    const { stacks } = synthWith('prod', (c) => (c.backup.drills ??= []).push({ service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-09-15', evidence: 'OPS-1' }));
    expect(coverageReport(stacks, TODAY).rows.find((r) => r.service === 'core/postgres/main')!.drill).toEqual({ kind: 'postgres-recovery', status: 'ok', lastSuccess: '2026-09-15', dueBy: '2026-12-15', evidence: 'OPS-1' });
    expect(coverageReport(stacks, '2027-01-02').rows.find((r) => r.service === 'core/postgres/main')!.drill.status).toBe('overdue');
  });

  it('reports a gap where a tier asks for an off-site or immutable copy that is not made', () => {
    const record = backupRecordOf(stack('prod-core-services'))!;
    const local = { service: 'core/x', kind: 'namespace' as const, tier: 'gold' as const, resources: [], mechanisms: [{ kind: 'velero', schedule: '0 */4 * * *', description: 'local only' }] };
    expect(serviceGaps(record, local, 'gold')).toEqual(['tier gold keeps an off-site copy; none is made', 'tier gold keeps an immutable copy; none is made']);
    expect(serviceGaps(record, { ...local, mechanisms: [] }, 'silver')).toEqual(['no backup mechanism', 'tier silver keeps an off-site copy; none is made']);
    expect(serviceGaps(record, undefined, undefined)).toEqual(['no backup tier']);
  });

  it('has no gaps in any environment: dev, waived, still versions and backs up everything locally', () => {
    for (const env of ['dev', 'staging', 'prod', 'dr']) {
      const gaps = coverageReport(stacksOf(env), TODAY).rows.filter((r) => r.gaps.length > 0).map((r) => `${r.resource}: ${r.gaps.join('; ')}`);
      expect([env, gaps]).toEqual([env, []]);
    }
  });

  it('renders Markdown per environment with the waiver of dev and the drills due', () => {
    const md = renderCoverageMarkdown(coverageReport([...stacksOf('prod'), ...stacksOf('dev')], TODAY));
    expect(md).toContain('| service | resource | kind | tier | RPO / RTO | schedule | retention | off-site copy | immutable copy | last drill |');
    expect(md).toContain('No gaps: every stateful resource of prod has a tier and the copies its tier asks for.');
    expect(md).toContain('Security-level minimums waived: A developer workstation');
    expect(md).toMatch(/Restore drills due \(\d+\):\n- core\/app-administrative-procedures: never \(velero-restore required\)/);
  });

  it('prints a runbook per service: a Velero restore into a scratch namespace, generated, never declared', () => {
    const book = runbookOf(stacksOf('prod'), 'core/app-trade-promotion', TODAY);
    expect(book).toContain('kind: Restore');
    expect(book).toContain('scheduleName: app-trade-promotion');
    expect(book).toContain('app-trade-promotion: drill-app-trade-promotion');
    expect(book).toContain("{ service: 'core/app-trade-promotion', kind: 'velero-restore', lastSuccess: '2026-11-27'");
    expect(runbookOf(stacksOf('prod'), 'core/postgres/main', TODAY)).toContain('inProgress: true');
    expect(() => runbookOf(stacksOf('prod'), 'core/nope', TODAY)).toThrow(/no service "core\/nope" in the selected environments; known: .*core\/postgres\/main/);
    for (const name of stackNames) expect(manifestsOf(stack(name), 'Restore')).toEqual([]);
  });

  it('lists the secret store with its Raft snapshots, and its drill is a restore of the newest off-site snapshot into a scratch OpenBao', () => {
    const book = runbookOf(stacksOf('prod'), 'mgmt/openbao/openbao', TODAY);
    expect(book).toContain('# Restore drill: mgmt/openbao/openbao (prod, tier gold)');
    expect(book).toContain('dr (hcm-1): bucket offsite-prod/openbao/prod/snapshots');
    expect(book).toContain('bao operator raft snapshot restore -force');
    expect(book).toContain("{ service: 'mgmt/openbao/openbao', kind: 'raft-restore', lastSuccess: '2026-11-27'");
  });
});
