import { expectFires, expectOutcomes, expectSilent, run, stack } from './fixture';
import { defaultDeny, flowPolicy, kafka, namespace } from './objects';

const typed = (namespaces: Record<string, any>, policies: Record<string, any> = {}, extra: Record<string, any> = {}) =>
  stack({ kubernetes_namespace_v1: namespaces, kubernetes_network_policy_v1: policies, ...extra });

describe('NET-001 default deny', () => {
  it('fires for a namespace without a default-deny policy', () => {
    expectFires('NET-001', typed({ ns: namespace('postgres', 'data') }), /Namespace postgres has no NetworkPolicy .* podSelector \{\} and policyTypes \[Ingress, Egress\]/);
  });
  it('fires when the deny policy covers only ingress, or allows something', () => {
    const ingressOnly = { ...defaultDeny('postgres'), spec: { pod_selector: {}, policy_types: ['Ingress'] } };
    expectFires('NET-001', typed({ ns: namespace('postgres', 'data') }, { p: ingressOnly }), /has no NetworkPolicy/);
    const allowing = { ...defaultDeny('postgres'), spec: { pod_selector: {}, policy_types: ['Ingress', 'Egress'], egress: [{}] } };
    expectFires('NET-001', typed({ ns: namespace('postgres', 'data') }, { p: allowing }), /has no NetworkPolicy/);
  });
  it('is silent when every namespace has podSelector {} with Ingress and Egress and no rules', () => {
    expectSilent('NET-001', typed({ a: namespace('postgres', 'data'), b: namespace('gateway', 'dmz') }, { a: defaultDeny('postgres'), b: defaultDeny('gateway') }));
  });
});

describe('NET-002 exposure', () => {
  const service = (ns: string, type: string) => ({ kubernetes_service_v1: { svc: { metadata: { name: 'web', namespace: ns }, spec: { type, port: [{ port: 443 }] } } } });
  it('fires for a LoadBalancer Service in the data zone and a NodePort in the app zone', () => {
    expectFires('NET-002', stack(service('postgres', 'LoadBalancer')), /Service postgres\/web \(type LoadBalancer\) is in zone "data"; only dmz and exchange/);
    expectFires('NET-002', stack(service('app-trade', 'NodePort')), /zone "app"/);
  });
  it('fires for an external Kafka listener in the data zone and for chart values that expose a Service', () => {
    const external = kafka({ listeners: [{ name: 'external', port: 9094, type: 'loadbalancer', tls: true, authentication: { type: 'tls' } }] });
    expectFires('NET-002', stack({ kubernetes_manifest: { k: { manifest: external } } }), /Kafka kafka\/events listener "external" \(type loadbalancer\) is in zone "data"/);
    const release = { helm_release: { r: { chart: 'dashboard', namespace: 'app-trade', values: ['service:\n  type: LoadBalancer\n'] } } };
    expectFires('NET-002', stack(release), /chart dashboard in namespace app-trade \(values service.type: LoadBalancer\)/);
  });
  it('fires when the zone of the namespace is unknown', () => {
    expectFires('NET-002', stack(service('nowhere', 'LoadBalancer')), /namespace "nowhere" of unknown zone/);
  });
  it('is silent for LoadBalancers in dmz and exchange and ClusterIP elsewhere', () => {
    expectSilent('NET-002', stack({ kubernetes_service_v1: { a: { metadata: { name: 'gw', namespace: 'gateway' }, spec: { type: 'LoadBalancer' } }, b: { metadata: { name: 'x', namespace: 'exchange' }, spec: { type: 'NodePort' } }, c: { metadata: { name: 'db', namespace: 'postgres' }, spec: {} } } }));
    expectSilent('NET-002', stack({ kubernetes_manifest: { k: { manifest: kafka() } } }));
  });
});

