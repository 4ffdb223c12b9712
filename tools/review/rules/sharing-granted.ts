import type { ResourceRule } from '../rule-support';

/** A resource derived from a data-sharing agreement appears, or cites a new agreement. */
export const rule: ResourceRule = {
  id: 'sharing-granted',
  scope: 'resource',
  severity: 'security',
  why: 'A sharing grant gives another party access to data; the data owner must have approved the agreement it cites.',
  check(input) {
    if (input.action === 'delete' || input.action === 'forget') return [];
    const added = input.sharingAfter.filter((id) => !input.sharingBefore.includes(id));
    if (added.length === 0) return [];
    const ids = added.map((a) => `\`${a}\``).join(', ');
    const s = added.length === 1 ? '' : 's';
    return [input.action === 'create' ? `a new sharing grant under agreement${s} ${ids}.` : `now also grants access under agreement${s} ${ids}.`];
  },
};
