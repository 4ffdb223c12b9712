/**
 * The README and the guides under docs/ stay true:
 * - every sample output they show is a file under test/fixtures/docs/, regenerated here from the
 *   real tools and compared (so a sample cannot go stale); the generated blocks of the guides
 *   (the backup tiers, the latest benchmark) are rendered from their sources;
 * - every `npm run <x>` they mention exists in package.json, and the README's command table
 *   lists every script;
 * - every relative link resolves to a file (and a `#anchor` to a heading of it);
 * - the README stays a short guide (under 20 KB).
 *
 * After an intended change to an output, regenerate the fixtures and blocks with
 * `UPDATE_DOCS=1 npx jest test/docs.test.ts` and review the diff.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../lib/errors';
import { parseEnvironment } from '../environments';
import { BACKUP_TIERS, DEFAULT_TIERS } from '../policy/backup/tiers';
import { deployEnvironment } from '../tools/review/deploy';
import { planEnvironment } from '../tools/review/plan-run';
import { synthApp, terraformEnv, tmp, type StackSpec } from './fixtures/review/apps';
import { configOf, synthEnvironment } from './helpers';
import { itWithSchemas } from './schemas';

const ROOT = resolve(__dirname, '..');
const FIXTURES = join(__dirname, 'fixtures', 'docs');
const UPDATE = process.env.UPDATE_DOCS === '1';
/** The day every sample is rendered on (agreements, suppressions and drills depend on it). */
const TODAY = '2026-11-27';

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Compares a regenerated sample with its fixture (UPDATE_DOCS=1 writes the fixture instead). */
function expectFixture(name: string, actual: string): void {
  const file = join(FIXTURES, name);
  if (UPDATE) {
    mkdirSync(FIXTURES, { recursive: true });
    writeFileSync(file, actual);
  }
  // Received is what the tool prints now; Expected is the fixture the docs link to.
  expect(actual).toBe(existsSync(file) ? readFileSync(file, 'utf8') : `(${relative(ROOT, file)} does not exist; run UPDATE_DOCS=1 npx jest test/docs.test.ts)`);
}

