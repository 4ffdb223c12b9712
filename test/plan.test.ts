/**
 * npm run plan with real Terraform on stacks made only of the built-in `terraform_data`:
 * create, update, replace, delete, move and import, rendered for a pull request with
 * sensitive values masked; rendering plan JSON made elsewhere (--from-json); and `terraform init`
 * only when the folder needs it (tools/review/init-record.ts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceOutputFolder } from '../lib/output-folder';
import { deployEnvironment } from '../tools/review/deploy';
import { INIT_RECORD_FILE, initDecision, writeInitRecord, type TerraformIdentity } from '../tools/review/init-record';
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

describe('npm run plan: terraform init only when needed (the decision)', () => {
  const identity: TerraformIdentity = { binary: 'terraform', version: '1.11.4', platform: 'linux_amd64' };
  const LOCK = 'provider "registry.terraform.io/hashicorp/kubernetes" {\n  version = "2.38.0"\n  hashes = ["h1:abc="]\n}\n';
  const config = (o: { provider?: string; module?: string; resources?: Record<string, unknown> } = {}) => ({
    '//': { metadata: { version: '0.21.0' } },
    terraform: { backend: { local: { path: '/state/dev-x.tfstate' } }, required_providers: { kubernetes: { source: 'kubernetes', version: o.provider ?? '2.38.0' } } },
    provider: { kubernetes: [{ config_path: '~/.kube/config' }] },
    module: { vpc: { source: 'registry.example/vpc/aws', version: o.module ?? '1.0.0', cidr: '10.0.0.0/16' } },
    resource: o.resources ?? { kubernetes_namespace_v1: { ns: { metadata: { name: 'a' } } } },
  });
  /** A folder as a successful init leaves it: .terraform (backend, providers, modules), the lock file and the record. */
  function initialized(cfg: unknown = config(), lock: string | null = LOCK): string {
    const dir = tmp('moit-init-');
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(cfg));
    mkdirSync(join(dir, '.terraform', 'providers'), { recursive: true });
    mkdirSync(join(dir, '.terraform', 'modules'));
    writeFileSync(join(dir, '.terraform', 'modules', 'modules.json'), '{}');
    writeFileSync(join(dir, '.terraform', 'terraform.tfstate'), '{}');
    if (lock !== null) writeFileSync(join(dir, '.terraform.lock.hcl'), lock);
    const first = initDecision(dir, identity);
    expect(first).toMatchObject({ run: true, reason: 'no record of an earlier init' });
    writeInitRecord(dir, first.run ? first.inputs! : (undefined as never));
    return dir;
  }
  const rewrite = (dir: string, cfg: unknown) => writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(cfg));
  const record = (dir: string) => join(dir, '.terraform', INIT_RECORD_FILE);

  it('skips init when nothing init depends on changed: resources, their bodies and provider settings may change', () => {
    const dir = initialized();
    expect(initDecision(dir, identity)).toEqual({ run: false, reason: 'up to date' });
    rewrite(dir, config({ resources: { kubernetes_namespace_v1: { ns: { metadata: { name: 'b' } }, other: {} }, kubernetes_config_map_v1: { cm: {} } } }));
    expect(initDecision(dir, identity)).toEqual({ run: false, reason: 'up to date' });
    const record1 = JSON.parse(readFileSync(record(dir), 'utf8'));
    expect(Object.keys(record1).sort()).toEqual(['lock', 'parts', 'sha256', 'version']);
    expect(record1.lock).toMatch(/^[0-9a-f]{64}$/);
  });

  it('runs init when a provider version, a module version, an implied provider or the binary changed', () => {
    const dir = initialized();
    rewrite(dir, config({ provider: '2.39.0' }));
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'the terraform block (backend, required providers) changed since the last init' });
    rewrite(dir, config({ module: '1.1.0' }));
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'module sources or versions changed since the last init' });
    rewrite(dir, config({ resources: { helm_release: { r: {} } } }));
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'the providers the configuration uses changed since the last init' });
    rewrite(dir, config());
    expect(initDecision(dir, { ...identity, version: '1.12.0' })).toMatchObject({ run: true, reason: 'the binary changed (terraform 1.11.4 linux_amd64 → terraform 1.12.0 linux_amd64) since the last init' });
    expect(initDecision(dir, { ...identity, binary: 'tofu' })).toMatchObject({ run: true });
    expect(initDecision(dir, undefined)).toMatchObject({ run: true, reason: 'the version of the Terraform binary could not be read' });
    expect(initDecision(dir, identity)).toEqual({ run: false, reason: 'up to date' });
  });

  it('runs init when the lock file is missing, changed or appeared, or what init installed is gone', () => {
    const dir = initialized();
    rmSync(join(dir, '.terraform.lock.hcl'));
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'the lock file .terraform.lock.hcl is missing' });
    writeFileSync(join(dir, '.terraform.lock.hcl'), LOCK.replace('2.38.0', '2.39.0'));
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'the lock file .terraform.lock.hcl changed since the last init' });
    writeFileSync(join(dir, '.terraform.lock.hcl'), LOCK);
    expect(initDecision(dir, identity)).toMatchObject({ run: false });
    for (const gone of ['terraform.tfstate', 'providers', join('modules', 'modules.json')]) {
      const d = initialized();
      rmSync(join(d, '.terraform', gone), { recursive: true });
      expect(initDecision(d, identity)).toMatchObject({ run: true, reason: `${join(d, '.terraform', gone)} is missing` });
    }
    rmSync(join(dir, '.terraform'), { recursive: true });
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'not initialized yet' });

    // Built-in resources only: Terraform writes no lock file, and none is expected; one appearing is news.
    const builtin = { terraform: { backend: { local: { path: '/state/b.tfstate' } } }, resource: { terraform_data: { d: { input: 1 } } } };
    const plain = initialized(builtin, null);
    expect(initDecision(plain, identity)).toEqual({ run: false, reason: 'up to date' });
    writeFileSync(join(plain, '.terraform.lock.hcl'), LOCK);
    expect(initDecision(plain, identity)).toMatchObject({ run: true, reason: 'a lock file .terraform.lock.hcl appeared since the last init' });
  });

  it('runs init when the record is missing or corrupted, and never trusts a record it cannot read', () => {
    const dir = initialized();
    const good = readFileSync(record(dir), 'utf8');
    for (const bad of ['', '{"version":1', 'null', '[]', good.replace(/"sha256": "[0-9a-f]{64}"/, '"sha256": "nothex"'), good.replace('"version": 1', '"version": 2'), good.replace(/"lock": "[0-9a-f]{64}"/, '"lock": 7')]) {
      writeFileSync(record(dir), bad);
      expect([bad, initDecision(dir, identity)]).toMatchObject([bad, { run: true, reason: 'the record of the last init is unreadable' }]);
    }
    rmSync(record(dir));
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'no record of an earlier init' });
    writeFileSync(record(dir), good);
    expect(initDecision(dir, identity)).toMatchObject({ run: false });
  });

  it('always runs init for what it does not read: HCL files and local modules', () => {
    const dir = initialized();
    writeFileSync(join(dir, 'extra.tf'), 'terraform {}');
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'the folder has HCL files (extra.tf), whose requirements are not read' });
    rmSync(join(dir, 'extra.tf'));
    const local = { ...config(), module: { net: { source: './modules/net' } } };
    rewrite(dir, local);
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'module "net" is a local module (./modules/net), whose own requirements are not read' });
  });

  it('always runs init when init gets arguments from the environment, which it neither reads nor records', () => {
    const dir = initialized();
    expect(initDecision(dir, identity, { TF_CLI_ARGS_init: '-backend-config=password=hunter2' })).toMatchObject({ run: true, reason: "TF_CLI_ARGS_init is set: init's arguments are not tracked" });
    expect(initDecision(dir, identity, { TF_CLI_ARGS: '-no-color', TF_CLI_ARGS_init: '-upgrade' })).toMatchObject({ run: true, reason: "TF_CLI_ARGS and TF_CLI_ARGS_init are set: init's arguments are not tracked" });
    expect(initDecision(dir, identity, { TF_CLI_ARGS: ' ' })).toEqual({ run: false, reason: 'up to date' });
  });

  it('keeps the record in TF_DATA_DIR when it is set', () => {
    const dir = initialized();
    const env = { TF_DATA_DIR: 'elsewhere' };
    expect(initDecision(dir, identity, env)).toMatchObject({ run: true, reason: 'not initialized yet' });
    renameSync(join(dir, '.terraform'), join(dir, 'elsewhere'));
    expect(initDecision(dir, identity, env)).toEqual({ run: false, reason: 'up to date' });
    expect(initDecision(dir, identity)).toMatchObject({ run: true, reason: 'not initialized yet' });
  });
});

