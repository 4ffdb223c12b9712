/**
 * The pipelines as code: .gitlab-ci.yml (primary) and .github/workflows/*.yml (secondary)
 * - validate against the platforms' published schemas (GitLab's ci.json, kept in
 *   test/fixtures/ci; SchemaStore's github-workflow schema through @action-validator/core);
 * - have the structure the review workflow relies on: jobs, stages, rules, the manual gate of
 *   staging, prod and dr, plans handed from plan to deploy;
 * - run only `npm ci`, `npm test` and `npm run <script>` of scripts that exist in
 *   package.json, each of which a test of this project runs.
 */
import { validateWorkflow } from '@action-validator/core';
import Ajv from 'ajv';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const gitlabText = readFileSync(join(root, '.gitlab-ci.yml'), 'utf8');
const gitlab = parse(gitlabText) as Record<string, GitlabJob & Record<string, unknown>>;
const workflowDir = join(root, '.github', 'workflows');
const workflows = Object.fromEntries(readdirSync(workflowDir).filter((f) => f.endsWith('.yml')).map((f) => [f, readFileSync(join(workflowDir, f), 'utf8')]));
const ENVIRONMENTS = ['dev', 'staging', 'prod', 'dr'];
const GATED = ['staging', 'prod', 'dr'];

interface GitlabJob {
  extends?: string | string[];
  stage?: string;
  script?: string[];
  before_script?: string[];
  rules?: Array<{ if?: string; when?: string }>;
  needs?: string[];
  environment?: { name: string } | string;
  allow_failure?: { exit_codes: number[] } | boolean;
  artifacts?: { paths?: string[]; when?: string; reports?: Record<string, string>; access?: string };
  resource_group?: string;
}

