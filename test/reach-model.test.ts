/**
 * The reachability model on small hand-written policy sets, each worked out by hand in the
 * comments: typed (kubernetes_network_policy_v1, snake_case) and manifest (camelCase) shapes,
 * except holes, port ranges, empty selectors, missing policyTypes, named ports.
 */
import type { FlowRecord } from '../lib/markers';
import { checkCluster, describeProblems } from '../tools/reach/check';
import { clustersOf, computeReach, describeEndpoint, type ClusterReach, type Endpoint } from '../tools/reach/model';
import { PortSet } from '../tools/reach/ports';

type Json = Record<string, any>;

/** A stack holding the given namespaces (name → zone), typed policies, manifest policies and flows. */
function stack(namespaces: Record<string, string>, typed: Json[], manifests: Json[] = [], flows: FlowRecord[] = []): { name: string; json: Json } {
  const resource: Json = { kubernetes_namespace_v1: {}, kubernetes_network_policy_v1: {}, kubernetes_manifest: {} };
  for (const [name, zone] of Object.entries(namespaces)) resource.kubernetes_namespace_v1[name] = { metadata: { name, labels: { 'moit.gov.vn/zone': zone } } };
  typed.forEach((p, i) => (resource.kubernetes_network_policy_v1[`p${i}`] = p));
  manifests.forEach((m, i) => (resource.kubernetes_manifest[`m${i}`] = { manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...m } }));
  return { name: 't-c-platform', json: { '//': { environment: { name: 't', cluster: 'c', namespaces }, flows }, resource } };
}

const typed = (namespace: string, name: string, spec: Json): Json => ({ metadata: { name, namespace }, spec });
const denyAll = (namespace: string) => typed(namespace, 'default-deny', { pod_selector: {}, policy_types: ['Ingress', 'Egress'] });

function reachOf(s: { name: string; json: Json }): ClusterReach {
  const [cluster] = clustersOf([s]);
  return computeReach(cluster!);
}

function endpoint(r: ClusterReach, id: string): Endpoint {
  const e = r.endpoints.find((x) => x.id === id);
  if (!e) throw new Error(`no endpoint ${id}; have ${r.endpoints.map((x) => x.id).join(' | ')}`);
  return e;
}

const ports = (r: ClusterReach, from: string, to: string) => r.evaluate(endpoint(r, from), endpoint(r, to)).ports.toString();

describe('reachability model: typed policies, both sides must allow', () => {
  // web and db both deny everything by default.
  // web/api-out: pods app=api may send to pods app=pg of namespace db on 5432/TCP.
  // db/pg-in: pods app=pg accept from every pod of any namespace in zone app on 5432 and 8000-8010 (TCP by default).
  // So: api -> pg = egress {5432} ∩ ingress {5432, 8000-8010} = 5432/TCP.
  //     web's other pods -> pg: egress refused by default-deny, nothing.
  //     web/batch (all-TCP egress to db) -> pg = all/TCP ∩ {5432, 8000-8010} = 5432/TCP, 8000-8010/TCP.
  //     pg -> api: pg egress isolated (default-deny) with no rule: nothing.
  const s = stack({ web: 'app', db: 'data' }, [
    denyAll('web'),
    denyAll('db'),
    typed('web', 'api-out', {
      pod_selector: { match_labels: { app: 'api' } },
      policy_types: ['Egress'],
      egress: [{ to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'db' } }, pod_selector: { match_labels: { app: 'pg' } } }], ports: [{ port: '5432', protocol: 'TCP' }] }],
    }),
    typed('web', 'batch-out', {
      pod_selector: { match_labels: { app: 'batch' } },
      policy_types: ['Egress'],
      egress: [{ to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'db' } } }], ports: [{ protocol: 'TCP' }] }],
    }),
    typed('db', 'pg-in', {
      pod_selector: { match_labels: { app: 'pg' } },
      policy_types: ['Ingress'],
      ingress: [{ from: [{ namespace_selector: { match_labels: { 'moit.gov.vn/zone': 'app' } } }], ports: [{ port: '5432' }, { port: '8000', end_port: 8010 }] }],
    }),
  ]);
  const r = reachOf(s);

  it('allows only what both the client egress and the server ingress allow', () => {
    expect(ports(r, 'web/app=api', 'db/app=pg')).toBe('5432/TCP');
    expect(ports(r, 'web/app=batch', 'db/app=pg')).toBe('5432/TCP, 8000-8010/TCP');
  });

  it('names the side that refuses', () => {
    const p = r.evaluate(endpoint(r, 'web/*'), endpoint(r, 'db/app=pg'));
    expect(p.ports.isEmpty()).toBe(true);
    expect(p.egress.isolated).toBe(true);
    expect(p.egress.ports.isEmpty()).toBe(true);
    expect(p.ingress.ports.toString()).toBe('5432/TCP, 8000-8010/TCP');
    expect(ports(r, 'db/app=pg', 'web/app=api')).toBe('none');
  });

  it('lists the policies of each side', () => {
    const p = r.evaluate(endpoint(r, 'web/app=api'), endpoint(r, 'db/app=pg'));
    expect(p.egress.contributions.map((c) => c.policy.name)).toEqual(['api-out']);
    expect(p.ingress.contributions.map((c) => c.policy.name)).toEqual(['pg-in']);
  });
});

