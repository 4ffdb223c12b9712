/**
 * npm run comment against a recorder standing in for GitLab and GitHub on 127.0.0.1: one
 * comment per merge request through three pushes (created, updated in place, left alone when
 * nothing changed), long reports cut as the review renderer cuts them, and API errors reported
 * with their status and without the token.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { diffSynthesized } from '../tools/review/config-diff';
import { renderJson } from '../tools/review/markdown';
import { emptyCounts, type ReviewReport } from '../tools/review/model';
import { loadSynthesized } from '../tools/review/synthesized';
import { cutMarkdown, markerOf, sameBody, upsertComment } from '../tools/ci/comment';
import { connect } from '../tools/ci/connect';
import { readCiContext } from '../tools/ci/env';
import { apiError } from '../tools/ci/platform';
import { Recorder, runScript } from './fixtures/ci/recorder';
import { synthApp, tmp } from './fixtures/review/apps';
import { exampleBase, exampleHead } from './fixtures/review/example';

const dir = tmp('moit-ci-comment-');

/** A port nothing listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
const TOKEN = { gitlab: 'glpat-SECRET-token-1234567890', github: 'ghs_SECRETtoken0987654321abcdef' };

let reportV1: string;
let reportV2: string;

beforeAll(() => {
  const base = loadSynthesized(synthApp(exampleBase()));
  const head = loadSynthesized(synthApp(exampleHead()));
  const v1 = diffSynthesized(base, head, { baseLabel: 'main', headLabel: 'feature (1st push)' });
  const v2 = diffSynthesized(base, head, { baseLabel: 'main', headLabel: 'feature (2nd push)' });
  reportV1 = join(dir, 'diff-v1.json');
  reportV2 = join(dir, 'diff-v2.json');
  writeFileSync(reportV1, renderJson(v1));
  writeFileSync(reportV2, renderJson(v2));
});

/** A report far over the comment limit: 400 stacks of 40 changed resources each. */
function hugeReport(): ReviewReport {
  const stacks = Array.from({ length: 400 }, (_, s) => ({
    name: `dev-stack-${s}`,
    environment: 'dev',
    status: 'changed' as const,
    changes: Array.from({ length: 40 }, (_, r) => ({
      stack: `dev-stack-${s}`,
      address: `terraform_data.resource_${r}`,
      mode: 'managed' as const,
      type: 'terraform_data',
      action: 'update' as const,
      replacePaths: [],
      sharing: [],
      attributes: [{ path: 'input', steps: ['input'], before: `value-${r}-old`, after: `value-${r}-new` }],
    })),
    settings: [],
    drift: [],
    counts: { ...emptyCounts(), change: 40 },
    notes: [],
  }));
  return { schemaVersion: 1, kind: 'plan', title: 'Plan: dev (400 stacks)', stacks, findings: [], totals: { ...emptyCounts(), change: 16000 } };
}

