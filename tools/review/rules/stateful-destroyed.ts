import type { ResourceRule } from '../rule-support';

/** A resource that holds data is deleted or replaced. */
export const rule: ResourceRule = {
  id: 'stateful-destroyed',
  scope: 'resource',
  severity: 'destructive',
  why: 'Its data is lost unless restored from a backup; if this is intended, deploy with --allow-destroy <stack>:<address>.',
  check(input) {
    if (!input.stateful || (input.action !== 'delete' && input.action !== 'replace')) return [];
    const { kind, source } = input.stateful;
    const how = source === 'marker' ? `stateful (${kind})` : source === 'prevent_destroy' ? 'protected by prevent_destroy, which goes with it,' : `a ${kind} by its kind,`;
    const verb = input.action === 'delete' ? 'deleted' : 'replaced (destroyed, then created empty)';
    return [`${how} is ${verb}${input.reason ? `: ${input.reason}` : ''}.`];
  },
};
