import type { StackRule } from '../rule-support';

/** A whole stack disappears from the synthesized output. */
export const rule: StackRule = {
  id: 'stack-removed',
  scope: 'stack',
  severity: 'caution',
  why: 'No plan runs for a stack that is no longer synthesized: its resources stay in the cluster, unmanaged, until someone destroys them on purpose or imports them elsewhere.',
  check(input) {
    if (input.status !== 'removed') return [];
    return [`stack \`${input.stack}\` (${input.resourceCount} resource${input.resourceCount === 1 ? '' : 's'}) is no longer synthesized.`];
  },
};
