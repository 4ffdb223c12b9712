/**
 * Reads NetworkPolicies from synthesized bodies and plan values, and tells whether a new version
 * allows more than the old one. Both shapes are handled: `kubernetes_network_policy(_v1)`
 * (snake_case; in plan JSON every block is a list) and a `kubernetes_manifest` of kind
 * NetworkPolicy (camelCase, as the Kubernetes API writes it).
 *
 * "Allows more" is decided rule by rule: a rule of the new policy is fine when one rule of the
 * old policy covers it (every peer of the new rule is inside a peer of the old one, and every
 * port inside one of its ports; an empty list of peers or ports means "all"). Anything not
 * covered is reported, as are directions no longer isolated and a changed pod selector.
 */
import { cidrContains as ipv4Contains } from '../../lib/net';
import { deepEqual, isObject, type Json } from './paths';
import { manifestObject } from './stateful';

interface Selector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly Json[];
}
interface Peer {
  readonly podSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ipBlock?: { readonly cidr: string; readonly except: readonly string[] };
}
interface PortRange {
  readonly protocol: string;
  /** A number, a named port, or undefined for every port of the protocol. */
  readonly port?: string;
  readonly endPort?: number;
}
interface Rule {
  readonly peers: readonly Peer[];
  readonly ports: readonly PortRange[];
}
type Direction = 'ingress' | 'egress';
interface Policy {
  readonly podSelector: Selector;
  readonly types: ReadonlySet<Direction>;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
}

const POLICY_TYPES = new Set(['kubernetes_network_policy', 'kubernetes_network_policy_v1']);

/** True for a NetworkPolicy resource (either shape). */
export function isNetworkPolicy(type: string, body: unknown): boolean {
  if (POLICY_TYPES.has(type)) return true;
  if (type !== 'kubernetes_manifest') return false;
  const m = manifestObject(body);
  return m?.kind === 'NetworkPolicy' && typeof m.apiVersion === 'string' && m.apiVersion.startsWith('networking.k8s.io/');
}

/**
 * True when the policy only allows: every direction it isolates has at least one rule. Removing
 * it takes away what it allowed (narrowing), while the namespace's default deny keeps the pods
 * isolated. A policy that isolates a direction with no rule is a deny: removing it opens traffic.
 */
export function isAllowOnly(type: string, body: unknown): boolean {
  const policy = readPolicy(type, body);
  if (!policy || policy.types.size === 0) return false;
  return [...policy.types].every((d) => policy[d].length > 0);
}

/** A block: plan JSON writes nested blocks as lists of zero or one element. */
function block(value: unknown): Record<string, unknown> | undefined {
  const v = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  return isObject(v) ? v : undefined;
}

function field(obj: Record<string, unknown> | undefined, camel: string): unknown {
  if (!obj) return undefined;
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return obj[camel] ?? obj[snake];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function selector(value: unknown): Selector | undefined {
  const b = block(value);
  if (!b) return undefined;
  const labels = field(b, 'matchLabels');
  return {
    matchLabels: isObject(labels) ? Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])) : {},
    matchExpressions: list(field(b, 'matchExpressions')) as Json[],
  };
}

function peer(value: unknown): Peer {
  const b = block(value) ?? {};
  const ip = block(field(b, 'ipBlock'));
  return {
    podSelector: selector(field(b, 'podSelector')),
    namespaceSelector: selector(field(b, 'namespaceSelector')),
    ipBlock: ip && typeof ip.cidr === 'string' ? { cidr: ip.cidr, except: list(ip.except).map(String) } : undefined,
  };
}

function port(value: unknown): PortRange {
  const b = block(value) ?? {};
  const p = field(b, 'port');
  const end = field(b, 'endPort');
  return {
    protocol: typeof b.protocol === 'string' ? b.protocol.toUpperCase() : 'TCP',
    port: p === undefined || p === null || p === '' ? undefined : String(p),
    endPort: typeof end === 'number' ? end : typeof end === 'string' && end !== '' ? Number(end) : undefined,
  };
}

function rules(value: unknown, peersKey: 'from' | 'to'): Rule[] {
  return list(value).map((r) => {
    const b = block(r) ?? {};
    return { peers: list(b[peersKey]).map(peer), ports: list(b.ports).map(port) };
  });
}

/** The policy of a body or plan value, normalized; undefined when it has no spec. */
export function readPolicy(type: string, body: unknown): Policy | undefined {
  const spec = type === 'kubernetes_manifest' ? block(manifestObject(body)?.spec) : block(isObject(body) ? body.spec : undefined);
  if (!spec) return undefined;
  const ingress = rules(spec.ingress, 'from');
  const egress = rules(spec.egress, 'to');
  const declared = list(field(spec, 'policyTypes')).map((t) => String(t).toLowerCase());
  // Kubernetes' default: Ingress always, Egress when there are egress rules.
  const types = new Set<Direction>(declared.length > 0 ? (declared.filter((t) => t === 'ingress' || t === 'egress') as Direction[]) : egress.length > 0 ? ['ingress', 'egress'] : ['ingress']);
  return { podSelector: selector(field(spec, 'podSelector')) ?? { matchLabels: {}, matchExpressions: [] }, types, ingress, egress };
}

