import { isNetworkPolicy, widenings } from '../network-policy';
import type { ResourceRule } from '../rule-support';

/** A NetworkPolicy allows more than before: a new or broader rule, fewer isolated directions. */
export const rule: ResourceRule = {
  id: 'network-policy-widened',
  scope: 'resource',
  severity: 'security',
  why: 'Zones are isolated by default deny plus narrow allow rules; a wider rule lets more peers, addresses or ports reach the selected pods.',
  check(input) {
    if ((input.action !== 'update' && input.action !== 'replace') || !isNetworkPolicy(input.type, input.after ?? input.before)) return [];
    return widenings(input.type, input.before, input.after).map((w) => `${w}.`);
  },
};