describe('npm run plan: terraform init only when needed (with Terraform)', () => {
  it('initializes on the first plan, skips on the next and after a synth that kept .terraform, and runs again when the terraform block changed', async () => {
    const work = tmp('moit-plan-init-');
    const calls = join(work, 'calls.log');
    // A wrapper that records every Terraform command it runs, so a skipped init is seen not to run at all.
    const wrapper = join(work, 'terraform-recorded');
    writeFileSync(wrapper, `#!/bin/sh\necho "$1 $(basename "$PWD")" >> ${calls}\nexec terraform "$@"\n`);
    chmodSync(wrapper, 0o755);
    const stateDir = tmp('moit-plan-init-state-');
    const specs = (input: number, requiredVersion?: string): StackSpec[] => [
      { name: 'dev-one', resources: [{ id: 'a', body: { input } }], overrides: requiredVersion ? { 'terraform.required_version': requiredVersion } : {} },
      { name: 'dev-two', dependsOn: ['dev-one'], resources: [{ id: 'b', body: { input: 2 } }] },
    ];
    const out = join(work, 'cdktf.out');
    const synth = (s: StackSpec[]) => replaceOutputFolder(synthApp(s, stateDir, tmp('moit-plan-init-staging-')), out);
    const plan = async () => {
      const lines: string[] = [];
      writeFileSync(calls, '');
      await planEnvironment({ environment: 'dev', synthesizedDir: out, plansRoot: join(work, 'plans'), terraform: { env, binary: wrapper }, log: (l) => lines.push(l) });
      const inits = readFileSync(calls, 'utf8').split('\n').filter((l) => l.startsWith('init ')).sort();
      return { inits, initLines: lines.filter((l) => / init \(/.test(l)) };
    };

    synth(specs(1));
    expect(await plan()).toEqual({ inits: ['init dev-one', 'init dev-two'], initLines: ['[1/2] dev-one: ' + wrapper + ' init (not initialized yet)', '[2/2] dev-two: ' + wrapper + ' init (not initialized yet)'] });
    expect(await plan()).toEqual({ inits: [], initLines: ['[1/2] dev-one: ' + wrapper + ' init (up to date, skipped)', '[2/2] dev-two: ' + wrapper + ' init (up to date, skipped)'] });
    // A synth with other resources: the folders are new, .terraform came over, init is still up to date.
    synth(specs(5));
    expect((await plan()).inits).toEqual([]);
    // The terraform block of dev-one changed: its init runs, dev-two's is skipped.
    synth(specs(5, '>= 1.5.0'));
    expect(await plan()).toEqual({
      inits: ['init dev-one'],
      initLines: ['[1/2] dev-one: ' + wrapper + ' init (the terraform block (backend, required providers) changed since the last init)', '[2/2] dev-two: ' + wrapper + ' init (up to date, skipped)'],
    });
    // A corrupted record: init runs, and Terraform's plan works either way.
    writeFileSync(join(out, 'stacks', 'dev-two', '.terraform', INIT_RECORD_FILE), 'garbage');
    expect((await plan()).inits).toEqual(['init dev-two']);
    expect((await plan()).inits).toEqual([]);
    // The backend moved (another state path): init runs, and Terraform, which sees the folder's
    // earlier backend, stops and asks whether to migrate the state instead of planning against an empty one.
    synthApp(specs(5, '>= 1.5.0'), tmp('moit-plan-init-moved-'), join(work, 'moved'));
    replaceOutputFolder(join(work, 'moved'), out);
    await expect(plan()).rejects.toThrow(/init -input=false -no-color failed in [\s\S]*Backend configuration changed[\s\S]*-migrate-state/);
  });
});
