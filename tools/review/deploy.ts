/**
 * `npm run deploy -- --env <name>`: applies the saved plans of an environment, in parallel by
 * their dependencies (tools/review/schedule.ts). Before applying anything it checks every plan:
 * the plan files exist, the synthesized stacks are still the ones planned (same hash), and the
 * guard allows every stateful delete or replace (tools/review/guard.ts). Then each stack is
 * applied as soon as the stacks it depends on are; after a failure no stack starts (the running
 * ones finish), and the summary says what was applied and what was not. Applied stacks are
 * recorded in the index, so running deploy again does not re-apply them. Stacks applied by an
 * earlier deploy count as done: dependencies outside the pending set are not waited for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../lib/hash';
import { ReviewError } from './errors';
import { formatAllowances, formatRefusal, guardPlans, parseAllowances, type GuardResult } from './guard';
import { needsInit, runInit } from './init-record';
import { readPlanJson } from './plan-render';
import { planDir, readPlanSet, writePlanSet, type PlanSetStack } from './plan-set';
import { plainProgress, type Progress } from './progress';
import { defaultParallelism, describeSchedule, runGraph, scheduleOf, seconds } from './schedule';
import * as tf from './terraform';
import type { TerraformOptions } from './terraform';

export interface DeployOptions {
  readonly environment: string;
  /** `<stack>:<address>` of stateful resources that may be deleted or replaced. */
  readonly allowDestroy?: readonly string[];
  /** @default "plans" */
  readonly plansRoot?: string;
  readonly terraform?: TerraformOptions;
  readonly log?: (line: string) => void;
  /** A live view (tools/review/progress.ts); replaces `log` when given. */
  readonly progress?: Progress;
  /** Stacks applied at once. @default the number of cores */
  readonly parallelism?: number;
}

export interface DeployOutcome {
  /** `refused`: the guard stopped it, nothing applied; `failed`: a stack failed to apply. */
  readonly status: 'applied' | 'refused' | 'failed';
  readonly applied: readonly string[];
  /** Stacks with nothing to apply, or applied by an earlier deploy. */
  readonly skipped: readonly string[];
  /** The first stack that failed (it stopped the run). */
  readonly failed?: { readonly stack: string; readonly error: string };
  /** Every stack that failed: the first, and any that were running then and failed too. */
  readonly failures: readonly { readonly stack: string; readonly error: string }[];
  readonly notApplied: readonly string[];
  readonly guard?: GuardResult;
  /** Human summary, several lines. */
  readonly summary: string;
}

/** Checks that a stack's plan can still be applied; returns the problem, if any. */
function staleness(s: PlanSetStack): string | undefined {
  if (!existsSync(s.planFile)) return `${s.name}: the plan file ${s.planFile} is missing`;
  const config = join(s.workingDirectory, 'cdk.tf.json');
  if (!existsSync(config)) return `${s.name}: ${config} is missing (the synthesized folder moved or was removed)`;
  if (sha256(readFileSync(config, 'utf8')) !== s.configSha256) return `${s.name}: ${config} changed since the plan was made (synthesized again with other code)`;
  return undefined;
}

