import { describeObject, fail, isEmptySelector, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

/** Where a flow's declared exception reason is written on its NetworkPolicies. */
export { NETWORK_EXCEPTION_ANNOTATION } from '../../zones';
import { NETWORK_EXCEPTION_ANNOTATION } from '../../zones';

/** Describes why a NetworkPolicy peer is a wildcard, or undefined if it is narrow. */
function wildcard(peer: Record<string, unknown>): string | undefined {
  const ipBlock = isObject(peer.ipBlock) ? peer.ipBlock : undefined;
  if (ipBlock) {
    const cidr = asString(ipBlock.cidr) ?? '';
    // A prefix length of zero, however written (Kubernetes parses CIDRs leniently, leading zeros included).
    return /\/0+$/.test(cidr) ? `ipBlock ${cidr} (every address)` : undefined;
  }
  const hasNs = 'namespaceSelector' in peer;
  const hasPods = 'podSelector' in peer;
  if (hasNs && isEmptySelector(peer.namespaceSelector)) return 'namespaceSelector {} (every namespace)';
  if (hasNs && !hasPods) return 'a namespaceSelector without podSelector (every pod of the namespace)';
  if (hasNs && isEmptySelector(peer.podSelector)) return 'podSelector {} (every pod of the namespace)';
  if (!hasNs && hasPods && isEmptySelector(peer.podSelector)) return 'podSelector {} (every pod of this namespace)';
  if (!hasNs && !hasPods) return 'an empty peer (everything)';
  return undefined;
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'A NetworkPolicy admits a wildcard peer (0.0.0.0/0, every namespace, every pod of a namespace, or a rule without peers) without a declared exception.',
  why: 'A wildcard turns a declared flow between named workloads into open access; where one is truly needed its reason must be written down and reviewed.',
  controls: ['ISO-8.22', 'NIST-SC-7', 'NIST-AC-4', 'VN-S2', 'VN-S6'],
  check(stack) {
    const out: Evaluation[] = [];
    for (const policy of stack.objectsOf('NetworkPolicy')) {
      const wild: string[] = [];
      for (const [direction, key] of [['ingress', 'from'], ['egress', 'to']] as const) {
        asArray(policy.spec[direction]).forEach((rule, i) => {
          if (!isObject(rule)) return;
          const peers = asArray(rule[key]);
          if (peers.length === 0) wild.push(`${direction}[${i}] has no "${key}" (every ${direction === 'ingress' ? 'source' : 'destination'})`);
          peers.forEach((peer, j) => {
            const why = isObject(peer) ? wildcard(peer) : 'a malformed peer';
            if (why) wild.push(`${direction}[${i}].${key}[${j}] is ${why}`);
          });
        });
      }
      if (wild.length === 0) {
        out.push(pass(policy, `${describeObject(policy)} names only narrow peers`));
        continue;
      }
      const reason = (policy.annotations[NETWORK_EXCEPTION_ANNOTATION] ?? '').trim();
      if (reason.length >= 10) out.push(pass(policy, `${describeObject(policy)}: ${wild.join('; ')}; excepted: ${reason}`, { kind: 'network', reason }));
      else out.push(fail(policy, `${describeObject(policy)}: ${wild.join('; ')}; name narrower peers, or declare the flow with an exception whose reason (10+ characters) is written to the ${NETWORK_EXCEPTION_ANNOTATION} annotation`));
    }
    return out;
  },
});