describe('NET-003 wildcard peers', () => {
  const narrow = { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'app-trade' } }, pod_selector: { match_labels: { app: 'importer' } } };
  it.each([
    ['0.0.0.0/0', { ip_block: { cidr: '0.0.0.0/0' } }, /ipBlock 0\.0\.0\.0\/0 \(every address\)/],
    ['a zero prefix written with two digits', { ip_block: { cidr: '0.0.0.0/00' } }, /ipBlock 0\.0\.0\.0\/00 \(every address\)/],
    ['::/0', { ip_block: { cidr: '::/0' } }, /ipBlock ::\/0 \(every address\)/],
    ['every namespace', { namespace_selector: {} }, /namespaceSelector \{\} \(every namespace\)/],
    ['a whole namespace', { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'exchange' } } }, /without podSelector \(every pod of the namespace\)/],
    ['every pod of its own namespace', { pod_selector: {} }, /podSelector \{\} \(every pod of this namespace\)/],
    ['every pod of a named namespace', { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'exchange' } }, pod_selector: {} }, /podSelector \{\} \(every pod of the namespace\)/],
    ['an empty peer', {}, /an empty peer \(everything\)/],
  ])('fires for %s without an exception', (_name, peer, pattern) => {
    expectFires('NET-003', typed({}, { p: flowPolicy('postgres', peer) }), pattern);
  });
  it('fires for a rule without peers, which admits everything', () => {
    const open = { ...flowPolicy('postgres', narrow), spec: { pod_selector: {}, policy_types: ['Egress'], egress: [{ ports: [{ port: '443' }] }] } };
    expectFires('NET-003', typed({}, { p: open }), /egress\[0\] has no "to" \(every destination\)/);
  });
  it('does not take a non-zero prefix written with a leading zero for every address', () => {
    expectSilent('NET-003', typed({}, { p: flowPolicy('postgres', { ip_block: { cidr: '10.0.0.0/08' } }) }));
  });
  it('fires when the exception reason is too short', () => {
    expectFires('NET-003', typed({}, { p: flowPolicy('postgres', { ip_block: { cidr: '0.0.0.0/0' } }, { 'moit.gov.vn/network-exception': 'todo' }) }), /declare the flow with an exception/);
  });
  it('is silent for narrow peers, and reports a wildcard with a reason as a network exception', () => {
    expectSilent('NET-003', typed({}, { p: flowPolicy('postgres', narrow), q: flowPolicy('postgres', { ip_block: { cidr: '10.10.0.0/22' } }) }));
    const excepted = run('NET-003', typed({}, { p: flowPolicy('exchange', { ip_block: { cidr: '0.0.0.0/0' } }, { 'moit.gov.vn/network-exception': 'Fetches WTO tariff tables published on the Internet.' }) }));
    expect(excepted.map((o) => [o.status, o.exception])).toEqual([['excepted', { kind: 'network', reason: 'Fetches WTO tariff tables published on the Internet.' }]]);
  });
});

describe('PSS-001 Pod Security restricted', () => {
  it('fires for a relaxed level without a reason, and for a namespace that enforces nothing', () => {
    expectFires('PSS-001', typed({ ns: namespace('velero', 'mgmt', { 'pod-security.kubernetes.io/enforce': 'privileged' }) }), /enforces "privileged" without a reason/);
    const bare = namespace('velero', 'mgmt');
    delete bare.metadata.labels['pod-security.kubernetes.io/enforce'];
    expectFires('PSS-001', typed({ ns: bare }), /has no pod-security.kubernetes.io\/enforce label/);
  });
  it('is silent for restricted, and reports an exception with its reason, owner and expiry', () => {
    expectSilent('PSS-001', typed({ ns: namespace('postgres', 'data') }));
    const excepted = namespace('velero', 'mgmt', { 'pod-security.kubernetes.io/enforce': 'privileged' }, {
      'moit.gov.vn/pod-security-exception': 'node-agent reads pod volumes through host paths',
      'moit.gov.vn/exception-owner': 'platform/tran.b',
      'moit.gov.vn/exception-expires': '2027-06-30',
    });
    const out = run('PSS-001', typed({ ns: excepted }));
    expect(out[0]).toMatchObject({ status: 'excepted', exception: { kind: 'pod-security', reason: 'privileged: node-agent reads pod volumes through host paths', owner: 'platform/tran.b', expires: '2027-06-30' } });
  });
});

describe('NET-001: the deny policy must be in the namespace it isolates', () => {
  it('does not count a default deny of another namespace, nor one with ingress rules', () => {
    expectFires('NET-001', typed({ ns: namespace('postgres', 'data') }, { p: defaultDeny('gateway') }), /^Namespace postgres has no NetworkPolicy/);
    const allowing = { ...defaultDeny('postgres'), spec: { pod_selector: {}, policy_types: ['Ingress', 'Egress'], ingress: [{}] } };
    expectFires('NET-001', typed({ ns: namespace('postgres', 'data') }, { p: allowing }), /has no NetworkPolicy/);
  });
  it('names the policy that isolates each namespace', () => {
    expectOutcomes('NET-001', typed({ a: namespace('postgres', 'data'), b: namespace('gateway', 'dmz') }, { b: defaultDeny('gateway'), a: defaultDeny('postgres') }), [
      ['pass', 'Namespace postgres is isolated by NetworkPolicy "default-deny" (all pods, Ingress and Egress, no rules)'],
      ['pass', 'Namespace gateway is isolated by NetworkPolicy "default-deny" (all pods, Ingress and Egress, no rules)'],
    ]);
  });
});

