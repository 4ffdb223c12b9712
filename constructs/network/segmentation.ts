import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import type { ZoneName } from '../../environments/schema';
import { EXPOSED_ZONES, NETWORK_EXCEPTION_ANNOTATION } from '../../policy/zones';
import { UserError } from '../../lib/errors';
import { NetworkPolicyV1 } from '../../lib/providers';
import { ClusterContext } from '../context';
import type { ITerraformDependable, TerraformStack } from '../../lib/tf';
import { recordFlows, type FlowEndRecord, type FlowRecord } from '../../lib/markers';
import { ExternalPeer, NetworkException, Peer, WorkloadPeer } from './peer';
import { mergePorts, Port } from './port';
import { cidrWithin } from '../../lib/net';

/** A path between two peers that someone declared, with its ports and why it exists. */
export interface Flow {
  readonly from: Peer;
  readonly to: Peer;
  readonly ports: readonly Port[];
  /** Why this flow exists, shown in diagrams and reports. */
  readonly description: string;
  /** The construct path that declared the flow, for error messages and evidence. */
  readonly declaredBy: string;
}

export { EXPOSED_ZONES, NETWORK_EXCEPTION_ANNOTATION };

/** How a peer is written in the record of declared flows (lib/markers.ts). */
export function flowEndOf(peer: Peer): FlowEndRecord {
  if (peer instanceof ExternalPeer) {
    return {
      kind: 'addresses',
      name: peer.name,
      cidr: peer.cidr,
      ...(peer.location.kind === 'control-plane' ? { controlPlane: true } : {}),
      ...(peer.exceptionNeeded() && peer.exception ? { wildcard: true } : {}),
      ...(peer.encloses.length > 0 ? { encloses: peer.encloses.map((e) => ({ name: e.peer.name, cidr: e.peer.cidr, reason: e.reason })) } : {}),
    };
  }
  const target = peer.policyTarget()!;
  if (Object.keys(target.podSelector).length === 0) return { kind: 'namespace', name: peer.name, namespace: target.namespace };
  return { kind: 'pods', name: peer.name, namespace: target.namespace, selector: target.podSelector };
}

function flowRecord(flow: Flow): FlowRecord {
  const exception = [flow.from.exception?.reason, flow.to.exception?.reason].filter((r): r is string => !!r && r.trim().length > 0).join('; ');
  return {
    from: flowEndOf(flow.from),
    to: flowEndOf(flow.to),
    ports: flow.ports.map(String),
    purpose: flow.description,
    declaredBy: flow.declaredBy,
    ...(exception ? { exception } : {}),
    renderedBy: 'segmentation',
  };
}

/**
 * Thrown at synth when declared flows break a zone rule; lists every offending flow.
 */
export class SegmentationError extends UserError {
  constructor(readonly violations: readonly string[]) {
    super(`Network segmentation: ${violations.length} rule violation${violations.length === 1 ? '' : 's'}. Nothing was synthesized.\n${violations.map((v) => `  - ${v}`).join('\n')}`);
    this.name = 'SegmentationError';
  }
}

/** A thing with connections (a database, a broker, a workload). */
export interface IConnectable {
  readonly connections: Connections;
}

function peerOf(target: Peer | IConnectable): Peer {
  return target instanceof Peer ? target : target.connections.peer;
}

function describeFlow(f: Pick<Flow, 'from' | 'to' | 'ports'>): string {
  return `flow ${f.from.describe()} -> ${f.to.describe()} [${f.ports.map(String).join(', ')}]`;
}

/**
 * Checks one flow against the zone rules; returns the violations (empty when it complies).
 * The rules: dmz never reaches data directly; data reaches outside the cluster only to a
 * declared backup target; wildcards and the whole Internet need an exception with a reason.
 */
