import type { ResourceRule } from '../rule-support';
import type { Json } from '../paths';

/** The validation actions of a ValidatingAdmissionPolicyBinding body (config: `manifest`; plan: `manifest` or `object`). */
function bindingActions(value: Json | undefined): string[] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, Json>;
  for (const key of ['manifest', 'object']) {
    const object = record[key] as Record<string, any> | undefined;
    if (object && typeof object === 'object' && object.kind === 'ValidatingAdmissionPolicyBinding') {
      const actions = object.spec?.validationActions;
      return Array.isArray(actions) ? actions.map(String) : [];
    }
  }
  return undefined;
}

function policyName(value: Json | undefined): string {
  const record = (value ?? {}) as Record<string, any>;
  return String((record.manifest ?? record.object)?.spec?.policyName ?? '?');
}

/** An admission policy binding that stops refusing (Deny dropped), or an enforcing binding removed. */
export const rule: ResourceRule = {
  id: 'admission-weakened',
  scope: 'resource',
  severity: 'security',
  why: 'An admission policy that only warns, or is gone, lets the weakness it guards against into the cluster through kubectl, Helm or an operator.',
  check(input) {
    const before = bindingActions(input.before);
    if (!before || !before.includes('Deny')) return [];
    if (input.action === 'delete' || input.action === 'forget') return [`the binding of admission policy ${policyName(input.before)} is removed: it refused requests (${before.join(', ')}).`];
    const after = bindingActions(input.after);
    if (after && !after.includes('Deny')) return [`admission policy ${policyName(input.after)} no longer refuses requests: validationActions ${before.join(', ')} → ${after.join(', ') || '(none)'}.`];
    return [];
  },
};
