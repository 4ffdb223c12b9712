/**
 * The CI platforms' standard variables, read in one place. Each command asks for the
 * variables it needs; every missing or malformed one is reported at once, with what sets it.
 *
 * GitLab (https://docs.gitlab.com/ci/variables/predefined_variables/): `CI_API_V4_URL`,
 * `CI_PROJECT_ID`, `CI_MERGE_REQUEST_IID` (merge request pipelines only), `CI_COMMIT_SHA`,
 * and the token in `GITLAB_TOKEN` (a masked project access token: the job token cannot write
 * notes or issues).
 * GitHub (https://docs.github.com/actions/reference/variables-reference): `GITHUB_API_URL`,
 * `GITHUB_REPOSITORY` (`owner/name`), `GITHUB_EVENT_PATH` (the event JSON; `pull_request`
 * events carry the pull request), `GITHUB_SHA`, and `GITHUB_TOKEN`.
 *
 * The token is kept here and handed to the client library only; nothing prints it.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../../lib/errors';

export type PlatformName = 'gitlab' | 'github';
export const PLATFORMS: readonly PlatformName[] = ['gitlab', 'github'];

/** What a command needs beyond the API address, the project and the token. */
export interface Needs {
  /** The merge/pull request the pipeline runs for. */
  readonly mergeRequest?: boolean;
  /** The commit the pipeline runs for. */
  readonly commit?: boolean;
}

export interface CiContext {
  readonly platform: PlatformName;
  /** GitLab: `CI_API_V4_URL`; GitHub: `GITHUB_API_URL`. */
  readonly apiUrl: string;
  /** GitLab: the project id; GitHub: `owner/name`. */
  readonly project: string;
  readonly token: string;
  readonly mergeRequest?: number;
  readonly commit?: string;
}

/** Thrown when a variable is missing or malformed; lists all of them. */
export class CiEnvironmentError extends UserError {}

/** Parses `--platform`. */
export function parsePlatform(raw: string | undefined): PlatformName {
  if (raw === 'gitlab' || raw === 'github') return raw;
  throw new UserError(`--platform: must be gitlab or github, got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}. Use gitlab in .gitlab-ci.yml and github in .github/workflows.`);
}

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n > 0 ? n : undefined;
}

/** Reads the context of `platform` from `env`; throws a {@link CiEnvironmentError} listing every problem. */
export function readCiContext(platform: PlatformName, needs: Needs = {}, env: NodeJS.ProcessEnv = process.env): CiContext {
  const problems: string[] = [];
  const need = (name: string, what: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set: ${what}`);
    return value ?? '';
  };
  if (platform === 'gitlab') {
    const apiUrl = need('CI_API_V4_URL', 'GitLab sets it in every job (the API root, ending in /api/v4).');
    if (apiUrl && !/^https?:\/\/.+\/api\/v4\/?$/.test(apiUrl)) problems.push(`CI_API_V4_URL must be an http(s) URL ending in /api/v4, got ${JSON.stringify(apiUrl)}.`);
    const project = need('CI_PROJECT_ID', 'GitLab sets it in every job.');
    const token = need('GITLAB_TOKEN', 'add a project access token (scope api, role Developer) as a masked, protected CI/CD variable named GITLAB_TOKEN.');
    let mergeRequest: number | undefined;
    if (needs.mergeRequest) {
      const raw = need('CI_MERGE_REQUEST_IID', 'GitLab sets it only in merge request pipelines (rules: if $CI_PIPELINE_SOURCE == "merge_request_event").');
      mergeRequest = positiveInteger(raw);
      if (raw && mergeRequest === undefined) problems.push(`CI_MERGE_REQUEST_IID must be a positive whole number, got ${JSON.stringify(raw)}.`);
    }
    const commit = needs.commit ? need('CI_COMMIT_SHA', 'GitLab sets it in every job.') : undefined;
    if (problems.length) throw envError('GitLab', problems);
    return { platform, apiUrl: apiUrl.replace(/\/+$/, ''), project, token, ...(mergeRequest ? { mergeRequest } : {}), ...(commit ? { commit } : {}) };
  }
  const apiUrl = need('GITHUB_API_URL', 'GitHub Actions sets it in every job (https://api.github.com, or the server\'s /api/v3).');
  if (apiUrl && !/^https?:\/\/\S+$/.test(apiUrl)) problems.push(`GITHUB_API_URL must be an http(s) URL, got ${JSON.stringify(apiUrl)}.`);
  const project = need('GITHUB_REPOSITORY', 'GitHub Actions sets it in every job (owner/name).');
  if (project && !/^[\w.-]+\/[\w.-]+$/.test(project)) problems.push(`GITHUB_REPOSITORY must be owner/name, got ${JSON.stringify(project)}.`);
  const token = need('GITHUB_TOKEN', 'pass it to the step: env: { GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} }, with the permissions the job needs.');
  let mergeRequest: number | undefined;
  if (needs.mergeRequest) {
    const path = need('GITHUB_EVENT_PATH', 'GitHub Actions sets it in every job (the event JSON).');
    if (path) {
      mergeRequest = pullRequestOfEvent(path, problems);
    }
  }
  const commit = needs.commit ? need('GITHUB_SHA', 'GitHub Actions sets it in every job.') : undefined;
  if (problems.length) throw envError('GitHub', problems);
  return { platform, apiUrl: apiUrl.replace(/\/+$/, ''), project, token, ...(mergeRequest ? { mergeRequest } : {}), ...(commit ? { commit } : {}) };
}

function pullRequestOfEvent(path: string, problems: string[]): number | undefined {
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    problems.push(`GITHUB_EVENT_PATH ${JSON.stringify(path)}: cannot read the event JSON (${(e as Error).message.split('\n')[0]}).`);
    return undefined;
  }
  const pr = (event as { pull_request?: { number?: unknown } } | null)?.pull_request;
  const n = typeof pr?.number === 'number' && Number.isInteger(pr.number) && pr.number > 0 ? pr.number : undefined;
  if (n === undefined) problems.push(`GITHUB_EVENT_PATH ${JSON.stringify(path)}: the event has no pull_request.number; run this step on pull_request events only (on: pull_request).`);
  return n;
}

function envError(platform: string, problems: readonly string[]): CiEnvironmentError {
  return new CiEnvironmentError(`${platform} CI variables: ${problems.length} problem${problems.length === 1 ? '' : 's'}.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
