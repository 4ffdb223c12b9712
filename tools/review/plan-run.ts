/**
 * `npm run plan -- --env <name>`: plans every stack of an environment, in parallel by dependencies, with
 * Terraform (or OpenTofu), saves each plan and its JSON under `plans/<env>/`, writes the plan
 * index for `npm run deploy`, and builds the review report.
 *
 * Each stack is planned against its current state. A stack that reads outputs of a stack it
 * depends on sees the outputs as they are now; when that stack has pending changes, deploy
 * it first and plan again.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../lib/errors';
import { sha256 } from '../../lib/hash';
import { problem, ReviewError } from './errors';
import { needsInit, runInit } from './init-record';
import { describeCounts } from './markdown';
import { emptyCounts, hasChanges as hasCounts, type ReviewReport } from './model';
import { actionOf, asPlanJson, reportFromPlans, type PlanInput, type PlanJson } from './plan-render';
import { PLAN_SET_FILE, planDir, writePlanSet, type PlanSet, type PlanSetStack } from './plan-set';
import { plainProgress, type Progress } from './progress';
import { defaultParallelism, describeSchedule, runGraph, scheduleOf, seconds, type GraphOutcome } from './schedule';
import { statefulFromSynth, type StatefulEvidence } from './stateful';
import { dependencyOrder, environmentOf, loadSynthesized, type SynthesizedStack } from './synthesized';
import * as tf from './terraform';
import { terraformBinary, type TerraformOptions } from './terraform';

export interface PlanOptions {
  readonly environment: string;
  /** Only these stacks of the environment (their dependencies are not added). @default all */
  readonly stacks?: readonly string[];
  /** The synthesized folder. @default "cdktf.out" */
  readonly synthesizedDir?: string;
  /** Where plans are saved: `<plansRoot>/<env>/`. @default "plans" */
  readonly plansRoot?: string;
  readonly terraform?: TerraformOptions;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** A live view (tools/review/progress.ts); replaces `log` when given. */
  readonly progress?: Progress;
  /** Stacks planned at once. @default the number of cores */
  readonly parallelism?: number;
}

export interface PlanOutcome {
  readonly planSet: PlanSet;
  readonly report: ReviewReport;
  /** The folder holding the plans and the index. */
  readonly dir: string;
}

/** Counts and whether applying would do anything (moves and imports need an apply too). */
export function planSummary(plan: PlanJson): { counts: PlanSetStack['counts']; hasChanges: boolean } {
  const counts = emptyCounts();
  let hasChanges = false;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const { action } = actionOf(rc.change.actions);
    if (action === 'create') counts.add++;
    else if (action === 'update') counts.change++;
    else if (action === 'replace') counts.replace++;
    else if (action === 'delete') counts.remove++;
    else if (action === 'forget') counts.forget++;
    const moved = !!rc.previous_address && rc.previous_address !== rc.address;
    if (moved) counts.move++;
    if (rc.change.importing) counts.import++;
    if (action !== 'no-op' && action !== 'read') hasChanges = true;
    if (moved || rc.change.importing) hasChanges = true;
  }
  for (const oc of Object.values(plan.output_changes ?? {})) if (actionOf(oc.actions).action !== 'no-op') hasChanges = true;
  return { counts, hasChanges };
}

function statefulMap(stack: SynthesizedStack): Record<string, StatefulEvidence> {
  const out: Record<string, StatefulEvidence> = {};
  for (const [address, r] of stack.resources) {
    const e = statefulFromSynth(r);
    if (e) out[address] = e;
  }
  return out;
}

/** Selects and orders the stacks of an environment; errors list what exists. */
export function selectStacks(all: ReadonlyMap<string, SynthesizedStack>, environment: string, only: readonly string[] | undefined, dir: string): SynthesizedStack[] {
  const inEnv = [...all.values()].filter((s) => s.environment === environment).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (inEnv.length === 0) {
    const envs = [...new Set([...all.keys()].map(environmentOf))].sort();
    throw problem('--env', `no stacks of this environment in ${dir}`, environment, `Environments there: ${envs.join(', ') || 'none'}. Synthesize it first: npm run synth -- --env ${environment}`);
  }
  if (only && only.length > 0) {
    const unknown = only.filter((n) => !inEnv.some((s) => s.name === n));
    if (unknown.length > 0) {
      throw problem('--stack', `not a stack of environment "${environment}"`, unknown.join(', '), `Stacks of ${environment}: ${inEnv.map((s) => s.name).join(', ')}.`);
    }
    return dependencyOrder(inEnv.filter((s) => only.includes(s.name)));
  }
  return dependencyOrder(inEnv);
}

/**
 * Plans the environment, stacks in parallel by their dependencies (tools/review/schedule.ts),
 * printing the order and the schedule first. Stops at the first failing stack (later stacks
 * may depend on it): no stack starts after it, the running ones finish, and no index is
 * written, so `deploy` cannot apply a partial set.
 */
