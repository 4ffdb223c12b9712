/**
 * npm run plan with real Terraform on stacks made only of the built-in `terraform_data`:
 * create, update, replace, delete, move and import, rendered for a pull request with
 * sensitive values masked; and rendering plan JSON made elsewhere (--from-json).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployEnvironment } from '../tools/review/deploy';
import { renderMarkdown } from '../tools/review/markdown';
import { hasDestructive, type ReviewReport } from '../tools/review/model';
import { planEnvironment } from '../tools/review/plan-run';
import { synthApp, terraformEnv, tmp, type StackSpec } from './fixtures/review/apps';

const env = terraformEnv();
const state = tmp('moit-plan-state-');
const plansRoot = tmp('moit-plans-');

/** Version 1 and 2 of a two-stack environment; dev-app depends on dev-base. */
function estate(version: 1 | 2): StackSpec[] {
  const v1 = version === 1;
  return [
    {
      name: 'dev-base',
      overrides: {
        'variable.db_password': { type: 'string', sensitive: true, default: v1 ? 'pw-one-123' : 'pw-two-456' },
        ...(v1 ? {} : { import: [{ to: 'terraform_data.imp', id: 'imported-1' }] }),
      },
      resources: [
        { id: 'keep', body: { input: 'same' } },
        { id: 'upd', body: { input: { replicas: v1 ? 3 : 5, admin_password: v1 ? 'hunter2-a' : 'hunter2-b' } } },
        { id: 'repl', stateful: 'postgres', ephemeral: true, body: { input: 'data', triggers_replace: v1 ? 'v1' : 'v2' } },
        { id: 'conn', body: { input: '${var.db_password}' } },
        ...(v1 ? [{ id: 'gone', body: { input: 'bye' } }, { id: 'old', body: { input: 'moving' } }] : []),
        ...(v1 ? [] : [{ id: 'new', body: { input: 'moving' }, movedFrom: 'terraform_data.old' }, { id: 'added', body: { input: 'hello' } }, { id: 'imp', body: { input: 'adopted' } }]),
      ],
    },
    { name: 'dev-app', dependsOn: ['dev-base'], resources: [{ id: 'app', body: { input: 'a' } }] },
  ];
}

let report: ReviewReport;
let markdown: string;
let v2Dir: string;
const progress: string[] = [];

beforeAll(async () => {
  // Version 1 is planned and deployed, then version 2 is planned against that state.
  const v1Dir = synthApp(estate(1), state);
  await planEnvironment({ environment: 'dev', synthesizedDir: v1Dir, plansRoot, terraform: { env } });
  const deployed = await deployEnvironment({ environment: 'dev', plansRoot, terraform: { env } });
  expect(deployed.status).toBe('applied');
  v2Dir = synthApp(estate(2), state);
  const outcome = await planEnvironment({ environment: 'dev', synthesizedDir: v2Dir, plansRoot, terraform: { env }, log: (l) => progress.push(l) });
  report = outcome.report;
  markdown = renderMarkdown(report).text;
});

const change = (address: string) => report.stacks.find((s) => s.name === 'dev-base')!.changes.find((c) => c.address === address)!;

