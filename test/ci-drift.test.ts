/**
 * npm run drift on real Terraform, with stacks of the built-in `terraform_data` and local
 * state: deployed and untouched → no drift, exit 0; then the state is changed out of band (a
 * hotfix applied from a laptop with other code, a resource removed from state) → drift found,
 * rendered through the plan renderer, exit 2.
 *
 * `terraform_data` has no remote object, so its refresh never reports `resource_drift` (the
 * built-in provider reads back the state as it is). That path is tested with a plan JSON in
 * Terraform's documented format (developer.hashicorp.com/terraform/internals/json-format,
 * `resource_drift`), built below.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployEnvironment } from '../tools/review/deploy';
import { planEnvironment } from '../tools/review/plan-run';
import { reportFromPlans, type PlanJson } from '../tools/review/plan-render';
import { driftHeadline, driftOf, renderDrift } from '../tools/ci/drift';
import { synthApp, terraformEnv, tmp, type StackSpec } from './fixtures/review/apps';

const env = terraformEnv();
const state = tmp('moit-drift-state-');

const estate: StackSpec[] = [
  { name: 'dev-base', resources: [{ id: 'cfg', body: { input: { replicas: 3, tier: 'gold' } } }, { id: 'keep', body: { input: 'same' } }] },
  { name: 'dev-app', dependsOn: ['dev-base'], resources: [{ id: 'app', body: { input: 'a' } }] },
];

let synthDir: string;

beforeAll(async () => {
  synthDir = synthApp(estate, state);
  const plansRoot = tmp('moit-drift-plans-');
  await planEnvironment({ environment: 'dev', synthesizedDir: synthDir, plansRoot, terraform: { env } });
  expect((await deployEnvironment({ environment: 'dev', plansRoot, terraform: { env } })).status).toBe('applied');
});

function drift(driftRoot: string) {
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'scripts', 'drift.js'), '--env', 'dev', '--dir', synthDir, '--plans', driftRoot], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function terraform(args: string[], cwd: string): void {
  const r = spawnSync('terraform', args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')}: ${r.stderr}`);
}

describe('npm run drift', () => {
  it('finds no drift right after a deploy: exit 0, and leaves no plan behind that could be deployed', () => {
    const root = tmp('moit-drift-');
    const r = drift(root);
    expect(r.stderr).toContain('No drift in dev.');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('### Drift check: dev');
    expect(r.stdout).toContain('No drift: the 2 stacks of dev match the code, and Terraform found nothing changed outside it.');
    const result = JSON.parse(readFileSync(join(root, 'dev', 'drift.json'), 'utf8'));
    expect(result).toMatchObject({ kind: 'drift', environment: 'dev', drifted: false });
    expect(readdirSync(join(root, 'dev')).sort()).toEqual(['drift.json', 'drift.md']);
  });

  it('finds a state changed out of band (a hotfix applied from elsewhere, a resource removed from state): exit 2, rendered like a plan', () => {
    // GIVEN a hotfix applied from a laptop with other code, against the same state
    const base = JSON.parse(readFileSync(join(synthDir, 'stacks', 'dev-base', 'cdk.tf.json'), 'utf8'));
    base.resource.terraform_data.cfg.input = { replicas: 5, tier: 'gold' };
    const laptop = tmp('moit-drift-laptop-');
    writeFileSync(join(laptop, 'main.tf.json'), JSON.stringify(base));
    terraform(['init', '-input=false', '-no-color'], laptop);
    terraform(['apply', '-auto-approve', '-input=false', '-no-color'], laptop);
    // AND a resource of the other stack removed from the state by hand
    terraform(['state', 'rm', '-no-color', 'terraform_data.app'], join(synthDir, 'stacks', 'dev-app'));

    // WHEN the drift check runs
    const root = tmp('moit-drift-');
    const r = drift(root);

    // THEN it is drift, with what an apply would do to bring the code back
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Drift in dev: dev-base, dev-app.');
    expect(r.stdout).toContain('**Drift in 2 of 2 stacks of dev:** pending: 1 to add, 1 to change.');
    expect(r.stdout).toContain('| dev | `dev-base` | 0 | 1 | 0 | 0 |  |  |');
    expect(r.stdout).toContain('- `input.replicas`: `5` → `3`');
    expect(r.stdout).toContain('**create** `terraform_data.app`');
    const result = JSON.parse(readFileSync(join(root, 'dev', 'drift.json'), 'utf8'));
    expect(result.drifted).toBe(true);
    expect(result.stacks).toEqual([
      expect.objectContaining({ name: 'dev-base', drifted: true, changedOutside: 0, pending: expect.objectContaining({ change: 1 }) }),
      expect.objectContaining({ name: 'dev-app', drifted: true, pending: expect.objectContaining({ add: 1 }) }),
    ]);
    expect(readFileSync(join(root, 'dev', 'drift.md'), 'utf8')).toContain('### Drift check: dev');
    expect(existsSync(join(root, 'dev', 'plan-set.json'))).toBe(false);
  });

  it('exits 1 with the reason when the environment cannot be planned', () => {
    const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'scripts', 'drift.js'), '--env', 'prod', '--dir', synthDir, '--plans', tmp('moit-drift-')], { encoding: 'utf8', env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--env: no stacks of this environment in');
  });
});

describe('drift: changes made outside Terraform (resource_drift)', () => {
  // A database scaled by hand: refresh read 5 instances where the state said 3. No resource
  // change is pending in this plan (Terraform JSON lists the drift on its own).
  const plan: PlanJson = {
    format_version: '1.2',
    resource_drift: [
      {
        address: 'kubernetes_manifest.orders-db',
        mode: 'managed',
        type: 'kubernetes_manifest',
        name: 'orders-db',
        change: { actions: ['update'], before: { manifest: { spec: { instances: 3 } } }, after: { manifest: { spec: { instances: 5 } } } },
      },
    ],
    resource_changes: [],
  };

  it('counts a stack whose only news is drift as drifted, and shows it under "Changed outside Terraform"', () => {
    const result = driftOf(reportFromPlans([{ stack: 'prod-core-services', plan }], 'Plan: prod'), 'prod', '2026-12-03T00:00:00Z');
    expect(result.drifted).toBe(true);
    expect(result.stacks).toEqual([{ name: 'prod-core-services', changedOutside: 1, pending: expect.objectContaining({ change: 0 }), pendingOutputs: 0, drifted: true }]);
    expect(driftHeadline(result)).toBe('**Drift in 1 of 1 stack of prod:** 1 resource changed outside Terraform.');
    const text = renderDrift(result, { limit: Infinity }).text;
    expect(text).toContain('**Changed outside Terraform** (the plan brings these back to the configuration):');
    expect(text).toContain('`manifest.spec.instances`: `3` → `5`');
  });

  it('keeps the rendered drift report within the limit', () => {
    const big: PlanJson = { ...plan, resource_drift: Array.from({ length: 3000 }, (_, i) => ({ ...plan.resource_drift![0]!, address: `kubernetes_manifest.db-${i}` })) };
    const result = driftOf(reportFromPlans([{ stack: 'prod-core-services', plan: big }], 'Plan: prod'), 'prod');
    const out = renderDrift(result, { limit: 65_000, fullReportPath: 'drift/prod/drift.md' });
    expect(out.truncated).toBe(true);
    expect(out.text.length).toBeLessThanOrEqual(65_000);
    expect(out.text).toContain('The full report is `drift/prod/drift.md`');
  });
});

