/**
 * npm run drift-issue against the recorder standing in for GitLab and GitHub: one issue per
 * environment, opened on drift, edited when the drift changes, left alone when it does not,
 * closed with a comment when the drift is gone; other environments' issues and other issues
 * are not touched.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportFromPlans, type PlanJson } from '../tools/review/plan-render';
import { markerOf } from '../tools/ci/comment';
import { driftOf } from '../tools/ci/drift';
import { Recorder, runScript } from './fixtures/ci/recorder';
import { tmp } from './fixtures/review/apps';

const dir = tmp('moit-ci-drift-issue-');

/** drift.json for `env` with the given resources changed outside Terraform (none: no drift). */
function driftFile(name: string, env: string, drifted: string[]): string {
  const plan: PlanJson = {
    format_version: '1.2',
    resource_changes: [],
    resource_drift: drifted.map((address) => ({ address, mode: 'managed', type: 'terraform_data', name: address.split('.')[1]!, change: { actions: ['update'], before: { input: 'a' }, after: { input: 'b' } } })),
  };
  const result = driftOf(reportFromPlans([{ stack: `${env}-core-services`, plan }], `Plan: ${env}`), env, '2026-12-03T02:00:00Z');
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(result));
  return file;
}

describe.each(['gitlab', 'github'] as const)('npm run drift-issue on %s', (platform) => {
  const token = platform === 'gitlab' ? 'glpat-DRIFT-secret-999' : 'ghs_DRIFTsecret999';
  let server: Recorder;
  beforeAll(async () => {
    server = await new Recorder(platform, token).start();
  });
  afterAll(() => server.stop());
  const run = (file: string) => runScript('drift-issue', ['--platform', platform, '--report', file, '--full-report', 'drift/prod/drift.md'], server.env());

  it('opens one issue per environment on drift, edits it as the drift changes, leaves it when unchanged, closes it when gone', async () => {
    // GIVEN an unrelated issue with the same label, and prod's drift issue
    server.issues.push({ number: 1, title: 'Label drift in the docs', body: 'not ours', labels: ['drift'], state: 'open', comments: [] });
    expect((await run(driftFile('dr-1', 'dr', ['terraform_data.x']))).code).toBe(0);
    const drIssue = server.issues.find((i) => i.body.startsWith(markerOf('dr', 'drift')))!;

    // WHEN prod drifts
    server.clear();
    const first = await run(driftFile('prod-1', 'prod', ['terraform_data.db']));
    // THEN an issue is opened for prod, labelled, with the drift report
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/Drift in prod: opened issue #\d+/);
    expect(server.writes()).toHaveLength(1);
    const issue = server.issues.find((i) => i.body.startsWith(markerOf('prod', 'drift')))!;
    expect(issue).toMatchObject({ title: 'Drift in prod', labels: ['drift'], state: 'open' });
    expect(issue.body).toContain('**Drift in 1 of 1 stack of prod:** 1 resource changed outside Terraform.');
    expect(issue.body).toContain('**Changed outside Terraform**');

    // WHEN the next check finds more drift
    server.clear();
    const second = await run(driftFile('prod-2', 'prod', ['terraform_data.db', 'terraform_data.cache']));
    expect(second.stderr).toContain(`Drift in prod: updated issue #${issue.number}`);
    expect(server.writes().map((r) => r.method)).toEqual([platform === 'gitlab' ? 'PUT' : 'PATCH']);
    expect(issue.body).toContain('2 resources changed outside Terraform');

    // WHEN the next check finds the same drift
    server.clear();
    const third = await run(driftFile('prod-3', 'prod', ['terraform_data.db', 'terraform_data.cache']));
    expect(third.stderr).toContain(`as already reported in issue #${issue.number}`);
    expect(server.writes()).toEqual([]);

    // WHEN the drift is gone
    server.clear();
    const gone = await run(driftFile('prod-4', 'prod', []));
    expect(gone.stderr).toContain(`No drift in prod: closed issue #${issue.number}`);
    expect(issue.state).toBe('closed');
    expect(issue.comments).toEqual(['The drift check of 2026-12-03T02:00:00Z found no drift in prod: every stack matches the code. Closing.']);

    // AND another clean check has nothing to do
    server.clear();
    const quiet = await run(driftFile('prod-5', 'prod', []));
    expect(quiet.stderr).toContain('No drift in prod, and no open drift issue.');
    expect(server.writes()).toEqual([]);

    // Other issues were never touched.
    expect(server.issues.find((i) => i.number === 1)).toMatchObject({ body: 'not ours', state: 'open' });
    expect(drIssue.state).toBe('open');
    for (const r of [first, second, third, gone, quiet]) expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('refuses a report that is not drift.json, naming the file and the fix', async () => {
    const bad = join(dir, 'plan.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, kind: 'plan' }));
    const r = await run(bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--report ${bad}: not a drift result`);
    expect(r.stderr).toContain('npm run drift -- --env <name>');
  });

  it('reports an API error with its status, never the token', async () => {
    server.failNext(/^POST /, 403, { message: `token ${token} may not create issues` });
    const r = await run(driftFile('stage-1', 'staging', ['terraform_data.q']));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('creating an issue failed with HTTP status 403');
    expect(r.stdout + r.stderr).not.toContain(token);
  });
});
