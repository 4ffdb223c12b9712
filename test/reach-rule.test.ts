/**
 * The diff rule reachability-changed on small hand-built synthesized folders (a stack comment
 * with the environment record, typed NetworkPolicies), each change worked out by hand: how
 * changes are grouped by source, how sources with the same destinations are merged, the limit of
 * named endpoints, the environment filter and the wording. test/reach-diff.test.ts covers the
 * same rule on the real estate.
 */
import { rule } from '../tools/review/rules/reachability-changed';
import type { SynthesizedApp, SynthesizedStack } from '../tools/review/synthesized';

type Json = Record<string, any>;

/** One stack of cluster `environment/cluster`, creating `namespaces` (name → zone) and holding the typed `policies`. */
function stack(name: string, environment: string, cluster: string, namespaces: Record<string, string>, policies: Json[]): SynthesizedStack {
  const resource: Json = { kubernetes_namespace_v1: {}, kubernetes_network_policy_v1: {} };
  for (const [ns, zone] of Object.entries(namespaces)) resource.kubernetes_namespace_v1[ns] = { metadata: { name: ns, labels: { 'moit.gov.vn/zone': zone } } };
  policies.forEach((p, i) => (resource.kubernetes_network_policy_v1[`p${i}`] = p));
  const json = { '//': { environment: { name: environment, cluster, namespaces } }, resource };
  return { name, environment, dependencies: [], workingDirectory: `/synth/${name}`, file: `/synth/${name}/cdk.tf.json`, text: JSON.stringify(json), resources: new Map(), moved: [], settings: {} };
}

const app = (...stacks: SynthesizedStack[]): SynthesizedApp => ({ dir: '/synth', stacks: new Map(stacks.map((s) => [s.name, s])) });

