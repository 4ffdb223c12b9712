/**
 * Questions to the reachability model and their answers, as data (JSON) and Markdown:
 * the matrix of every allowed path of an environment, or "can X reach Y": on which ports,
 * through which policies on each side, declared by which flow and why.
 */
import type { FlowRecord } from '../../lib/markers';
import { cidrRange, isCidr, rangesOverlap } from '../../lib/net';
import { checkCluster, DeclaredBlocks, endMatches, flowPorts, type ClusterCheck } from './check';
import { describeEndpoint, policiesOpening, type ClusterInput, type Endpoint, type Path, type Side } from './model';
import { formatLabels } from './policies';
import { PortSet } from './ports';

/** How an endpoint is shown: the declared name(s) of what it is, then its selector or blocks. */
export function endpointLabel(e: Endpoint, flows: readonly FlowRecord[], blocks: DeclaredBlocks): string {
  const names = new Set<string>();
  for (const f of flows) {
    for (const end of [f.from, f.to]) {
      if (end.kind === 'pods' && e.kind === 'pods' && end.namespace === e.namespace && formatLabels(end.selector) === formatLabels(e.labels)) names.add(end.name);
      if (end.kind === 'addresses' && e.kind === 'addresses' && blocks.narrowest(e).includes(end.cidr)) names.add(end.name);
    }
  }
  const what = describeEndpoint(e);
  if (names.size === 0) return what;
  return e.kind === 'pods' ? `${e.namespace}/${[...names].sort().join(' = ')} (${formatLabels(e.labels)})` : `${[...names].sort().join(' = ')} (${what})`;
}

export interface PolicyShare {
  readonly policy: string;
  readonly ports: string;
  readonly source: string;
}

export interface DeclaredShare {
  readonly from: string;
  readonly to: string;
  readonly ports: readonly string[];
  readonly purpose: string;
  readonly declaredBy: string;
  readonly exception?: string;
}

export interface Answer {
  readonly cluster: string;
  readonly from: string;
  readonly to: string;
  /** Ports both sides allow ("none" when blocked). */
  readonly ports: string;
  readonly egress: { readonly state: SideState; readonly policies: readonly PolicyShare[] };
  readonly ingress: { readonly state: SideState; readonly policies: readonly PolicyShare[] };
  readonly declaredBy: readonly DeclaredShare[];
  /** Allowed ports no declared flow explains ("" when none). */
  readonly undeclared: string;
}

export interface ReachReport {
  readonly environment: string;
  readonly question: { readonly from?: string; readonly to?: string };
  readonly answers: readonly Answer[];
  readonly blocked: readonly string[];
  readonly undeclared: readonly string[];
}

/** A side's state: `allowed` (isolated, some rule admits it), `refused` (isolated, none does), `not isolated`, `not governed` (outside the cluster or an unmanaged namespace). */
export type SideState = 'allowed' | 'refused' | 'not isolated' | 'not governed';
const sideState = (s: Side): SideState => (!s.governed ? 'not governed' : !s.isolated ? 'not isolated' : s.ports.isEmpty() ? 'refused' : 'allowed');
const SIDE_WORDS: Readonly<Record<SideState, string>> = {
  allowed: 'isolated; allowed by',
  refused: 'isolated, no rule admits it',
  'not isolated': 'not isolated: no policy selects these pods for this direction',
  'not governed': 'not governed here (outside the cluster, or a namespace the estate does not manage)',
};
const shares = (s: Side): PolicyShare[] => s.contributions.map((c) => ({ policy: `${c.policy.namespace}/${c.policy.name}`, ports: c.ports.toString(), source: c.policy.source }));

function answerOf(check: ClusterCheck, path: Path, blocks: DeclaredBlocks): Answer {
  const flows = check.reach.input.flows;
  const declared = flows.filter((f) => endMatches(f.from, path.from, blocks) && endMatches(f.to, path.to, blocks));
  const declaredPorts = declared.reduce((acc, f) => acc.union(flowPorts(f)), PortSet.NONE);
  const rest = path.ports.subtract(declaredPorts);
  return {
    cluster: check.reach.input.cluster,
    from: endpointLabel(path.from, flows, blocks),
    to: endpointLabel(path.to, flows, blocks),
    ports: path.ports.toString(),
    egress: { state: sideState(path.egress), policies: shares(path.egress) },
    ingress: { state: sideState(path.ingress), policies: shares(path.ingress) },
    declaredBy: declared.map((f) => ({ from: f.from.name, to: f.to.name, ports: f.ports, purpose: f.purpose, declaredBy: f.declaredBy, ...(f.exception ? { exception: f.exception } : {}) })),
    undeclared: rest.isEmpty() ? '' : `${rest} (egress: ${policiesOpening(path.egress, rest).join(', ') || 'open'}; ingress: ${policiesOpening(path.ingress, rest).join(', ') || 'open'})`,
  };
}

