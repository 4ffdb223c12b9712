/**
 * The enforced connectivity of a cluster, computed from its synthesized NetworkPolicies alone,
 * with Kubernetes NetworkPolicy semantics:
 *
 * - A pod is isolated for ingress (egress) only if some policy of its namespace selects it and
 *   has that policy type; a pod no policy isolates accepts (sends) everything in that direction.
 * - An isolated pod allows what the union of the rules of the policies selecting it allows.
 * - A connection between two pods needs both sides: the client's egress and the server's ingress.
 *   Traffic from or to an address block outside the cluster is decided by the pod's side only.
 * - Peers: `podSelector` alone means pods of the policy's own namespace; `namespaceSelector`
 *   alone every pod of the selected namespaces; both, the selected pods of the selected
 *   namespaces; an empty selector selects everything; `ipBlock` an address block minus its
 *   `except` holes. ipBlocks are matched against address blocks outside the cluster only (pod
 *   addresses are not modelled: the policies name pods by labels).
 * - Ports: single, `port`–`endPort` ranges, whole protocols; named ports stay symbolic (ports.ts).
 *
 * The universe: per namespace, the pod groups named by any selector that can apply there
 * (policies' own `podSelector`s, peers' `podSelector`s, the ends of declared flows), plus "the
 * other pods" of the namespace (labels that none of those name); the namespaces of the cluster's
 * layout (with the labels the stacks give them, and `kubernetes.io/metadata.name`) plus those the
 * policies name but the estate does not manage (e.g. kube-system, whose policies are unknown, so
 * its side is treated as open); and the address blocks the ipBlocks and declared flows name, cut
 * into pieces on which every rule agrees. A pod that carries the labels of two unrelated
 * selectors is not a group of its own here.
 */
import { flowsOf, stackCommentOf, type FlowRecord } from '../../lib/markers';
import { cidrRange, formatAddress, rangeToCidrs, rangeWithin, rangesOverlap, type AddressRange } from '../../lib/net';
import { EVERYTHING, formatLabels, namespacesOfStack, policiesOfStack, representative, selects, type LabelSelector, type NetworkPolicy, type PolicyPeer, type UnmodelledPolicy } from './policies';
import { PortSet } from './ports';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly zone?: string;
  /** False for a namespace the policies name but the estate does not create (kube-system). */
  readonly managed: boolean;
}

/** What the model is computed from: one cluster of one environment, read from its stacks. */
export interface ClusterInput {
  readonly environment: string;
  readonly cluster: string;
  readonly stacks: readonly string[];
  readonly namespaces: readonly NamespaceInfo[];
  readonly policies: readonly NetworkPolicy[];
  readonly flows: readonly FlowRecord[];
  readonly unmodelled: readonly UnmodelledPolicy[];
}

export type Endpoint =
  | {
      readonly kind: 'pods';
      /** `namespace/labels`, e.g. `postgres/cnpg.io/cluster=main`; `namespace/*` for the other pods. */
      readonly id: string;
      readonly namespace: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly managed: boolean;
      readonly zone?: string;
    }
  | {
      readonly kind: 'addresses';
      /** The CIDR blocks of the piece, joined by "+". */
      readonly id: string;
      readonly ranges: readonly AddressRange[];
      readonly cidrs: readonly string[];
    };

/** A policy's share in a direction: which of its rules' ports apply to this pair. */
export interface Contribution {
  readonly policy: NetworkPolicy;
  readonly ports: PortSet;
}

export interface Side {
  /** False when the estate does not govern this side (an address block, an unmanaged namespace). */
  readonly governed: boolean;
  /** True when some policy selecting the pod has this direction's type. */
  readonly isolated: boolean;
  readonly ports: PortSet;
  readonly contributions: readonly Contribution[];
}

/**
 * The policies of a side that let `ports` through, as `namespace/name`: those whose own ports
 * overlap them, or, when none does alone, every policy of the side. That happens to a named port
 * (`pg/TCP`), which lies in no numbered range: policies that only together allow every port of its
 * protocol let it through.
 */