describe('reachability model: manifest policies, missing policyTypes, except holes', () => {
  // edge has no default deny.
  // proxy-in (no policyTypes, ingress rules only): defaults to [Ingress]. proxy accepts 443/TCP from
  //   10.0.0.0/16 except 10.0.5.0/24; its egress is not isolated, so it may send anything anywhere.
  // batch (no policyTypes, an egress rule): defaults to [Ingress, Egress]; no ingress rule, so
  //   nothing reaches batch; it may send 53/UDP to 0.0.0.0/0.
  // The other pods of edge are selected by no policy: open both ways.
  // Address pieces: 10.0.0.0/16 without the hole (one piece, 8 blocks), the hole 10.0.5.0/24,
  // and the rest of 0.0.0.0/0 (two ranges: below and above 10.0.0.0/16).
  const s = stack(
    { edge: 'dmz' },
    [],
    [
      { metadata: { name: 'proxy-in', namespace: 'edge' }, spec: { podSelector: { matchLabels: { app: 'proxy' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } }], ports: [{ port: 443 }] }] } },
      { metadata: { name: 'batch', namespace: 'edge' }, spec: { podSelector: { matchLabels: { app: 'batch' } }, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'UDP', port: 53 }] }] } },
    ],
  );
  const r = reachOf(s);
  const hole = '10.0.5.0/24';
  const inside = '10.0.0.0/22+10.0.4.0/24+10.0.6.0/23+10.0.8.0/21+10.0.16.0/20+10.0.32.0/19+10.0.64.0/18+10.0.128.0/17';
  const rest = '0.0.0.0/5+8.0.0.0/7+10.1.0.0/16+10.2.0.0/15+10.4.0.0/14+10.8.0.0/13+10.16.0.0/12+10.32.0.0/11+10.64.0.0/10+10.128.0.0/9+11.0.0.0/8+12.0.0.0/6+16.0.0.0/4+32.0.0.0/3+64.0.0.0/2+128.0.0.0/1';

  it('cuts the address space at every ipBlock and except boundary', () => {
    expect(r.endpoints.filter((e) => e.kind === 'addresses').map((e) => e.id).sort()).toEqual([rest, inside, hole].sort());
  });

  it('lets the ipBlock in, and not its except hole', () => {
    expect(ports(r, inside, 'edge/app=proxy')).toBe('443/TCP');
    expect(ports(r, hole, 'edge/app=proxy')).toBe('none');
  });

  it('defaults policyTypes to Ingress, plus Egress when egress rules exist', () => {
    // proxy: egress not isolated → everything; batch: isolated both ways.
    expect(ports(r, 'edge/app=proxy', rest)).toBe('all');
    expect(ports(r, 'edge/app=batch', hole)).toBe('53/UDP');
    expect(ports(r, 'edge/app=proxy', 'edge/app=batch')).toBe('none');
    expect(ports(r, inside, 'edge/app=batch')).toBe('none');
  });

  it('leaves pods no policy selects open in both directions', () => {
    expect(ports(r, rest, 'edge/*')).toBe('all');
    expect(ports(r, 'edge/*', 'edge/app=proxy')).toBe('none');
  });
});