describe('NET-002: what is exposed, and the evidence for what is not', () => {
  it('finds a Service type in any list of chart values, and only under a "type" key', () => {
    const values = 'services:\n  - name: a\n    type: ClusterIP\n  - name: b\n    type: NodePort\nnote: LoadBalancer\nproxy:\n  type: LoadBalancer\n';
    expectOutcomes('NET-002', stack({ helm_release: { r: { chart: 'dashboard', namespace: 'app-trade', values: [values] } } }), [
      ['fail', 'chart dashboard in namespace app-trade (values services[1].type: NodePort, proxy.type: LoadBalancer) is in zone "app"; only dmz and exchange may expose the cluster: use ClusterIP and route through the gateway'],
    ]);
  });
  it('says why each Service, listener and chart passes, and reads only helm releases as charts', () => {
    const listeners = [null, { name: 'plain', port: 9092 }, { port: 9094, type: 'loadbalancer' }];
    expectOutcomes('NET-002', stack({
      kubernetes_service_v1: { a: { metadata: { name: 'gw', namespace: 'gateway' }, spec: { type: 'LoadBalancer' } }, c: { metadata: { name: 'db', namespace: 'postgres' }, spec: {} } },
      kubernetes_manifest: { k: { manifest: { ...kafka(), metadata: { name: 'edge', namespace: 'exchange' }, spec: { kafka: { listeners } } } } },
      helm_release: { r: { values: ['replicas: 2\n'] } },
      kubernetes_config_map_v1: { c: { metadata: { name: 'c', namespace: 'gateway' }, data: { type: 'NodePort' } } },
    }), [
      ['pass', 'Service gateway/gw (type LoadBalancer) is in zone dmz, which may face outside'],
      ['pass', 'Service postgres/db is of type ClusterIP, reachable only inside the cluster'],
      ['pass', 'Kafka exchange/edge listener "plain" is of type (none), reachable only inside the cluster'],
      ['pass', 'Kafka exchange/edge listener "?" (type loadbalancer) is in zone exchange, which may face outside'],
      ['pass', 'chart ? in namespace ? sets no LoadBalancer or NodePort Service in its values'],
    ]);
  });
  it('names a chart without a namespace as of unknown zone', () => {
    expectFires('NET-002', stack({ helm_release: { r: { chart: 'x', values: ['service:\n  type: NodePort\n'] } } }), /chart x in namespace \? \(values service.type: NodePort\) is in namespace "\?" of unknown zone/);
  });
});

describe('NET-003: peers, rules and reasons in detail', () => {
  const policy = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) => ({ '//': {}, metadata: { name: 'p', namespace: 'postgres', annotations }, spec: { pod_selector: {}, ...spec } });
  it('takes a pod selector with labels as narrow, and says so', () => {
    expectOutcomes('NET-003', typed({}, { p: policy({ ingress: [null, { from: [{ pod_selector: { match_labels: { app: 'x' } } }] }] }) }), [
      ['pass', 'NetworkPolicy postgres/p names only narrow peers'],
    ]);
  });
  it('lists every wildcard: a rule without sources, a malformed peer, and each wildcard peer', () => {
    expectOutcomes('NET-003', typed({}, { p: policy({ ingress: [{ ports: [{ port: '80' }] }, { from: [null, { ip_block: { cidr: '0.0.0.0/0' } }] }] }) }), [
      ['fail', 'NetworkPolicy postgres/p: ingress[0] has no "from" (every source); ingress[1].from[0] is a malformed peer; ingress[1].from[1] is ipBlock 0.0.0.0/0 (every address); name narrower peers, or declare the flow with an exception whose reason (10+ characters) is written to the moit.gov.vn/network-exception annotation'],
    ]);
  });
  it('takes a reason of ten characters, not counting surrounding spaces, and shows it', () => {
    const wide = { egress: [{ to: [{ ip_block: { cidr: '0.0.0.0/0' } }] }, {}] };
    expectOutcomes('NET-003', typed({}, { p: policy(wide, { 'moit.gov.vn/network-exception': '  Ten chars.  ' }) }), [
      ['excepted', 'NetworkPolicy postgres/p: egress[0].to[0] is ipBlock 0.0.0.0/0 (every address); egress[1] has no "to" (every destination); excepted: Ten chars.'],
    ]);
    expectFires('NET-003', typed({}, { p: policy(wide, { 'moit.gov.vn/network-exception': '   Nine char    ' }) }), /declare the flow with an exception/);
  });
});

describe('PSS-001: each case of the label and the exception', () => {
  it('says a namespace enforces restricted, and treats an empty label as none', () => {
    expectOutcomes('PSS-001', typed({ a: namespace('postgres', 'data'), b: namespace('velero', 'mgmt', { 'pod-security.kubernetes.io/enforce': '' }) }), [
      ['pass', 'Namespace postgres enforces Pod Security "restricted"'],
      ['fail', 'Namespace velero has no pod-security.kubernetes.io/enforce label, so nothing is enforced; create it with ZonedNamespace'],
    ]);
  });
  it('takes a reason of ten characters without surrounding spaces, and records no owner or expiry it was not given', () => {
    const relaxed = (reason: string) => typed({ ns: namespace('velero', 'mgmt', { 'pod-security.kubernetes.io/enforce': 'baseline' }, { 'moit.gov.vn/pod-security-exception': reason }) });
    expectFires('PSS-001', relaxed('   Nine char   '), /^Namespace velero enforces "baseline" without a reason; set podSecurityException.reason \(10\+ characters\) or use restricted$/);
    const out = run('PSS-001', relaxed('  Ten chars.  '));
    expect(out.map((o) => [o.status, o.message, o.exception])).toEqual([
      ['excepted', 'Namespace velero enforces "baseline" by declared exception: Ten chars.', { kind: 'pod-security', reason: 'baseline: Ten chars.' }],
    ]);
  });
});