const RESERVED = new Set(['workflow', 'stages', 'variables', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);
const jobNames = Object.keys(gitlab).filter((k) => !RESERVED.has(k) && !k.startsWith('.'));

/** A job with its `extends` applied (templates first, in order; the job's own keys win). */
function resolved(name: string): GitlabJob {
  const job = gitlab[name] as GitlabJob;
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? job.extends : [job.extends];
  const merged: Record<string, unknown> = {};
  for (const p of parents) Object.assign(merged, resolved(p));
  const own = { ...job } as Record<string, unknown>;
  delete own.extends;
  return { ...merged, ...own } as GitlabJob;
}

/** Every command a pipeline runs. */
function gitlabCommands(): Array<{ where: string; command: string }> {
  const out: Array<{ where: string; command: string }> = [];
  const defaults = gitlab.default as GitlabJob | undefined;
  for (const c of defaults?.before_script ?? []) out.push({ where: 'default.before_script', command: c });
  for (const name of Object.keys(gitlab).filter((k) => !RESERVED.has(k))) {
    const job = gitlab[name] as GitlabJob;
    for (const key of ['before_script', 'script'] as const) for (const c of job[key] ?? []) out.push({ where: `${name}.${key}`, command: c });
    for (const key of ['after_script'] as const) for (const c of ((job as Record<string, unknown>)[key] as string[] | undefined) ?? []) out.push({ where: `${name}.${key}`, command: c });
  }
  return out;
}

function workflowCommands(): Array<{ where: string; command: string }> {
  const out: Array<{ where: string; command: string }> = [];
  for (const [file, text] of Object.entries(workflows)) {
    const wf = parse(text) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
    for (const [job, j] of Object.entries(wf.jobs)) for (const s of j.steps) if (s.run !== undefined) out.push({ where: `${file} ${job}`, command: s.run });
  }
  return out;
}

/** The npm script a command runs, or why it is not allowed. */
function npmScriptOf(command: string): { script: string } | { problem: string } {
  const c = command.trim();
  if (/[\n;&|`]|\$\(/.test(c)) return { problem: 'more than one command, or shell syntax' };
  if (/^npm ci(\s+--[\w-]+)*$/.test(c)) return { script: 'ci' };
  if (c === 'npm test') return { script: 'test' };
  const m = c.match(/^npm run ([\w:-]+)(\s+--(\s.*)?)?$/);
  if (!m) return { problem: 'not npm ci, npm test or npm run <script>' };
  return { script: m[1]! };
}

describe('.gitlab-ci.yml', () => {
  it("validates against GitLab's CI schema", () => {
    const schema = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'ci', 'gitlab-ci.schema.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, validateFormats: false, strict: false, keywords: ['markdownDescription'] });
    const validate = ajv.compile(schema);
    const ok = validate(gitlab);
    expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)).toEqual([]);
    // The schema is strict enough to catch a misspelt keyword.
    expect(validate({ ...gitlab, test: { ...(gitlab.test as object), scirpt: ['npm test'] } })).toBe(false);
  });

  it('has the stages and jobs of the review workflow', () => {
    expect(gitlab.stages).toEqual(['test', 'review', 'plan', 'deploy', 'drift']);
    const expected = ['test', 'synth', 'audit', 'validate', 'diff', 'comment', 'allow-destroy', ...ENVIRONMENTS.flatMap((e) => [`plan:${e}`, `deploy:${e}`, `drift:${e}`, `drift-issue:${e}`])];
    expect([...jobNames].sort()).toEqual([...expected].sort());
    for (const name of jobNames) {
      const job = resolved(name);
      expect({ name, stage: job.stage && (gitlab.stages as unknown as string[]).includes(job.stage) }).toEqual({ name, stage: true });
      for (const n of job.needs ?? []) expect(jobNames).toContain(n);
    }
  });

  it('runs the review on merge requests: comment and gate after the diff, audit as a JUnit report', () => {
    for (const name of ['test', 'synth', 'audit', 'validate', 'diff', 'comment', 'allow-destroy']) {
      expect(resolved(name).rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    }
    expect(resolved('diff').script![0]).toContain('--base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --head cdktf.out --format json --out plans/diff.json');
    expect(resolved('diff').allow_failure).toEqual({ exit_codes: [2] });
    expect(resolved('comment')).toMatchObject({ needs: ['diff'], script: [expect.stringContaining('npm run comment -- --platform gitlab --report plans/diff.json')] });
    expect(resolved('allow-destroy')).toMatchObject({ needs: ['diff'], script: ['npm run allow-destroy -- --platform gitlab --report plans/diff.json'] });
    expect(resolved('allow-destroy').allow_failure).toBeUndefined();
    expect(resolved('audit').artifacts).toMatchObject({ when: 'always', reports: { junit: 'reports/audit.junit.xml' } });
    expect(resolved('audit').script![0]).toContain('--format junit --out reports/audit.junit.xml');
  });

  it.each(ENVIRONMENTS)('plans %s on the default branch, keeps the plans as artefacts, and deploys exactly those', (env) => {
    const plan = resolved(`plan:${env}`);
    const deploy = resolved(`deploy:${env}`);
    expect(plan.rules![0]!.if).toBe('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"');
    expect(plan.script).toEqual([`npm run synth -- --env ${env} --out cdktf.out`, `npm run plan -- --env ${env}`]);
    expect(plan.artifacts).toMatchObject({ paths: ['plans/', 'cdktf.out/'], access: 'developer' });
    expect(deploy.needs).toEqual([`plan:${env}`]);
    expect(deploy.script).toEqual([`npm run deploy-approved -- --platform gitlab --env ${env}`]);
    expect(deploy.environment).toMatchObject({ name: env });
    expect(deploy.resource_group).toBe(env);
    expect(plan.resource_group).toBe(env);
    const manual = deploy.rules!.every((r) => r.when === 'manual');
    expect({ env, manual }).toEqual({ env, manual: GATED.includes(env) });
  });

  it.each(ENVIRONMENTS)('checks %s for drift on schedule and keeps its issue', (env) => {
    const drift = resolved(`drift:${env}`);
    const issue = resolved(`drift-issue:${env}`);
    expect(drift.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    expect(drift.script![1]).toMatch(new RegExp(`^npm run drift -- --env ${env}\\b`));
    expect(drift.allow_failure).toEqual({ exit_codes: [2] });
    expect(drift.artifacts).toMatchObject({ when: 'always', paths: ['drift/'] });
    expect(issue.needs).toEqual([`drift:${env}`]);
    expect(issue.script![0]).toContain(`npm run drift-issue -- --platform gitlab --report drift/${env}/drift.json`);
  });
});

describe('.github/workflows', () => {
  it.each(Object.keys(workflows))("%s validates against SchemaStore's github-workflow schema", (file) => {
    const state = validateWorkflow(workflows[file]!);
    expect(state.errors).toEqual([]);
  });

  it('the validator catches a misspelt key (so the check above can fail)', () => {
    expect(validateWorkflow(workflows['review.yml']!.replace('runs-on:', 'runs_on:')).errors.length).toBeGreaterThan(0);
  });

  it('review.yml: pull requests get tests, SARIF in code scanning, validate, the diff comment and the gate', () => {
    const wf = parse(workflows['review.yml']!) as { on: Record<string, unknown>; jobs: Record<string, { permissions?: Record<string, string>; steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }> }> };
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(Object.keys(wf.jobs).sort()).toEqual(['audit', 'diff', 'test', 'validate']);
    const audit = wf.jobs.audit!;
    expect(audit.permissions).toMatchObject({ 'security-events': 'write' });
    expect(audit.steps.find((s) => s.run?.startsWith('npm run audit'))!.run).toContain('--format sarif --out reports/audit.sarif');
    expect(audit.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!.with).toMatchObject({ sarif_file: 'reports/audit.sarif' });
    const runs = wf.jobs.diff!.steps.map((s) => s.run).filter(Boolean);
    expect(runs.some((r) => r!.startsWith('npm run comment -- --platform github --report plans/diff.json'))).toBe(true);
    expect(runs.some((r) => r!.startsWith('npm run allow-destroy -- --platform github --report plans/diff.json'))).toBe(true);
    expect(wf.jobs.diff!.permissions).toMatchObject({ 'pull-requests': 'write' });
  });

  it('deploy.yml: every environment is planned, then deployed from those plans behind its GitHub environment', () => {
    const wf = parse(workflows['deploy.yml']!) as { on: Record<string, { branches: string[] }>; jobs: Record<string, { needs?: string; environment?: string; strategy: { matrix: { environment: string[] } }; steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }> }> };
    expect(wf.on.push!.branches).toEqual(['main']);
    for (const job of ['plan', 'deploy']) expect(wf.jobs[job]!.strategy.matrix.environment).toEqual(ENVIRONMENTS);
    const deploy = wf.jobs.deploy!;
    expect(deploy.needs).toBe('plan');
    // Staging, prod and dr are protected environments with required reviewers: the job waits.
    expect(deploy.environment).toBe('${{ matrix.environment }}');
    expect(deploy.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!.with).toEqual({ name: 'plans-${{ matrix.environment }}' });
    expect(deploy.steps.at(-1)!.run).toBe('npm run deploy-approved -- --platform github --env ${{ matrix.environment }}');
    const uploads = wf.jobs.plan!.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(uploads.map((u) => u.with!.name)).toEqual(['plan-set-${{ matrix.environment }}', 'plans-${{ matrix.environment }}']);
    expect(uploads[0]!.with).toMatchObject({ path: 'plans/${{ matrix.environment }}/plan-set.json', 'if-no-files-found': 'error' });
  });

  it('drift.yml: a schedule checks every environment and keeps its issue', () => {
    const wf = parse(workflows['drift.yml']!) as { on: Record<string, unknown>; jobs: Record<string, { permissions: Record<string, string>; strategy: { matrix: { environment: string[] } }; steps: Array<{ run?: string }> }> };
    expect(Object.keys(wf.on)).toEqual(['schedule', 'workflow_dispatch']);
    expect(wf.jobs.drift!.strategy.matrix.environment).toEqual(ENVIRONMENTS);
    expect(wf.jobs.drift!.permissions).toMatchObject({ issues: 'write' });
    const runs = wf.jobs.drift!.steps.map((s) => s.run).filter(Boolean);
    expect(runs.some((r) => r!.startsWith('npm run drift -- --env ${{ matrix.environment }}'))).toBe(true);
    expect(runs.some((r) => r!.startsWith('npm run drift-issue -- --platform github --report drift/${{ matrix.environment }}/drift.json'))).toBe(true);
  });
});

describe('commands in the pipelines', () => {
  const all = [...gitlabCommands(), ...workflowCommands()];

  it('are only npm ci, npm test or npm run of a script in package.json', () => {
    const problems = all.flatMap(({ where, command }) => {
      const r = npmScriptOf(command);
      if ('problem' in r) return [`${where}: ${JSON.stringify(command)}: ${r.problem}`];
      if (r.script !== 'ci' && !(r.script in pkg.scripts)) return [`${where}: ${JSON.stringify(command)}: no script "${r.script}" in package.json`];
      return [];
    });
    expect(problems).toEqual([]);
    expect(all.length).toBeGreaterThan(40);
  });

  it('are each run by a test of this project (so npm test exercises everything the pipelines do)', () => {
    const tests = readdirSync(__dirname).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(join(__dirname, f), 'utf8')).join('\n');
    // How a test runs each script: its built entry, its module, or (schemas:fetch) the function that is all of its work.
    const evidence: Record<string, RegExp> = {
      ci: /./,
      test: /./,
      'schemas:fetch': /fetchSchemas\(/,
    };
    const used = [...new Set(all.map((c) => npmScriptOf(c.command)).flatMap((r) => ('script' in r ? [r.script] : [])))];
    const untested = used.filter((script) => {
      const entry = (pkg.scripts[script] ?? '').match(/dist\/scripts\/([\w-]+)\.js/)?.[1];
      const pattern = evidence[script] ?? (entry ? new RegExp(`dist/scripts/${entry}\\.js|'dist', 'scripts', '${entry}\\.js'|runScript\\('${entry}'|from '\\.\\./scripts/${entry}'`) : /$^/);
      return !pattern.test(tests);
    });
    expect(untested).toEqual([]);
  });

  it('would catch a command that is not an npm script', () => {
    expect(npmScriptOf('terraform apply -auto-approve')).toEqual({ problem: 'not npm ci, npm test or npm run <script>' });
    expect(npmScriptOf('npm run plan -- --env dev || true')).toEqual({ problem: 'more than one command, or shell syntax' });
    expect(npmScriptOf('npm run deploy-approved -- --platform gitlab --env prod')).toEqual({ script: 'deploy-approved' });
  });
});