/** True when CIDR `outer` contains CIDR `inner` (IPv4, lib/net.ts; other notations must be equal). */
export function cidrContains(outer: string, inner: string): boolean {
  return ipv4Contains(outer.trim(), inner.trim()) ?? outer.trim() === inner.trim();
}

function selectorCovers(wide: Selector, narrow: Selector): boolean {
  return (
    Object.entries(wide.matchLabels).every(([k, v]) => narrow.matchLabels[k] === v) &&
    wide.matchExpressions.every((e) => narrow.matchExpressions.some((n) => deepEqual(e, n)))
  );
}

const ALL: Selector = { matchLabels: {}, matchExpressions: [] };

function peerCovers(wide: Peer, narrow: Peer): boolean {
  if (wide.ipBlock || narrow.ipBlock) {
    if (!wide.ipBlock || !narrow.ipBlock || !cidrContains(wide.ipBlock.cidr, narrow.ipBlock.cidr)) return false;
    const n = narrow.ipBlock;
    // Every hole of the old block must still be a hole, unless it lies outside the new block.
    return wide.ipBlock.except.every((e) => !(cidrContains(n.cidr, e) || cidrContains(e, n.cidr)) || n.except.some((x) => cidrContains(x, e)));
  }
  if (wide.namespaceSelector === undefined && narrow.namespaceSelector !== undefined) return false;
  if (wide.namespaceSelector !== undefined && (narrow.namespaceSelector === undefined || !selectorCovers(wide.namespaceSelector, narrow.namespaceSelector))) {
    return false;
  }
  return selectorCovers(wide.podSelector ?? ALL, narrow.podSelector ?? ALL);
}

function portCovers(wide: PortRange, narrow: PortRange): boolean {
  if (wide.protocol !== narrow.protocol) return false;
  if (wide.port === undefined) return true;
  if (narrow.port === undefined) return false;
  if (wide.port === narrow.port && (wide.endPort ?? 0) >= (narrow.endPort ?? 0)) return true;
  const [ws, ns] = [Number(wide.port), Number(narrow.port)];
  if (!Number.isInteger(ws) || !Number.isInteger(ns)) return false;
  return ws <= ns && (wide.endPort ?? ws) >= (narrow.endPort ?? ns);
}

function ruleCovers(wide: Rule, narrow: Rule): boolean {
  const peersOk = wide.peers.length === 0 || (narrow.peers.length > 0 && narrow.peers.every((q) => wide.peers.some((p) => peerCovers(p, q))));
  const portsOk = wide.ports.length === 0 || (narrow.ports.length > 0 && narrow.ports.every((q) => wide.ports.some((p) => portCovers(p, q))));
  return peersOk && portsOk;
}

function describeSelector(s: Selector): string {
  const labels = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`);
  const exprs = s.matchExpressions.map((e) => JSON.stringify(e));
  const all = [...labels, ...exprs];
  return all.length === 0 ? 'all' : `{${all.join(', ')}}`;
}

function describePeer(p: Peer): string {
  if (p.ipBlock) return `ipBlock ${p.ipBlock.cidr}${p.ipBlock.except.length ? ` except ${p.ipBlock.except.join(', ')}` : ''}`;
  const parts = [];
  if (p.namespaceSelector) parts.push(`namespaces ${describeSelector(p.namespaceSelector)}`);
  parts.push(`pods ${describeSelector(p.podSelector ?? ALL)}${p.namespaceSelector ? '' : ' of its namespace'}`);
  return parts.join(', ');
}

function describeRule(r: Rule, direction: Direction): string {
  const peers = r.peers.length === 0 ? (direction === 'ingress' ? 'any source' : 'any destination') : r.peers.map(describePeer).join('; ');
  const ports = r.ports.length === 0 ? 'all ports' : r.ports.map((p) => `${p.port ?? 'all'}${p.endPort ? `-${p.endPort}` : ''}/${p.protocol}`).join(', ');
  return `${direction === 'ingress' ? 'from' : 'to'} ${peers} on ${ports}`;
}

/**
 * How `after` allows more than `before`, one phrase each (empty when it does not). Either side
 * missing or unreadable yields nothing: removal is a separate rule, and a new policy only adds
 * isolation.
 */
export function widenings(type: string, before: unknown, after: unknown): string[] {
  const a = readPolicy(type, before);
  const b = readPolicy(type, after);
  if (!a || !b) return [];
  const out: string[] = [];
  if (!deepEqual(a.podSelector, b.podSelector)) {
    out.push(`selects different pods (pod selector ${describeSelector(a.podSelector)} → ${describeSelector(b.podSelector)}): pods it no longer selects lose its isolation`);
  }
  for (const dir of ['ingress', 'egress'] as const) {
    if (!a.types.has(dir)) continue; // not isolated before: any rule now only narrows
    if (!b.types.has(dir)) {
      out.push(`no longer isolates ${dir} (policy types ${[...a.types].join(', ')} → ${[...b.types].join(', ') || 'none'})`);
      continue;
    }
    for (const r of b[dir]) {
      if (!a[dir].some((old) => ruleCovers(old, r))) out.push(`${dir} now allows ${describeRule(r, dir)}, which no previous rule allowed`);
    }
  }
  return out;
}