/** Pods of `namespace` with these labels (`{}`: every pod of it). */
type Pods = { namespace: string; labels: Record<string, string> };
const pods = (namespace: string, labels: Record<string, string> = {}): Pods => ({ namespace, labels });
const peer = (p: Pods) => ({ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': p.namespace } }, pod_selector: { match_labels: p.labels } });
/** TCP ports: a number, a named port, or a `[first, last]` range. */
type Port = number | string | readonly [number, number];
const tcp = (ports: readonly Port[]) => ports.map((p) => (typeof p === 'object' ? { port: String(p[0]), end_port: p[1], protocol: 'TCP' } : { port: String(p), protocol: 'TCP' }));

/** Isolates every pod of `namespace` for ingress, allowing nothing. */
const denyIngress = (namespace: string) => ({ metadata: { name: 'default-deny', namespace }, spec: { pod_selector: {}, policy_types: ['Ingress'] } });
/** Isolates every pod of `namespace` for egress, allowing nothing. */
const denyEgress = (namespace: string) => ({ metadata: { name: 'default-deny-egress', namespace }, spec: { pod_selector: {}, policy_types: ['Egress'] } });
/** `namespace/name`: the pods `labels` of `namespace` accept `from` on `ports`. */
const allowIn = (namespace: string, name: string, labels: Record<string, string>, from: Pods[], ports: Port[]) => ({
  metadata: { name, namespace },
  spec: { pod_selector: { match_labels: labels }, policy_types: ['Ingress'], ingress: [{ from: from.map(peer), ports: tcp(ports) }] },
});
/** `namespace/name`: the pods `labels` of `namespace` may send to `to` on `ports`. */
const allowOut = (namespace: string, name: string, labels: Record<string, string>, to: Pods[], ports: Port[]) => ({
  metadata: { name, namespace },
  spec: { pod_selector: { match_labels: labels }, policy_types: ['Egress'], egress: [{ to: to.map(peer), ports: tcp(ports) }] },
});
/**
 * Names the pod group `labels` in `namespace` without changing what it may do: an Egress policy
 * that allows every destination on every port (so the egress side of those pods lists it).
 */
const group = (namespace: string, labels: Record<string, string>) => ({
  metadata: { name: `group-${Object.values(labels).join('-')}`, namespace },
  spec: { pod_selector: { match_labels: labels }, policy_types: ['Egress'], egress: [{}] },
});

/** web (zone app) and db (zone data), db isolated for ingress, plus `policies`. */
const cluster = (policies: Json[], name = 't-c-platform', environment = 't', clusterName = 'c') =>
  stack(name, environment, clusterName, { web: 'app', db: 'data' }, [denyIngress('db'), ...policies]);

const findings = (base: SynthesizedApp, head: SynthesizedApp, environments?: readonly string[]) => rule.check({ base, head, ...(environments ? { environments } : {}) });
const messages = (base: SynthesizedApp, head: SynthesizedApp, environments?: readonly string[]) => findings(base, head, environments).map((f) => f.message);

const api = pods('web', { app: 'api' });
const batch = pods('web', { app: 'batch' });

describe('reachability-changed: one change', () => {
  it('is an estate rule of severity security that says why', () => {
    expect(rule).toMatchObject({ id: 'reachability-changed', scope: 'estate', severity: 'security' });
    expect(rule.why).toBe('A path that becomes reachable is new exposure that a reviewer must match to a declared flow; one that becomes unreachable may break a service or a backup.');
  });

  it('is silent when the policies do not change', () => {
    const s = cluster([allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432])]);
    expect(findings(app(s), app(s))).toEqual([]);
  });

  // Head lets web/app=api reach db/app=pg on 5432; nothing isolates web's egress.
  it('reports a path that becomes reachable, under the first stack of its cluster, naming the policies that open it', () => {
    const base = app(cluster([group('db', { app: 'pg' })], 't-c-b'), stack('t-c-a', 't', 'c', {}, []));
    const head = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432])], 't-c-b'), stack('t-c-a', 't', 'c', {}, []));
    expect(findings(base, head)).toEqual([
      { stack: 't-c-a', message: 'cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in).' },
    ]);
  });

  it('reports a path that becomes unreachable, naming the policies that opened it on both sides', () => {
    const before = cluster([allowOut('web', 'api-out', { app: 'api' }, [pods('db', { app: 'pg' })], [5432, 5433]), denyEgress('web'), allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432, 5433])]);
    const after = cluster([allowOut('web', 'api-out', { app: 'api' }, [pods('db', { app: 'pg' })], [5432, 5433]), denyEgress('web'), allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432])]);
    expect(messages(app(before), app(after))).toEqual(['cluster t/c: `web/app=api` → `db/app=pg` becomes unreachable on 5433/TCP (was opened by egress web/api-out; ingress db/pg-in).']);
  });

  it('lists every policy of a side that opens the path', () => {
    const egress = [denyEgress('web'), allowOut('web', 'api-out', { app: 'api' }, [pods('db')], [5432]), allowOut('web', 'api-out-too', { app: 'api' }, [pods('db', { app: 'pg' })], [5432])];
    const before = cluster([group('db', { app: 'pg' }), ...egress]);
    const after = cluster([group('db', { app: 'pg' }), ...egress, allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432]), allowIn('db', 'pg-in-too', { app: 'pg' }, [api], [5432])]);
    expect(messages(app(before), app(after))).toEqual(['cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress web/api-out, web/api-out-too; ingress db/pg-in, db/pg-in-too).']);
  });
});

/** `namespace/name`: the pods `labels` of `namespace` accept each rule's peers on its ports. */
const allowInRules = (namespace: string, name: string, labels: Record<string, string>, rules: Array<[Pods[], Port[]]>) => ({
  metadata: { name, namespace },
  spec: { pod_selector: { match_labels: labels }, policy_types: ['Ingress'], ingress: rules.map(([from, ports]) => ({ from: from.map(peer), ports: tcp(ports) })) },
});

