/**
 * The deploy guard: before anything is applied, every saved plan is checked, and a plan that
 * deletes or replaces a stateful resource is refused unless the person deploying named that
 * resource with `--allow-destroy <stack>:<address>`.
 *
 * Allowances must name the stack. A plain address is rejected: the same construct has the
 * same address in every stack built from the same class (every services stack has
 * `kubernetes_manifest.internal-ca_manifest_208999C9`), so a plain address could allow more
 * than the person meant.
 *
 * What counts as stateful: the evidence recorded at plan time from the synthesized stack
 * (the `stateful` marker, then `lifecycle.prevent_destroy`), else the resource's kind read
 * from the plan's `before` value (tools/review/stateful.ts).
 */
import { ReviewError } from './errors';
import { actionOf, type PlanJson } from './plan-render';
import { statefulFromValues, type StatefulEvidence } from './stateful';

export interface Allowance {
  readonly stack: string;
  readonly address: string;
  /** As typed, for messages. */
  readonly text: string;
}

/**
 * Parses `--allow-destroy` values. Every bad value is reported at once, with the fix.
 * @param knownStacks when given, the stack part must be one of them.
 */
export function parseAllowances(values: readonly string[], knownStacks?: readonly string[]): Allowance[] {
  const problems: string[] = [];
  const out: Allowance[] = [];
  for (const text of values) {
    const colon = text.indexOf(':');
    const stack = colon > 0 ? text.slice(0, colon) : '';
    const address = colon > 0 ? text.slice(colon + 1) : '';
    if (!stack || !address || stack.includes('.') || !/^[A-Za-z_][\w-]*\./.test(address)) {
      problems.push(
        `--allow-destroy ${JSON.stringify(text)}: must be <stack>:<address>, e.g. dev-core-services:kubernetes_manifest.orders-db_manifest_1A2B3C4D. ` +
          'A plain address is not accepted because the same address exists in several stacks; copy <stack>:<address> from the refusal message.',
      );
      continue;
    }
    if (knownStacks && !knownStacks.includes(stack)) {
      problems.push(`--allow-destroy ${JSON.stringify(text)}: no saved plan for stack "${stack}"; the plans are for: ${knownStacks.join(', ')}.`);
      continue;
    }
    out.push({ stack, address, text });
  }
  if (problems.length > 0) throw new ReviewError(`Invalid --allow-destroy: ${problems.length} problem${problems.length === 1 ? '' : 's'}.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return out;
}

/** One stateful resource that a plan deletes or replaces. */
export interface GuardedChange {
  readonly stack: string;
  readonly address: string;
  readonly action: 'delete' | 'replace';
  readonly stateful: StatefulEvidence;
  /** The allowance that permits it, if any. */
  readonly allowedBy?: string;
}

export interface GuardInput {
  readonly stack: string;
  readonly plan: PlanJson;
  /** Stateful evidence by address, recorded from the synthesized stack at plan time. */
  readonly stateful: Readonly<Record<string, StatefulEvidence>>;
}

export interface GuardResult {
  /** True when nothing is refused. */
  readonly ok: boolean;
  readonly refused: readonly GuardedChange[];
  readonly allowed: readonly GuardedChange[];
  /** Allowances that matched nothing (a typo, or the plan changed). */
  readonly unused: readonly Allowance[];
}

/** Checks every plan; refuses stateful deletes and replacements not named by an allowance. */
export function guardPlans(inputs: readonly GuardInput[], allowances: readonly Allowance[]): GuardResult {
  const refused: GuardedChange[] = [];
  const allowed: GuardedChange[] = [];
  const used = new Set<Allowance>();
  for (const input of inputs) {
    for (const rc of input.plan.resource_changes ?? []) {
      if (rc.mode === 'data') continue;
      const { action } = actionOf(rc.change.actions);
      if (action !== 'delete' && action !== 'replace') continue;
      const stateful = input.stateful[rc.address] ?? (rc.previous_address ? input.stateful[rc.previous_address] : undefined) ?? statefulFromValues(rc.type, rc.change.before);
      if (!stateful) continue;
      const allowance = allowances.find((a) => a.stack === input.stack && a.address === rc.address);
      const guarded: GuardedChange = { stack: input.stack, address: rc.address, action, stateful, ...(allowance ? { allowedBy: allowance.text } : {}) };
      if (allowance) {
        used.add(allowance);
        allowed.push(guarded);
      } else refused.push(guarded);
    }
  }
  return { ok: refused.length === 0, refused, allowed, unused: allowances.filter((a) => !used.has(a)) };
}

function describe(g: GuardedChange): string {
  const how = g.stateful.source === 'marker' ? `stateful: ${g.stateful.kind}` : g.stateful.source === 'prevent_destroy' ? 'prevent_destroy' : `${g.stateful.kind}, by its kind`;
  return `${g.stack}:${g.address} (${how}) would be ${g.action === 'delete' ? 'deleted' : 'replaced'}`;
}

/** The refusal message: what would be destroyed, and exactly how to allow it. */
export function formatRefusal(result: GuardResult): string {
  const lines = [
    `Refused: ${result.refused.length} stateful resource${result.refused.length === 1 ? '' : 's'} would be destroyed. Nothing was applied.`,
    ...result.refused.map((g) => `  - ${describe(g)}`),
    'Its data would be lost unless restored from a backup. If that is intended, run the deploy again with:',
    `  ${result.refused.map((g) => `--allow-destroy ${g.stack}:${g.address}`).join(' ')}`,
    'Otherwise change the code so the plan keeps the resource (a moved block for a rename, or revert the change) and plan again.',
  ];
  return lines.join('\n');
}

/** Notes on allowances: which were used, which matched nothing. */
export function formatAllowances(result: GuardResult): string[] {
  return [
    ...result.allowed.map((g) => `Allowed by --allow-destroy: ${describe(g)}.`),
    ...result.unused.map((a) => `Note: --allow-destroy ${a.text} matched no stateful delete or replace in the saved plans.`),
  ];
}
