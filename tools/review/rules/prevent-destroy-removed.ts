import type { ResourceRule } from '../rule-support';

/**
 * `lifecycle.prevent_destroy` is removed from a resource that stays. (A deleted resource that
 * had it is reported by stateful-destroyed: its protection goes with it.)
 */
export const rule: ResourceRule = {
  id: 'prevent-destroy-removed',
  scope: 'resource',
  severity: 'destructive',
  why: 'The prevent_destroy setting is what makes Terraform refuse to delete or replace the resource; without it, a later plan can destroy it silently.',
  check(input) {
    if (input.source !== 'config' || input.preventDestroyBefore !== true || input.preventDestroyAfter === true) return [];
    if (input.action === 'delete' || input.action === 'forget') return [];
    return ['`lifecycle.prevent_destroy` is no longer set.'];
  },
};