describe('reachability-changed: a side that no single policy opens', () => {
  // A named port (`pg/TCP`) is, in the model, inside "every TCP port" but inside no numbered range:
  // two policies of one side that together allow every TCP port let it through, yet neither does alone.
  const lowAndHigh = (make: (namespace: string, name: string, labels: Record<string, string>, peers: Pods[], ports: Port[]) => Json, namespace: string, name: string, labels: Record<string, string>, peers: Pods[]) => [make(namespace, `${name}-low`, labels, peers, [[1, 1000]]), make(namespace, `${name}-high`, labels, peers, [[1001, 65535]])];

  it('names every policy of an egress side that only together opens the path', () => {
    const egress = [denyEgress('web'), ...lowAndHigh(allowOut, 'web', 'api-out', { app: 'api' }, [pods('db')])];
    const before = app(cluster([group('db', { app: 'pg' }), ...egress]));
    const after = app(cluster([group('db', { app: 'pg' }), ...egress, allowIn('db', 'pg-in', { app: 'pg' }, [api], ['pg'])]));
    expect(messages(before, after)).toEqual(['cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on pg/TCP (opened by egress web/api-out-low, web/api-out-high; ingress db/pg-in).']);
  });

  it('names every policy of an ingress side that only together opens the path', () => {
    const ingress = [denyEgress('web'), group('db', { app: 'pg' }), ...lowAndHigh(allowIn, 'db', 'pg-in', { app: 'pg' }, [api])];
    const before = app(cluster(ingress));
    const after = app(cluster([...ingress, allowOut('web', 'api-out', { app: 'api' }, [pods('db', { app: 'pg' })], ['pg'])]));
    expect(messages(before, after)).toEqual(['cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on pg/TCP (opened by egress web/api-out; ingress db/pg-in-low, db/pg-in-high).']);
  });
});

