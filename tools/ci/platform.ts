/**
 * What the CI commands need from GitLab or GitHub, as one small interface: the comments of a
 * merge/pull request, the request itself (description, author, approvals), the request a
 * commit was merged by, and issues. `connect()` returns the implementation for the platform,
 * built on its maintained client library (tools/ci/gitlab.ts: @gitbeaker/rest; github.ts:
 * @octokit/rest).
 *
 * Errors: every failed call becomes a {@link CiApiError} that says what was being done, the
 * HTTP status and the server's message, with a hint per status, and never the token: the
 * client libraries' own errors carry the request, headers included, so they are never printed.
 */
import { UserError } from '../../lib/errors';
import type { CiContext, PlatformName } from './env';

/** A comment on a merge/pull request or an issue. */
export interface Note {
  readonly id: number;
  readonly body: string;
}

export interface MergeRequest {
  readonly number: number;
  readonly description: string;
  readonly author: string;
  readonly state: 'open' | 'merged' | 'closed';
  readonly url?: string;
}

export interface Issue {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly url?: string;
}

export interface CiPlatform {
  readonly name: PlatformName;
  /** The comments of a merge/pull request (all pages; GitLab system notes left out). */
  listComments(mergeRequest: number): Promise<Note[]>;
  createComment(mergeRequest: number, body: string): Promise<Note>;
  updateComment(mergeRequest: number, id: number, body: string): Promise<void>;
  mergeRequest(number: number): Promise<MergeRequest>;
  /** Users who approved (GitLab approvals; GitHub reviews whose latest state is APPROVED). */
  approvers(mergeRequest: number): Promise<string[]>;
  /** The merge/pull requests a commit belongs to (the merged one, for a commit on the default branch). */
  mergeRequestsOfCommit(sha: string): Promise<MergeRequest[]>;
  /** Open issues with this label. */
  openIssues(label: string): Promise<Issue[]>;
  createIssue(title: string, body: string, labels: readonly string[]): Promise<Issue>;
  updateIssue(number: number, body: string): Promise<void>;
  commentIssue(number: number, body: string): Promise<void>;
  closeIssue(number: number): Promise<void>;
}

/** A failed API call, in words, without the token. */
export class CiApiError extends UserError {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'CiApiError';
  }
}

const LABEL: Record<PlatformName, string> = { gitlab: 'GitLab', github: 'GitHub' };

function hint(platform: PlatformName, status: number | undefined): string {
  const token = platform === 'gitlab' ? 'GITLAB_TOKEN' : 'GITHUB_TOKEN';
  switch (status) {
    case 401:
      return `The token in ${token} was refused: it is wrong, expired or revoked. Replace the CI/CD ${platform === 'gitlab' ? 'variable' : 'secret'}.`;
    case 403:
      return platform === 'gitlab'
        ? 'The token lacks a permission: a project access token needs scope api and at least the Developer role.'
        : 'The token lacks a permission: give the job permissions: pull-requests: write, issues: write (and contents: read).';
    case 404:
      return platform === 'gitlab'
        ? 'Not found: check CI_PROJECT_ID and CI_MERGE_REQUEST_IID, and that the token can see the project.'
        : 'Not found: check GITHUB_REPOSITORY and the pull request number, and that the token can see the repository.';
    case 422:
      return 'The server refused the content (too long, or malformed).';
    case 429:
      return 'Rate limited: run the job again later.';
    default:
      return status !== undefined && status >= 500 ? `${LABEL[platform]} failed on its side: run the job again; if it persists, check the server's status.` : '';
  }
}

/** Removes every occurrence of the secrets from a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** The HTTP status and the server's message of a client library error, whichever library threw it. */
function statusAndMessage(error: unknown): { status?: number; message: string } {
  const e = error as {
    status?: unknown;
    message?: unknown;
    response?: { data?: { message?: unknown } } | null;
    cause?: { description?: unknown; response?: { status?: unknown }; code?: unknown };
  };
  // @gitbeaker: GitbeakerRequestError { cause: { description, response } }
  if (typeof e?.cause?.response?.status === 'number') {
    return { status: e.cause.response.status, message: typeof e.cause.description === 'string' ? e.cause.description : String(e.message ?? '') };
  }
  // @octokit: RequestError { status, response.data.message }; a request that got no response
  // (connection refused, DNS) is a RequestError with status 500 and no response.
  if (typeof e?.status === 'number' && e.response) {
    const m = e.response?.data?.message;
    return { status: e.status, message: typeof m === 'string' ? m : String(e.message ?? '') };
  }
  // fetch failures: TypeError('fetch failed') { cause: { code: 'ECONNREFUSED' } }
  const code = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return { message: `${String(e?.message ?? error)}${code}` };
}

/**
 * Turns whatever a client library threw into a {@link CiApiError}: what was being done, the
 * status, the server's message (one line, at most 300 characters) and a hint; the token is
 * removed even if the server echoed it.
 */
export function apiError(platform: PlatformName, what: string, error: unknown, context: Pick<CiContext, 'token' | 'apiUrl'>): CiApiError {
  const { status, message } = statusAndMessage(error);
  const oneLine = message.replace(/\s+/g, ' ').trim().slice(0, 300);
  const head = status !== undefined ? `${LABEL[platform]} API: ${what} failed with HTTP status ${status}` : `${LABEL[platform]} API: ${what} failed: cannot reach ${context.apiUrl}`;
  const text = `${head}${oneLine ? ` (${oneLine})` : ''}. ${hint(platform, status)}`.trim();
  return new CiApiError(redact(text, [context.token]), status);
}

/** Runs one API call; any error becomes a {@link CiApiError}. */
export async function call<T>(platform: PlatformName, context: Pick<CiContext, 'token' | 'apiUrl'>, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CiApiError) throw error;
    throw apiError(platform, what, error, context);
  }
}