describe('npm run plan', () => {
  it('plans each stack of the environment in dependency order, with progress, and saves plan and JSON', () => {
    expect(progress.filter((l) => /: terraform plan$/.test(l))).toEqual(['[1/2] dev-base: terraform plan', '[2/2] dev-app: terraform plan']);
    expect(progress.at(-1)).toMatch(/^Planned 2 stacks of dev in [\d.]+ s; plans in /);
    const saved = JSON.parse(readFileSync(join(plansRoot, 'dev', 'dev-base.json'), 'utf8'));
    expect(saved.format_version).toBeDefined();
    expect(report.stacks.map((s) => s.name)).toEqual(['dev-base', 'dev-app']);
  });

  it('reports create, update, replace (with reason and paths), delete, move and import', () => {
    expect(report.stacks[0]!.counts).toEqual({ add: 1, change: 3, replace: 1, remove: 1, move: 1, import: 1, forget: 0 });
    expect(change('terraform_data.added').action).toBe('create');
    expect(change('terraform_data.upd').attributes.find((a) => a.path === 'input.replicas')).toMatchObject({ before: 3, after: 5 });
    expect(change('terraform_data.repl')).toMatchObject({ action: 'replace', reason: 'a changed attribute cannot be updated in place', replacePaths: ['triggers_replace'], stateful: { kind: 'postgres', source: 'marker' } });
    expect(change('terraform_data.gone')).toMatchObject({ action: 'delete', reason: 'it is no longer in the configuration' });
    expect(change('terraform_data.new')).toMatchObject({ action: 'no-op', moved: true, previousAddress: 'terraform_data.old' });
    expect(change('terraform_data.imp')).toMatchObject({ importing: { id: 'imported-1' } });
    expect(report.stacks[1]!.status).toBe('unchanged');
  });

  it('renders it for a pull request: summary, warning, then details', () => {
    expect(markdown).toContain('| dev | `dev-base` | 1 | 3 | 1 | 1 | 1 moved, 1 imported | 🛑 1 |');
    expect(markdown).toContain('> - `dev-base` `terraform_data.repl`: stateful (postgres) is replaced (destroyed, then created empty): a changed attribute cannot be updated in place.');
    expect(markdown).toContain('- `-/+` **replace** `terraform_data.repl` (stateful: postgres): a changed attribute cannot be updated in place; forced by `triggers_replace`');
    expect(markdown).toContain('- `triggers_replace`: `"v1"` → `"v2"` **(forces replacement)**');
    expect(markdown).toContain('**move** `terraform_data.old` → `terraform_data.new`');
    expect(markdown).toContain('import id `imported-1`');
    expect(markdown).toContain('- `id`: `"');
    expect(markdown).toContain('→ _(known after apply)_');
    expect(markdown.indexOf('`-` **delete**')).toBeLessThan(markdown.indexOf('`-/+` **replace**'));
    expect(hasDestructive(report)).toBe(true);
  });

  it("masks values Terraform marks sensitive and values whose names look secret", () => {
    expect(change('terraform_data.conn').attributes.find((a) => a.path === 'input')).toMatchObject({ before: '(sensitive)', after: '(sensitive)', masked: true });
    expect(change('terraform_data.upd').attributes.find((a) => a.path === 'input.admin_password')).toMatchObject({ before: '(sensitive)', after: '(sensitive)' });
    const full = renderMarkdown(report, { limit: Infinity }).text + JSON.stringify(report);
    for (const secret of ['pw-one-123', 'pw-two-456', 'hunter2']) expect(full).not.toContain(secret);
    // The raw plan has them: masking is ours, not Terraform's.
    expect(readFileSync(join(plansRoot, 'dev', 'dev-base.json'), 'utf8')).toContain('hunter2-b');
  });

  it('renders plan JSON made elsewhere (--from-json); stateful resources come from --dir when given', () => {
    const json = join(plansRoot, 'dev', 'dev-base.json');
    const run = (args: string[], cwd = process.cwd()) => {
      const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'scripts', 'plan.js'), ...args], { cwd, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const out = join(tmp('moit-from-json-'), 'plan.md');
    const withDir = run(['--from-json', json, '--dir', v2Dir, '--out', out]);
    expect(withDir.code).toBe(2);
    expect(withDir.stdout).toContain('### Plan: dev-base');
    expect(withDir.stdout).toContain('stateful-destroyed');
    expect(readFileSync(out, 'utf8')).toContain('`terraform_data.repl`');

    // Without a synthesized folder, a terraform_data is not known to be stateful: no destructive warning.
    const alone = run(['--from-json', json, '--out', join(tmp('moit-from-json-'), 'plan.md')], tmp('moit-elsewhere-'));
    expect(alone.code).toBe(0);
    expect(alone.stderr).toContain('stateful resources are recognized by their kind only');

    const notPlan = join(tmp('moit-bad-'), 'dev-x.json');
    writeFileSync(notPlan, JSON.stringify({ values: {} }));
    const bad = run(['--from-json', notPlan]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not Terraform plan JSON: "format_version" is missing (this looks like state JSON');
  });
});