describe('reachability-changed: changes from one source are reported together', () => {
  // db/all-in opens every pod of db (db/* and the group app=pg, which `group` names) to the sources.
  const base = app(cluster([group('db', { app: 'pg' })]));

  it('names every destination of one source in one finding', () => {
    const head = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'all-in', {}, [api], [5432])]));
    expect(findings(base, head)).toEqual([
      { stack: 't-c-platform', message: 'cluster t/c: `web/app=api` → `db/* (other pods)`, `db/app=pg` become reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).' },
    ]);
  });

  it('merges sources with the same destinations, ports and policies', () => {
    const head = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'all-in', {}, [api, batch], [5432])]));
    expect(messages(base, head)).toEqual(['cluster t/c: `web/app=api`, `web/app=batch` → `db/* (other pods)`, `db/app=pg` become reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).']);
  });

  it('says "become" for several sources to one destination', () => {
    const head = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'pg-in', { app: 'pg' }, [api, batch], [5432])]));
    expect(messages(base, head)).toEqual(['cluster t/c: `web/app=api`, `web/app=batch` → `db/app=pg` become reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in).']);
  });

  it('keeps sources apart whose destinations differ', () => {
    // db/all-in opens db to api and batch; batch already reached db's other pods (db/rest, which leaves app=pg out).
    const rest = { metadata: { name: 'rest', namespace: 'db' }, spec: { pod_selector: { match_expressions: [{ key: 'app', operator: 'NotIn', values: ['pg'] }] }, policy_types: ['Ingress'], ingress: [{ from: [peer(batch)], ports: tcp([5432]) }] } };
    const before = app(cluster([group('db', { app: 'pg' }), rest]));
    const head = app(cluster([group('db', { app: 'pg' }), rest, allowIn('db', 'all-in', {}, [api, batch], [5432])]));
    expect(messages(before, head)).toEqual([
      'cluster t/c: `web/app=api` → `db/* (other pods)`, `db/app=pg` become reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).',
      'cluster t/c: `web/app=batch` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).',
    ]);
  });

  it('keeps sources apart whose ports differ', () => {
    const head = app(cluster([group('db', { app: 'pg' }), allowInRules('db', 'all-in', { app: 'pg' }, [[[api], [5432]], [[batch], [5433]]])]));
    expect(messages(base, head)).toEqual([
      'cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).',
      'cluster t/c: `web/app=batch` → `db/app=pg` becomes reachable on 5433/TCP (opened by egress (not isolated); ingress db/all-in).',
    ]);
  });

  it('keeps sources apart whose egress policies differ', () => {
    const egress = [denyEgress('web'), allowOut('web', 'api-out', { app: 'api' }, [pods('db')], [5432]), allowOut('web', 'batch-out', { app: 'batch' }, [pods('db')], [5432])];
    const before = app(cluster([group('db', { app: 'pg' }), ...egress]));
    const head = app(cluster([group('db', { app: 'pg' }), ...egress, allowIn('db', 'pg-in', { app: 'pg' }, [api, batch], [5432])]));
    expect(messages(before, head)).toEqual([
      'cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress web/api-out; ingress db/pg-in).',
      'cluster t/c: `web/app=batch` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress web/batch-out; ingress db/pg-in).',
    ]);
  });

  it('keeps sources apart whose ingress policies differ', () => {
    const head = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'pg-in-api', { app: 'pg' }, [api], [5432]), allowIn('db', 'pg-in-batch', { app: 'pg' }, [batch], [5432])]));
    expect(messages(base, head)).toEqual([
      'cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in-api).',
      'cluster t/c: `web/app=batch` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in-batch).',
    ]);
  });

  it('keeps a source that gains a path apart from one that loses the same path', () => {
    const before = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'pg-in', { app: 'pg' }, [batch], [5432])]));
    const head = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432])]));
    expect(messages(before, head)).toEqual([
      'cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in).',
      'cluster t/c: `web/app=batch` → `db/app=pg` becomes unreachable on 5432/TCP (was opened by egress (not isolated); ingress db/pg-in).',
    ]);
  });

  it('keeps a source and its ports apart from another whose name and ports read alike run together', () => {
    // `web/app=a` on 180/TCP and `web/app=a1` on 80/TCP: the same text once the fields are joined without a separator.
    const head = app(cluster([group('db', { app: 'pg' }), allowInRules('db', 'pg-in', { app: 'pg' }, [[[pods('web', { app: 'a' })], [180]], [[pods('web', { app: 'a1' })], [80]]])]));
    expect(messages(base, head)).toEqual([
      'cluster t/c: `web/app=a` → `db/app=pg` becomes reachable on 180/TCP (opened by egress (not isolated); ingress db/pg-in).',
      'cluster t/c: `web/app=a1` → `db/app=pg` becomes reachable on 80/TCP (opened by egress (not isolated); ingress db/pg-in).',
    ]);
  });

  it('keeps apart sources whose destination lists read alike once joined without a separator', () => {
    // In head, web/out lets app=s1 and app=s2 reach `b/app=x`, `b/app=x1`, 0.0.0.0/8 and 10.0.0.0/8 (b is a
    // namespace the estate does not create, so its side and the addresses' are not governed here); in base,
    // s1 already reached `b/app=x1` and 0.0.0.0/8, s2 `b/app=x` and 10.0.0.0/8. So s1 gains `b/app=x`,
    // `10.0.0.0/8` and s2 gains `b/app=x1`, `0.0.0.0/8`: "b/app=x10.0.0.0/8" both, without a separator.
    const to = (labels: Record<string, string>, cidr: string) => [peer(pods('b', labels)), { ip_block: { cidr } }];
    const out = (name: string, selector: Json, peers: Json[]) => ({ metadata: { name, namespace: 'web' }, spec: { pod_selector: selector, policy_types: ['Egress'], egress: [{ to: peers, ports: tcp([80]) }] } });
    const old = [denyEgress('web'), out('s1-old', { match_labels: { app: 's1' } }, to({ app: 'x1' }, '0.0.0.0/8')), out('s2-old', { match_labels: { app: 's2' } }, to({ app: 'x' }, '10.0.0.0/8'))];
    const wide = out('out', { match_expressions: [{ key: 'app', operator: 'In', values: ['s1', 's2'] }] }, [...to({ app: 'x' }, '10.0.0.0/8'), ...to({ app: 'x1' }, '0.0.0.0/8')]);
    const before = app(stack('t-c-platform', 't', 'c', { web: 'app' }, old));
    const after = app(stack('t-c-platform', 't', 'c', { web: 'app' }, [...old, wide]));
    expect(messages(before, after)).toEqual([
      'cluster t/c: `web/app=s1` → `b/app=x`, `10.0.0.0/8` become reachable on 80/TCP (opened by egress web/out; ingress (not governed here)).',
      'cluster t/c: `web/app=s2` → `b/app=x1`, `0.0.0.0/8` become reachable on 80/TCP (opened by egress web/out; ingress (not governed here)).',
    ]);
  });

  it('keeps a change of one cluster apart from the opposite change of another whose stack name ends like it', () => {
    // Stack `t-a` + `unreachable` and stack `t-aun` + `reachable` read alike once joined without a separator.
    const policies = (open: boolean) => [group('db', { app: 'pg' }), ...(open ? [allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432])] : [])];
    const estate = (aOpen: boolean) => app(cluster(policies(aOpen), 't-a', 't', 'a'), cluster(policies(!aOpen), 't-aun', 't', 'b'));
    expect(findings(estate(true), estate(false))).toEqual([
      { stack: 't-a', message: 'cluster t/a: `web/app=api` → `db/app=pg` becomes unreachable on 5432/TCP (was opened by egress (not isolated); ingress db/pg-in).' },
      { stack: 't-aun', message: 'cluster t/b: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in).' },
    ]);
  });

  it('keeps the same change in two clusters apart, each under its own stack', () => {
    const policies = (open: boolean) => [group('db', { app: 'pg' }), ...(open ? [allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432])] : [])];
    const both = (open: boolean) => app(cluster(policies(open), 't-c-platform', 't', 'c'), cluster(policies(open), 't-d-platform', 't', 'd'));
    expect(findings(both(false), both(true))).toEqual([
      { stack: 't-c-platform', message: 'cluster t/c: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in).' },
      { stack: 't-d-platform', message: 'cluster t/d: `web/app=api` → `db/app=pg` becomes reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in).' },
    ]);
  });
});

