/**
 * The vocabulary of the security audit: rules, what they find, and the context they run in.
 * Rules are pure functions over the synthesized JSON of one stack (see model.ts), so the same
 * rule runs at synth (stacks/audit/aspect.ts) and over any build artefact (scripts/audit.ts).
 */
import type { KubeObject, Resource, StackModel } from './model';

/** How bad a finding is. `error` stops the synth and fails `npm run audit` by default. */
export type Severity = 'error' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** True when `severity` is at least as bad as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/**
 * An exception the project declares in its own constructs (a Pod Security level below
 * `restricted` with a reason, a network wildcard with a reason). It makes an evaluation pass,
 * and it is listed in the report like a suppression.
 */
export interface BuiltInException {
  /** What kind of exception: `pod-security`, `network`. */
  readonly kind: string;
  readonly reason: string;
  /** @default undefined: the construct records no owner */
  readonly owner?: string;
  /** YYYY-MM-DD. @default undefined: the construct records no expiry */
  readonly expires?: string;
}

/**
 * One thing a rule looked at, and whether it complies. Rules report compliant items too: they
 * are the evidence that a control holds, and where.
 */
export interface Evaluation {
  /** The resource evaluated; undefined for a stack-level check (e.g. a missing record). */
  readonly resource?: Resource;
  /** The Kubernetes object inside the resource, when there is one (a manifest, chart values). */
  readonly object?: KubeObject;
  readonly ok: boolean;
  /** For a failure: what is wrong here and how to fix it. For a pass: what was verified. */
  readonly message: string;
  /** Set when the evaluation passes only because of a declared built-in exception. */
  readonly exception?: BuiltInException;
  /**
   * A failure only because a date passed (an expired suppression or agreement), not because of a
   * change: the audit fails on it; a development synth only warns.
   */
  readonly lapsed?: boolean;
}

/** What a rule is given besides the stack. */
export interface RuleContext {
  /** The day expiry dates are compared with, YYYY-MM-DD (injectable, so tests are deterministic). */
  readonly today: string;
  /** The IDs of every rule in the pack (a suppression must name one). */
  readonly ruleIds: ReadonlySet<string>;
}

/** A security rule: metadata plus a pure check. Its ID is taken from its file name. */
export interface Rule {
  /** `NET-001`, from the file name `rules/NET-001-default-deny.ts`. */
  readonly id: string;
  /** `default-deny`, the rest of the file name. */
  readonly slug: string;
  readonly severity: Severity;
  /** One sentence: what is wrong when the rule fires. */
  readonly title: string;
  /** One sentence: why it matters. */
  readonly why: string;
  /** IDs of the controls this rule evidences (policy/audit/controls.ts). */
  readonly controls: readonly string[];
  /**
   * False for rules about the audit itself (an expired suppression, a missing environment
   * record): suppressing those would defeat them. @default true
   */
  readonly suppressible: boolean;
  readonly check: (stack: StackModel, context: RuleContext) => Evaluation[];
}
