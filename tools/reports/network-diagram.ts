/**
 * The network diagram of an environment: zones, namespaces and every declared flow with its
 * ports, as Mermaid inside Markdown (rendered by pull-request views), followed by the same
 * flows as a table for auditors. Pure: it renders a model, it does not read the estate.
 */
import type { Environment, ZoneName } from '../../environments/schema';
import { ZONE_NAMES } from '../../environments/schema';
import type { NamespacePlan } from '../../policy/layout';
import type { Peer } from '../../constructs/network/peer';
import type { Flow } from '../../constructs/network/segmentation';

export interface ClusterNetwork {
  readonly name: string;
  readonly namespaces: readonly NamespacePlan[];
  readonly flows: readonly Flow[];
}

export interface EnvironmentNetwork {
  readonly environment: Environment;
  readonly clusters: readonly ClusterNetwork[];
}

const id = (...parts: string[]) => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
const label = (text: string) => `"${text.replace(/"/g, "'")}"`;

function peerNode(cluster: string, peer: Peer): string {
  const loc = peer.location;
  if (loc.kind === 'zone') return id(cluster, 'ns', loc.namespace, peer.name);
  if (loc.kind === 'control-plane') return id(cluster, 'controlplane');
  return id(cluster, 'ext', peer.name);
}

/** Renders one environment's network as Markdown with a Mermaid flowchart and a flow table. */
export function renderNetworkDiagram(model: EnvironmentNetwork): string {
  const env = model.environment;
  const levels = new Map(env.zones.map((z) => [z.name, z.securityLevel]));
  const lines: string[] = [];
  lines.push(`# Network of ${env.name}`, '');
  lines.push(
    `Every namespace denies all ingress and egress by default and may resolve names only through the cluster DNS (kube-system/kube-dns, 53/UDP and 53/TCP). The arrows are the only other paths: each is a declared flow, compiled into NetworkPolicies on both ends.`,
    '',
  );
  lines.push('```mermaid', 'flowchart LR');
  for (const cluster of model.clusters) {
    const multi = model.clusters.length > 1;
    if (multi) lines.push(`  subgraph ${id(cluster.name)}[${label(`cluster ${cluster.name}`)}]`);
    const peersByNamespace = new Map<string, Map<string, Peer>>();
    const outside = new Map<string, Peer>();
    let controlPlane = false;
    for (const flow of cluster.flows) {
      for (const peer of [flow.from, flow.to]) {
        const loc = peer.location;
        if (loc.kind === 'zone') {
          const m = peersByNamespace.get(loc.namespace) ?? new Map<string, Peer>();
          m.set(peer.name, peer);
          peersByNamespace.set(loc.namespace, m);
        } else if (loc.kind === 'control-plane') controlPlane = true;
        else outside.set(peer.name, peer);
      }
    }
    for (const zone of ZONE_NAMES as readonly ZoneName[]) {
      const namespaces = cluster.namespaces.filter((n) => n.zone === zone);
      if (namespaces.length === 0) continue;
      lines.push(`    subgraph ${id(cluster.name, 'zone', zone)}[${label(`zone ${zone} (level ${levels.get(zone) ?? '?'})`)}]`);
      for (const ns of namespaces) {
        const peers = peersByNamespace.get(ns.name);
        const psa = ns.podSecurityException ? `, PSA ${ns.podSecurityException.level}` : '';
        if (!peers || peers.size === 0) {
          lines.push(`      ${id(cluster.name, 'ns', ns.name)}[${label(`${ns.name}${psa}`)}]`);
          continue;
        }
        lines.push(`      subgraph ${id(cluster.name, 'nsg', ns.name)}[${label(`${ns.name}${psa}`)}]`);
        for (const peer of [...peers.values()].sort((a, b) => a.name.localeCompare(b.name))) {
          lines.push(`        ${peerNode(cluster.name, peer)}[${label(peer.name)}]`);
        }
        lines.push('      end');
      }
      lines.push('    end');
    }
    if (controlPlane) lines.push(`    ${id(cluster.name, 'controlplane')}{{${label('Kubernetes API server')}}}`);
    if (outside.size > 0) {
      lines.push(`    subgraph ${id(cluster.name, 'outside')}[${label('outside the cluster')}]`);
      for (const peer of [...outside.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        lines.push(`      ${peerNode(cluster.name, peer)}([${label(peer.describe())}])`);
      }
      lines.push('    end');
    }
    for (const flow of cluster.flows) {
      lines.push(`    ${peerNode(cluster.name, flow.from)} -->|${label(flow.ports.map(String).join(', '))}| ${peerNode(cluster.name, flow.to)}`);
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