describe('reachability-changed: at most six endpoints are named', () => {
  const groups = (n: number) => Array.from({ length: n }, (_, i) => group('db', { app: `g${i + 1}` }));
  const base = (n: number) => app(cluster(groups(n)));
  const opened = (n: number, from: Pods[]) => [base(n), app(cluster([...groups(n), allowIn('db', 'all-in', {}, from, [5432])]))] as const;

  it('names six destinations', () => {
    // db/* and the groups g1..g5.
    expect(messages(...opened(5, [api]))).toEqual(['cluster t/c: `web/app=api` → `db/* (other pods)`, `db/app=g1`, `db/app=g2`, `db/app=g3`, `db/app=g4`, `db/app=g5` become reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).']);
  });

  it('names the first six destinations of seven and counts the rest', () => {
    expect(messages(...opened(6, [api]))).toEqual(['cluster t/c: `web/app=api` → `db/* (other pods)`, `db/app=g1`, `db/app=g2`, `db/app=g3`, `db/app=g4`, `db/app=g5` and 1 more become reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).']);
  });

  it('names the first six destinations of nine and counts the rest', () => {
    expect(messages(...opened(8, [api]))).toEqual(['cluster t/c: `web/app=api` → `db/* (other pods)`, `db/app=g1`, `db/app=g2`, `db/app=g3`, `db/app=g4`, `db/app=g5` and 3 more become reachable on 5432/TCP (opened by egress (not isolated); ingress db/all-in).']);
  });

  it('names the first six sources of seven and counts the rest', () => {
    const sources = Array.from({ length: 7 }, (_, i) => pods('web', { app: `s${i + 1}` }));
    const before = app(cluster([group('db', { app: 'pg' })]));
    const head = app(cluster([group('db', { app: 'pg' }), allowIn('db', 'pg-in', { app: 'pg' }, sources, [5432])]));
    expect(messages(before, head)).toEqual(['cluster t/c: `web/app=s1`, `web/app=s2`, `web/app=s3`, `web/app=s4`, `web/app=s5`, `web/app=s6` and 1 more → `db/app=pg` become reachable on 5432/TCP (opened by egress (not isolated); ingress db/pg-in).']);
  });
});

describe('reachability-changed: environments', () => {
  const policies = (open: boolean) => [group('db', { app: 'pg' }), ...(open ? [allowIn('db', 'pg-in', { app: 'pg' }, [api], [5432])] : [])];
  const estate = (open: boolean) => app(cluster(policies(open), 't-c-platform', 't'), cluster(policies(open), 'u-c-platform', 'u'));
  const stacksOf = (environments?: readonly string[]) => findings(estate(false), estate(true), environments).map((f) => f.stack);

  it('reports every environment by default', () => {
    expect(stacksOf()).toEqual(['t-c-platform', 'u-c-platform']);
  });

  it('reports only the environments asked for', () => {
    expect(stacksOf(['u'])).toEqual(['u-c-platform']);
    expect(stacksOf(['t', 'u'])).toEqual(['t-c-platform', 'u-c-platform']);
    expect(stacksOf([])).toEqual([]);
  });
});