export async function planEnvironment(options: PlanOptions): Promise<PlanOutcome> {
  const progress = options.progress ?? plainProgress(options.log ?? (() => undefined));
  const log = progress.line;
  const synthDir = resolve(options.synthesizedDir ?? 'cdktf.out');
  const app = loadSynthesized(synthDir);
  const stacks = selectStacks(app.stacks, options.environment, options.stacks, options.synthesizedDir ?? 'cdktf.out');
  const dir = resolve(planDir(options.plansRoot ?? 'plans', options.environment));
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, PLAN_SET_FILE), { force: true });
  const binary = options.terraform?.binary ?? terraformBinary(options.terraform?.env);
  const tfOptions: TerraformOptions = { ...options.terraform, binary };
  const parallelism = options.parallelism ?? defaultParallelism();
  const schedule = scheduleOf(stacks);
  for (const line of describeSchedule(schedule, parallelism, 'planned')) log(line);

  const byName = new Map(stacks.map((s) => [s.name, s]));
  const tagOf = (name: string): string => `[${schedule.order.indexOf(name) + 1}/${stacks.length}] ${name}`;
  const planOne = async (name: string): Promise<{ entry: PlanSetStack; input: PlanInput }> => {
    const stack = byName.get(name)!;
    const tag = tagOf(name);
    const planFile = join(dir, `${stack.name}.tfplan`);
    const jsonFile = join(dir, `${stack.name}.json`);
    rmSync(planFile, { force: true });
    rmSync(jsonFile, { force: true });
    const t0 = Date.now();
    try {
      const init = await needsInit(stack.workingDirectory, tfOptions);
      log(`${tag}: ${binary} init (${init.run ? init.reason : 'up to date, skipped'})`);
      await runInit(stack.workingDirectory, init, tfOptions);
      log(`${tag}: ${binary} plan`);
      await tf.plan(stack.workingDirectory, planFile, tfOptions);
      const text = await tf.showJson(stack.workingDirectory, planFile, tfOptions);
      writeFileSync(jsonFile, text);
      const plan = asPlanJson(JSON.parse(text), jsonFile);
      const { counts, hasChanges } = planSummary(plan);
      const what = !hasChanges ? 'no changes' : hasCounts(counts) ? describeCounts(counts) : 'output changes only';
      log(`${tag}: ${what} (${seconds(Date.now() - t0)})`);
      const entry: PlanSetStack = {
        name: stack.name,
        dependencies: stack.dependencies,
        workingDirectory: stack.workingDirectory,
        planFile,
        jsonFile,
        configSha256: sha256(stack.text),
        stateful: statefulMap(stack),
        counts,
        hasChanges,
        status: 'planned',
      };
      return { entry, input: { stack: stack.name, plan, synthesized: stack } };
    } catch (e) {
      log(`${tag}: failed (${seconds(Date.now() - t0)})`);
      throw e;
    }
  };

  const started = Date.now();
  const run = await runGraph(schedule, { parallelism, run: planOne, onChange: progress.update });
  progress.close();
  if (run.failed.length > 0) throw stopped(options.environment, schedule.order, run);
  // The index and the report keep the dependency order, whatever order the plans finished in.
  const results = new Map(run.completed.map((c) => [c.name, c.result]));
  const entries = schedule.order.map((n) => results.get(n)!.entry);
  const inputs = schedule.order.map((n) => results.get(n)!.input);
  const planSet: PlanSet = { version: 1, environment: options.environment, createdAt: new Date().toISOString(), synthesizedDir: synthDir, binary, stacks: entries };
  writePlanSet(dir, planSet);
  log(`Planned ${stacks.length} stack${stacks.length === 1 ? '' : 's'} of ${options.environment} in ${seconds(Date.now() - started)}; plans in ${dir}`);
  const report = reportFromPlans(inputs, `Plan: ${options.environment} (${stacks.length} stack${stacks.length === 1 ? '' : 's'}, ${binary})`);
  return { planSet, report, dir };
}

/**
 * The error of a stopped plan: the first failure's own message (Terraform's output), then what
 * was planned and what was not. A failure that is not a user error (a bug) is rethrown as is.
 */
function stopped(environment: string, order: readonly string[], run: GraphOutcome<unknown>): Error {
  const first = run.failed[0]!;
  if (!(first.error instanceof UserError)) return first.error instanceof Error ? first.error : new Error(String(first.error));
  const failedNames = run.failed.map((f) => f.name);
  const others = run.failed.slice(1).map((f) => `\n${(f.error as Error).message}`).join('');
  const planned = order.filter((n) => run.completed.some((c) => c.name === n));
  return new ReviewError(
    `${first.error.message}${others}\n` +
      `Plan of ${environment} stopped: ${failedNames.join(', ')} failed; no stack started after that, and no plan index was written (deploy cannot apply a partial set).\n` +
      `  planned: ${planned.join(', ') || 'none'}\n` +
      `  not planned: ${run.notStarted.join(', ') || 'none'}`,
  );
}
