import { isNetworkPolicy } from '../network-policy';
import type { ResourceRule } from '../rule-support';

/** A NetworkPolicy is deleted. */
export const rule: ResourceRule = {
  id: 'network-policy-removed',
  scope: 'resource',
  severity: 'security',
  why: 'Removing a policy can open traffic it isolated (a default deny) or remove the only isolation of the pods it selected.',
  check(input) {
    if (input.action !== 'delete' || !isNetworkPolicy(input.type, input.before)) return [];
    return ['the NetworkPolicy is deleted.'];
  },
};
