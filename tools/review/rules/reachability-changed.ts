import { reachabilityChanges, type ReachChange } from '../../reach/diff';
import { clustersOf } from '../../reach/model';
import type { EstateRule } from '../rule-support';
import type { SynthesizedApp } from '../synthesized';

/** At most this many destinations are named per finding; the rest are counted. */
const SHOWN = 6;

function clusters(app: SynthesizedApp, environments: readonly string[] | undefined) {
  const stacks = [...app.stacks.values()].map((s) => ({ name: s.name, json: JSON.parse(s.text) as unknown }));
  return clustersOf(stacks).filter((c) => !environments || environments.includes(c.environment));
}

/**
 * What the NetworkPolicies allow changes: a path becomes reachable or unreachable between the
 * two versions (computed by tools/reach from each version's policies, not from their text).
 * Changes with the same source, side policies and ports are reported together.
 */
export const rule: EstateRule = {
  id: 'reachability-changed',
  scope: 'estate',
  severity: 'security',
  why: 'A path that becomes reachable is new exposure that a reviewer must match to a declared flow; one that becomes unreachable may break a service or a backup.',
  check(input) {
    const changes = reachabilityChanges(clusters(input.base, input.environments), clusters(input.head, input.environments));
    // Changes from one source with the same ports and policies, then sources with the same destinations.
    const bySource = new Map<string, ReachChange[]>();
    for (const c of changes) {
      const key = [c.stack, c.change, c.from, c.ports.toString(), c.egress.join(','), c.ingress.join(',')].join('|');
      bySource.set(key, [...(bySource.get(key) ?? []), c]);
    }
    const merged = new Map<string, { first: ReachChange; froms: string[]; tos: string[] }>();
    for (const group of bySource.values()) {
      const c = group[0]!;
      const tos = group.map((g) => g.to);
      const key = [c.stack, c.change, tos.join(','), c.ports.toString(), c.egress.join(','), c.ingress.join(',')].join('|');
      const m = merged.get(key);
      if (m) m.froms.push(c.from);
      else merged.set(key, { first: c, froms: [c.from], tos });
    }
    const list = (xs: readonly string[]) => (xs.length > SHOWN ? `${xs.slice(0, SHOWN).map((x) => `\`${x}\``).join(', ')} and ${xs.length - SHOWN} more` : xs.map((x) => `\`${x}\``).join(', '));
    return [...merged.values()].map(({ first: c, froms, tos }) => ({
      stack: c.stack,
      message: `cluster ${c.environment}/${c.cluster}: ${list(froms)} → ${list(tos)} become${froms.length === 1 && tos.length === 1 ? 's' : ''} ${c.change} on ${c.ports} (${c.change === 'reachable' ? 'opened by' : 'was opened by'} egress ${c.egress.join(', ')}; ingress ${c.ingress.join(', ')}).`,
    }));
  },
};
