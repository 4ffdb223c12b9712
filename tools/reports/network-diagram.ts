/**
 * The network diagram of an environment: zones, namespaces and every path the synthesized
 * NetworkPolicies enforce (computed by tools/reach, not taken from the declarations), each
 * with its ports and the purpose of the declared flows that explain it, as Mermaid inside
 * Markdown (rendered by pull-request views), followed by tables for auditors: the enforced
 * paths with their purpose, and the declared flows. A path no flow explains is drawn dashed
 * and marked UNDECLARED. Pure: it renders a model, it does not read the estate.
 */
import type { Environment, ZoneName } from '../../environments/schema';
import { ZONE_NAMES } from '../../environments/schema';
import type { NamespacePlan } from '../../policy/layout';
import type { Flow } from '../../constructs/network/segmentation';
import type { DiagramEnd, EnforcedPath } from '../reach/report';

export interface ClusterNetwork {
  readonly name: string;
  readonly namespaces: readonly NamespacePlan[];
  readonly flows: readonly Flow[];
  /** What the policies enforce, computed from the synthesized output (tools/reach/report.ts enforcedPaths). */
  readonly paths: readonly EnforcedPath[];
}

export interface EnvironmentNetwork {
  readonly environment: Environment;
  readonly clusters: readonly ClusterNetwork[];
}

const id = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
const label = (text: string) => `"${text.replace(/"/g, "'")}"`;

function endNode(cluster: string, end: DiagramEnd): string {
  if (end.namespace) return id(cluster, 'ns', end.namespace, end.label);
  if (end.controlPlane) return id(cluster, 'controlplane', end.key);
  return id(cluster, 'ext', end.key);
}

