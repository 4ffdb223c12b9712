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
  /** A failure only because a date passed (Evaluation.lapsed, or a matching suppression expired). */
  readonly lapsed?: boolean;
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
      if (suppression) {
        outcomes.push({ ...base, status: 'suppressed', suppression });
        continue;
      }
      const lapsed = e.lapsed === true || (rule.suppressible && hasExpiredSuppression(stack, e.resource, rule.id, today));
      outcomes.push({ ...base, status: 'fail', ...(lapsed ? { lapsed } : {}) });
    }
  }
  return { stack, outcomes };
}

function findSuppression(stack: StackModel, resource: Resource | undefined, rule: string, today: string): Suppression | undefined {
  const candidates: SuppressionRecord[] = [...(resource ? suppressionsOf(resource) : []), ...stack.stackSuppressions];
  const found = candidates.find((s) => s.rule === rule && isEffective(s, RULE_IDS, today));
  return found as Suppression | undefined;
}

/** Whether a well-formed suppression of `rule` covers the resource but has expired. */
function hasExpiredSuppression(stack: StackModel, resource: Resource | undefined, rule: string, today: string): boolean {
  const candidates: SuppressionRecord[] = [...(resource ? suppressionsOf(resource) : []), ...stack.stackSuppressions];
  return candidates.some((s) => s.rule === rule && formatProblems(s, RULE_IDS).length === 0 && isExpired(s, today));
}

/** Days before an expiry from which synth, audit and diff warn. */
export const EXPIRY_WARNING_DAYS = 30;

/** A suppression or sharing agreement still in force that ends soon. */
export interface ExpiryNotice {
  readonly stack: string;
  /** `suppression of BAK-004 (owner platform/backup-lead)`, `sharing agreement SA-2026-004`. */
  readonly what: string;
  readonly expires: string;
  /** Days left, 0 on the expiry day (it is in force through that day). */
  readonly daysLeft: number;
  /** One sentence for a person. */
  readonly message: string;
}

/** The suppressions and sharing agreements of a stack that expire within `days` of `today`. */
export function expiringSoon(stack: StackModel, today: string, days: number = EXPIRY_WARNING_DAYS): ExpiryNotice[] {
  const now = dayNumber(checkToday(today))!;
  const out: ExpiryNotice[] = [];
  const consider = (what: string, expires: unknown, fix: string) => {
    const end = dayNumber(expires);
    if (end === undefined || end < now || end - now > days) return;
    const daysLeft = end - now;
    const when = daysLeft === 0 ? 'today' : `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
    out.push({ stack: stack.name, what, expires: String(expires), daysLeft, message: `${what} expires on ${String(expires)} (${when}); ${fix}` });
  };
  const suppressions = [...stack.stackSuppressions, ...stack.resources.flatMap((r) => suppressionsOf(r))];
  for (const s of suppressions) {
    if (formatProblems(s, RULE_IDS).length > 0) continue;
    consider(`suppression of ${String(s.rule)} (owner ${String(s.owner)})`, s.expires, 'after it the finding fails the audit again: fix it, or renew the suppression with a new review');
  }
  for (const [id, a] of Object.entries(stack.sharingAgreements)) {
    consider(`sharing agreement ${id}`, a?.expiry, 'after it the access it grants fails the audit: renew the agreement or plan the removal of the access');
  }
  const seen = new Set<string>();
  return out.filter((n) => !seen.has(n.message) && (seen.add(n.message), true));
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
