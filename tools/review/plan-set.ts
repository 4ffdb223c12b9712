/**
 * The saved plans of one environment, as `npm run plan` leaves them and `npm run deploy`
 * applies them: `plans/<env>/<stack>.tfplan` (Terraform's binary plan), `<stack>.json`
 * (`terraform show -json`), and `plan-set.json` (this index): stacks in dependency order,
 * where each runs, a hash of the synthesized stack the plan was made from, the stateful
 * resources known from its markers, and whether it has been applied.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { problem } from './errors';
import type { Counts } from './model';
import { isObject } from './paths';
import type { StatefulEvidence } from './stateful';

export interface PlanSetStack {
  readonly name: string;
  readonly dependencies: readonly string[];
  /** Absolute path of the stack folder Terraform ran in. */
  readonly workingDirectory: string;
  /** Absolute paths of the binary plan and its JSON. */
  readonly planFile: string;
  readonly jsonFile: string;
  /** SHA-256 of `cdk.tf.json` when the plan was made. */
  readonly configSha256: string;
  /** Stateful resources by address, from the synthesized stack's markers. */
  readonly stateful: Readonly<Record<string, StatefulEvidence>>;
  readonly counts: Counts;
  /** False when applying would do nothing (no resource, move, import or output change). */
  readonly hasChanges: boolean;
  status: 'planned' | 'applied' | 'failed';
  appliedAt?: string;
}

export interface PlanSet {
  readonly version: 1;
  readonly environment: string;
  readonly createdAt: string;
  /** The synthesized folder the plans were made from. */
  readonly synthesizedDir: string;
  readonly binary: string;
  readonly stacks: PlanSetStack[];
}

export const PLAN_SET_FILE = 'plan-set.json';

/** The folder of an environment's saved plans. */
export function planDir(plansRoot: string, environment: string): string {
  return join(plansRoot, environment);
}

/** Writes the index atomically (a deploy may read it while a plan rewrites it). */
export function writePlanSet(dir: string, set: PlanSet): void {
  const file = join(dir, PLAN_SET_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(set, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Reads the index; the error says how to make one. */
export function readPlanSet(dir: string, environment: string): PlanSet {
  const file = join(dir, PLAN_SET_FILE);
  const fix = `Run npm run plan -- --env ${environment} first; it writes the plans and this index.`;
  if (!existsSync(file)) throw problem(file, `no saved plans for environment "${environment}"`, undefined, fix);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw problem(file, `the plan index is not valid JSON (${(e as Error).message})`, undefined, fix);
  }
  if (!isObject(value) || value.version !== 1 || !Array.isArray(value.stacks)) {
    throw problem(file, 'not a plan index of this version (expected version 1 with a list of stacks)', isObject(value) ? value.version : value, fix);
  }
  if (value.environment !== environment) {
    throw problem(file, `the plans are for environment ${JSON.stringify(value.environment)}, not "${environment}"`, undefined, fix);
  }
  return value as unknown as PlanSet;
}
