/**
 * `npm run drift -- --env <name>`: does the environment still match the code? Every stack is
 * planned with refresh (`npm run plan`'s planEnvironment, which refreshes by default) and the
 * result is read two ways:
 *
 * - **changed outside Terraform**: the plan's `resource_drift`, objects whose real state no
 *   longer matches Terraform's state (edited by hand, by an operator, by another tool);
 * - **pending changes**: what an apply of this code would do now. On the default branch, after
 *   a deploy, that is nothing; anything else means the state was changed out of band (a
 *   resource removed from state, an apply of other code from a laptop) or merged code is not
 *   deployed yet.
 *
 * Either one is drift. The report goes through the same renderer as `npm run plan`
 * (tools/review/markdown.ts), under a drift summary. The plans made on the way are deleted
 * afterwards: they were never reviewed, so nothing must deploy them, and they hold unmasked
 * values.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeCounts, renderMarkdown, type Rendered } from '../review/markdown';
import { addCounts, emptyCounts, hasChanges, type Counts, type ReviewReport } from '../review/model';
import { planEnvironment, type PlanOptions } from '../review/plan-run';
import { PLAN_SET_FILE } from '../review/plan-set';

export interface DriftOptions extends Pick<PlanOptions, 'environment' | 'stacks' | 'synthesizedDir' | 'terraform' | 'log'> {
  /** Where the plans are made (`<plansRoot>/<env>/`), apart from `npm run plan`'s. @default "drift" */
  readonly plansRoot?: string;
}

export interface DriftStack {
  readonly name: string;
  /** Resources Terraform found changed outside it (`resource_drift`). */
  readonly changedOutside: number;
  /** What an apply would do. */
  readonly pending: Counts;
  /** Output changes an apply would make. */
  readonly pendingOutputs: number;
  readonly drifted: boolean;
}

/** What `npm run drift` writes to drift.json, and what `npm run drift-issue` reads. */
export interface DriftResult {
  readonly schemaVersion: 1;
  readonly kind: 'drift';
  readonly environment: string;
  readonly checkedAt: string;
  readonly drifted: boolean;
  readonly stacks: readonly DriftStack[];
  /** The plan report, as `npm run plan -- --format json` gives it (values masked). */
  readonly report: ReviewReport;
}

/** Reads drift out of a plan report. */
export function driftOf(report: ReviewReport, environment: string, checkedAt: string = new Date().toISOString()): DriftResult {
  const stacks = report.stacks.map((s): DriftStack => {
    const changedOutside = s.drift.length;
    const pendingOutputs = s.settings.length;
    const drifted = changedOutside > 0 || s.changes.length > 0 || pendingOutputs > 0 || s.status === 'errored';
    return { name: s.name, changedOutside, pending: s.counts, pendingOutputs, drifted };
  });
  return { schemaVersion: 1, kind: 'drift', environment, checkedAt, drifted: stacks.some((s) => s.drifted), stacks, report };
}

/** Checks the environment: plans with refresh, reads drift, deletes the plans. */
export async function checkDrift(options: DriftOptions): Promise<DriftResult> {
  const plansRoot = options.plansRoot ?? 'drift';
  const outcome = await planEnvironment({ ...options, plansRoot });
  for (const s of outcome.planSet.stacks) {
    rmSync(s.planFile, { force: true });
    rmSync(s.jsonFile, { force: true });
  }
  rmSync(join(outcome.dir, PLAN_SET_FILE), { force: true });
  return driftOf(outcome.report, options.environment);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The summary above the plan report. */
export function driftHeadline(result: DriftResult): string {
  const total = result.stacks.length;
  if (!result.drifted) {
    return `No drift: the ${plural(total, 'stack')} of ${result.environment} match the code, and Terraform found nothing changed outside it.`;
  }
  const drifted = result.stacks.filter((s) => s.drifted);
  const outside = drifted.reduce((n, s) => n + s.changedOutside, 0);
  const pending = emptyCounts();
  for (const s of drifted) addCounts(pending, s.pending);
  const outputs = drifted.reduce((n, s) => n + s.pendingOutputs, 0);
  const parts = [
    outside > 0 ? `${plural(outside, 'resource')} changed outside Terraform` : undefined,
    hasChanges(pending) ? `pending: ${describeCounts(pending)}` : undefined,
    outputs > 0 ? `${plural(outputs, 'output change')} pending` : undefined,
    drifted.some((s) => result.report.stacks.find((r) => r.name === s.name)?.status === 'errored') ? 'a plan errored' : undefined,
  ].filter(Boolean);
  return `**Drift in ${drifted.length} of ${plural(total, 'stack')} of ${result.environment}:** ${parts.join('; ')}.`;
}

const WHAT_TO_DO =
  '_Changed outside Terraform_: someone or something edited the real object; the next deploy puts the configuration back. ' +
  '_Pending_: applying the code on this branch would change these (state edited by hand, an apply of other code, or merged code not deployed yet). ' +
  'See docs/review-workflow.md, "For the on-call engineer: the drift issue".';

/**
 * Renders the result: the drift summary, then the plan report through the review renderer,
 * all within `limit` (Infinity for the full report).
 */
export function renderDrift(result: DriftResult, options: { readonly limit: number; readonly fullReportPath?: string; readonly artifactUrl?: string }): Rendered {
  const head = `### Drift check: ${result.environment}\n\n${driftHeadline(result)}\n\n${result.drifted ? `${WHAT_TO_DO}\n\n` : ''}`;
  // A stack whose only news is drift has status "unchanged", which the renderer folds away; a
  // note keeps it (and its "Changed outside Terraform" list) in the details.
  const report: ReviewReport = {
    ...result.report,
    title: `Plan with refresh: ${result.environment}`,
    stacks: result.report.stacks.map((s) => (s.drift.length > 0 ? { ...s, notes: [...s.notes, `${plural(s.drift.length, 'resource')} changed outside Terraform.`] } : s)),
  };
  const body = renderMarkdown(report, { limit: options.limit === Infinity ? Infinity : options.limit - head.length - 1, fullReportPath: options.fullReportPath, artifactUrl: options.artifactUrl });
  return { text: `${head}${body.text.replace(/^### /, '#### ')}`, truncated: body.truncated };
}
