/**
 * One issue per environment while it drifts (`npm run drift-issue`): the scheduled drift job
 * opens it when `npm run drift` finds drift, edits it in place while the drift changes (no
 * write while it stays the same, so watchers are not notified every night), and closes it
 * with a comment once a check finds none. The issue is found again by its label and a hidden
 * marker naming the environment, as the review comment is (tools/ci/comment.ts).
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../../lib/errors';
import { markerOf, sameBody } from './comment';
import { renderDrift, type DriftResult } from './drift';
import type { CiPlatform } from './platform';

/** The label every drift issue carries (GitLab creates it on first use; GitHub too). */
export const DRIFT_LABEL = 'drift';

/** Reads drift.json as `npm run drift` writes it; errors name the file and the fix. */
export function readDriftResult(file: string): DriftResult {
  const fix = 'Pass the drift.json written by npm run drift -- --env <name> (in <plans>/<env>/).';
  let value: Partial<DriftResult>;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as Partial<DriftResult>;
  } catch (e) {
    throw new UserError(`--report ${file}: cannot read it as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). ${fix}`);
  }
  if (value?.kind !== 'drift' || value.schemaVersion !== 1 || typeof value.environment !== 'string' || typeof value.drifted !== 'boolean' || !value.report) {
    throw new UserError(`--report ${file}: not a drift result (expected kind "drift", schemaVersion 1, environment, drifted, report). ${fix}`);
  }
  return value as DriftResult;
}

export interface DriftIssueOptions {
  readonly limit: number;
  readonly fullReportPath?: string;
  readonly artifactUrl?: string;
  /** @default DRIFT_LABEL */
  readonly label?: string;
}

export type DriftIssueAction = 'opened' | 'updated' | 'unchanged' | 'closed' | 'none';

export interface DriftIssueOutcome {
  readonly action: DriftIssueAction;
  readonly number?: number;
  readonly url?: string;
}

/** Opens, updates, leaves or closes the environment's drift issue to match `result`. */
export async function syncDriftIssue(platform: CiPlatform, result: DriftResult, options: DriftIssueOptions): Promise<DriftIssueOutcome> {
  const label = options.label ?? DRIFT_LABEL;
  const marker = markerOf(result.environment, 'drift');
  const open = (await platform.openIssues(label)).filter((i) => i.body.startsWith(marker)).sort((a, b) => a.number - b.number);
  const issue = open[0];
  if (!result.drifted) {
    if (!issue) return { action: 'none' };
    await platform.commentIssue(issue.number, `The drift check of ${result.checkedAt} found no drift in ${result.environment}: every stack matches the code. Closing.`);
    await platform.closeIssue(issue.number);
    return { action: 'closed', number: issue.number, ...(issue.url ? { url: issue.url } : {}) };
  }
  const text = renderDrift(result, { limit: options.limit, fullReportPath: options.fullReportPath, artifactUrl: options.artifactUrl }).text;
  const body = `${marker}\n${text}`;
  if (!issue) {
    const created = await platform.createIssue(`Drift in ${result.environment}`, body, [label]);
    return { action: 'opened', number: created.number, ...(created.url ? { url: created.url } : {}) };
  }
  if (sameBody(issue.body, body)) return { action: 'unchanged', number: issue.number, ...(issue.url ? { url: issue.url } : {}) };
  await platform.updateIssue(issue.number, body);
  return { action: 'updated', number: issue.number, ...(issue.url ? { url: issue.url } : {}) };
}
