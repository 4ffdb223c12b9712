/**
 * Suppressions, declared in code on the construct they concern:
 *
 *   suppress(bucket, { rule: 'OBJ-003', reason: 'Velero cannot write to a locked bucket (velero#8686)',
 *                      owner: 'platform/nguyen.van.a', expires: '2027-03-31' });
 *
 * A suppression applies to every resource under the construct (or the whole stack when given a
 * stack). At synth the audit aspect writes it into each affected resource as
 * `"//": {"suppressions": [...]}` (a stack's own into the stack's top-level `"//"`), so the
 * standalone audit sees exactly what the synth saw. Each needs a rule ID from the pack, a reason
 * of 10+ characters, an owner as team/person and an expiry date; an expired one suppresses
 * nothing and is itself a finding (AUD-001). Every suppression is listed in the report.
 */
import type { IConstruct } from 'constructs';
import { ConstructPropsError } from '../../lib/errors';
import { RULE_IDS } from '../../policy/audit/rules';
import { formatProblems } from '../../policy/audit/suppression-format';
import type { Suppression } from '../../policy/audit/engine';

export type { Suppression };

const DECLARED = new WeakMap<IConstruct, Suppression[]>();

/** Suppresses one rule on `scope` and everything under it. Throws if a field is invalid. */
export function suppress(scope: IConstruct, suppression: Suppression): void {
  const problems = formatProblems(suppression, RULE_IDS);
  if (problems.length > 0) throw new ConstructPropsError(scope.node.path, 'suppression', problems.join('; '), suppression);
  const list = DECLARED.get(scope) ?? [];
  list.push({ rule: suppression.rule, reason: suppression.reason, owner: suppression.owner, expires: suppression.expires });
  DECLARED.set(scope, list);
}

/** Suppressions declared on `node` itself. */
export function ownSuppressions(node: IConstruct): readonly Suppression[] {
  return DECLARED.get(node) ?? [];
}

/**
 * Suppressions that apply to `node`: its own and its ancestors', nearest first, stopping before
 * `stop` (the stack, whose own suppressions are written at stack level), without duplicates.
 */
export function inheritedSuppressions(node: IConstruct, stop?: IConstruct): Suppression[] {
  const out: Suppression[] = [];
  const seen = new Set<string>();
  for (let n: IConstruct | undefined = node; n && n !== stop; n = n.node.scope) {
    for (const s of ownSuppressions(n)) {
      const key = JSON.stringify([s.rule, s.reason, s.owner, s.expires]);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(s);
      }
    }
  }
  return out;
}