export function policiesOpening(side: Side, ports: PortSet): string[] {
  const alone = side.contributions.filter((c) => !c.ports.intersect(ports).isEmpty());
  return (alone.length > 0 ? alone : side.contributions).map((c) => `${c.policy.namespace}/${c.policy.name}`);
}

export interface Path {
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** What both sides allow. */
  readonly ports: PortSet;
  readonly egress: Side;
  readonly ingress: Side;
}

export interface ClusterReach {
  readonly input: ClusterInput;
  readonly endpoints: readonly Endpoint[];
  /** Every pair with at least one port allowed. */
  readonly paths: readonly Path[];
  /** The two sides of any pair (also the blocked ones). */
  evaluate(from: Endpoint, to: Endpoint): Path;
}

const OPEN: Side = { governed: false, isolated: false, ports: PortSet.ALL, contributions: [] };

/** Groups synthesized stacks (parsed `cdk.tf.json` by stack name) into clusters, by their environment record. */
export function clustersOf(stacks: ReadonlyArray<{ readonly name: string; readonly json: unknown }>): ClusterInput[] {
  interface Gathered {
    environment: string;
    cluster: string;
    stacks: string[];
    zones: Map<string, string>;
    created: Map<string, Record<string, string>>;
    policies: NetworkPolicy[];
    flows: FlowRecord[];
    unmodelled: UnmodelledPolicy[];
  }
  const byCluster = new Map<string, Gathered>();
  for (const s of [...stacks].sort((a, b) => a.name.localeCompare(b.name))) {
    const env = stackCommentOf(s.json).environment as { name?: string; cluster?: string; namespaces?: Record<string, string> } | undefined;
    if (!env?.name || !env.cluster) continue;
    const key = `${env.name}/${env.cluster}`;
    const c: Gathered = byCluster.get(key) ?? { environment: env.name, cluster: env.cluster, stacks: [], zones: new Map(), created: new Map(), policies: [], flows: [], unmodelled: [] };
    byCluster.set(key, c);
    c.stacks.push(s.name);
    for (const [ns, zone] of Object.entries(env.namespaces ?? {})) c.zones.set(ns, zone);
    for (const ns of namespacesOfStack(s.json)) c.created.set(ns.name, ns.labels);
    const { policies, unmodelled } = policiesOfStack(s.name, s.json);
    c.policies.push(...policies);
    c.unmodelled.push(...unmodelled);
    c.flows.push(...flowsOf(s.json));
  }
  return [...byCluster.values()].map((c) => {
    const names = new Set([...c.zones.keys(), ...c.created.keys()]);
    const namespaces: NamespaceInfo[] = [...names].sort().map((name) => ({
      name,
      labels: { ...(c.created.get(name) ?? {}), ...(c.zones.has(name) ? { 'moit.gov.vn/zone': c.zones.get(name)! } : {}), [NAMESPACE_NAME_LABEL]: name },
      ...(c.zones.has(name) ? { zone: c.zones.get(name) } : {}),
      managed: true,
    }));
    return { environment: c.environment, cluster: c.cluster, stacks: c.stacks, namespaces, policies: c.policies, flows: c.flows, unmodelled: c.unmodelled };
  });
}

/** Namespaces the selectors name by `kubernetes.io/metadata.name` that the input does not hold. */
function referencedNamespaces(input: ClusterInput): string[] {
  const names = new Set<string>();
  const take = (sel: LabelSelector | undefined) => {
    if (!sel) return;
    const n = sel.matchLabels[NAMESPACE_NAME_LABEL];
    if (n) names.add(n);
    for (const e of sel.matchExpressions) if (e.key === NAMESPACE_NAME_LABEL && e.operator === 'In') e.values.forEach((v) => names.add(v));
  };
  for (const p of input.policies) {
    names.add(p.namespace);
    for (const r of [...p.ingress, ...p.egress]) for (const peer of r.peers ?? []) if (peer.kind === 'pods') take(peer.namespaceSelector);
  }
  for (const f of input.flows) for (const end of [f.from, f.to]) if (end.kind !== 'addresses') names.add(end.namespace);
  const known = new Set(input.namespaces.map((n) => n.name));
  return [...names].filter((n) => !known.has(n)).sort();
}