describe.each(['gitlab', 'github'] as const)('npm run comment on %s', (platform) => {
  const token = TOKEN[platform];
  let server: Recorder;
  let env: Record<string, string>;
  const MR = 7;

  beforeAll(async () => {
    server = await new Recorder(platform, token).start();
    const event = join(dir, `event-${platform}.json`);
    writeFileSync(event, JSON.stringify({ action: 'synchronize', pull_request: { number: MR } }));
    env = server.env(platform === 'gitlab' ? { CI_MERGE_REQUEST_IID: String(MR) } : { GITHUB_EVENT_PATH: event });
  });
  afterAll(() => server.stop());

  const comment = (report: string, extra: string[] = [], e = env) => runScript('comment', ['--platform', platform, '--report', report, ...extra], e);
  const noToken = (r: { stdout: string; stderr: string }): void => {
    expect(r.stdout + r.stderr).not.toContain(token);
  };

  it('keeps ONE comment through a merge request: the first push creates it, the second edits it in place, the third (no change) sends no write', async () => {
    // GIVEN a merge request where people already talk (and, on GitLab, a system note)
    const mr = server.addMergeRequest({ number: MR, comments: [{ id: 1, body: 'Looks good, but see the Kafka listener.', author: 'bob' }, { id: 2, body: 'added 1 commit', author: 'alice', system: true }] });

    // WHEN the first push's pipeline posts the diff
    server.clear();
    const first = await comment(reportV1);
    // THEN one comment is created, starting with the hidden marker, rendered by the review renderer
    expect(first.stderr).toContain(`Posted the comment on ${platform === 'gitlab' ? 'merge request !' : 'pull request #'}${MR}`);
    expect(first.code).toBe(0);
    expect(server.writes().map((r) => r.method)).toEqual(['POST']);
    const ours = mr.comments.filter((c) => c.body.startsWith(markerOf('review')));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain('### Config diff: main → feature (1st push)');
    expect(ours[0]!.body).toContain('#### Details per stack');
    const id = ours[0]!.id;
    // The token went in the header the platform expects, and nowhere in what was printed.
    expect(server.requests.every((r) => (platform === 'gitlab' ? r.auth === token : r.auth === `token ${token}`))).toBe(true);
    noToken(first);

    // WHEN the second push changes the report
    server.clear();
    const second = await comment(reportV2);
    // THEN the same comment is edited; nothing is created
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('Updated the comment on');
    const writes = server.writes();
    expect(writes.map((r) => r.method)).toEqual([platform === 'gitlab' ? 'PUT' : 'PATCH']);
    expect(writes[0]!.path).toMatch(new RegExp(`/${id}$`));
    expect(mr.comments.filter((c) => c.body.startsWith(markerOf('review')))).toHaveLength(1);
    expect(mr.comments.find((c) => c.id === id)!.body).toContain('feature (2nd push)');

    // WHEN the third push changes nothing in the report
    server.clear();
    const third = await comment(reportV2);
    // THEN only reads are sent
    expect(third.code).toBe(0);
    expect(third.stderr).toContain('The comment is up to date on');
    expect(server.writes()).toEqual([]);
    expect(server.requests.length).toBeGreaterThan(0);
    // Other people's comments were never touched.
    expect(mr.comments.find((c) => c.id === 1)!.body).toBe('Looks good, but see the Kafka listener.');
  });

  it('cuts a report over the limit as the review renderer does, naming the full report and its link', async () => {
    const mr = server.addMergeRequest({ number: 8 });
    const e = { ...env, ...(platform === 'gitlab' ? { CI_MERGE_REQUEST_IID: '8' } : { GITHUB_EVENT_PATH: join(dir, `event8-${platform}.json`) }) };
    writeFileSync(join(dir, `event8-${platform}.json`), JSON.stringify({ pull_request: { number: 8 } }));

    // A JSON report: rendered and cut by tools/review/markdown.ts.
    const json = join(dir, 'huge.json');
    writeFileSync(json, renderJson(hugeReport()));
    const full = join(dir, 'out', 'plan-full.md');
    const r = await comment(json, ['--full-report', full, '--artifact-url', 'https://ci.example/pipelines/9'], e);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('The comment was cut to 65000 characters.');
    const body = mr.comments[0]!.body;
    const text = body.slice(markerOf('review').length + 1);
    expect(text.length).toBeLessThanOrEqual(65_000);
    expect(text).toContain(`✂️ **Cut to stay under 65,000 characters.**`);
    expect(text).toContain(`The full report is \`${full}\` ([download](https://ci.example/pipelines/9)).`);

    // A Markdown report: cut at a line, open <details> closed, the same notice.
    const md = join(dir, 'long.md');
    const lines = ['### Long report', '<details><summary>all of it</summary>', '', ...Array.from({ length: 5000 }, (_, i) => `- line ${i} ${'x'.repeat(30)}`), '</details>'];
    writeFileSync(md, lines.join('\n'));
    const r2 = await comment(md, ['--key', 'long'], e);
    expect(r2.code).toBe(0);
    const long = mr.comments.find((c) => c.body.startsWith(markerOf('long')))!.body;
    expect(long.length).toBeLessThanOrEqual(65_000 + markerOf('long').length + 1);
    expect(long).toMatch(/- line \d+ x+\n\n<\/details>\n\n---\n✂️ \*\*Cut to stay under 65,000 characters\.\*\* The full report is `[^`]+long\.md`\.\n$/);
  });

  it('reports an API error with its status and a hint, and never the token, even when the server echoes it', async () => {
    server.addMergeRequest({ number: 9 });
    writeFileSync(join(dir, `event9-${platform}.json`), JSON.stringify({ pull_request: { number: 9 } }));
    const e = { ...env, ...(platform === 'gitlab' ? { CI_MERGE_REQUEST_IID: '9' } : { GITHUB_EVENT_PATH: join(dir, `event9-${platform}.json`) }) };
    server.failNext(/^POST /, 403, { message: `403 Forbidden: token ${token} lacks scope` });
    const r = await comment(reportV1, [], e);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${platform === 'gitlab' ? 'GitLab' : 'GitHub'} API: creating a ${platform === 'gitlab' ? 'note on merge request !9' : 'comment on pull request #9'} failed with HTTP status 403`);
    expect(r.stderr).toContain('lacks a permission');
    expect(r.stderr).toContain('[redacted]');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    noToken(r);

    // A server error on the first read.
    server.failNext(/^GET /, 500, { message: 'internal error' });
    const r5 = await comment(reportV1, [], e);
    expect(r5.code).toBe(1);
    expect(r5.stderr).toContain('failed with HTTP status 500 (internal error)');
    noToken(r5);

    // A wrong token: 401, named by its variable, not its value.
    const wrong = await comment(reportV1, [], { ...e, [platform === 'gitlab' ? 'GITLAB_TOKEN' : 'GITHUB_TOKEN']: `${token}-revoked` });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('HTTP status 401');
    expect(wrong.stderr).toContain(`The token in ${platform === 'gitlab' ? 'GITLAB_TOKEN' : 'GITHUB_TOKEN'} was refused`);
    noToken(wrong);
    expect(wrong.stderr).not.toContain('revoked-');

    // Nobody listening.
    const closed = await freePort();
    const down = await comment(reportV1, [], { ...e, ...(platform === 'gitlab' ? { CI_API_V4_URL: `http://127.0.0.1:${closed}/api/v4` } : { GITHUB_API_URL: `http://127.0.0.1:${closed}` }) });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach http://127.0.0.1:${closed}`);
    noToken(down);
  });

  it('loads the client library in this CommonJS/ts-jest setup and runs the same cycle in-process', async () => {
    server.addMergeRequest({ number: 11 });
    const platformApi = connect(readCiContext(platform, {}, server.env()));
    expect((await upsertComment(platformApi, 11, 'in-process', 'first')).action).toBe('created');
    expect((await upsertComment(platformApi, 11, 'in-process', 'second')).action).toBe('updated');
    server.clear();
    expect((await upsertComment(platformApi, 11, 'in-process', 'second')).action).toBe('unchanged');
    expect(server.writes()).toEqual([]);
  });

  it('lists every missing variable at once, naming what sets it', async () => {
    const r = await comment(reportV1, [], { [platform === 'gitlab' ? 'GITLAB_TOKEN' : 'GITHUB_TOKEN']: token });
    expect(r.code).toBe(1);
    if (platform === 'gitlab') {
      for (const v of ['CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_MERGE_REQUEST_IID']) expect(r.stderr).toContain(`${v} is not set`);
      expect(r.stderr).toContain('GitLab CI variables: 3 problems.');
    } else {
      for (const v of ['GITHUB_API_URL', 'GITHUB_REPOSITORY', 'GITHUB_EVENT_PATH']) expect(r.stderr).toContain(`${v} is not set`);
    }
    noToken(r);
  });
});

