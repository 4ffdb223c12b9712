/**
 * The review report shared by the config diff and the plan renderer: what changes, per
 * environment and stack, and the warnings a reviewer must see first. Every value in it has
 * already been masked (tools/review/sensitive.ts), so it can be printed or serialized as is.
 */
import type { Json, Path } from './paths';
import type { StatefulEvidence } from './stateful';

/** What happens to a resource. `replace` is delete + create (in either order). */
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'forget' | 'read' | 'no-op';

/** One attribute change, masked. `before`/`after` absent means the value was added/removed. */
export interface AttributeChange {
  /** Rendered path: `manifest.spec.instances`. */
  readonly path: string;
  readonly steps: Path;
  readonly before?: Json;
  readonly after?: Json;
  readonly afterUnknown?: boolean;
  /** True when a value was replaced by `(sensitive)`. */
  readonly masked?: boolean;
  /** True when this attribute forces the replacement. */
  readonly forcesReplacement?: boolean;
}

export interface ResourceChange {
  readonly stack: string;
  readonly address: string;
  /** Where the resource was before a move (`moved` block, or a logical-id change shown as replace). */
  readonly previousAddress?: string;
  /** True when `previousAddress` comes from a `moved` block or plan (state follows it). */
  readonly moved?: boolean;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly action: Action;
  /** For replace: true when the new one is created before the old one is destroyed. */
  readonly createBeforeDestroy?: boolean;
  /** Present when the plan imports an existing object. */
  readonly importing?: { readonly id?: string };
  /** Why it is replaced or deleted, in words. */
  readonly reason?: string;
  /** Attributes that force the replacement. */
  readonly replacePaths: readonly string[];
  readonly constructPath?: string;
  /** What the resource is, for people: `Cluster data/pg-main`, `chart cert-manager v1.21.1`. */
  readonly label?: string;
  readonly stateful?: StatefulEvidence;
  readonly sharing: readonly string[];
  readonly attributes: readonly AttributeChange[];
}

export type Severity = 'destructive' | 'security' | 'caution';

/** A warning from a rule (tools/review/rules). */
export interface Finding {
  /** The rule's id, which is its file name in tools/review/rules. */
  readonly rule: string;
  readonly severity: Severity;
  readonly stack: string;
  /** The resource concerned; absent for stack-level findings. */
  readonly address?: string;
  /** What changes, in one sentence (the stack and address are given separately). */
  readonly message: string;
  /** Why it matters, in one sentence. */
  readonly why: string;
}

export interface Counts {
  add: number;
  change: number;
  replace: number;
  remove: number;
  move: number;
  import: number;
  forget: number;
}

export interface StackReport {
  readonly name: string;
  readonly environment: string;
  /** `added`/`removed`: the whole stack appears or disappears in the synth. */
  readonly status: 'changed' | 'unchanged' | 'added' | 'removed' | 'errored';
  readonly changes: readonly ResourceChange[];
  /** Changes to providers, backend, variables, outputs (config diff) or outputs (plan). */
  readonly settings: readonly AttributeChange[];
  /** Changes made outside Terraform that the plan detected (`resource_drift`). */
  readonly drift: readonly ResourceChange[];
  readonly counts: Counts;
  readonly notes: readonly string[];
}

export interface ReviewReport {
  readonly schemaVersion: 1;
  readonly kind: 'config-diff' | 'plan';
  /** One line: `Config diff: HEAD~1 (24fcf25) → working tree`. */
  readonly title: string;
  readonly stacks: readonly StackReport[];
  readonly findings: readonly Finding[];
  readonly totals: Counts;
}

export function emptyCounts(): Counts {
  return { add: 0, change: 0, replace: 0, remove: 0, move: 0, import: 0, forget: 0 };
}

/** Adds one resource change to the counts (data sources are not counted). */
export function count(counts: Counts, change: ResourceChange): void {
  if (change.mode === 'data') return;
  if (change.action === 'create') counts.add++;
  else if (change.action === 'update') counts.change++;
  else if (change.action === 'replace') counts.replace++;
  else if (change.action === 'delete') counts.remove++;
  else if (change.action === 'forget') counts.forget++;
  if (change.moved) counts.move++;
  if (change.importing) counts.import++;
}

export function addCounts(into: Counts, from: Counts): void {
  for (const k of Object.keys(into) as Array<keyof Counts>) into[k] += from[k];
}

export function hasChanges(c: Counts): boolean {
  return Object.values(c).some((n) => n > 0);
}

/** True when the report contains a destructive finding (exit code 2 of diff and plan). */
export function hasDestructive(report: ReviewReport): boolean {
  return report.findings.some((f) => f.severity === 'destructive');
}

/** Order in which reviewers read changes: what loses data first (see the research notes, F). */
export const ACTION_ORDER: readonly Action[] = ['delete', 'replace', 'forget', 'update', 'create', 'no-op', 'read'];

export function sortChanges(changes: ResourceChange[]): ResourceChange[] {
  return changes.sort((a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
