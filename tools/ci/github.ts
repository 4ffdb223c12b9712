/**
 * {@link CiPlatform} for GitHub, on @octokit/rest (GitHub's own REST client). A pull request's
 * conversation comments are issue comments; approvals are reviews whose latest state per user
 * is APPROVED.
 *
 * @octokit/rest is pinned at 20.1.2, the last release that ships CommonJS: from 21 on it is
 * ESM only, which this CommonJS project (and ts-jest) cannot `require` on Node 20. 20.1.2 was
 * released with the fixed @octokit/request 8.4.1, request-error 5.1.1 and
 * plugin-paginate-rest 11.4.4 (the 2025 ReDoS advisories).
 */
import { Octokit } from '@octokit/rest';
import type { CiContext } from './env';
import { call, redact, type CiPlatform, type Issue, type MergeRequest } from './platform';

interface GithubPull {
  number: number;
  body?: string | null;
  state: string;
  merged_at?: string | null;
  user?: { login?: string } | null;
  html_url?: string;
}

function toMergeRequest(pr: GithubPull): MergeRequest {
  const state = pr.merged_at ? 'merged' : pr.state === 'open' ? 'open' : 'closed';
  return { number: pr.number, description: pr.body ?? '', author: pr.user?.login ?? '', state, ...(pr.html_url ? { url: pr.html_url } : {}) };
}

export function githubPlatform(context: CiContext): CiPlatform {
  const [owner, repo] = context.project.split('/') as [string, string];
  const quiet = (): void => undefined;
  const octokit = new Octokit({
    auth: context.token,
    baseUrl: context.apiUrl,
    userAgent: 'moit-datacentre-ci',
    // Failed requests are reported once, by us (apiError), without the token.
    log: { debug: quiet, info: quiet, error: quiet, warn: (m: string) => console.error(redact(m, [context.token])) },
  });
  const run = <T>(what: string, fn: () => Promise<T>): Promise<T> => call('github', context, what, fn);

  return {
    name: 'github',
    async listComments(pr) {
      const all = await run(`listing the comments of pull request #${pr}`, () => octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pr, per_page: 100 }));
      return all.map((c) => ({ id: c.id, body: c.body ?? '' }));
    },
    async createComment(pr, body) {
      const { data } = await run(`creating a comment on pull request #${pr}`, () => octokit.rest.issues.createComment({ owner, repo, issue_number: pr, body }));
      return { id: data.id, body: data.body ?? '' };
    },
    async updateComment(pr, id, body) {
      await run(`updating comment ${id} of pull request #${pr}`, () => octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body }));
    },
    async mergeRequest(number) {
      const { data } = await run(`reading pull request #${number}`, () => octokit.rest.pulls.get({ owner, repo, pull_number: number }));
      return toMergeRequest(data as GithubPull);
    },
    async approvers(number) {
      const reviews = await run(`listing the reviews of pull request #${number}`, () => octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: number, per_page: 100 }));
      const latest = new Map<string, string>();
      for (const r of reviews) {
        const login = r.user?.login;
        // A comment-only review leaves an earlier approval standing.
        if (login && r.state !== 'COMMENTED' && r.state !== 'PENDING') latest.set(login, r.state);
      }
      return [...latest].filter(([, state]) => state === 'APPROVED').map(([login]) => login);
    },
    async mergeRequestsOfCommit(sha) {
      const { data } = await run(`listing the pull requests of commit ${sha.slice(0, 12)}`, () => octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha }));
      return (data as GithubPull[]).map(toMergeRequest);
    },
    async openIssues(label) {
      const all = await run(`listing open issues labelled ${label}`, () => octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: 'open', labels: label, per_page: 100 }));
      // The issues endpoint lists pull requests too.
      return all.filter((i) => !i.pull_request).map((i): Issue => ({ number: i.number, title: i.title, body: i.body ?? '', url: i.html_url }));
    },
    async createIssue(title, body, labels) {
      const { data } = await run('creating an issue', () => octokit.rest.issues.create({ owner, repo, title, body, labels: [...labels] }));
      return { number: data.number, title: data.title, body: data.body ?? '', url: data.html_url };
    },
    async updateIssue(number, body) {
      await run(`updating issue #${number}`, () => octokit.rest.issues.update({ owner, repo, issue_number: number, body }));
    },
    async commentIssue(number, body) {
      await run(`commenting on issue #${number}`, () => octokit.rest.issues.createComment({ owner, repo, issue_number: number, body }));
    },
    async closeIssue(number) {
      await run(`closing issue #${number}`, () => octokit.rest.issues.update({ owner, repo, issue_number: number, state: 'closed', state_reason: 'completed' }));
    },
  };
}
