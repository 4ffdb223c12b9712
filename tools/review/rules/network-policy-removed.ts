import { isAllowOnly, isNetworkPolicy } from '../network-policy';
import type { ResourceRule } from '../rule-support';

/**
 * A NetworkPolicy that denies (isolates a direction without allowing anything there) is deleted.
 * Deleting an allow-only policy narrows access (what it allowed is no longer allowed; the
 * namespace's default deny, audited by NET-001, keeps the pods isolated): it is no warning.
 */
export const rule: ResourceRule = {
  id: 'network-policy-removed',
  scope: 'resource',
  severity: 'security',
  why: 'Removing a policy that denies opens the traffic it isolated (a default deny, or the only isolation of the pods it selected).',
  check(input) {
    if (input.action !== 'delete' || !isNetworkPolicy(input.type, input.before)) return [];
    if (isAllowOnly(input.type, input.before)) return [];
    return ['the NetworkPolicy is deleted; it isolated pods without allowing everything to them, so what it denied is open once it is gone.'];
  },
};
