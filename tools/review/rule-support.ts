/**
 * What a review rule (tools/review/rules/<id>.ts) receives and returns, and small helpers the
 * rules share. A rule is a pure function in the cdk-nag manner: one file, its id is the file
 * name, one sentence of what is wrong (per finding) and one of why it matters.
 */
import type { Action, Severity } from './model';
import { formatPath, keysOf, type Json, type Path } from './paths';
import type { Masker } from './sensitive';
import type { StatefulEvidence } from './stateful';
import { wordsOf } from '../../lib/secrets';
import type { LeafChange } from './value-diff';
import type { SynthesizedApp } from './synthesized';

/** One resource change as the rules see it: raw values, which rules must print via `show`. */
export interface RuleInput {
  /** `config`: two synthesized bodies; `plan`: Terraform's before/after values. */
  readonly source: 'config' | 'plan';
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  /** Body (config, comments removed) or value (plan) before and after. */
  readonly before?: Json;
  readonly after?: Json;
  /** Every leaf that differs (for a create, every leaf of `after`). */
  readonly leaves: readonly LeafChange[];
  /** Why it is replaced or deleted, in words (from Terraform or the config diff). */
  readonly reason?: string;
  readonly stateful?: StatefulEvidence;
  /** Sharing agreements before and after (plan mode: before is unknown and equals after). */
  readonly sharingBefore: readonly string[];
  readonly sharingAfter: readonly string[];
  /** `lifecycle.prevent_destroy` before and after (config mode only). */
  readonly preventDestroyBefore?: boolean;
  readonly preventDestroyAfter?: boolean;
  /** Masks values for printing. */
  readonly masker: Masker;
}

/** A stack-level change as the stack rules see it. */
export interface StackRuleInput {
  readonly source: 'config' | 'plan';
  readonly stack: string;
  readonly status: 'changed' | 'unchanged' | 'added' | 'removed' | 'errored';
  /** Differences in providers, backend, variables, outputs (config mode). */
  readonly settings: readonly LeafChange[];
  readonly resourceCount: number;
}

interface RuleBase {
  /** Equal to the file name in tools/review/rules (checked by a test). */
  readonly id: string;
  readonly severity: Severity;
  /** Why it matters, one sentence. */
  readonly why: string;
}

export interface ResourceRule extends RuleBase {
  readonly scope: 'resource';
  /** One sentence per problem found: what changes, naming paths and (masked) values; not the address, which is shown beside it. */
  check(input: RuleInput): string[];
}

export interface StackRule extends RuleBase {
  readonly scope: 'stack';
  check(input: StackRuleInput): string[];
}

/** What an estate rule compares: the two synthesized folders (config diff only). */
export interface EstateRuleInput {
  readonly base: SynthesizedApp;
  readonly head: SynthesizedApp;
  /** Only these environments. @default all */
  readonly environments?: readonly string[];
}

/** A rule over the whole estate, such as the reachability of a cluster that spans stacks. */
export interface EstateRule extends RuleBase {
  readonly scope: 'estate';
  /** One finding per problem, filed under a stack. */
  check(input: EstateRuleInput): Array<{ readonly stack: string; readonly message: string }>;
}

export type ReviewRule = ResourceRule | StackRule | EstateRule;

/** A value for a message, masked and short: `"30d"`, `false`, `(absent)`. */
export function show(input: Pick<RuleInput, 'masker'>, path: Path, value: Json | undefined, side: 'before' | 'after'): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(input.masker.mask(value, path, side));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `path: before → after`, masked. */
export function showChange(input: Pick<RuleInput, 'masker'>, leaf: LeafChange): string {
  const after = leaf.afterUnknown ? '(known after apply)' : show(input, leaf.path, leaf.after, 'after');
  return `\`${formatPath(leaf.path)}\`: ${show(input, leaf.path, leaf.before, 'before')} → ${after}`;
}

/** Lower-case words of every key on the path. */
export function pathWords(path: Path): string[][] {
  return keysOf(path).map(wordsOf);
}

/** Values that mean "off" for a switch-like field. */
const OFF_WORDS = new Set(['false', 'no', 'off', 'none', 'disable', 'disabled', 'plaintext', 'allow', 'prefer', 'optional']);

/** True for a value that turns a feature off: absent, null, false, "disabled", "none", ... */
export function isOff(value: Json | undefined): boolean {
  return value === undefined || value === null || value === false || (typeof value === 'string' && OFF_WORDS.has(value.trim().toLowerCase()));
}

/** A feature was on and is now off, or is created explicitly off. */
export function turnedOff(leaf: LeafChange): boolean {
  if (leaf.afterUnknown) return false;
  if (leaf.before === undefined) return leaf.after !== undefined && isOff(leaf.after);
  return !isOff(leaf.before) && isOff(leaf.after);
}

/** A switch was off (or absent) and is now on. */
export function turnedOn(leaf: LeafChange): boolean {
  return !leaf.afterUnknown && isOff(leaf.before) && !isOff(leaf.after);
}

/**
 * The path up to and including the first key satisfying `match`: used to report a removed or
 * changed block once instead of once per leaf.
 */
export function prefixThrough(path: Path, match: (words: string[]) => boolean): Path | undefined {
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (typeof step === 'string' && match(wordsOf(step))) return path.slice(0, i + 1);
  }
  return undefined;
}

/** Groups leaves by a prefix and keeps the first leaf of each group. */
export function firstPerPrefix(leaves: readonly LeafChange[], prefixOf: (leaf: LeafChange) => Path | undefined): Array<{ prefix: Path; leaf: LeafChange; count: number }> {
  const groups = new Map<string, { prefix: Path; leaf: LeafChange; count: number }>();
  for (const leaf of leaves) {
    const prefix = prefixOf(leaf);
    if (!prefix) continue;
    const key = formatPath(prefix);
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { prefix, leaf, count: 1 });
  }
  return [...groups.values()];
}

/** Describes a grouped change: the leaf itself, or the block and how many fields changed. */
export function describeGroup(input: Pick<RuleInput, 'masker'>, g: { prefix: Path; leaf: LeafChange; count: number }): string {
  if (g.count === 1) return showChange(input, g.leaf);
  return `\`${formatPath(g.prefix)}\` (${g.count} fields, e.g. ${showChange(input, g.leaf)})`;
}
