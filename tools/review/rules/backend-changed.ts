import { formatPath } from '../paths';
import type { StackRule } from '../rule-support';

/** The stack's state backend (where Terraform keeps its state) changes. */
export const rule: StackRule = {
  id: 'backend-changed',
  scope: 'stack',
  severity: 'caution',
  why: 'Terraform looks for the state in the new place: unless the state is migrated (terraform init -migrate-state) it plans to create every resource again beside the existing ones.',
  check(input) {
    const changed = input.settings.filter((leaf) => leaf.path[0] === 'terraform' && leaf.path[1] === 'backend');
    if (changed.length === 0 || input.status !== 'changed') return [];
    return [`the state backend of \`${input.stack}\` changes (${changed.map((l) => `\`${formatPath(l.path)}\``).join(', ')}).`];
  },
};
