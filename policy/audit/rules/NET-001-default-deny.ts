import { describeObject, fail, isEmptySelector, pass } from '../checks';
import { asArray } from '../model';
import { defineRule } from '../rule';

/** A namespace is isolated only by a policy that selects every pod and allows nothing. */
export default defineRule(__filename, {
  severity: 'error',
  title: 'A namespace has no default-deny NetworkPolicy for both ingress and egress.',
  why: 'Pods are reachable from anywhere and may call anything until a policy selects them; default deny makes every path a declared, reviewable exception.',
  controls: ['CIS-5.3.2', 'ISO-8.22', 'NIST-SC-7', 'VN-S6', 'VN-S2'],
  check(stack) {
    const policies = stack.objectsOf('NetworkPolicy');
    return stack.objectsOf('Namespace').map((ns) => {
      const deny = policies.find((p) => {
        if (p.namespace !== ns.name || !isEmptySelector(p.spec.podSelector)) return false;
        const types = asArray(p.spec.policyTypes);
        return types.includes('Ingress') && types.includes('Egress') && asArray(p.spec.ingress).length === 0 && asArray(p.spec.egress).length === 0;
      });
      return deny
        ? pass(ns, `${describeObject(ns)} is isolated by NetworkPolicy "${deny.name}" (all pods, Ingress and Egress, no rules)`)
        : fail(ns, `${describeObject(ns)} has no NetworkPolicy in this stack with podSelector {} and policyTypes [Ingress, Egress] and no rules; create it with ZonedNamespace (constructs/network/zoned-namespace.ts)`);
    });
  },
});
