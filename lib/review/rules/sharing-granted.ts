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
    const what = input.action === 'create' ? 'is a new sharing grant' : 'now also derives from';
    return [`\`${input.address}\` ${what} under agreement${added.length === 1 ? '' : 's'} ${added.map((a) => `\`${a}\``).join(', ')}.`];
  },
};
