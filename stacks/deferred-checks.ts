/**
 * Whether a synth checks its stacks off its own thread (issue 22): the rule pack (audit/aspect.ts)
 * and the deployability check (deployability.ts) then leave each stack's JSON to a worker that
 * judges the file cdktf wrote (stacks/check-handoff.ts wires it, tools/checks/ runs it). The
 * default, and what every test and `npx cdktf synth` get, is to check in place.
 */
import type { IConstruct } from 'constructs';

const deferred = new WeakSet<IConstruct>();

/** From now on the stacks of `app` are checked elsewhere. */
export function deferChecks(app: IConstruct): void {
  deferred.add(app.node.root);
}

/** True when the checks of `scope`'s app are deferred. */
export function checksDeferred(scope: IConstruct): boolean {
  return deferred.has(scope.node.root);
}
