/**
 * The rule pack's verdict on one stack's JSON, as a synth applies it: shared by the aspect that
 * checks in place (aspect.ts) and the worker that checks a written stack (tools/checks/worker.ts).
 * No cdktf here: the worker loads only the rules.
 */
import { UserError } from '../../lib/errors';
import { auditStackJson, expiringSoon, failures, utcToday, type AuditOptions, type Outcome } from '../../policy/audit/engine';
import type { Json } from '../../policy/audit/model';

/** Thrown at synth when findings at error level remain; lists every one. */
export class AuditError extends UserError {
  constructor(
    /** The stack the findings are in (not `stack`, which would hide the error's stack trace). */
    readonly stackName: string,
    readonly findings: readonly Outcome[],
  ) {
    super(
      `Security audit: ${findings.length} finding${findings.length === 1 ? '' : 's'} at error level in stack ${stackName}. Nothing was synthesized.\n` +
        findings.map((f) => `  - ${f.rule.id} ${f.resource?.path ?? f.resource?.address ?? `stack ${stackName}`}: ${f.message}`).join('\n') +
        `\nFix each, or, where the risk is accepted, suppress it on its construct with suppress(construct, { rule, reason, owner, expires }) from stacks/audit/suppressions.ts. \`npm run audit -- --dir <out>\` reports every control.`,
    );
    this.name = 'AuditError';
  }
}

const WARNED = new Set<string>();

/** Writes a warning to stderr once per process (a suppression is seen by every stack it covers). */
export function warnOnce(line: string): void {
  if (WARNED.has(line)) return;
  WARNED.add(line);
  process.stderr.write(`${line}\n`);
}

/** What the rule pack finds in one stack's JSON: the warnings to print and the error that stops the synth. */
export interface StackVerdict {
  readonly warnings: readonly string[];
  readonly error?: AuditError;
}

/**
 * The rule pack's verdict on one stack's JSON, as a synth applies it: findings at error level
 * stop the synth, except that a development build is not stopped by a date passing (a
 * suppression or an agreement expiring, with no change to the code): it warns. Everywhere else,
 * and in the audit, it fails. Suppressions and agreements expiring within 30 days are warned about.
 */
export function judgeStack(stackName: string, json: Json, options: AuditOptions = {}): StackVerdict {
  const audit = auditStackJson(stackName, json, options);
  const found = failures([audit], 'error');
  const development = audit.stack.environment?.class === 'development';
  const blocking = development ? found.filter((f) => !f.lapsed) : found;
  const warnings: string[] = [];
  if (development) for (const f of found.filter((o) => o.lapsed)) warnings.push(`warning: ${stackName}: ${f.rule.id} ${f.message} (a development synth goes on; the audit fails on it)`);
  for (const n of expiringSoon(audit.stack, options.today ?? utcToday())) warnings.push(`warning: ${n.message}`);
  return blocking.length > 0 ? { warnings, error: new AuditError(stackName, blocking) } : { warnings };
}

