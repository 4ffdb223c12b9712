/**
 * npm run deploy with real Terraform and local state: the guard against destroying stateful
 * resources, dependency order, stopping at the first failure, and stale plans.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceOutputFolder } from '../lib/output-folder';
import { deployEnvironment } from '../tools/review/deploy';
import { parseAllowances } from '../tools/review/guard';
import { INIT_RECORD_FILE } from '../tools/review/init-record';
import { planEnvironment } from '../tools/review/plan-run';
import { synthApp, terraformEnv, tmp, type StackSpec } from './fixtures/review/apps';

const env = terraformEnv();

/** Plans and deploys `stacks` as environment `dev`; returns the folders used. */
async function planned(stacks: StackSpec[], state = tmp('moit-deploy-state-'), plansRoot = tmp('moit-deploy-plans-')) {
  const dir = synthApp(stacks, state);
  await planEnvironment({ environment: 'dev', synthesizedDir: dir, plansRoot, terraform: { env } });
  return { dir, state, plansRoot };
}

const db = (trigger: string, ephemeral = true): StackSpec => ({
  name: 'dev-data',
  resources: [{ id: 'db', stateful: 'postgres', ephemeral, body: { input: 'orders', triggers_replace: trigger } }, { id: 'cache', body: { input: trigger } }],
});
const stateOf = (state: string, stack: string): string => readFileSync(join(state, `${stack}.tfstate`), 'utf8');

describe('npm run deploy: the guard', () => {
  it.concurrent('refuses, before applying anything, a plan that replaces a stateful resource, and accepts it with --allow-destroy', async () => {
    const first = await planned([db('v1')]);
    expect((await deployEnvironment({ environment: 'dev', plansRoot: first.plansRoot, terraform: { env } })).status).toBe('applied');

    const { plansRoot, state } = await planned([db('v2')], first.state);
    const before = stateOf(state, 'dev-data');
    const cli = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'scripts', 'deploy.js'), '--env', 'dev', '--plans', plansRoot], { encoding: 'utf8', env });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('Refused: 1 stateful resource would be destroyed. Nothing was applied.');
    expect(cli.stderr).toContain('dev-data:terraform_data.db (stateful: postgres) would be replaced');
    expect(cli.stderr).toContain('--allow-destroy dev-data:terraform_data.db');
    // Nothing applied: not even the harmless change to the cache in the same plan.
    expect(stateOf(state, 'dev-data')).toBe(before);

    const log: string[] = [];
    const outcome = await deployEnvironment({ environment: 'dev', plansRoot, allowDestroy: ['dev-data:terraform_data.db'], terraform: { env }, log: (l) => log.push(l) });
    expect(outcome.status).toBe('applied');
    expect(log[0]).toBe('Allowed by --allow-destroy: dev-data:terraform_data.db (stateful: postgres) would be replaced.');
    expect(stateOf(state, 'dev-data')).toContain('"v2"');
  });

  it('requires <stack>:<address>: a plain address could match the same construct in several stacks', () => {
    expect(() => parseAllowances(['terraform_data.db'])).toThrow('must be <stack>:<address>');
    expect(() => parseAllowances(['dev-other:terraform_data.db'], ['dev-data'])).toThrow('no saved plan for stack "dev-other"; the plans are for: dev-data');
    expect(parseAllowances(['dev-data:terraform_data.db'])).toEqual([{ stack: 'dev-data', address: 'terraform_data.db', text: 'dev-data:terraform_data.db' }]);
  });

  it.concurrent('leaves prevent_destroy to Terraform outside ephemeral environments: the plan itself fails', async () => {
    const first = await planned([db('v1', false)]);
    await deployEnvironment({ environment: 'dev', plansRoot: first.plansRoot, terraform: { env } });
    const plansRoot = tmp('moit-deploy-plans-');
    await expect(planEnvironment({ environment: 'dev', synthesizedDir: synthApp([db('v2', false)], first.state), plansRoot, terraform: { env } })).rejects.toThrow(/plan .* failed[\s\S]*prevent_destroy/);
    expect(existsSync(join(plansRoot, 'dev', 'plan-set.json'))).toBe(false);
  });
});

