/**
 * The rule pack at synth: an Aspect added to every EnvironmentStack (stacks/base.ts).
 *
 * While aspects run it writes the markers the standalone audit reads: suppressions declared with
 * `suppress()` and the source file of each resource (`"//".source`). Then it checks the stack's
 * JSON when cdktf produces it: the stack's `toTerraform()` is wrapped, so the rules run on exactly
 * the JSON written to cdk.tf.json, without resolving the stack a second time. A second resolve
 * (`stack.toTerraform()` inside `visit`) measured +50 ms on a 150 ms synth of the estate (+33%);
 * the wrap costs only the rules (see audit/bench.ts). Findings at error level stop the synth
 * with an AuditError listing them all; warnings and info are for `npm run audit`. A development
 * build only warns about findings that fail because a date passed (Outcome.lapsed), and every
 * build warns about suppressions and agreements that expire within 30 days.
 */
import type { IConstruct } from 'constructs';
import { UserError } from '../../lib/errors';
import { TerraformResource, TerraformStack, type IAspect } from '../../lib/tf';
import { auditStackJson, expiringSoon, failures, utcToday, type AuditOptions, type Outcome } from '../../policy/audit/engine';
import { sourceIndex, sourceOf } from './sources';
import { inheritedSuppressions, ownSuppressions } from './suppressions';
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

const HOOKED = new WeakSet<TerraformStack>();

const WARNED = new Set<string>();

/** Writes a warning to stderr once per process (a suppression is seen by every stack it covers). */
function warnOnce(line: string): void {
  if (WARNED.has(line)) return;
  WARNED.add(line);
  process.stderr.write(`${line}\n`);
}

export interface SecurityAuditOptions extends AuditOptions {
  /** Where warnings go (lapsed findings of a development build, expiries within 30 days). @default stderr, once each */
  readonly warn?: (line: string) => void;
}

export class SecurityAudit implements IAspect {
  private readonly index = sourceIndex();

  /** @param options `today` for expiry checks (default: today in UTC) and the rules (default: the pack). */
  constructor(private readonly options: SecurityAuditOptions = {}) {}

  visit(node: IConstruct): void {
    if (TerraformStack.isStack(node)) {
      this.prepareStack(node);
      return;
    }
    if (!TerraformResource.isTerraformResource(node)) return;
    const stack = TerraformStack.of(node);
    const suppressions = inheritedSuppressions(node, stack);
    if (suppressions.length > 0) node.addOverride('//.suppressions', suppressions);
    const source = sourceOf(node, this.index);
    if (source) node.addOverride('//.source', source);
  }

  private prepareStack(stack: TerraformStack): void {
    const own = ownSuppressions(stack);
    if (own.length > 0) stack.addOverride('//.suppressions', [...own]);
    if (HOOKED.has(stack)) return;
    HOOKED.add(stack);
    const produce = stack.toTerraform.bind(stack);
    const options = this.options;
    Object.defineProperty(stack, 'toTerraform', {
      configurable: true,
      value: (): Json => {
        const json = produce() as Json;
        const audit = auditStackJson(stack.node.id, json, options);
        const found = failures([audit], 'error');
        // A development build is not stopped by a date passing (a suppression or an agreement
        // expiring, with no change to the code): it warns. Everywhere else, and in the audit, it fails.
        const development = audit.stack.environment?.class === 'development';
        const blocking = development ? found.filter((f) => !f.lapsed) : found;
        const warn = options.warn ?? warnOnce;
        if (development) for (const f of found.filter((o) => o.lapsed)) warn(`warning: ${stack.node.id}: ${f.rule.id} ${f.message} (a development synth goes on; the audit fails on it)`);
        for (const n of expiringSoon(audit.stack, options.today ?? utcToday())) warn(`warning: ${n.message}`);
        if (blocking.length > 0) throw new AuditError(stack.node.id, blocking);
        return json;
      },
    });
  }
}