export async function deployEnvironment(options: DeployOptions): Promise<DeployOutcome> {
  const progress = options.progress ?? plainProgress(options.log ?? (() => undefined));
  const log = progress.line;
  const dir = planDir(options.plansRoot ?? 'plans', options.environment);
  const set = readPlanSet(dir, options.environment);
  const allowances = parseAllowances(options.allowDestroy ?? [], set.stacks.map((s) => s.name));
  const pending = set.stacks.filter((s) => s.status !== 'applied');
  const failedBefore = pending.filter((s) => s.status === 'failed');
  if (failedBefore.length > 0) {
    throw new ReviewError(
      `${join(dir, 'plan-set.json')}: the apply of ${failedBefore.map((s) => s.name).join(', ')} failed in an earlier deploy, so its saved plan no longer matches the state. ` +
        `Run npm run plan -- --env ${options.environment} again, review it, then deploy.`,
    );
  }

  // 1. Everything is checked before anything is applied.
  const stale = pending.map(staleness).filter((p): p is string => p !== undefined);
  if (stale.length > 0) {
    throw new ReviewError(
      `The saved plans of ${options.environment} are out of date; nothing was applied:\n${stale.map((p) => `  - ${p}`).join('\n')}\n` +
        `Run npm run plan -- --env ${options.environment} again (after npm run synth if the code changed), review it, then deploy.`,
    );
  }
  const plans = new Map(pending.map((s) => [s.name, readPlanJson(s.jsonFile)]));
  const guard = guardPlans(pending.map((s) => ({ stack: s.name, plan: plans.get(s.name)!, stateful: s.stateful })), allowances);
  for (const line of formatAllowances(guard)) log(line);
  const skippedEarlier = set.stacks.filter((s) => s.status === 'applied').map((s) => s.name);
  if (!guard.ok) {
    progress.close();
    return { status: 'refused', applied: [], skipped: skippedEarlier, notApplied: pending.map((s) => s.name), failures: [], guard, summary: formatRefusal(guard) };
  }

  // 2. Apply in parallel by dependencies; no stack starts after a failure.
  const binary = options.terraform?.binary ?? set.binary;
  const tfOptions: TerraformOptions = { ...options.terraform, binary };
  const parallelism = options.parallelism ?? defaultParallelism();
  const pendingSchedule = scheduleOf(pending);
  for (const line of describeSchedule(pendingSchedule, parallelism, 'applied')) log(line);
  const skipped: string[] = [...skippedEarlier];
  for (const name of skippedEarlier) log(`${name}: applied by an earlier deploy, skipped`);
  const byName = new Map(pending.map((s) => [s.name, s]));
  const tagOf = (name: string): string => `[${pendingSchedule.order.indexOf(name) + 1}/${pending.length}] ${name}`;
  const applyOne = async (name: string): Promise<'applied' | 'skipped'> => {
    const s = byName.get(name)!;
    const tag = tagOf(name);
    if (!s.hasChanges) {
      log(`${tag}: no changes, nothing to apply`);
      s.status = 'applied';
      s.appliedAt = new Date().toISOString();
      writePlanSet(dir, set);
      return 'skipped';
    }
    const t0 = Date.now();
    try {
      const init = await needsInit(s.workingDirectory, tfOptions);
      log(`${tag}: ${binary} init (${init.run ? init.reason : 'up to date, skipped'})`);
      await runInit(s.workingDirectory, init, tfOptions);
      log(`${tag}: ${binary} apply`);
      await tf.apply(s.workingDirectory, s.planFile, tfOptions);
    } catch (e) {
      s.status = 'failed';
      writePlanSet(dir, set);
      log(`${tag}: failed (${seconds(Date.now() - t0)})`);
      throw e;
    }
    s.status = 'applied';
    s.appliedAt = new Date().toISOString();
    writePlanSet(dir, set);
    log(`${tag}: applied (${seconds(Date.now() - t0)})`);
    return 'applied';
  };
  const run = await runGraph(pendingSchedule, { parallelism, run: applyOne, onChange: progress.update });
  progress.close();
  // Lists keep the dependency order, whatever order the stacks finished in.
  const finished = new Map(run.completed.map((c) => [c.name, c.result]));
  const applied = pendingSchedule.order.filter((n) => finished.get(n) === 'applied');
  skipped.push(...pendingSchedule.order.filter((n) => finished.get(n) === 'skipped'));
  if (run.failed.length > 0) {
    const failures = run.failed.map((f) => ({ stack: f.name, error: f.error instanceof Error ? f.error.message : String(f.error) }));
    const notApplied = run.notStarted;
    const names = failures.map((f) => f.stack);
    const summary = [
      `Deploy of ${options.environment} stopped: ${names.join(', ')} failed to apply; no stack started after that.`,
      `  applied: ${applied.join(', ') || 'none'}`,
      `  failed: ${names.join(', ')} (${names.length > 1 ? 'they' : 'it'} may be partly applied; Terraform's state records what was done)`,
      `  not applied: ${notApplied.join(', ') || 'none'}`,
      `Fix the cause, then run npm run plan -- --env ${options.environment} and deploy again.`,
    ].join('\n');
    return { status: 'failed', applied, skipped, failed: failures[0], failures, notApplied, guard, summary };
  }
  const summary = `Deployed ${options.environment}: applied ${applied.join(', ') || 'nothing'}${skipped.length ? `; skipped (no changes or applied earlier): ${skipped.join(', ')}` : ''}.`;
  return { status: 'applied', applied, skipped, notApplied: [], failures: [], guard, summary };
}
