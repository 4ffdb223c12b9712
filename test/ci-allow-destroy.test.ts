/**
 * The allow-destroy list comes from the merge request, not from the pipeline:
 * - npm run allow-destroy fails a merge request pipeline while a destructive change of the
 *   diff is not listed in the description's ```allow-destroy block (read through the API);
 * - npm run deploy-approved, on the default branch, deploys the saved plans with the block of
 *   the merged merge request only when someone other than its author approved it (real
 *   Terraform, terraform_data with a stateful marker).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffSynthesized } from '../tools/review/config-diff';
import { deployEnvironment } from '../tools/review/deploy';
import { renderJson } from '../tools/review/markdown';
import { planEnvironment } from '../tools/review/plan-run';
import { loadSynthesized } from '../tools/review/synthesized';
import { allowListOf } from '../tools/ci/allow-destroy';
import { Recorder, runScript } from './fixtures/ci/recorder';
import { synthApp, terraformEnv, tmp, type StackSpec } from './fixtures/review/apps';
import { exampleBase, exampleHead } from './fixtures/review/example';

const dir = tmp('moit-ci-allow-');
let diffReport: string;

beforeAll(() => {
  // The example change replaces the stateful topic prod-core-services:kubernetes_manifest.trade-events.
  const report = diffSynthesized(loadSynthesized(synthApp(exampleBase())), loadSynthesized(synthApp(exampleHead())), { baseLabel: 'main', headLabel: 'feature' });
  diffReport = join(dir, 'diff.json');
  writeFileSync(diffReport, renderJson(report));
});

const DESTROYED = 'prod-core-services:kubernetes_manifest.trade-events';

describe('the allow-destroy block of a merge request description', () => {
  it('reads every fenced allow-destroy block, ignoring blanks, comments and bullets', () => {
    const description = ['Renames the topic.', '', '```allow-destroy', `- ${DESTROYED}   # renamed, data re-published`, '', '```', 'More text', '~~~allow-destroy', 'dev-data:terraform_data.db', '~~~'].join('\n');
    expect(allowListOf(description, 'merge request !3').map((a) => a.text)).toEqual([DESTROYED, 'dev-data:terraform_data.db']);
    expect(allowListOf('```\nnot:a.block\n```', 'x')).toEqual([]);
  });

  it('rejects entries without a stack, naming the merge request', () => {
    expect(() => allowListOf('```allow-destroy\nterraform_data.db\n```', 'merge request !3')).toThrow(/^merge request !3, allow-destroy block: 1 problem\.\n {2}- --allow-destroy "terraform_data\.db": must be <stack>:<address>/);
  });
});

describe.each(['gitlab', 'github'] as const)('on %s', (platform) => {
  const token = platform === 'gitlab' ? 'glpat-ALLOW-secret-1' : 'ghs_ALLOWsecret1';
  const ref = platform === 'gitlab' ? 'merge request !' : 'pull request #';
  let server: Recorder;
  beforeAll(async () => {
    server = await new Recorder(platform, token).start();
  });
  afterAll(() => server.stop());

  function mrEnv(n: number): Record<string, string> {
    const event = join(dir, `event-${platform}-${n}.json`);
    writeFileSync(event, JSON.stringify({ pull_request: { number: n } }));
    return server.env(platform === 'gitlab' ? { CI_MERGE_REQUEST_IID: String(n) } : { GITHUB_EVENT_PATH: event });
  }

  it('npm run allow-destroy fails while a destructive change is not in the block, and prints the block to add', async () => {
    server.addMergeRequest({ number: 3, description: 'Renames the trade events topic.' });
    const r = await runScript('allow-destroy', ['--platform', platform, '--report', diffReport], mrEnv(3));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Not allowed: 1 destructive change not listed in the description of ${ref}3:`);
    expect(r.stderr).toContain(`If this is intended, add this block to the description of ${ref}3, then run the pipeline again:\n\n\`\`\`allow-destroy\n${DESTROYED}\n\`\`\``);
    expect(r.stdout + r.stderr).not.toContain(token);

    // The author adds the block: the same check passes.
    server.mergeRequests.get(3)!.description += `\n\n\`\`\`allow-destroy\n${DESTROYED}\nprod-core-services:kubernetes_manifest.typo\n\`\`\``;
    const ok = await runScript('allow-destroy', ['--platform', platform, '--report', diffReport], mrEnv(3));
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`Allowed by ${ref}3: ${DESTROYED} (stateful-destroyed).`);
    expect(ok.stderr).toContain(`Note: prod-core-services:kubernetes_manifest.typo in the allow-destroy block of ${ref}3 matches no destructive change of this diff.`);
  });

  it('npm run deploy-approved uses the merged request\'s block only once someone other than its author approved it', async () => {
    const env = { ...terraformEnv(), ...server.env({ [platform === 'gitlab' ? 'CI_COMMIT_SHA' : 'GITHUB_SHA']: 'abc123def456' }) } as Record<string, string>;
    const tfEnv = terraformEnv();
    const db = (trigger: string): StackSpec[] => [{ name: 'dev-data', resources: [{ id: 'db', stateful: 'postgres', ephemeral: true, body: { input: 'orders', triggers_replace: trigger } }] }];
    const state = tmp('moit-ci-allow-state-');
    const first = tmp('moit-ci-allow-plans-');
    await planEnvironment({ environment: 'dev', synthesizedDir: synthApp(db('v1'), state), plansRoot: first, terraform: { env: tfEnv } });
    expect((await deployEnvironment({ environment: 'dev', plansRoot: first, terraform: { env: tfEnv } })).status).toBe('applied');
    // The merged change replaces the database; its plan is saved for the deploy job.
    const plansRoot = tmp('moit-ci-allow-plans-');
    await planEnvironment({ environment: 'dev', synthesizedDir: synthApp(db('v2'), state), plansRoot, terraform: { env: tfEnv } });
    const mr = server.addMergeRequest({
      number: 5,
      author: 'alice',
      state: 'merged',
      commits: ['abc123def456'],
      description: 'Rebuild the dev database.\n\n```allow-destroy\ndev-data:terraform_data.db\nprod-data:terraform_data.db\n```',
    });
    const deploy = () => runScript('deploy-approved', ['--platform', platform, '--env', 'dev', '--plans', plansRoot], env);
    const stateText = (): string => readFileSync(join(state, 'dev-data.tfstate'), 'utf8');

    // Not approved: the block is ignored, the guard refuses, nothing is applied.
    const unapproved = await deploy();
    expect(unapproved.code).toBe(2);
    expect(unapproved.stderr).toContain(`${ref}5 lists 2 allowed destroy(s), but nobody other than its author (alice) approved it: the list is ignored.`);
    expect(unapproved.stderr).toContain('Refused: 1 stateful resource would be destroyed. Nothing was applied.');
    expect(stateText()).toContain('"v1"');

    // Approved by its author only: still ignored.
    mr.approvedBy = ['alice'];
    expect((await deploy()).code).toBe(2);

    // Approved by a reviewer: the allowance for this environment's stack is used; prod's is not.
    mr.approvedBy = ['alice', 'bob'];
    const approved = await deploy();
    expect(approved.stderr).toContain(`${ref}5 by alice, approved by bob, allows: dev-data:terraform_data.db, prod-data:terraform_data.db.`);
    expect(approved.stderr).toContain("Not for dev (other environments' stacks): prod-data:terraform_data.db.");
    expect(approved.stderr).toContain('Allowed by --allow-destroy: dev-data:terraform_data.db (stateful: postgres) would be replaced.');
    expect(approved.code).toBe(0);
    expect(stateText()).toContain('"v2"');
    expect(approved.stdout + approved.stderr).not.toContain(token);
  });

  it('npm run deploy-approved allows nothing for a commit no merged request contains', async () => {
    const env = { ...terraformEnv(), ...server.env({ [platform === 'gitlab' ? 'CI_COMMIT_SHA' : 'GITHUB_SHA']: 'fff000' }) } as Record<string, string>;
    const plansRoot = tmp('moit-ci-allow-plans-');
    await planEnvironment({ environment: 'dev', synthesizedDir: synthApp([{ name: 'dev-app', resources: [{ id: 'a', body: { input: 'x' } }] }], tmp('moit-ci-allow-state-')), plansRoot, terraform: { env: terraformEnv() } });
    const r = await runScript('deploy-approved', ['--platform', platform, '--env', 'dev', '--plans', plansRoot], env);
    expect(r.stderr).toContain('No merged merge request contains commit fff000 (a direct push?): no destroy is allowed.');
    expect(r.code).toBe(0);
  });
});