export function zoneViolations(flow: Pick<Flow, 'from' | 'to' | 'ports' | 'declaredBy'>): string[] {
  const out: string[] = [];
  const what = `${describeFlow(flow)} (declared at ${flow.declaredBy})`;
  const from = flow.from.location;
  const to = flow.to.location;
  if (from.kind !== 'zone' && to.kind !== 'zone') out.push(`${what}: both ends are outside the cluster; a NetworkPolicy cannot express it`);
  if (from.kind === 'zone' && from.zone === 'dmz' && to.kind === 'zone' && to.zone === 'data') {
    out.push(`${what}: the dmz zone never reaches the data zone directly; route it through a service in the app zone`);
  }
  if (from.kind === 'zone' && from.zone === 'data' && to.kind === 'external' && flow.to instanceof ExternalPeer && !flow.to.backupTarget) {
    out.push(`${what}: the data zone has no egress beyond the cluster except declared backup targets; declare the peer with backupTarget: true if it is one`);
  }
  for (const peer of [flow.from, flow.to]) {
    const needed = peer.exceptionNeeded();
    if (!needed) continue;
    const reason = peer.exception?.reason?.trim() ?? '';
    if (reason.length < 10) {
      out.push(`${what}: reaches ${needed}; declare an exception with a reason of at least 10 characters, or name narrower peers`);
    }
  }
  if (flow.ports.length === 0) out.push(`${what}: names no port; give ports, or give the peer default ports`);
  return out;
}

/**
 * Checks that each thing has one name in a cluster's flows: one set of pods is not declared
 * under two names (it would be drawn and audited as two workloads), one name is not two sets of
 * pods, and an address block that holds another declared block (the registry mirror inside the
 * node network) declares the overlap (`encloses`) with a reason, or its flows would reach that
 * host under the wrong name.
 */
export function identityViolations(flows: readonly Pick<Flow, 'from' | 'to' | 'declaredBy'>[]): string[] {
  const out: string[] = [];
  const pods = new Map<string, { name: string; where: string }>();
  const names = new Map<string, { key: string; where: string }>();
  const blocks = new Map<string, { peer: ExternalPeer; where: string }>();
  for (const f of flows) {
    for (const peer of [f.from, f.to]) {
      if (peer instanceof ExternalPeer) {
        const key = `${peer.name}|${peer.cidr}`;
        if (!blocks.has(key)) blocks.set(key, { peer, where: f.declaredBy });
        continue;
      }
      const target = peer.policyTarget();
      if (!target) continue;
      const key = `${target.namespace}|${JSON.stringify(Object.entries(target.podSelector).sort())}`;
      const byKey = pods.get(key);
      if (byKey && byKey.name !== peer.name) {
        out.push(`pods ${target.namespace}/${Object.entries(target.podSelector).map(([k, v]) => `${k}=${v}`).join(',') || '*'} are declared under two names, "${byKey.name}" (declared at ${byKey.where}) and "${peer.name}" (declared at ${f.declaredBy}); use one peer for them`);
      } else if (!byKey) pods.set(key, { name: peer.name, where: f.declaredBy });
      const nameKey = `${target.namespace}/${peer.name}`;
      const byName = names.get(nameKey);
      if (byName && byName.key !== key) out.push(`peer name "${nameKey}" names two different sets of pods (declared at ${byName.where} and at ${f.declaredBy}); give each its own name`);
      else if (!byName) names.set(nameKey, { key, where: f.declaredBy });
    }
  }
  const all = [...blocks.values()];
  for (const wide of all) {
    for (const narrow of all) {
      if (wide === narrow || !cidrWithin(narrow.peer.cidr, wide.peer.cidr)) continue;
      // A wildcard (the whole Internet) covers everything on purpose; its exception is checked by zoneViolations.
      if (wide.peer.exceptionNeeded()) continue;
      // The same block under two names (one site's node network as "dr-site" and as a reader) is one place.
      if (cidrWithin(wide.peer.cidr, narrow.peer.cidr)) continue;
      const declared = wide.peer.encloses.find((e) => e.peer.name === narrow.peer.name && cidrWithin(e.peer.cidr, wide.peer.cidr));
      if (declared && declared.reason.trim().length >= 10) continue;
      out.push(
        `${narrow.peer.describe()} (declared at ${narrow.where}) lies inside ${wide.peer.describe()} (declared at ${wide.where}): flows to and from "${wide.peer.name}" would reach it too; narrow "${wide.peer.name}", or declare the overlap on it (encloses, with a reason)`,
      );
    }
  }
  return [...new Set(out)];
}

