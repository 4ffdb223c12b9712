/**
 * {@link CiPlatform} for GitLab, on @gitbeaker/rest (the maintained GitLab REST client):
 * merge request notes, the merge request and its approvals, the merge requests of a commit,
 * and issues. The API root comes from `CI_API_V4_URL`; the client wants the host without
 * `/api/v4`, and adds it back.
 */
import { Commits, Issues, IssueNotes, MergeRequestApprovals, MergeRequestNotes, MergeRequests } from '@gitbeaker/rest';
import type { CiContext } from './env';
import { call, type CiPlatform, type Issue, type MergeRequest, type Note } from './platform';

interface GitlabMergeRequest {
  iid: number;
  description?: string | null;
  state: string;
  author?: { username?: string } | null;
  web_url?: string;
}

interface GitlabIssue {
  iid: number;
  title: string;
  description?: string | null;
  web_url?: string;
}

function toMergeRequest(mr: GitlabMergeRequest): MergeRequest {
  const state = mr.state === 'merged' ? 'merged' : mr.state === 'opened' ? 'open' : 'closed';
  return { number: mr.iid, description: mr.description ?? '', author: mr.author?.username ?? '', state, ...(mr.web_url ? { url: mr.web_url } : {}) };
}

function toIssue(i: GitlabIssue): Issue {
  return { number: i.iid, title: i.title, body: i.description ?? '', ...(i.web_url ? { url: i.web_url } : {}) };
}

export function gitlabPlatform(context: CiContext): CiPlatform {
  const options = { host: context.apiUrl.replace(/\/api\/v4\/?$/, ''), token: context.token };
  const notes = new MergeRequestNotes(options);
  const mergeRequests = new MergeRequests(options);
  const approvals = new MergeRequestApprovals(options);
  const commits = new Commits(options);
  const issues = new Issues(options);
  const issueNotes = new IssueNotes(options);
  const project = context.project;
  const run = <T>(what: string, fn: () => Promise<T>): Promise<T> => call('gitlab', context, what, fn);

  return {
    name: 'gitlab',
    async listComments(mr) {
      const all = (await run(`listing the notes of merge request !${mr}`, () => notes.all(project, mr, { perPage: 100 }))) as unknown as Array<{ id: number; body: string; system?: boolean }>;
      return all.filter((n) => !n.system).map((n) => ({ id: n.id, body: n.body }));
    },
    async createComment(mr, body) {
      const n = (await run(`creating a note on merge request !${mr}`, () => notes.create(project, mr, body))) as unknown as { id: number; body: string };
      return { id: n.id, body: n.body } satisfies Note;
    },
    async updateComment(mr, id, body) {
      await run(`updating note ${id} of merge request !${mr}`, () => notes.edit(project, mr, id, { body }));
    },
    async mergeRequest(number) {
      const mr = (await run(`reading merge request !${number}`, () => mergeRequests.show(project, number))) as unknown as GitlabMergeRequest;
      return toMergeRequest(mr);
    },
    async approvers(number) {
      const state = (await run(`reading the approvals of merge request !${number}`, () => approvals.showConfiguration(project, { mergerequestIId: number }))) as unknown as {
        approved_by?: Array<{ user?: { username?: string } }>;
      };
      return (state.approved_by ?? []).map((a) => a.user?.username ?? '').filter(Boolean);
    },
    async mergeRequestsOfCommit(sha) {
      const list = (await run(`listing the merge requests of commit ${sha.slice(0, 12)}`, () => commits.allMergeRequests(project, sha))) as unknown as GitlabMergeRequest[];
      return list.map(toMergeRequest);
    },
    async openIssues(label) {
      const list = (await run(`listing open issues labelled ${label}`, () => issues.all({ projectId: project, state: 'opened', labels: label, perPage: 100 }))) as unknown as GitlabIssue[];
      return list.map(toIssue);
    },
    async createIssue(title, body, labels) {
      const i = (await run('creating an issue', () => issues.create(project, title, { description: body, labels: labels.join(',') }))) as unknown as GitlabIssue;
      return toIssue(i);
    },
    async updateIssue(number, body) {
      await run(`updating issue #${number}`, () => issues.edit(project, number, { description: body }));
    },
    async commentIssue(number, body) {
      await run(`commenting on issue #${number}`, () => issueNotes.create(project, number, body));
    },
    async closeIssue(number) {
      await run(`closing issue #${number}`, () => issues.edit(project, number, { stateEvent: 'close' }));
    },
  };
}