/**
 * Extra pod groups and address blocks to cut the universe at, so that two versions of a cluster
 * are computed over the same endpoints (the reachability diff); with `contiguous`, each address
 * piece is one contiguous range, so its identity does not depend on the policies of a version.
 */
export interface UniverseHints {
  readonly groups?: ReadonlyArray<{ readonly namespace: string; readonly labels: Readonly<Record<string, string>> }>;
  readonly ranges?: readonly AddressRange[];
  readonly contiguous?: boolean;
}

/** Computes the enforced connectivity of one cluster. */
export function computeReach(input: ClusterInput, hints: UniverseHints = {}): ClusterReach {
  const namespaces = [
    ...input.namespaces,
    ...referencedNamespaces(input).map((name): NamespaceInfo => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name }, managed: false })),
  ];
  const nsByName = new Map(namespaces.map((n) => [n.name, n]));
  const namespacesOf = (policyNamespace: string, peer: Extract<PolicyPeer, { kind: 'pods' }>) =>
    peer.namespaceSelector ? namespaces.filter((n) => selects(peer.namespaceSelector!, n.labels)) : namespaces.filter((n) => n.name === policyNamespace);

  // Pod groups: every selector that can apply in a namespace names one; plus the other pods.
  const groups = new Map<string, Map<string, Record<string, string>>>();
  const addGroup = (ns: string, labels: Record<string, string> | undefined) => {
    if (!labels) return;
    const m = groups.get(ns) ?? new Map<string, Record<string, string>>();
    m.set(formatLabels(labels), labels);
    groups.set(ns, m);
  };
  for (const n of namespaces) addGroup(n.name, {});
  for (const p of input.policies) {
    addGroup(p.namespace, representative(p.podSelector));
    for (const r of [...p.ingress, ...p.egress]) {
      for (const peer of r.peers ?? []) {
        if (peer.kind !== 'pods') continue;
        for (const n of namespacesOf(p.namespace, peer)) addGroup(n.name, representative(peer.podSelector ?? EVERYTHING));
      }
    }
  }
  for (const f of input.flows) for (const end of [f.from, f.to]) if (end.kind === 'pods') addGroup(end.namespace, { ...end.selector });
  for (const g of hints.groups ?? []) if (groups.has(g.namespace)) addGroup(g.namespace, { ...g.labels });

  const endpoints: Endpoint[] = [];
  for (const n of namespaces) {
    for (const [key, labels] of [...(groups.get(n.name) ?? new Map<string, Record<string, string>>()).entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      endpoints.push({ kind: 'pods', id: `${n.name}/${key}`, namespace: n.name, labels, managed: n.managed, ...(n.zone ? { zone: n.zone } : {}) });
    }
  }

  // Address pieces: cut at every boundary of an ipBlock, an except hole or a declared block.
  const blocks: Array<{ key: string; range: AddressRange }> = [];
  for (const p of input.policies) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const peer of r.peers ?? []) {
        if (peer.kind !== 'ipBlock') continue;
        blocks.push({ key: `ip:${peer.cidr}`, range: cidrRange(peer.cidr) });
        for (const e of peer.except) blocks.push({ key: `except:${e}`, range: cidrRange(e) });
      }
    }
  }
  for (const f of input.flows) for (const end of [f.from, f.to]) if (end.kind === 'addresses') blocks.push({ key: `flow:${end.cidr}`, range: cidrRange(end.cidr) });
  for (const r of hints.ranges ?? []) blocks.push({ key: `hint:${r.first}-${r.last}`, range: r });
  const cuts = [...new Set(blocks.flatMap((b) => [b.range.first, b.range.last + 1]))].sort((a, b) => a - b);
  const pieces = new Map<string, AddressRange[]>();
  for (let i = 0; i + 1 < cuts.length; i++) {
    const range = { first: cuts[i]!, last: cuts[i + 1]! - 1 };
    const inside = [...new Set(blocks.filter((b) => rangeWithin(range, b.range)).map((b) => b.key))].sort();
    if (!inside.some((k) => !k.startsWith('except:'))) continue;
    const sig = hints.contiguous ? `${range.first}` : inside.join('|');
    pieces.set(sig, [...(pieces.get(sig) ?? []), range]);
  }
  for (const ranges of pieces.values()) {
    const merged: AddressRange[] = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && last.last + 1 === r.first) merged[merged.length - 1] = { first: last.first, last: r.last };
      else merged.push(r);
    }
    const cidrs = merged.flatMap(rangeToCidrs);
    endpoints.push({ kind: 'addresses', id: cidrs.join('+'), ranges: merged, cidrs });
  }

  const peerMatches = (peer: PolicyPeer, policyNamespace: string, e: Endpoint): boolean => {
    if (peer.kind === 'ipBlock') {
      if (e.kind !== 'addresses') return false;
      const block = cidrRange(peer.cidr);
      const holes = peer.except.map(cidrRange);
      return e.ranges.every((r) => rangeWithin(r, block) && !holes.some((h) => rangesOverlap(r, h)));
    }
    if (e.kind !== 'pods') return false;
    const ns = nsByName.get(e.namespace)!;
    const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, ns.labels) : e.namespace === policyNamespace;
    return nsOk && selects(peer.podSelector ?? EVERYTHING, e.labels);
  };

  const selecting = new Map<string, { ingress: NetworkPolicy[]; egress: NetworkPolicy[] }>();
  for (const e of endpoints) {
    if (e.kind !== 'pods') continue;
    const own = input.policies.filter((p) => p.namespace === e.namespace && selects(p.podSelector, e.labels));
    selecting.set(e.id, { ingress: own.filter((p) => p.ingressIsolation), egress: own.filter((p) => p.egressIsolation) });
  }

  const side = (pod: Endpoint, other: Endpoint, direction: 'ingress' | 'egress'): Side => {
    if (pod.kind !== 'pods' || !pod.managed) return OPEN;
    const policies = selecting.get(pod.id)![direction];
    if (policies.length === 0) return { governed: true, isolated: false, ports: PortSet.ALL, contributions: [] };
    const contributions: Contribution[] = [];
    let ports = PortSet.NONE;
    for (const p of policies) {
      let mine = PortSet.NONE;
      for (const r of p[direction]) if (!r.peers || r.peers.some((peer) => peerMatches(peer, p.namespace, other))) mine = mine.union(r.ports);
      if (!mine.isEmpty()) {
        contributions.push({ policy: p, ports: mine });
        ports = ports.union(mine);
      }
    }
    return { governed: true, isolated: true, ports, contributions };
  };

  const evaluate = (from: Endpoint, to: Endpoint): Path => {
    const egress = side(from, to, 'egress');
    const ingress = side(to, from, 'ingress');
    return { from, to, ports: egress.ports.intersect(ingress.ports), egress, ingress };
  };

  const governed = (e: Endpoint) => e.kind === 'pods' && e.managed;
  const paths: Path[] = [];
  for (const from of endpoints) {
    for (const to of endpoints) {
      if (!governed(from) && !governed(to)) continue;
      const path = evaluate(from, to);
      if (!path.ports.isEmpty()) paths.push(path);
    }
  }
  return { input, endpoints, paths, evaluate };
}

/** A readable name of an endpoint: `ns/labels`, `ns/* (other pods)` or the address blocks. */
export function describeEndpoint(e: Endpoint): string {
  if (e.kind === 'addresses') {
    return e.ranges
      .map((r) => {
        const cidrs = rangeToCidrs(r);
        return cidrs.length === 1 ? cidrs[0]! : `${formatAddress(r.first)}-${formatAddress(r.last)}`;
      })
      .join(' + ');
  }
  return Object.keys(e.labels).length === 0 ? `${e.namespace}/* (other pods)` : e.id;
}

export { formatAddress };
