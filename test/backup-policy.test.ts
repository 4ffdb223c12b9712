/** The backup policy model: tiers, schedules, level minimums, drills and the environment section. */
import { addMonths, overdueDrills, type DrillPlan } from '../policy/backup/drills';
import { DEFAULT_LEVEL_MINIMUMS, minimumProblems, minimumsFor, type MinimumsInput } from '../policy/backup/minimums';
import {
  DEFAULT_TIERS,
  barmanRetention,
  postgresBackupFor,
  resolveTiers,
  strictestTier,
  tierProblems,
  veleroTtl,
} from '../policy/backup/tiers';
import { checkSixFieldCron, cronIntervalMinutes, sixFieldSchedule } from '../lib/cron';
import { checkEnvironment, loadEnvironments } from '../environments';
import { offsiteConsistencyProblems } from '../environments/sections/backup';
import { configOf } from './helpers';

describe('backup tiers', () => {
  it('define gold, silver and bronze, each consistent with its own RPO', () => {
    expect(Object.keys(DEFAULT_TIERS)).toEqual(['gold', 'silver', 'bronze']);
    for (const tier of Object.values(DEFAULT_TIERS)) expect(tierProblems(tier)).toEqual([]);
  });

  it('get stricter from bronze to gold: shorter RPO and RTO, longer retention, more frequent drills', () => {
    const { gold, silver, bronze } = DEFAULT_TIERS;
    expect(cronIntervalMinutes(gold.schedule)).toBeLessThan(cronIntervalMinutes(silver.schedule)!);
    expect(cronIntervalMinutes(silver.schedule)).toBeLessThan(cronIntervalMinutes(bronze.schedule)!);
    expect(gold.retentionDays).toBeGreaterThan(silver.retentionDays);
    expect(silver.retentionDays).toBeGreaterThan(bronze.retentionDays);
    expect(gold.drillEveryMonths).toBeLessThan(silver.drillEveryMonths);
    expect(gold.immutableCopy).toBe(true);
    expect(strictestTier(['bronze', 'gold', 'silver'])).toBe('gold');
    expect(strictestTier([])).toBeUndefined();
  });

  it('compile to each tool: six-field CloudNativePG schedule, Barman retention, Velero TTL', () => {
    expect(sixFieldSchedule('0 1 * * *')).toBe('0 0 1 * * *');
    expect(checkSixFieldCron(sixFieldSchedule(DEFAULT_TIERS.bronze.baseBackupSchedule))).toBeUndefined();
    expect(barmanRetention(DEFAULT_TIERS.gold)).toBe('90d');
    expect(veleroTtl(DEFAULT_TIERS.silver)).toBe('840h0m0s');
    expect(postgresBackupFor('gold')).toEqual({ retention: '90d', schedule: '0 0 1 * * *' });
    expect(postgresBackupFor('gold', { gold: { retentionDays: 14, baseBackupSchedule: '30 2 * * *' } })).toEqual({ retention: '14d', schedule: '0 30 2 * * *' });
  });

  it('apply environment overrides field by field, keeping the defaults of the rest', () => {
    const tiers = resolveTiers({ silver: { retentionDays: 60 } });
    expect(tiers.silver).toEqual({ ...DEFAULT_TIERS.silver, retentionDays: 60 });
    expect(tiers.gold).toEqual(DEFAULT_TIERS.gold);
  });

  it('refuse a schedule that runs less often than the RPO promises', () => {
    const problems = tierProblems({ ...DEFAULT_TIERS.gold, schedule: '0 2 * * *' });
    expect(problems).toEqual([['schedule', expect.stringContaining("runs only every 1d at the longest, more than the tier's RPO of 4h"), '0 2 * * *']]);
  });

  it('refuse an immutable copy without an off-site one, malformed durations and schedules', () => {
    const fields = tierProblems({ ...DEFAULT_TIERS.gold, offsiteCopy: false, rto: '4 hours', baseBackupSchedule: '0 0 1 * * *' }).map(([f]) => f);
    expect(fields).toEqual(['rto', 'baseBackupSchedule', 'immutableCopy']);
  });
});