/**
 * The endpoints a question names: `namespace/name` (a declared peer name), `namespace/labels`
 * (`app=x,b=y`), `namespace/*` or `namespace` (every pod group of it), a declared outside name
 * (`kube-apiserver`, `dr-site`), or an address / CIDR block (every piece overlapping it).
 */
export function resolveEndpoints(spec: string, check: ClusterCheck): Endpoint[] {
  const flows = check.reach.input.flows;
  const endpoints = check.reach.endpoints;
  const blocks = new DeclaredBlocks(flows);
  const asCidr = isCidr(spec) ? spec : isCidr(`${spec}/32`) ? `${spec}/32` : undefined;
  if (asCidr) {
    const r = cidrRange(asCidr);
    return endpoints.filter((e) => e.kind === 'addresses' && e.ranges.some((x) => rangesOverlap(x, r)));
  }
  const slash = spec.indexOf('/');
  if (slash < 0) {
    const named = flows.flatMap((f) => [f.from, f.to]).filter((end) => end.kind === 'addresses' && end.name === spec);
    if (named.length > 0) return endpoints.filter((e) => e.kind === 'addresses' && named.some((end) => endMatches(end, e, blocks)));
    return endpoints.filter((e) => e.kind === 'pods' && e.namespace === spec);
  }
  const namespace = spec.slice(0, slash);
  const rest = spec.slice(slash + 1);
  const inNamespace = endpoints.filter((e): e is Extract<Endpoint, { kind: 'pods' }> => e.kind === 'pods' && e.namespace === namespace);
  if (rest === '*' || rest === '') return inNamespace;
  const ends = flows.flatMap((f) => [f.from, f.to]).filter((end) => end.kind === 'pods' && end.namespace === namespace && end.name === rest);
  if (ends.length > 0) return inNamespace.filter((e) => ends.some((end) => endMatches(end, e)));
  const pairs = rest.split(',').map((kv) => kv.split('='));
  if (pairs.some((kv) => kv.length !== 2)) return [];
  return inNamespace.filter((e) => pairs.every(([k, v]) => e.labels[k!] === v));
}

/** The names a question may use in a cluster, for an error that lists them. */
export function knownNames(check: ClusterCheck): string[] {
  const names = new Set<string>();
  for (const f of check.reach.input.flows) for (const end of [f.from, f.to]) names.add(end.kind === 'addresses' ? end.name : `${end.namespace}/${end.name}`);
  return [...names].sort();
}

