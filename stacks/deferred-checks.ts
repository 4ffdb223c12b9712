/**
 * Whether a synth checks its stacks off its own thread (issue 22): the rule pack (audit/aspect.ts)
 * and the deployability check (deployability.ts) then leave each stack's JSON to a worker that
 * judges the file cdktf wrote (stacks/check-handoff.ts wires it, tools/checks/ runs it). The
 * default, and what every test and `npx cdktf synth` get, is to check in place.
 */
import type { IConstruct } from 'constructs';
import type { AuditOptions } from '../policy/audit/engine';

const deferred = new WeakSet<IConstruct>();
const auditOptions = new WeakMap<IConstruct, AuditOptions>();

/** From now on the stacks of `app` are checked elsewhere. */
export function deferChecks(app: IConstruct): void {
  deferred.add(app.node.root);
}

/**
 * True when the checks of `scope`'s app are deferred. The rule pack passes its options, which
 * the hand-off sends with the stack (the day it judges expiry by).
 */
export function checksDeferred(scope: IConstruct, audit?: AuditOptions): boolean {
  if (!deferred.has(scope.node.root)) return false;
  if (audit) auditOptions.set(scope, audit);
  return true;
}

/** The rule pack's options for a stack whose checks are deferred (recorded when it produced its JSON). */
export function deferredAuditOptions(stack: IConstruct): AuditOptions | undefined {
  return auditOptions.get(stack);
}