/** Renders one environment's network as Markdown with a Mermaid flowchart and a flow table. */
export function renderNetworkDiagram(model: EnvironmentNetwork): string {
  const env = model.environment;
  const levels = new Map(env.zones.map((z) => [z.name, z.securityLevel]));
  const lines: string[] = [];
  lines.push(`# Network of ${env.name}`, '');
  lines.push(
    `Every namespace denies all ingress and egress by default and may resolve names only through the cluster DNS (kube-system/kube-dns, 53/UDP and 53/TCP). The arrows are every other path the NetworkPolicies allow, computed from the synthesized policies (npm run reach); each is explained by a declared flow, whose purpose the table of enforced paths gives. A dashed arrow marked UNDECLARED is allowed by the policies but declared by no flow.`,
    '',
  );
  lines.push('```mermaid', 'flowchart LR');
  for (const cluster of model.clusters) {
    const multi = model.clusters.length > 1;
    if (multi) lines.push(`  subgraph ${id(cluster.name)}[${label(`cluster ${cluster.name}`)}]`);
    // DNS paths of the namespace baseline are left out of the drawing (stated above).
    const drawn = cluster.paths.filter((p) => !p.baseline);
    const byNamespace = new Map<string, Map<string, DiagramEnd>>();
    const outside = new Map<string, DiagramEnd>();
    for (const path of drawn) {
      for (const end of [path.from, path.to]) {
        if (end.namespace) {
          const m = byNamespace.get(end.namespace) ?? new Map<string, DiagramEnd>();
          m.set(end.key, end);
          byNamespace.set(end.namespace, m);
        } else outside.set(end.key, end);
      }
    }
    const planned = new Set(cluster.namespaces.map((n) => n.name));
    const namespaceGroup = (name: string, title: string, indent: string) => {
      const ends = byNamespace.get(name);
      if (!ends || ends.size === 0) return [`${indent}${id(cluster.name, 'ns', name)}[${label(title)}]`];
      return [
        `${indent}subgraph ${id(cluster.name, 'nsg', name)}[${label(title)}]`,
        ...[...ends.values()].sort((a, b) => a.label.localeCompare(b.label)).map((e) => `${indent}  ${endNode(cluster.name, e)}[${label(e.label)}]`),
        `${indent}end`,
      ];
    };
    for (const zone of ZONE_NAMES as readonly ZoneName[]) {
      const namespaces = cluster.namespaces.filter((n) => n.zone === zone);
      if (namespaces.length === 0) continue;
      lines.push(`    subgraph ${id(cluster.name, 'zone', zone)}[${label(`zone ${zone} (level ${levels.get(zone) ?? '?'})`)}]`);
      for (const ns of namespaces) {
        const psa = ns.podSecurityException ? `, PSA ${ns.podSecurityException.level}` : '';
        lines.push(...namespaceGroup(ns.name, `${ns.name}${psa}`, '      '));
      }
      lines.push('    end');
    }
    for (const ns of [...byNamespace.keys()].filter((n) => !planned.has(n)).sort()) lines.push(...namespaceGroup(ns, `${ns} (not managed here)`, '    '));
    const controlPlane = [...outside.values()].filter((e) => e.controlPlane);
    for (const e of controlPlane) lines.push(`    ${endNode(cluster.name, e)}{{${label(`Kubernetes API server: ${e.label}`)}}}`);
    const external = [...outside.values()].filter((e) => !e.controlPlane);
    if (external.length > 0) {
      lines.push(`    subgraph ${id(cluster.name, 'outside')}[${label('outside the cluster')}]`);
      for (const e of external.sort((a, b) => a.label.localeCompare(b.label))) lines.push(`      ${endNode(cluster.name, e)}([${label(e.label)}])`);
      lines.push('    end');
    }
    for (const path of drawn) {
      const arrow = path.undeclared ? `-.->|${label(`UNDECLARED ${path.ports}`)}|` : `-->|${label(path.ports)}|`;
      lines.push(`    ${endNode(cluster.name, path.from)} ${arrow} ${endNode(cluster.name, path.to)}`);
    }
    if (multi) lines.push('  end');
  }
  lines.push('```', '');

  lines.push('## Zones and namespaces', '', '| cluster | zone | level | namespace | Pod Security | purpose |', '| --- | --- | --- | --- | --- | --- |');
  for (const cluster of model.clusters) {
    for (const ns of cluster.namespaces) {
      const psa = ns.podSecurityException ? `${ns.podSecurityException.level} (exception: ${ns.podSecurityException.reason})` : 'restricted';
      lines.push(`| ${cluster.name} | ${ns.zone} | ${levels.get(ns.zone) ?? ''} | ${ns.name} | ${psa} | ${ns.purpose} |`);
    }
  }
  lines.push('', '## Enforced paths', '');
  const paths = model.clusters.flatMap((c) => c.paths.filter((p) => !p.baseline).map((p) => ({ cluster: c.name, p })));
  const dns = model.clusters.reduce((n, c) => n + c.paths.filter((p) => p.baseline).length, 0);
  if (paths.length === 0) lines.push('Nothing is allowed apart from cluster DNS.');
  else {
    lines.push('| cluster | from | to | ports | declared purpose |', '| --- | --- | --- | --- | --- |');
    const where = (e: DiagramEnd) => (e.namespace ? `${e.namespace}/${e.label}` : e.label);
    for (const { cluster, p } of paths) lines.push(`| ${cluster} | ${where(p.from)} | ${where(p.to)} | ${p.ports} | ${[p.undeclared ? `**UNDECLARED: ${p.undeclared}**` : '', p.purposes.join('; ')].filter(Boolean).join(' ')} |`);
  }
  if (dns > 0) lines.push('', `${dns} paths to the cluster DNS, declared by each namespace's baseline, are not drawn.`);
  lines.push('', '## Declared flows', '');
  const flows = model.clusters.flatMap((c) => c.flows.map((f) => ({ cluster: c.name, f })));
  if (flows.length === 0) {
    lines.push('No flow is declared: every namespace is isolated apart from cluster DNS.');
  } else {
    lines.push('| cluster | from | to | ports | purpose | exception | declared by |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const { cluster, f } of flows) {
      const exception = [f.from.exception?.reason, f.to.exception?.reason].filter(Boolean).join('; ');
      lines.push(`| ${cluster} | ${f.from.describe()} | ${f.to.describe()} | ${f.ports.map(String).join(', ')} | ${f.description || ''} | ${exception} | \`${f.declaredBy}\` |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