/** Runs a built entry point (dist/scripts/<name>.js, built by npm test before jest). */
function cli(name: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', `${name}.js`), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...(options.env ?? process.env), MOIT_TODAY: TODAY },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A block of a guide between `<!-- generated:<name> ... -->` and `<!-- /generated:<name> -->`. */
function expectGeneratedBlock(doc: string, name: string, content: string): void {
  const text = read(doc);
  const block = new RegExp(`(<!-- generated:${name}\\b[^\\n]*-->\\n)([\\s\\S]*?)(<!-- /generated:${name} -->)`);
  const match = block.exec(text);
  if (!match) throw new Error(`${doc} has no <!-- generated:${name} --> ... <!-- /generated:${name} --> block`);
  if (UPDATE) writeFileSync(join(ROOT, doc), text.replace(block, (_, open: string, _old: string, close: string) => `${open}${content}${close}`));
  expect(match[2]).toBe(content);
}

describe('sample outputs, regenerated from the real tools', () => {
  it('config errors: every problem of an environment file at once (docs/architecture.md)', () => {
    const config = configOf('prod') as any;
    config.clusters[0].controlPlane.replicas = 4;
    config.ephemeral = true;
    let message = '(no error)';
    try {
      parseEnvironment(config, 'environments/prod.ts');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      message = error.message;
    }
    expect(message).toContain('clusters[0].controlPlane.replicas');
    expectFixture('config-errors.txt', `${message}\n`);
  });

  itWithSchemas('npm run validate on manifests written wrongly (docs/schemas.md)', () => {
    const work = tmp('moit-docs-validate-');
    const manifest = (id: string, body: Record<string, unknown>) => ({ id, type: 'kubernetes_manifest', body: { manifest: body } });
    synthApp(
      [
        {
          name: 'prod-core-services',
          resources: [
            manifest('events-topic', {
              apiVersion: 'kafka.strimzi.io/v1',
              kind: 'KafkaTopic',
              metadata: { name: 'citizen-events', namespace: 'kafka', labels: { 'strimzi.io/cluster': 'events' } },
              spec: { partitions: 'three', replica: 3 },
            }),
            manifest('pg-main-daily', {
              apiVersion: 'postgresql.cnpg.io/v1',
              kind: 'ScheduledBackup',
              metadata: { name: 'main-daily', namespace: 'postgres' },
              spec: { schedule: '0 0 1 * * *', method: 'barman' },
            }),
            manifest('registry-user', {
              apiVersion: 'kafka.strimzi.io/v1',
              kind: 'KafkaUser',
              metadata: { name: 'registry-service', namespace: 'kafka', labels: { 'strimzi.io/cluster': 'events' } },
              spec: { authentication: { type: 'tls', validityDays: 30, renewalDays: 60 } },
            }),
          ],
        },
      ],
      tmp('moit-docs-state-'),
      join(work, 'cdktf.out'),
    );
    const run = cli('validate', ['--dir', 'cdktf.out'], { cwd: work });
    expect(run.status).toBe(1);
    const schemas = relative(work, process.env.CRD_SCHEMA_DIR ? resolve(process.env.CRD_SCHEMA_DIR) : join(ROOT, '.schema-cache')) || '.';
    const normalized = run.stdout.replace(/ in \d+ ms:/, ' in 250 ms:').split(` in ${schemas} `).join(' in ../shared/crds ');
    expectFixture('validate.txt', normalized);
  });

  it('npm run access -- --domain import-export (docs/data-domains.md)', () => {
    const run = cli('access', ['--domain', 'import-export', '--today', TODAY]);
    expect(run.status).toBe(0);
    expectFixture('access-import-export.md', run.stdout);
  });

  describe('over a synthesized prod', () => {
    let work: string;
    beforeAll(() => {
      work = tmp('moit-docs-prod-');
      const synth = cli('synth', ['--env', 'prod', '--out', join(work, 'cdktf.out')]);
      if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    });

    it('npm run backups -- --env prod (docs/backups.md)', () => {
      const run = cli('backups', ['--env', 'prod', '--today', TODAY, '--dir', 'cdktf.out'], { cwd: work });
      expect(run.status).toBe(0);
      expectFixture('backups-prod.md', run.stdout);
    });

    it('npm run audit -- --dir cdktf.out --env prod (docs/audit.md)', () => {
      const run = cli('audit', ['--dir', 'cdktf.out', '--env', 'prod', '--today', TODAY], { cwd: work });
      expect(run.status).toBe(0);
      // The evidence section lists every resource checked (over a megabyte): the sample keeps its
      // heading and size, and every other section whole.
      const evidence = /(### Evidence by control\n)([\s\S]*?)(?=\n### )/;
      expect(run.stdout).toMatch(evidence);
      const excerpt = run.stdout.replace(evidence, (_, heading: string, body: string) => `${heading}\n(${body.trim().split('\n').length} lines, left out of this sample)\n`);
      expectFixture('audit-prod.md', excerpt);
      expectFixture('audit-prod.stderr.txt', run.stderr);
    });
  });

  it('a stateful resource without a backup tier stops the synth (docs/backups.md)', () => {
    let message = '(no error)';
    try {
      synthEnvironment('staging', { mutate: (c) => delete c.backup.assign['core/postgres/main'] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Backups \(staging-core-services\): \d+ problems?\. Nothing was synthesized\./);
    expectFixture('backup-gap.txt', `${message}\n`);
  });

  describe('npm run plan and npm run deploy on terraform_data stacks (docs/review-and-deploy.md)', () => {
    /** Version 1 and 2 of dev: the changes the guide describes. */
    const estate = (version: 1 | 2): StackSpec[] => {
      const v1 = version === 1;
      return [
        { name: 'dev-core-platform', resources: [{ id: 'cnpg-operator', body: { input: { chart: 'cloudnative-pg', version: v1 ? '0.26.0' : '0.26.1' } } }] },
        {
          name: 'dev-core-services',
          dependsOn: ['dev-core-platform'],
          overrides: {
            'variable.registry_token': { type: 'string', sensitive: true, default: v1 ? 'token-one' : 'token-two' },
            ...(v1 ? {} : { import: [{ to: 'terraform_data.legacy-bucket', id: 'bucket-7f3a' }] }),
          },
          resources: [
            { id: 'orders-db', stateful: 'postgres', ephemeral: true, body: { input: { instances: v1 ? 1 : 2, storage: '10Gi' }, triggers_replace: v1 ? 'pg16' : 'pg17' } },
            { id: 'registry-pull', body: { input: '${var.registry_token}' } },
            ...(v1
              ? [{ id: 'reports-cache', body: { input: 'redis' } }, { id: 'events-topic', body: { input: 'trade-events' } }]
              : [
                  { id: 'trade-events-topic', body: { input: 'trade-events' }, movedFrom: 'terraform_data.events-topic' },
                  { id: 'legacy-bucket', body: { input: 'archive' } },
                  { id: 'audit-sink', body: { input: 'loki' } },
                ]),
          ],
        },
      ];
    };
    const normalize = (text: string) =>
      text
        .replace(/\((\d+(\.\d+)?) s\)/g, '(0.1 s)')
        .replace(/ in \d+(\.\d+)? s;/g, ' in 0.3 s;')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'e8a8cb9b-23e1-e3a7-158e-25c3e308baf6');

    let work: string;
    let plan: ReturnType<typeof cli>;
    const env = terraformEnv();
    beforeAll(async () => {
      work = tmp('moit-docs-plan-');
      const state = join(work, 'terraform-state');
      mkdirSync(state);
      const plans = join(work, 'plans');
      await planEnvironment({ environment: 'dev', synthesizedDir: synthApp(estate(1), state, join(work, 'v1.out')), plansRoot: plans, terraform: { env } });
      const deployed = await deployEnvironment({ environment: 'dev', plansRoot: plans, terraform: { env } });
      if (deployed.status !== 'applied') throw new Error(`deploy of version 1 failed: ${JSON.stringify(deployed)}`);
      synthApp(estate(2), state, join(work, 'cdktf.out'));
      plan = cli('plan', ['--env', 'dev'], { cwd: work, env });
    });

    it('plan: progress on stderr, the comment on stdout, exit 2 for the destructive change', () => {
      expect(plan.status).toBe(2);
      expectFixture('plan-dev.stderr.txt', normalize(plan.stderr).split(`${work}/`).join(''));
      expectFixture('plan-dev.md', normalize(plan.stdout));
    });

    it('deploy: refused before applying anything, exit 2', () => {
      const run = cli('deploy', ['--env', 'dev'], { cwd: work, env });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expectFixture('deploy-refused.txt', run.stderr);
    });
  });
});

describe('generated blocks of the guides', () => {
  it('docs/backups.md: the tier table is policy/backup/tiers.ts', () => {
    const yes = (b: boolean) => (b ? 'yes' : 'no');
    const rows = BACKUP_TIERS.map((name) => {
      const t = DEFAULT_TIERS[name];
      return `| ${name} | ${t.rpo} / ${t.rto} | \`${t.schedule}\` | \`${t.baseBackupSchedule}\` | ${t.retentionDays} d | ${yes(t.offsiteCopy)} | ${yes(t.immutableCopy)} | every ${t.drillEveryMonths} months |`;
    });
    const table = [
      '| tier | RPO / RTO | backups (5-field cron) | base backups | retention | off-site | immutable | drill |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    expectGeneratedBlock('docs/backups.md', 'tiers', `${table}\n`);
  });

  const lastBenchEntry = (): string => {
    const entries = read('bench/results.md')
      .split(/^(?=## )/m)
      .filter((e) => e.startsWith('## '));
    expect(entries.length).toBeGreaterThan(0);
    return entries[entries.length - 1]!.trimEnd();
  };

  it('docs/performance.md: the latest results are the last entry of bench/results.md', () => {
    expectGeneratedBlock('docs/performance.md', 'bench', `${lastBenchEntry().replace(/^## /, '### ')}\n`);
  });

  it("README.md: the performance table is the goals of bench/results.md's last entry", () => {
    const entry = lastBenchEntry();
    const when = /^## (.*)$/m.exec(entry)![1]!;
    const goals = [...entry.matchAll(/^- (met|NOT MET|not measured): (.*)$/gm)].map((m) => `| ${m[2]!.replace(/\|/g, '\\|')} | ${m[1]} |`);
    expect(goals.length).toBeGreaterThan(0);
    const table = [
      `The goals of the last \`npm run bench\` (${when}; two shared cores, so ±20 %; the whole entry in [docs/performance.md](docs/performance.md#latest-results)):`,
      '',
      '| goal (measured) | result |',
      '| --- | --- |',
      ...goals,
    ].join('\n');
    expectGeneratedBlock('README.md', 'performance', `${table}\n`);
  });
});

describe('the README and the guides', () => {
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

  it('mention only npm scripts that exist', () => {
    const missing: string[] = [];
    for (const doc of DOCS) {
      for (const m of read(doc).matchAll(/npm run (?:--silent |-s )?([a-z][\w:-]*)/g)) {
        if (!(m[1]! in pkg.scripts)) missing.push(`${doc}: npm run ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('list every npm script in the README command table, one line each', () => {
    const rows = read('README.md')
      .split('\n')
      .map((line) => /^\| `npm (?:run )?([\w:-]+)` \|/.exec(line)?.[1])
      .filter((s): s is string => s !== undefined);
    expect([...rows].sort()).toEqual(Object.keys(pkg.scripts).sort());
  });

  it('link only to files that exist, and to headings that exist', () => {
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, '')
        .replace(/\s/g, '-');
    const broken: string[] = [];
    for (const doc of DOCS) {
      const text = read(doc).replace(/^(```|````)[\s\S]*?^\1/gm, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path ? resolve(dirname(join(ROOT, doc)), path) : join(ROOT, doc);
        if (!existsSync(file)) {
          broken.push(`${doc}: ${target} (no such file)`);
        } else if (anchor !== undefined && statSync(file).isFile()) {
          const headings = readFileSync(file, 'utf8').match(/^#+ .*$/gm) ?? [];
          if (!headings.some((h) => slug(h.replace(/^#+ /, '')) === anchor)) broken.push(`${doc}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('link every sample under test/fixtures/docs from a guide', () => {
    const all = DOCS.map(read).join('\n');
    const unlinked = readdirSync(FIXTURES).filter((f) => !all.includes(`test/fixtures/docs/${f}`));
    expect(unlinked).toEqual([]);
  });

  it('keep the README a short guide: under 20 KB', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThan(20 * 1024);
  });
});