describe('npm run deploy: order and failures', () => {
  const order = join(tmp('moit-order-'), 'order.txt');
  const stamp = (id: string, command = `echo ${id} >> ${order}`) => ({ id, body: { input: id, provisioner: [{ 'local-exec': { command } }] } });

  it.concurrent('applies dependent stacks in dependency order, not name order', async () => {
    // dev-alpha depends on dev-zeta: zeta must be applied first.
    const { plansRoot, state } = await planned([
      { name: 'dev-alpha', dependsOn: ['dev-zeta'], resources: [stamp('alpha')] },
      { name: 'dev-zeta', resources: [stamp('zeta')] },
    ]);
    const log: string[] = [];
    const outcome = await deployEnvironment({ environment: 'dev', plansRoot, terraform: { env }, log: (l) => log.push(l) });
    expect(outcome).toMatchObject({ status: 'applied', applied: ['dev-zeta', 'dev-alpha'] });
    expect(readFileSync(order, 'utf8')).toBe('zeta\nalpha\n');
    expect(log.filter((l) => l.endsWith('apply'))).toEqual(['[1/2] dev-zeta: terraform apply', '[2/2] dev-alpha: terraform apply']);
    expect(existsSync(join(state, 'dev-alpha.tfstate'))).toBe(true);
    // A second deploy of the same plans applies nothing again.
    expect(await deployEnvironment({ environment: 'dev', plansRoot, terraform: { env } })).toMatchObject({ applied: [], skipped: ['dev-zeta', 'dev-alpha'] });
  });

  it.concurrent('stops at the first failure and says what was and was not applied', async () => {
    const { plansRoot, state } = await planned([
      { name: 'dev-one', resources: [{ id: 'ok', body: { input: 1 } }] },
      { name: 'dev-two', dependsOn: ['dev-one'], resources: [stamp('broken', 'echo boom >&2; exit 3')] },
      { name: 'dev-three', dependsOn: ['dev-two'], resources: [{ id: 'later', body: { input: 3 } }] },
    ]);
    const outcome = await deployEnvironment({ environment: 'dev', plansRoot, terraform: { env } });
    expect(outcome).toMatchObject({ status: 'failed', applied: ['dev-one'], failed: { stack: 'dev-two' }, notApplied: ['dev-three'] });
    expect(outcome.failed!.error).toContain('boom');
    expect(outcome.summary).toContain('applied: dev-one\n  failed: dev-two');
    expect(outcome.summary).toContain('not applied: dev-three');
    expect(existsSync(join(state, 'dev-three.tfstate'))).toBe(false);
    await expect(deployEnvironment({ environment: 'dev', plansRoot, terraform: { env } })).rejects.toThrow('failed in an earlier deploy');
  });

  it.concurrent('refuses plans made from another synth of the code', async () => {
    const { plansRoot, dir } = await planned([{ name: 'dev-one', resources: [{ id: 'ok', body: { input: 1 } }] }]);
    const file = join(dir, 'stacks', 'dev-one', 'cdk.tf.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"input": 1', '"input": 2'));
    await expect(deployEnvironment({ environment: 'dev', plansRoot, terraform: { env } })).rejects.toThrow(/out of date; nothing was applied[\s\S]*changed since the plan was made/);
  });

  it.concurrent('initializes a stack folder only when needed, with the same decision as plan', async () => {
    const stacks: StackSpec[] = [
      { name: 'dev-one', resources: [{ id: 'a', body: { input: 1 } }] },
      { name: 'dev-two', dependsOn: ['dev-one'], resources: [{ id: 'b', body: { input: 2 } }] },
    ];
    const { plansRoot, dir, state } = await planned(stacks);
    // Synthesized again (same code): the stack folders are new, .terraform came over with its record.
    replaceOutputFolder(synthApp(stacks, state), dir);
    // dev-two's record is gone: .terraform is there (which the old check looked at), but what it was made for is unknown.
    rmSync(join(dir, 'stacks', 'dev-two', '.terraform', INIT_RECORD_FILE));
    const log: string[] = [];
    const outcome = await deployEnvironment({ environment: 'dev', plansRoot, terraform: { env }, log: (l) => log.push(l) });
    expect(outcome).toMatchObject({ status: 'applied', applied: ['dev-one', 'dev-two'] });
    expect(log.filter((l) => / init /.test(l))).toEqual(['[1/2] dev-one: terraform init (up to date, skipped)', '[2/2] dev-two: terraform init (no record of an earlier init)']);
    expect(existsSync(join(dir, 'stacks', 'dev-two', '.terraform', INIT_RECORD_FILE))).toBe(true);
  });

  it('explains how to get plans when there are none', async () => {
    await expect(deployEnvironment({ environment: 'dev', plansRoot: tmp('moit-none-') })).rejects.toThrow('no saved plans for environment "dev". Run npm run plan -- --env dev first');
  });
});
