/**
 * Enforced versus declared: every declared flow (recorded in the synthesized stacks, lib/markers.ts
 * `flows`) must be allowed end to end by the policies, and every allowed path must be explained by
 * declared flows, port for port.
 */
import type { FlowEndRecord, FlowRecord } from '../../lib/markers';
import { cidrRange, rangeWithin } from '../../lib/net';
import { computeReach, describeEndpoint, policiesOpening, type ClusterInput, type ClusterReach, type Endpoint, type Path, type Side } from './model';
import { selects } from './policies';
import { PortSet } from './ports';

export interface BlockedFlow {
  readonly flow: FlowRecord;
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** Declared ports the policies do not allow. */
  readonly missing: PortSet;
  /** Which side refuses: the client's egress, the server's ingress, or both. */
  readonly blockedBy: ReadonlyArray<'egress' | 'ingress'>;
}

export interface UndeclaredPath {
  readonly path: Path;
  /** Allowed ports no declared flow explains. */
  readonly ports: PortSet;
  /** The policies that open them, per side (empty on a side no policy isolates). */
  readonly egressPolicies: readonly string[];
  readonly ingressPolicies: readonly string[];
}

export interface ClusterCheck {
  readonly reach: ClusterReach;
  readonly blocked: readonly BlockedFlow[];
  readonly undeclared: readonly UndeclaredPath[];
  /** Declared flows whose ends match nothing in the model (a namespace or block it does not know). */
  readonly unmatched: readonly FlowRecord[];
}

/**
 * The declared address blocks of a cluster. An address piece is what the narrowest declared
 * blocks around it name: a registry's /32 inside the node network is the registry, and a flow to
 * the wider block explains traffic to it only where that block declares it encloses the registry.
 */
export class DeclaredBlocks {
  private readonly cidrs: string[];

  constructor(flows: readonly FlowRecord[]) {
    this.cidrs = [...new Set(flows.flatMap((f) => [f.from, f.to]).flatMap((end) => (end.kind === 'addresses' ? [end.cidr] : [])))];
  }

  /** The narrowest declared blocks holding the piece `e`. */
  narrowest(e: Extract<Endpoint, { kind: 'addresses' }>): string[] {
    const holding = this.cidrs.filter((c) => e.ranges.every((r) => rangeWithin(r, cidrRange(c))));
    return holding.filter((c) => !holding.some((d) => d !== c && rangeWithin(cidrRange(d), cidrRange(c)) && !rangeWithin(cidrRange(c), cidrRange(d))));
  }
}

/** True when endpoint `e` is (part of) the declared flow end `end`. */
export function endMatches(end: FlowEndRecord, e: Endpoint, blocks?: DeclaredBlocks): boolean {
  if (end.kind === 'addresses') {
    if (e.kind !== 'addresses') return false;
    const block = cidrRange(end.cidr);
    if (!e.ranges.every((r) => rangeWithin(r, block))) return false;
    if (!blocks || end.wildcard) return true;
    const enclosed = new Set((end.encloses ?? []).map((x) => cidrRange(x.cidr)).map((r) => `${r.first}-${r.last}`));
    return blocks.narrowest(e).every((c) => {
      const r = cidrRange(c);
      return (r.first === block.first && r.last === block.last) || enclosed.has(`${r.first}-${r.last}`);
    });
  }
  if (e.kind !== 'pods' || e.namespace !== end.namespace) return false;
  return end.kind === 'namespace' || selects({ matchLabels: end.selector, matchExpressions: [] }, e.labels);
}

export function flowPorts(flow: FlowRecord): PortSet {
  return PortSet.parse(flow.ports.join(', '));
}

/** The declared flows that explain traffic from `from` to `to`. */
export function flowsBetween(flows: readonly FlowRecord[], from: Endpoint, to: Endpoint, blocks = new DeclaredBlocks(flows)): FlowRecord[] {
  return flows.filter((f) => endMatches(f.from, from, blocks) && endMatches(f.to, to, blocks));
}

/** Checks one cluster: blocked declared flows and undeclared allowed paths. */
export function checkCluster(input: ClusterInput): ClusterCheck {
  const reach = computeReach(input);
  const blocks = new DeclaredBlocks(input.flows);
  const blocked: BlockedFlow[] = [];
  const unmatched: FlowRecord[] = [];
  for (const flow of input.flows) {
    const froms = reach.endpoints.filter((e) => endMatches(flow.from, e, blocks));
    const tos = reach.endpoints.filter((e) => endMatches(flow.to, e, blocks));
    if (froms.length === 0 || tos.length === 0) {
      unmatched.push(flow);
      continue;
    }
    const wanted = flowPorts(flow);
    for (const from of froms) {
      for (const to of tos) {
        if (from === to && from.kind === 'addresses') continue;
        const path = reach.evaluate(from, to);
        const missing = wanted.subtract(path.ports);
        if (missing.isEmpty()) continue;
        const blockedBy = [...(path.egress.ports.covers(missing) ? [] : (['egress'] as const)), ...(path.ingress.ports.covers(missing) ? [] : (['ingress'] as const))];
        blocked.push({ flow, from, to, missing, blockedBy });
      }
    }
  }
  const undeclared: UndeclaredPath[] = [];
  for (const path of reach.paths) {
    const declared = flowsBetween(input.flows, path.from, path.to, blocks).reduce((acc, f) => acc.union(flowPorts(f)), PortSet.NONE);
    const rest = path.ports.subtract(declared);
    if (rest.isEmpty()) continue;
    undeclared.push({ path, ports: rest, egressPolicies: policiesOpening(path.egress, rest), ingressPolicies: policiesOpening(path.ingress, rest) });
  }
  return { reach, blocked, undeclared, unmatched };
}

/** One line per problem, for test failures and the CLI. */
export function describeProblems(env: string, check: ClusterCheck): string[] {
  const where = `${env}/${check.reach.input.cluster}`;
  const side = (s: Side, names: readonly string[]) => (!s.governed ? 'not governed here' : !s.isolated ? 'not isolated (no policy selects it for this direction)' : names.join(', ') || 'none');
  return [
    ...check.blocked.map(
      (b) =>
        `${where}: declared flow ${b.flow.from.name} -> ${b.flow.to.name} [${b.flow.ports.join(', ')}] (declared at ${b.flow.declaredBy}) is blocked from ${describeEndpoint(b.from)} to ${describeEndpoint(b.to)} on ${b.missing} by ${b.blockedBy.map((x) => (x === 'egress' ? "the client's egress" : "the server's ingress")).join(' and ')}`,
    ),
    ...check.undeclared.map(
      (u) =>
        `${where}: undeclared path ${describeEndpoint(u.path.from)} -> ${describeEndpoint(u.path.to)} on ${u.ports}: opened by egress ${side(u.path.egress, u.egressPolicies)}; ingress ${side(u.path.ingress, u.ingressPolicies)}`,
    ),
    ...check.unmatched.map((f) => `${where}: declared flow ${f.from.name} -> ${f.to.name} (declared at ${f.declaredBy}) names an end the model has no endpoint for`),
  ];
}
