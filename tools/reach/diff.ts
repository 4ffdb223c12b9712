/**
 * The reachability diff: which paths become reachable or unreachable between two versions of
 * the synthesized estate, computed from each version's NetworkPolicies over one shared
 * universe of pod groups and address ranges, so both versions are compared endpoint for endpoint.
 */
import { computeReach, describeEndpoint, policiesOpening, type ClusterInput, type ClusterReach, type Endpoint, type Side } from './model';
import { PortSet } from './ports';

export interface ReachChange {
  readonly environment: string;
  readonly cluster: string;
  /** A stack of the cluster, to file the change under. */
  readonly stack: string;
  readonly change: 'reachable' | 'unreachable';
  readonly from: string;
  readonly to: string;
  readonly ports: PortSet;
  /** The policies that open (reachable) or opened (unreachable) it, per side. */
  readonly egress: readonly string[];
  readonly ingress: readonly string[];
}

const names = (side: Side, ports: PortSet) => (!side.governed ? ['(not governed here)'] : !side.isolated ? ['(not isolated)'] : policiesOpening(side, ports));

function universe(reaches: readonly ClusterReach[]) {
  const groups = reaches.flatMap((r) => r.endpoints.flatMap((e) => (e.kind === 'pods' ? [{ namespace: e.namespace, labels: e.labels }] : [])));
  const ranges = reaches.flatMap((r) => r.endpoints.flatMap((e) => (e.kind === 'addresses' ? e.ranges : [])));
  return { groups, ranges, contiguous: true };
}

/** The paths that change between `base` and `head` (clusters matched by environment and name). */
export function reachabilityChanges(base: readonly ClusterInput[], head: readonly ClusterInput[]): ReachChange[] {
  const key = (c: ClusterInput) => `${c.environment}/${c.cluster}`;
  const baseBy = new Map(base.map((c) => [key(c), c]));
  const headBy = new Map(head.map((c) => [key(c), c]));
  const out: ReachChange[] = [];
  for (const k of [...new Set([...baseBy.keys(), ...headBy.keys()])].sort()) {
    const b = baseBy.get(k);
    const h = headBy.get(k);
    const first = [b, h].filter((c): c is ClusterInput => !!c).map((c) => computeReach(c));
    const hints = universe(first);
    const before = b ? computeReach(b, hints) : undefined;
    const after = h ? computeReach(h, hints) : undefined;
    const cluster = (h ?? b)!;
    const stack = cluster.stacks[0] ?? k;
    const byPair = (r: ClusterReach | undefined) => new Map((r?.paths ?? []).map((p) => [`${p.from.id}|${p.to.id}`, p]));
    const pb = byPair(before);
    const pa = byPair(after);
    const record = (change: ReachChange['change'], reach: ClusterReach, from: Endpoint, to: Endpoint, ports: PortSet) => {
      const path = reach.evaluate(from, to);
      out.push({ environment: cluster.environment, cluster: cluster.cluster, stack, change, from: describeEndpoint(from), to: describeEndpoint(to), ports, egress: names(path.egress, ports), ingress: names(path.ingress, ports) });
    };
    for (const [pair, p] of pa) {
      const gained = p.ports.subtract(pb.get(pair)?.ports ?? PortSet.NONE);
      if (!gained.isEmpty()) record('reachable', after!, p.from, p.to, gained);
    }
    for (const [pair, p] of pb) {
      const lost = p.ports.subtract(pa.get(pair)?.ports ?? PortSet.NONE);
      if (lost.isEmpty()) continue;
      record('unreachable', before!, p.from, p.to, lost);
    }
  }
  return out;
}