describe('comment helpers', () => {
  it('reads a pull request number only from a pull_request event', () => {
    const push = join(dir, 'push.json');
    writeFileSync(push, JSON.stringify({ ref: 'refs/heads/main' }));
    expect(() => readCiContext('github', { mergeRequest: true }, { GITHUB_API_URL: 'https://api.github.com', GITHUB_REPOSITORY: 'a/b', GITHUB_TOKEN: 't', GITHUB_EVENT_PATH: push })).toThrow(
      'the event has no pull_request.number; run this step on pull_request events only',
    );
  });

  it('turns client library errors into status, message and hint, with the token removed', () => {
    const context = { token: 'glpat-abcdef123456', apiUrl: 'https://gitlab.example/api/v4' };
    // @gitbeaker: the cause carries the request, its PRIVATE-TOKEN header included.
    const gitbeaker = Object.assign(new Error('Forbidden'), { cause: { description: 'token glpat-abcdef123456 is not allowed', request: { headers: { 'PRIVATE-TOKEN': context.token } }, response: { status: 403 } } });
    const g = apiError('gitlab', 'creating a note on merge request !1', gitbeaker, context);
    expect(g.message).toBe('GitLab API: creating a note on merge request !1 failed with HTTP status 403 (token [redacted] is not allowed). The token lacks a permission: a project access token needs scope api and at least the Developer role.');
    expect(g.status).toBe(403);
    // @octokit: status and response.data.message.
    const octokit = Object.assign(new Error('Not Found'), { status: 404, response: { data: { message: 'Not Found' } } });
    expect(apiError('github', 'reading pull request #3', octokit, context).message).toContain('failed with HTTP status 404 (Not Found). Not found: check GITHUB_REPOSITORY');
    // No response at all.
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(apiError('gitlab', 'listing notes', refused, context).message).toBe('GitLab API: listing notes failed: cannot reach https://gitlab.example/api/v4 (fetch failed (ECONNREFUSED)).');
  });

  it('treats bodies that differ only in line endings or trailing blanks as the same', () => {
    expect(sameBody('a\r\nb  \n', 'a\nb')).toBe(true);
    expect(sameBody('a\nb', 'a\nc')).toBe(false);
  });

  it('leaves Markdown within the limit as it is, and closes an open code fence when it cuts', () => {
    expect(cutMarkdown('short', 2000)).toEqual({ text: 'short', truncated: false });
    const text = ['```diff', ...Array.from({ length: 500 }, (_, i) => `+ line ${i}`), '```'].join('\n');
    const cut = cutMarkdown(text, 2000);
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(2000);
    expect(cut.text).toMatch(/\+ line \d+\n\n```\n\n---\n✂️/);
  });
});
