/**
 * `npm run deploy -- --env <name>`: applies the saved plans of an environment in dependency
 * order. Before applying anything it checks every plan: the plan files exist, the synthesized
 * stacks are still the ones planned (same hash), and the guard allows every stateful delete
 * or replace (tools/review/guard.ts). Then it applies stack by stack and stops at the first
 * failure, saying what was applied and what was not. Applied stacks are recorded in the
 * index, so running deploy again does not re-apply them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewError } from './errors';
import { formatAllowances, formatRefusal, guardPlans, parseAllowances, type GuardResult } from './guard';
import { readPlanJson } from './plan-render';
import { planDir, readPlanSet, sha256, writePlanSet, type PlanSetStack } from './plan-set';
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
}

export interface DeployOutcome {
  /** `refused`: the guard stopped it, nothing applied; `failed`: a stack failed to apply. */
  readonly status: 'applied' | 'refused' | 'failed';
  readonly applied: readonly string[];
  /** Stacks with nothing to apply, or applied by an earlier deploy. */
  readonly skipped: readonly string[];
  readonly failed?: { readonly stack: string; readonly error: string };
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
  const log = options.log ?? (() => undefined);
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
    return { status: 'refused', applied: [], skipped: skippedEarlier, notApplied: pending.map((s) => s.name), guard, summary: formatRefusal(guard) };
  }

  // 2. Apply in order; stop at the first failure.
  const binary = options.terraform?.binary ?? set.binary;
  const tfOptions: TerraformOptions = { ...options.terraform, binary };
  const applied: string[] = [];
  const skipped: string[] = [...skippedEarlier];
  for (const name of skippedEarlier) log(`${name}: applied by an earlier deploy, skipped`);
  for (const [i, s] of pending.entries()) {
    const tag = `[${i + 1}/${pending.length}] ${s.name}`;
    if (!s.hasChanges) {
      log(`${tag}: no changes, nothing to apply`);
      s.status = 'applied';
      s.appliedAt = new Date().toISOString();
      skipped.push(s.name);
      writePlanSet(dir, set);
      continue;
    }
    const t0 = Date.now();
    try {
      if (!existsSync(join(s.workingDirectory, '.terraform'))) {
        log(`${tag}: ${binary} init (the stack folder was synthesized again since the plan)`);
        await tf.init(s.workingDirectory, tfOptions);
      }
      log(`${tag}: ${binary} apply`);
      await tf.apply(s.workingDirectory, s.planFile, tfOptions);
    } catch (e) {
      s.status = 'failed';
      writePlanSet(dir, set);
      const notApplied = pending.slice(i + 1).map((p) => p.name);
      const error = (e as Error).message;
      const summary = [
        `Deploy of ${options.environment} stopped: ${s.name} failed to apply.`,
        `  applied: ${applied.join(', ') || 'none'}`,
        `  failed: ${s.name} (it may be partly applied; Terraform's state records what was done)`,
        `  not applied: ${notApplied.join(', ') || 'none'}`,
        `Fix the cause, then run npm run plan -- --env ${options.environment} and deploy again.`,
      ].join('\n');
      return { status: 'failed', applied, skipped, failed: { stack: s.name, error }, notApplied, guard, summary };
    }
    s.status = 'applied';
    s.appliedAt = new Date().toISOString();
    writePlanSet(dir, set);
    applied.push(s.name);
    log(`${tag}: applied (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const summary = `Deployed ${options.environment}: applied ${applied.join(', ') || 'nothing'}${skipped.length ? `; skipped (no changes or applied earlier): ${skipped.join(', ')}` : ''}.`;
  return { status: 'applied', applied, skipped, notApplied: [], guard, summary };
}
