/**
 * One weakness, every form it can be written in: a kubernetes_manifest, a typed kubernetes_*
 * resource (blocks as objects or as one-element lists, repeated blocks in the singular), and chart
 * values through `values` (any document), `set`, `set_list` or `set_sensitive`. The rules read
 * them through one normaliser (policy/audit/model.ts), so each form must be caught alike.
 */
import { chartValues, stackModel } from '../../policy/audit/model';
import { expectFires, expectSilent, manifests, stack, type Json } from './fixture';

const release = (extra: Json) => ({ helm_release: { r: { chart: 'dashboard', namespace: 'app-trade', ...extra } } });

describe('NET-002: a LoadBalancer Service outside dmz and exchange, in every form', () => {
  const loadBalancer = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'postgres' }, spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } };
  it.each<[string, Json]>([
    ['a manifest', manifests(loadBalancer)],
    ['a typed kubernetes_service_v1', { kubernetes_service_v1: { s: { metadata: { name: 'web', namespace: 'postgres' }, spec: { type: 'LoadBalancer', port: [{ port: 443 }] } } } }],
    ['a typed resource with its blocks as one-element lists', { kubernetes_service: { s: { metadata: [{ name: 'web', namespace: 'postgres' }], spec: [{ type: 'LoadBalancer', port: [{ port: 443 }] }] } } }],
  ])('%s', (_form, resources) => {
    expectFires('NET-002', stack(resources), /Service postgres\/web \(type LoadBalancer\) is in zone "data"/);
  });

  it.each<[string, Json]>([
    ['values', { values: ['service:\n  type: LoadBalancer\n'] }],
    ['a later values document', { values: ['service:\n  type: ClusterIP\n  port: 80\n', 'service:\n  type: LoadBalancer\n'] }],
    ['set', { values: ['service:\n  type: ClusterIP\n'], set: [{ name: 'service.type', value: 'LoadBalancer' }] }],
    ['set_sensitive', { set_sensitive: [{ name: 'service.type', value: 'NodePort' }] }],
    ['set into a list element', { set: [{ name: 'extraServices[1].type', value: 'LoadBalancer' }] }],
    ['set with an escaped dot in a key', { set: [{ name: 'ingress\\.nginx.service.type', value: 'LoadBalancer' }] }],
  ])('chart values through %s', (_form, extra) => {
    expectFires('NET-002', stack(release(extra)), /chart dashboard in namespace app-trade \(values .*(LoadBalancer|NodePort)/);
  });

  it('is silent when a later document or a set makes the Service ClusterIP again', () => {
    expectSilent('NET-002', stack(release({ values: ['service:\n  type: LoadBalancer\n', 'service:\n  type: ClusterIP\n'] })));
    expectSilent('NET-002', stack(release({ values: ['service:\n  type: LoadBalancer\n'], set: [{ name: 'service.type', value: 'ClusterIP' }] })));
  });
});

describe('NET-003: a peer admitting the whole Internet, in every form', () => {
  const policy = (from: Json) => ({ metadata: { name: 'p', namespace: 'postgres' }, spec: { pod_selector: {}, policy_types: ['Ingress'], ingress: [{ from: [from] }] } });
  it.each<[string, Json]>([
    ['a manifest', manifests({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'postgres' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } })],
    ['a typed kubernetes_network_policy_v1', { kubernetes_network_policy_v1: { p: policy({ ip_block: { cidr: '0.0.0.0/0' } }) } }],
    ['a typed resource with ip_block as a one-element list', { kubernetes_network_policy_v1: { p: policy({ ip_block: [{ cidr: '0.0.0.0/0' }] }) } }],
  ])('%s', (_form, resources) => {
    expectFires('NET-003', stack(resources), /ipBlock 0\.0\.0\.0\/0 \(every address\)/);
  });
});

describe('SEC-001: a literal secret, in every form of chart values', () => {
  it.each<[string, Json]>([
    ['values', { values: ['auth:\n  password: hunter2-literal\n'] }],
    ['set', { set: [{ name: 'auth.password', value: 'hunter2-literal' }] }],
    ['set_sensitive', { set_sensitive: [{ name: 'auth.password', value: 'hunter2-literal' }] }],
    ['set_list', { set_list: [{ name: 'auth.apiToken', value: ['hunter2-literal'] }] }],
  ])('%s', (_form, extra) => {
    expectFires('SEC-001', stack(release(extra)), /contains a literal value for "(password|apiToken)"/);
  });

  it('names the value a set entry becomes', () => {
    expectFires('SEC-001', stack(release({ set: [{ name: 'auth.password', value: 'hunter2-literal' }] })), /a literal value for "password" at set\.auth\.password;/);
  });

  it('is silent for a sensitive variable passed through set_sensitive', () => {
    expectSilent('SEC-001', stack(release({ set_sensitive: [{ name: 'auth.password', value: '${var.dashboard_password}' }] })));
  });
});

describe('the normaliser', () => {
  const resourceOf = (type: string, body: Json) => stackModel('s', { resource: { [type]: { r: body } } });

  it('computes chart values as Helm does: documents merged in order, then set (typed), set_list and set_sensitive', () => {
    const model = resourceOf('helm_release', {
      values: ['a:\n  b: 1\n  c: [1, 2]\n', 'a:\n  d: x\n'],
      set: [
        { name: 'a.b', value: '2' },
        { name: 'a.e', value: 'true' },
        { name: 'a.f', value: '007', type: 'string' },
        { name: 'list[1].name', value: 'second' },
      ],
      set_list: [{ name: 'a.c', value: ['3'] }],
      set_sensitive: [{ name: 'secret\\.key', value: 's' }],
    });
    expect(chartValues(model.resources[0]!)).toEqual({ a: { b: 2, c: [3], d: 'x', e: true, f: '007' }, list: [undefined, { name: 'second' }], 'secret.key': 's' });
  });

  it('reads typed resources in Kubernetes form: singular repeated blocks made plural, one-element block lists unwrapped', () => {
    const model = resourceOf('kubernetes_deployment_v1', {
      metadata: [{ name: 'd', namespace: 'app-trade', labels: { some_label: 'x' } }],
      spec: [{ template: [{ spec: [{ container: [{ name: 'c', port: [{ container_port: 8080 }], security_context: [{ run_as_non_root: true }] }] }] }] }],
    });
    const d = model.objectsOf('Deployment')[0]!;
    expect(d).toMatchObject({ apiVersion: 'apps/v1', name: 'd', namespace: 'app-trade', labels: { some_label: 'x' } });
    expect(d.spec).toEqual({ template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }], securityContext: { runAsNonRoot: true } }] } } });
  });
});