describe('reachability model: empty selectors, matchExpressions and named ports', () => {
  // a: default deny; same-ns: every pod of a accepts every port from every pod of a (podSelector {} in from).
  // b: default deny; b-out selects tier In (web, api) and lets them send to any namespace whose zone
  //    is NotIn (data) on the named port "https" only.
  // a's ingress has no rule for namespace b: b/tier=web -> a/* is refused by a's ingress.
  // b/tier=web -> b/* : b's ingress (default deny) refuses. Named port stays symbolic.
  const s = stack({ a: 'app', b: 'app', d: 'data' }, [
    denyAll('a'),
    denyAll('b'),
    typed('a', 'same-ns', { pod_selector: {}, policy_types: ['Ingress', 'Egress'], ingress: [{ from: [{ pod_selector: {} }] }], egress: [{ to: [{ pod_selector: {} }] }] }),
    typed('b', 'b-out', {
      pod_selector: { match_expressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
      policy_types: ['Egress'],
      egress: [{ to: [{ namespace_selector: { match_expressions: [{ key: 'moit.gov.vn/zone', operator: 'NotIn', values: ['data'] }] } }], ports: [{ port: 'https' }] }],
    }),
  ]);
  const r = reachOf(s);

  it('treats an empty podSelector as every pod of the namespace', () => {
    expect(ports(r, 'a/*', 'a/*')).toBe('all');
  });

  it('evaluates matchExpressions on pods and namespaces', () => {
    const p = r.evaluate(endpoint(r, 'b/tier=web'), endpoint(r, 'a/*'));
    expect(p.egress.ports.toString()).toBe('https/TCP');
    expect(p.ingress.ports.isEmpty()).toBe(true);
    // d is in zone data: NotIn excludes it; d has no policy, so its ingress is open, and egress decides.
    expect(r.evaluate(endpoint(r, 'b/tier=web'), endpoint(r, 'd/*')).ports.toString()).toBe('none');
  });

  it('keeps a named port symbolic: it meets "all TCP", not a number', () => {
    expect(PortSet.parse('https/TCP').intersect(PortSet.parse('all/TCP')).toString()).toBe('https/TCP');
    expect(PortSet.parse('https/TCP').intersect(PortSet.parse('443/TCP')).toString()).toBe('none');
  });
});

describe('enforced versus declared', () => {
  // api -> pg declared on 5432 and 5433; policies allow 5432 only (both sides): 5433 is blocked by both.
  // batch -> pg: allowed 5432 and 8000-8010 by policies, declared nowhere: undeclared, opened by batch-out and pg-in.
  const flows: FlowRecord[] = [
    {
      from: { kind: 'pods', name: 'api', namespace: 'web', selector: { app: 'api' } },
      to: { kind: 'pods', name: 'pg', namespace: 'db', selector: { app: 'pg' } },
      ports: ['5432/TCP', '5433/TCP'],
      purpose: 'the API reads the database',
      declaredBy: 'test/api',
      renderedBy: 'segmentation',
    },
  ];
  const s = stack({ web: 'app', db: 'data' }, [
    denyAll('web'),
    denyAll('db'),
    typed('web', 'api-out', { pod_selector: { match_labels: { app: 'api' } }, policy_types: ['Egress'], egress: [{ to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'db' } }, pod_selector: { match_labels: { app: 'pg' } } }], ports: [{ port: '5432' }] }] }),
    typed('web', 'batch-out', { pod_selector: { match_labels: { app: 'batch' } }, policy_types: ['Egress'], egress: [{ to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'db' } } }] }] }),
    typed('db', 'pg-in', { pod_selector: { match_labels: { app: 'pg' } }, policy_types: ['Ingress'], ingress: [{ from: [{ namespace_selector: {} }], ports: [{ port: '5432' }, { port: '8000', end_port: 8010 }] }] }),
  ], [], flows);

  it('reports the declared port that is blocked, and which sides block it', () => {
    const check = checkCluster(clustersOf([s])[0]!);
    expect(check.blocked).toHaveLength(1);
    expect(check.blocked[0]!.missing.toString()).toBe('5433/TCP');
    expect(check.blocked[0]!.blockedBy).toEqual(['egress', 'ingress']);
  });

  it('reports the allowed path no flow declares, with the policies that open it', () => {
    const check = checkCluster(clustersOf([s])[0]!);
    const u = check.undeclared.map((x) => `${describeEndpoint(x.path.from)} -> ${describeEndpoint(x.path.to)}: ${x.ports} via ${x.egressPolicies} / ${x.ingressPolicies}`);
    expect(u).toEqual(['web/app=batch -> db/app=pg: 5432/TCP, 8000-8010/TCP via web/batch-out / db/pg-in']);
    expect(describeProblems('t', check).join('\n')).toMatch(/blocked .* on 5433\/TCP by the client's egress and the server's ingress/);
  });
});