/** Answers a question (or draws the matrix, with neither end given) over an environment's clusters. */
export function reachReport(environment: string, clusters: readonly ClusterInput[], question: { readonly from?: string; readonly to?: string } = {}): ReachReport {
  const answers: Answer[] = [];
  const blocked: string[] = [];
  const undeclared: string[] = [];
  const unknown: string[] = [];
  for (const cluster of clusters) {
    const check = checkCluster(cluster);
    const blocks = new DeclaredBlocks(cluster.flows);
    const froms = question.from ? resolveEndpoints(question.from, check) : undefined;
    const tos = question.to ? resolveEndpoints(question.to, check) : undefined;
    if ((froms && froms.length === 0) || (tos && tos.length === 0)) {
      unknown.push(`${cluster.cluster}: ${[froms?.length === 0 ? `--from ${question.from}` : '', tos?.length === 0 ? `--to ${question.to}` : ''].filter(Boolean).join(' and ')} names nothing here; known names: ${knownNames(check).join(', ')}`);
      continue;
    }
    if (froms && tos) {
      // A direct question: every pair, also the blocked ones, so "no" comes with its reason.
      for (const f of froms) for (const t of tos) if (f !== t || f.kind === 'pods') answers.push(answerOf(check, check.reach.evaluate(f, t), blocks));
    } else {
      for (const path of check.reach.paths) {
        if (froms && !froms.includes(path.from)) continue;
        if (tos && !tos.includes(path.to)) continue;
        answers.push(answerOf(check, path, blocks));
      }
    }
    blocked.push(...check.blocked.map((b) => `${cluster.cluster}: ${b.flow.from.name} -> ${b.flow.to.name} blocked on ${b.missing} by the ${b.blockedBy.join(' and ')} side`));
    undeclared.push(...check.undeclared.map((u) => `${cluster.cluster}: ${describeEndpoint(u.path.from)} -> ${describeEndpoint(u.path.to)} on ${u.ports}`));
  }
  if (unknown.length === clusters.length && clusters.length > 0) throw new Error(unknown.join('\n'));
  return { environment, question, answers, blocked, undeclared };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as Markdown: one section per answer for a question, a table for the matrix. */
export function renderReachMarkdown(report: ReachReport): string {
  const q = report.question;
  const lines: string[] = [];
  const title = q.from && q.to ? `Can ${q.from} reach ${q.to}?` : q.to ? `Who can reach ${q.to}?` : q.from ? `What can ${q.from} reach?` : 'Enforced connectivity';
  lines.push(`# ${title} (${report.environment})`, '');
  lines.push('Computed from the synthesized NetworkPolicies alone (npm run reach); the declared flows are then matched against it.', '');
  if (q.from && q.to) {
    for (const a of report.answers) {
      lines.push(`## ${a.from} → ${a.to} (cluster ${a.cluster})`, '');
      lines.push(a.ports === 'none' ? '**No.** Nothing is allowed.' : `**Yes**, on ${a.ports}.`, '');
      for (const [name, side] of [['Egress of the client', a.egress], ['Ingress of the server', a.ingress]] as const) {
        lines.push(`- ${name}: ${SIDE_WORDS[side.state]}${side.policies.length ? ` ${side.policies.map((p) => `\`${p.policy}\` (${p.ports})`).join(', ')}` : ''}`);
      }
      if (a.declaredBy.length > 0) {
        lines.push('- Declared by:');
        for (const d of a.declaredBy) lines.push(`  - ${d.from} → ${d.to} [${d.ports.join(', ')}]: ${d.purpose || '(no purpose given)'}${d.exception ? ` (exception: ${d.exception})` : ''}, at \`${d.declaredBy}\``);
      } else if (a.ports !== 'none') lines.push('- Declared by: **no flow**');
      if (a.undeclared) lines.push(`- **Undeclared**: ${a.undeclared}`);
      lines.push('');
    }
  } else {
    lines.push('| cluster | from | to | ports | egress policies | ingress policies | declared flow: purpose |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const a of report.answers) {
      const side = (s: Answer['egress']) => (s.policies.length ? s.policies.map((p) => p.policy).join(', ') : s.state);
      const declared = a.declaredBy.map((d) => `${d.from} → ${d.to}: ${d.purpose}`).join('; ') + (a.undeclared ? ` **undeclared: ${a.undeclared}**` : '');
      lines.push(`| ${a.cluster} | ${cell(a.from)} | ${cell(a.to)} | ${a.ports} | ${cell(side(a.egress))} | ${cell(side(a.ingress))} | ${cell(declared)} |`);
    }
    if (report.answers.length === 0) lines.push('', 'Nothing is allowed.');
  }
  lines.push('', `Declared flows blocked: ${report.blocked.length}. Allowed paths undeclared: ${report.undeclared.length}.`);
  for (const b of report.blocked) lines.push(`- blocked: ${b}`);
  for (const u of report.undeclared) lines.push(`- undeclared: ${u}`);
  lines.push('');
  return lines.join('\n');
}

/** One enforced path as a diagram draws it: the ends, the ports and why it exists. */
export interface EnforcedPath {
  readonly from: DiagramEnd;
  readonly to: DiagramEnd;
  readonly ports: string;
  /** The purposes of the declared flows that explain it. */
  readonly purposes: readonly string[];
  /** True when only the namespace baseline (DNS) explains it. */
  readonly baseline: boolean;
  /** Allowed ports no flow explains ("" when none). */
  readonly undeclared: string;
}

export interface DiagramEnd {
  /** Stable key of the endpoint. */
  readonly key: string;
  readonly label: string;
  /** The namespace of a pod group; undefined for an address block. */
  readonly namespace?: string;
  /** True for the control plane (an address block declared as the API server). */
  readonly controlPlane?: boolean;
}

/** The enforced paths of a cluster with the declared purpose attached, for the diagram. */
export function enforcedPaths(cluster: ClusterInput): EnforcedPath[] {
  const check = checkCluster(cluster);
  const blocks = new DeclaredBlocks(cluster.flows);
  const end = (e: Endpoint): DiagramEnd => {
    const label = endpointLabel(e, cluster.flows, blocks);
    if (e.kind === 'pods') return { key: e.id, label: label.startsWith(`${e.namespace}/`) ? label.slice(e.namespace.length + 1) : label, namespace: e.namespace };
    const controlPlane = cluster.flows.some((f) => [f.from, f.to].some((x) => x.kind === 'addresses' && x.controlPlane && blocks.narrowest(e).includes(x.cidr)));
    return { key: e.id, label, ...(controlPlane ? { controlPlane } : {}) };
  };
  return check.reach.paths.map((path) => {
    const a = answerOf(check, path, blocks);
    const flows = cluster.flows.filter((f) => endMatches(f.from, path.from, blocks) && endMatches(f.to, path.to, blocks));
    return {
      from: end(path.from),
      to: end(path.to),
      ports: a.ports,
      purposes: [...new Set(flows.map((f) => f.purpose).filter(Boolean))],
      baseline: flows.length > 0 && flows.every((f) => f.renderedBy === 'namespace-baseline'),
      undeclared: a.undeclared,
    };
  });
}