describe('security-level minimums', () => {
  const env = (over: Partial<MinimumsInput> = {}): MinimumsInput => ({
    name: 'prod',
    securityLevel: 4,
    site: { name: 'hanoi-1' },
    offsite: { site: 'hcm-1', distanceKm: 1140, immutable: true },
    ...over,
  });
  const used = (over: Partial<typeof DEFAULT_TIERS.gold> = {}, name: 'gold' | 'silver' | 'bronze' = 'gold') => [{ tier: { ...DEFAULT_TIERS[name], ...over }, services: ['core/postgres/main', 'core/app-trade', 'core/kafka', 'core/x'] }];

  it('default from governance.md section 4 (B1, B2), each citing its source', () => {
    expect(DEFAULT_LEVEL_MINIMUMS[3]).toMatchObject({ rule321: true, separateInfrastructure: false });
    expect(DEFAULT_LEVEL_MINIMUMS[4]).toMatchObject({ rule321: true, separateInfrastructure: true, maxDrillIntervalMonths: 6 });
    expect(DEFAULT_LEVEL_MINIMUMS[5]).toMatchObject({ maxDrillIntervalMonths: 3, minStandbyDistanceKm: 30 });
    for (const level of [3, 4, 5] as const) expect(DEFAULT_LEVEL_MINIMUMS[level].source).toMatch(/governance\.md section 4.*\[R\]/);
  });

  it('are silent when the default tiers are used at level 4 with an immutable off-site target at another site', () => {
    expect(minimumProblems(env(), used(), minimumsFor(4))).toEqual([]);
    expect(minimumProblems(env(), used({}, 'bronze'), minimumsFor(4))).toEqual([]);
  });

  it('level 3: a tier without an off-site copy breaks the 3-2-1 rule', () => {
    const problems = minimumProblems(env({ securityLevel: 3 }), used({ offsiteCopy: false, immutableCopy: false }), minimumsFor(3));
    expect(problems).toEqual([expect.stringMatching(/^tier "gold" \(used by core\/postgres\/main, core\/app-trade, core\/kafka and 1 more\) keeps no off-site copy, but security level 3 requires the 3-2-1 rule \(B1/)]);
  });

  it('level 3: an off-site target at the same site is not off-site', () => {
    expect(minimumProblems(env({ securityLevel: 3, offsite: { site: 'hanoi-1', distanceKm: 0, immutable: true } }), used(), minimumsFor(3))).toEqual([
      expect.stringContaining('the off-site target is at site "hanoi-1", this environment\'s own site'),
    ]);
  });

  it('level 4: a restore drilled less often than every 6 months fails', () => {
    const problems = minimumProblems(env(), used({ drillEveryMonths: 12 }), minimumsFor(4));
    expect(problems).toEqual([expect.stringContaining('drills a restore every 12 months, but security level 4 requires one at least every 6 months (B2')]);
    expect(problems[0]).toContain('set backup.tiers.gold.drillEveryMonths to 6 or less');
  });

  it('level 4: an off-site copy production keys could delete is not separate infrastructure', () => {
    const problems = minimumProblems(env({ offsite: { site: 'hcm-1', distanceKm: 1140, immutable: false } }), used({}, 'silver'), minimumsFor(4));
    expect(problems).toEqual([expect.stringContaining('requires backups on infrastructure independent of production')]);
  });

  it('level 5: quarterly drills and a standby site at least 30 km away', () => {
    const problems = minimumProblems(env({ securityLevel: 5, offsite: { site: 'hanoi-2', distanceKm: 12, immutable: true } }), used({}, 'silver'), minimumsFor(5));
    expect(problems).toEqual([expect.stringContaining('every 6 months, but security level 5 requires one at least every 3 months'), expect.stringContaining('is 12 km away, but security level 5 requires a standby site at least 30 km away')]);
    expect(minimumProblems(env({ securityLevel: 5 }), used(), minimumsFor(5))).toEqual([]);
  });

  it('need an off-site target when a tier in use keeps an off-site copy', () => {
    expect(minimumProblems(env({ offsite: undefined }), used(), minimumsFor(4))).toEqual([expect.stringContaining('environment "prod" declares no off-site target; add backup.offsite')]);
  });

  it('can be replaced by a cited source per level', () => {
    const stricter = { rule321: true, separateInfrastructure: true, maxDrillIntervalMonths: 2, source: 'TCVN 14423:2026 6.11.2.5, official text' };
    expect(minimumsFor(4, { '4': stricter })).toBe(stricter);
    expect(minimumProblems(env(), used(), stricter)).toEqual([expect.stringContaining('(TCVN 14423:2026 6.11.2.5, official text)')]);
  });
});

describe('restore drills', () => {
  const plan = (drills: DrillPlan['drills'], requireDrills = true): DrillPlan => ({
    environment: 'prod',
    requireDrills,
    required: [
      { service: 'core/postgres/main', kind: 'postgres-recovery', tier: 'gold', everyMonths: 3, rto: '4h' },
      { service: 'core/app-trade', kind: 'velero-restore', tier: 'silver', everyMonths: 6, rto: '24h' },
    ],
    drills,
  });

  it('adds calendar months, clamped to the end of the month', () => {
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('flags a service never drilled, and one whose drill is older than its tier allows', () => {
    const found = overdueDrills(plan([{ service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-06-01', evidence: 'OPS-7' }]), '2026-11-27');
    expect(found.map((f) => [f.service, f.reason, f.dueBy])).toEqual([
      ['core/app-trade', 'never', undefined],
      ['core/postgres/main', 'overdue', '2026-09-01'],
    ]);
    expect(found[1]!.message).toBe('prod: the postgres-recovery drill of core/postgres/main (tier gold, every 3 months) was due by 2026-09-01; the last success was 2026-06-01 (OPS-7)');
  });

  it('is silent when every drill is recent, using the latest of several', () => {
    const drills: DrillPlan['drills'] = [
      { service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2025-01-01' },
      { service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-10-01' },
      { service: 'core/app-trade', kind: 'velero-restore', lastSuccess: '2026-09-30' },
    ];
    expect(overdueDrills(plan(drills), '2026-11-27')).toEqual([]);
    // A drill of the wrong kind proves nothing.
    expect(overdueDrills(plan([{ service: 'core/app-trade', kind: 'bucket-restore', lastSuccess: '2026-11-01' }, drills[1]!]), '2026-11-27').map((f) => f.service)).toEqual(['core/app-trade']);
  });

  it('flags a restore slower than the tier RTO', () => {
    const found = overdueDrills(plan([{ service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-11-01', restoreMinutes: 300 }, { service: 'core/app-trade', kind: 'velero-restore', lastSuccess: '2026-11-01', restoreMinutes: 60 }]), '2026-11-27');
    expect(found).toEqual([expect.objectContaining({ service: 'core/postgres/main', reason: 'slower-than-rto', message: expect.stringContaining("took 5h, more than tier gold's RTO of 4h") })]);
  });

  it('reports nothing where drills are not required, and refuses a malformed day', () => {
    expect(overdueDrills(plan([], false), '2026-11-27')).toEqual([]);
    expect(() => overdueDrills(plan([]), '27/11/2026')).toThrow(/today must be a date written YYYY-MM-DD/);
  });
});

describe('the backup section of an environment file', () => {
  const problemsOf = (name: string, mutate: (c: any) => void) => {
    const config: any = configOf(name);
    mutate(config);
    const r = checkEnvironment(config, `environments/${name}.ts`);
    return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('is valid in every environment as written', () => {
    for (const env of ['dev', 'staging', 'prod', 'dr']) expect(problemsOf(env, () => undefined)).toEqual([]);
  });

  it('lets only a development environment waive the minimums', () => {
    expect(problemsOf('prod', (c) => (c.backup.waiver = { reason: 'we have no second site yet, sorry' }))).toEqual(['backup.waiver: only a development environment may waive the backup minimums (class is "production")']);
  });

  it('refuses an off-site target that is the environment itself', () => {
    expect(problemsOf('prod', (c) => (c.backup.offsite.environment = 'prod'))).toEqual([expect.stringMatching(/^backup\.offsite\.environment: must be another environment/)]);
  });

  it('checks tier overrides field by field, with the schedule against the RPO', () => {
    expect(problemsOf('prod', (c) => (c.backup.tiers = { gold: { schedule: '0 0 2 * * *' } }))).toEqual([expect.stringMatching(/^backup\.tiers\.gold\.schedule: must be a five-field cron schedule.*six-field CloudNativePG schedule/)]);
    expect(problemsOf('prod', (c) => (c.backup.tiers = { silver: { schedule: '0 3 * * *' } }))).toEqual([expect.stringMatching(/^backup\.tiers\.silver\.schedule: runs only every 1d at the longest, more than the tier's RPO of 12h/)]);
  });

  it('refuses drills and assignments of clusters the environment does not have, and in-progress drills that declare nothing', () => {
    const problems = problemsOf('prod', (c) => {
      c.backup.assign['edge/postgres/main'] = 'gold';
      c.backup.drills = [
        { service: 'edge/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-10-01' },
        { service: 'core/app-trade', kind: 'velero-restore', lastSuccess: '2026-10-01', inProgress: true },
        { service: 'core/app-trade', kind: 'velero-restore', lastSuccess: '2026-02-30' },
      ];
    });
    expect(problems).toEqual([
      'backup.drills[2].lastSuccess: is not a calendar date',
      expect.stringMatching(/^backup\.assign\.edge\/postgres\/main: names cluster "edge", which this environment does not declare; declared: core/),
      expect.stringMatching(/^backup\.drills\[0\]\.service: names cluster "edge"/),
      expect.stringMatching(/^backup\.drills\[1\]\.inProgress: only a postgres-recovery drill declares something while in progress/),
    ]);
    expect(problemsOf('prod', (c) => (c.backup.drills = [{ service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2026-10-01', inProgress: true }]))).toEqual([]);
  });

  it('refuses a service name that is not <cluster>/<namespace>[/<name>]', () => {
    expect(problemsOf('prod', (c) => (c.backup.drills = [{ service: 'main', kind: 'postgres-recovery', lastSuccess: '2026-10-01' }]))).toEqual([
      expect.stringMatching(/^backup\.drills\[0\]\.service: must name a service as the coverage table does/),
    ]);
  });
});

describe('off-site targets across environments', () => {
  const envs = () => loadEnvironments().map((e) => structuredClone(e));

  it('agree as written: prod and staging copy to dr, dr copies back to prod, each into a bucket the other keeps for it', () => {
    expect(offsiteConsistencyProblems(envs())).toEqual([]);
  });

  it('name a receiving bucket the other environment does not keep, or keeps under another name', () => {
    const all = envs();
    all.find((e) => e.name === 'prod')!.backup.offsite!.bucket = 'offsite-prod-2';
    all.find((e) => e.name === 'dr')!.backup.receives = all.find((e) => e.name === 'dr')!.backup.receives.filter((r) => r.from !== 'staging');
    expect(offsiteConsistencyProblems(all)).toEqual([
      'environments/staging.ts: backup.offsite: environment "dr" keeps no receiving bucket for "staging"; add { from: \'staging\', bucket: \'offsite-staging\', gateway } to its backup.receives',
      'environments/prod.ts: backup.offsite.bucket: is "offsite-prod-2", but environment "dr" receives "prod" in bucket "offsite-prod"',
    ]);
  });

  it('refuse a wrong site or distance', () => {
    const all = envs();
    const prod = all.find((e) => e.name === 'prod')!;
    prod.backup.offsite = { ...prod.backup.offsite!, site: 'hanoi-2', distanceKm: 25 };
    expect(offsiteConsistencyProblems(all)).toEqual([
      'environments/prod.ts: backup.offsite.site: is "hanoi-2", but environment "dr" is at site "hcm-1"',
      'environments/prod.ts: backup.offsite.distanceKm: is 25, but the environment files put the sites 1140 km apart',
    ]);
  });
});
