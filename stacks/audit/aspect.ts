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
import { Aspects, TerraformResource, TerraformStack, type IAspect } from '../../lib/tf';
import type { AuditOptions } from '../../policy/audit/engine';
import { sourceIndex, sourceOf } from './sources';
import { inheritedSuppressions, ownSuppressions } from './suppressions';
import type { Json } from '../../policy/audit/model';
import { checksDeferred } from '../deferred-checks';
import { judgeStack, warnOnce } from './verdict';

export { AuditError, judgeStack, warnOnce, type StackVerdict } from './verdict';

const HOOKED = new WeakSet<TerraformStack>();

export interface SecurityAuditOptions extends AuditOptions {
  /** Where warnings go (lapsed findings of a development build, expiries within 30 days). @default stderr, once each */
  readonly warn?: (line: string) => void;
}

export class SecurityAudit implements IAspect {
  private readonly index = sourceIndex();

  /** @param options `today` for expiry checks (default: today in UTC) and the rules (default: the pack). */
  constructor(readonly options: SecurityAuditOptions = {}) {}

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
        // A synth that checks off its own thread (stacks/deferred-checks.ts) judges the written file there.
        if (checksDeferred(stack)) return json;
        const verdict = judgeStack(stack.node.id, json, options);
        const warn = options.warn ?? warnOnce;
        for (const line of verdict.warnings) warn(line);
        if (verdict.error) throw verdict.error;
        return json;
      },
    });
  }
}

/** The options of the rule pack on `stack` (its SecurityAudit aspect), or undefined when it has none. */
export function securityAuditOf(stack: TerraformStack): SecurityAuditOptions | undefined {
  return Aspects.of(stack).all.find((a): a is SecurityAudit => a instanceof SecurityAudit)?.options;
}
