/**
 * Runs the rule pack over synthesized stacks and applies suppressions. Pure: the same input and
 * `today` give the same outcomes, at synth (aspect.ts) and standalone (scripts/audit.ts).
 */
import { UserError } from '../../lib/errors';
import { dayNumber, stackModel, suppressionsOf, type Json, type KubeObject, type Resource, type StackModel, type SuppressionRecord } from './model';
import { RULE_IDS, RULES } from './rules';
import { isEffective, isExpired, formatProblems } from './suppression-format';
import { atLeast, type BuiltInException, type Rule, type RuleContext, type Severity } from './types';

/** pass: complies. excepted: complies by a built-in exception. suppressed: fails, but a valid suppression covers it. */
export type Status = 'pass' | 'excepted' | 'suppressed' | 'fail';

/** A suppression that passed validation (AUD-001): every field present. */
export interface Suppression {
  readonly rule: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

export interface Outcome {
  readonly rule: Rule;
  readonly stack: string;
  readonly status: Status;
  readonly message: string;
  readonly resource?: Resource;
  readonly object?: KubeObject;
  readonly suppression?: Suppression;
  readonly exception?: BuiltInException;
}

export interface StackAudit {
  readonly stack: StackModel;
  readonly outcomes: readonly Outcome[];
}

export interface AuditOptions {
  /** The day expiry dates are compared with, YYYY-MM-DD. @default today in UTC */
  readonly today?: string;
  /** @default RULES (the whole pack) */
  readonly rules?: readonly Rule[];
}

/** Today in UTC as YYYY-MM-DD. */
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Checks a `today` given on the command line or by a caller. */
export function checkToday(today: string): string {
  if (dayNumber(today) === undefined) throw new UserError(`today: must be a real date written YYYY-MM-DD, got ${JSON.stringify(today)}`);
  return today;
}

/** Evaluates every rule on one stack and applies its suppressions. */
export function auditStack(stack: StackModel, options: AuditOptions = {}): StackAudit {
  const today = checkToday(options.today ?? utcToday());
  const context: RuleContext = { today, ruleIds: RULE_IDS };
  const outcomes: Outcome[] = [];
  for (const rule of options.rules ?? RULES) {
    for (const e of rule.check(stack, context)) {
      const base = { rule, stack: stack.name, message: e.message, resource: e.resource, object: e.object };
      if (e.ok) {
        outcomes.push({ ...base, status: e.exception ? 'excepted' : 'pass', ...(e.exception ? { exception: e.exception } : {}) });
        continue;
      }
      const suppression = rule.suppressible ? findSuppression(stack, e.resource, rule.id, today) : undefined;
      outcomes.push(suppression ? { ...base, status: 'suppressed', suppression } : { ...base, status: 'fail' });
    }
  }
  return { stack, outcomes };
}

function findSuppression(stack: StackModel, resource: Resource | undefined, rule: string, today: string): Suppression | undefined {
  const candidates: SuppressionRecord[] = [...(resource ? suppressionsOf(resource) : []), ...stack.stackSuppressions];
  const found = candidates.find((s) => s.rule === rule && isEffective(s, RULE_IDS, today));
  return found as Suppression | undefined;
}

/** Parses and audits a synthesized stack. */
export function auditStackJson(name: string, json: Json, options: AuditOptions = {}): StackAudit {
  return auditStack(stackModel(name, json), options);
}

/** Failures at or above `threshold`, not suppressed. */
export function failures(audits: readonly StackAudit[], threshold: Severity = 'error'): Outcome[] {
  return audits.flatMap((a) => a.outcomes.filter((o) => o.status === 'fail' && atLeast(o.rule.severity, threshold)));
}

/** One suppression as declared, where, and what became of it. */
export interface SuppressionEntry {
  readonly stack: string;
  /** Construct path or address of the resource, or `stack <name>` for a stack-level one. */
  readonly where: string;
  readonly resource?: Resource;
  readonly record: SuppressionRecord;
  /** active: in force; expired: past its date (AUD-001); invalid: incomplete (AUD-001). */
  readonly state: 'active' | 'expired' | 'invalid';
  /** How many findings it silenced in this stack. */
  readonly used: number;
}

/** Every suppression of the audited stacks, for the report. */
export function suppressionEntries(audits: readonly StackAudit[], today: string): SuppressionEntry[] {
  const out: SuppressionEntry[] = [];
  for (const { stack, outcomes } of audits) {
    const used = (s: SuppressionRecord, resource?: Resource) =>
      outcomes.filter((o) => o.status === 'suppressed' && o.suppression?.rule === s.rule && o.suppression?.reason === s.reason && (!resource || o.resource === resource)).length;
    const state = (s: SuppressionRecord): SuppressionEntry['state'] => (formatProblems(s, RULE_IDS).length > 0 ? 'invalid' : isExpired(s, today) ? 'expired' : 'active');
    for (const s of stack.stackSuppressions) out.push({ stack: stack.name, where: `stack ${stack.name}`, record: s, state: state(s), used: used(s) });
    for (const r of stack.resources) {
      for (const s of suppressionsOf(r)) out.push({ stack: stack.name, where: r.path ?? r.address, resource: r, record: s, state: state(s), used: used(s, r) });
    }
  }
  return out;
}