describe('an address piece is what the narrowest declared block names', () => {
  // Declared: ops -> api-server (10.0.0.0/24) on 6443, and ops -> registry (10.0.0.50/32) on 443.
  // The policy lets ops send 443 and 6443 to all of 10.0.0.0/24 (as a flow to a too-wide block would).
  // Pieces: 10.0.0.50/32 (the registry) and the rest of 10.0.0.0/24 (the API server).
  // ops -> registry on 6443 is allowed by the policy but declared by no flow to the registry:
  // undeclared, unless the wider block declares it encloses the registry. ops -> rest on 443: undeclared.
  const flow = (to: FlowRecord['to'], port: string): FlowRecord => ({ from: { kind: 'pods', name: 'ops', namespace: 'web', selector: { app: 'ops' } }, to, ports: [port], purpose: 'p', declaredBy: 'test', renderedBy: 'segmentation' });
  const policies = [
    denyAll('web'),
    typed('web', 'ops-out', { pod_selector: { match_labels: { app: 'ops' } }, policy_types: ['Egress'], egress: [{ to: [{ ip_block: { cidr: '10.0.0.0/24' } }], ports: [{ port: '443' }, { port: '6443' }] }] }),
  ];
  const registry = { kind: 'addresses' as const, name: 'registry', cidr: '10.0.0.50/32' };

  it('reports traffic to a host inside a wider declared block as undeclared', () => {
    const s = stack({ web: 'app' }, policies, [], [flow({ kind: 'addresses', name: 'api-server', cidr: '10.0.0.0/24' }, '6443/TCP'), flow(registry, '443/TCP')]);
    const lines = describeProblems('t', checkCluster(clustersOf([s])[0]!)).map((l) => l.replace(/^t\/c: /, ''));
    expect(lines.sort()).toEqual([
      'undeclared path web/app=ops -> 10.0.0.0-10.0.0.49 + 10.0.0.51-10.0.0.255 on 443/TCP: opened by egress web/ops-out; ingress not governed here',
      'undeclared path web/app=ops -> 10.0.0.50/32 on 6443/TCP: opened by egress web/ops-out; ingress not governed here',
    ]);
  });

  it('accepts it where the wider block declares that it encloses the host', () => {
    const wide = { kind: 'addresses' as const, name: 'api-server', cidr: '10.0.0.0/24', encloses: [{ name: 'registry', cidr: '10.0.0.50/32', reason: 'on purpose' }] };
    const s = stack({ web: 'app' }, policies, [], [flow(wide, '6443/TCP'), flow(registry, '443/TCP')]);
    const lines = describeProblems('t', checkCluster(clustersOf([s])[0]!));
    expect(lines).toEqual(['t/c: undeclared path web/app=ops -> 10.0.0.0-10.0.0.49 + 10.0.0.51-10.0.0.255 on 443/TCP: opened by egress web/ops-out; ingress not governed here']);
  });
});