/**
 * Checks that a Service of type LoadBalancer or NodePort is exposed only from dmz or exchange.
 * Constructs call it for anything that makes the cluster reachable from outside.
 */
export function checkExposure(what: string, zone: ZoneName, serviceType: string): string | undefined {
  if (serviceType !== 'LoadBalancer' && serviceType !== 'NodePort') return undefined;
  if (EXPOSED_ZONES.includes(zone)) return undefined;
  return `${what}: a Service of type ${serviceType} in zone "${zone}" exposes it outside the cluster; only ${EXPOSED_ZONES.join(' and ')} may do that`;
}

/** Makes a DNS-1123 name of at most 63 characters, with a short hash when it must shorten. */
export function policyName(...parts: string[]): string {
  const full = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-$/, '')}-${hash}`;
}

/**
 * The declared flows of one stack, rendered into NetworkPolicies on both sides when the stack
 * is prepared for synthesis: egress on the client, ingress on the server. Because rendering
 * happens then, flows added after a construct was built still take effect. Zone rules are
 * checked at the same moment; any violation stops the synth.
 */
export class Segmentation extends Construct {
  /** The segmentation of the stack `scope` belongs to (created on first use). */
  static of(scope: Construct): Segmentation {
    const stack = ClusterContext.of(scope);
    const existing = stack.node.tryFindChild('segmentation');
    return (existing as Segmentation | undefined) ?? new Segmentation(stack, 'segmentation');
  }

  /** The flows declared in a stack, without creating a segmentation there. */
  static flowsOf(stack: Construct): Flow[] {
    const existing = stack.node.tryFindChild('segmentation');
    return existing instanceof Segmentation ? existing.flows : [];
  }

  private readonly declared: Flow[] = [];
  private readonly baselines: FlowRecord[] = [];
  private rendered = false;
  /** Violations found outside flows (exposure checks), reported with the flows'. */
  private readonly extraViolations: string[] = [];

  /** Declares a flow. Ports default to the destination's own. */
  allow(from: Peer | IConnectable, to: Peer | IConnectable, options: { readonly ports?: readonly Port[]; readonly description?: string; readonly declaredBy?: Construct } = {}): Flow {
    if (this.rendered) throw new Error(`${this.node.path}: a flow was declared after the stack was synthesized`);
    const source = peerOf(from);
    const target = peerOf(to);
    const flow: Flow = {
      from: source,
      to: target,
      ports: mergePorts(options.ports ?? target.defaultPorts),
      description: options.description ?? '',
      declaredBy: (options.declaredBy ?? this).node.path,
    };
    this.declared.push(flow);
    return flow;
  }

  /**
   * Records a flow whose policies another construct renders (the namespace baseline's DNS
   * egress), so the record of declared flows is complete.
   */
  recordBaseline(record: FlowRecord): void {
    if (this.rendered) throw new Error(`${this.node.path}: a baseline flow was recorded after the stack was synthesized`);
    this.baselines.push(record);
  }

  /** Records a violation found by a construct (e.g. an exposure check) to report with the rest. */
  reportViolation(message: string): void {
    this.extraViolations.push(message);
  }

  /** Every flow declared so far, merged per pair of peers. */
  get flows(): Flow[] {
    const byPair = new Map<string, Flow>();
    for (const f of this.declared) {
      const key = `${f.from.describe()}|${f.to.describe()}`;
      const prev = byPair.get(key);
      byPair.set(
        key,
        prev
          ? { ...prev, ports: mergePorts(prev.ports, f.ports), description: [prev.description, f.description].filter((d, i, a) => d && a.indexOf(d) === i).join('; ') }
          : f,
      );
    }
    return [...byPair.values()];
  }

  /** All rule violations of the declared flows. */
  violations(): string[] {
    return [...this.extraViolations, ...this.declared.flatMap((f) => zoneViolations(f)), ...identityViolations(this.clusterFlows())];
  }

  /**
   * The flows declared for this cluster in every stack of the app (the platform and services
   * stacks share one cluster): names and address blocks must be consistent across them.
   */
  private clusterFlows(): Flow[] {
    const stack = ClusterContext.of(this);
    const app = stack.node.scope;
    const siblings = app ? app.node.children : [stack];
    const out: Flow[] = [];
    for (const child of siblings) {
      const ctx = ClusterContext.tryOf(child);
      if (!ctx || ctx !== child || ctx.environment.name !== stack.environment.name || ctx.cluster !== stack.cluster) continue;
      const seg = ctx.node.tryFindChild('segmentation');
      if (seg instanceof Segmentation) out.push(...seg.declared);
    }
    return out;
  }

  /** Checks the rules and writes the policies. Called once, when the stack is prepared. */
  render(): void {
    if (this.rendered) return;
    const violations = this.violations();
    if (violations.length > 0) throw new SegmentationError(violations);
    this.rendered = true;
    const stack = ClusterContext.of(this);
    const provider = stack.kubernetes;
    // A policy in a namespace this same stack creates waits for the namespace.
    const dependsOnNamespace = (name: string): ITerraformDependable[] | undefined => {
      const created = stack.createdNamespace(name);
      return created ? [created.namespace] : undefined;
    };
    const records = [...this.baselines, ...this.flows.map((f) => flowRecord(f))];
    if (records.length > 0) recordFlows(stack as unknown as TerraformStack, records);
    for (const flow of this.flows) {
      const ports = flow.ports.map((p) => p.policyPort());
      const name = policyName('flow', flow.from.name, 'to', flow.to.name);
      const labels = { 'app.kubernetes.io/managed-by': 'moit-datacentre', 'moit.gov.vn/policy': 'flow' };
      const exception = [flow.from.exception?.reason, flow.to.exception?.reason].filter((r): r is string => !!r && r.trim().length > 0).join('; ');
      const annotations = {
        'moit.gov.vn/flow': describeFlow(flow),
        ...(flow.description ? { 'moit.gov.vn/purpose': flow.description } : {}),
        // The reason of a declared exception (wildcard, the Internet), read by the audit (NET-003).
        ...(exception ? { [NETWORK_EXCEPTION_ANNOTATION]: exception } : {}),
      };
      const server = flow.to.policyTarget();
      if (server) {
        new NetworkPolicyV1(this, `${name}-ingress`, {
          provider,
          dependsOn: dependsOnNamespace(server.namespace),
          metadata: { name: `${name}-in`.slice(0, 63), namespace: server.namespace, labels, annotations },
          spec: { podSelector: { matchLabels: server.podSelector }, policyTypes: ['Ingress'], ingress: [{ from: [flow.from.policyPeer()], ports }] },
        });
      }
      const client = flow.from.policyTarget();
      if (client) {
        new NetworkPolicyV1(this, `${name}-egress`, {
          provider,
          dependsOn: dependsOnNamespace(client.namespace),
          metadata: { name: `${name}-out`.slice(0, 63), namespace: client.namespace, labels, annotations },
          spec: { podSelector: { matchLabels: client.podSelector }, policyTypes: ['Egress'], egress: [{ to: [flow.to.policyPeer()], ports }] },
        });
      }
    }
  }
}

/**
 * The network side of a server or client: `db.connections.allowFrom(app)` declares a flow to
 * the server's own ports and compiles to policies on both sides.
 */
export class Connections {
  constructor(
    private readonly owner: Construct,
    readonly peer: WorkloadPeer,
  ) {}

  /** Lets `other` reach this, on `ports` (default: this peer's own ports). */
  allowFrom(other: Peer | IConnectable, options: { readonly ports?: readonly Port[]; readonly description?: string } = {}): Flow {
    return Segmentation.of(this.owner).allow(other, this.peer, { ...options, declaredBy: this.owner });
  }

  /** Lets this reach `other`, on `ports` (default: the other's own ports). */
  allowTo(other: Peer | IConnectable, options: { readonly ports?: readonly Port[]; readonly description?: string } = {}): Flow {
    return Segmentation.of(this.owner).allow(this.peer, other, { ...options, declaredBy: this.owner });
  }
}

export type { NetworkException };
