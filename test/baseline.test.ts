import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDITOR_READS, ClusterAccess, credentialAccessIn, DOMAIN_OWNER_RULES, MANAGEMENT_AUDITOR_READS } from '../constructs/baseline/rbac';
import { ZONE_LABEL } from '../constructs/network/peer';
import { loadEnvironments } from '../environments';
import { App } from '../lib/tf';
import { clusterNamespaces } from '../policy/layout';
import { PlatformStack } from '../stacks/platform';
import { resourcesOf, synthEstate, type Json } from './helpers';

const estate = synthEstate();
const platformStacks = estate.stackNames.filter((s) => s.endsWith('-platform'));

function ofType(stackJson: Json, type: string): Json[] {
  return resourcesOf(stackJson)
    .filter(([t]) => t === type)
    .map(([, , body]) => body);
}

const TENANT = { name: 'energy-statistics', zone: 'data' as const, purpose: 'Energy statistics data domain.', labels: { 'moit.gov.vn/domain': 'energy-statistics' } };

/** A prod platform stack with one tenant namespace, built and synthesized on its own. */
function tenantPlatform(build: (stack: PlatformStack) => void = () => undefined): { stack: PlatformStack; json: () => Json } {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-baseline-')) });
  const environment = loadEnvironments(['prod'])[0]!;
  const cluster = environment.clusters[0]!;
  const stack = new PlatformStack(app, 'prod-core-platform', { environment, cluster: cluster.name, kubeconfig: cluster.kubeconfig, namespaces: clusterNamespaces([TENANT]) });
  build(stack);
  return {
    stack,
    json: () => {
      app.synth();
      return JSON.parse(readFileSync(join(app.outdir, 'stacks', 'prod-core-platform', 'cdk.tf.json'), 'utf8'));
    },
  };
}

describe('namespaces of every cluster', () => {
  it.each(platformStacks)('%s: every namespace carries its zone and Pod Security labels, restricted unless an exception says why', (name) => {
    const json = estate.stack(name);
    const namespaces = ofType(json, 'kubernetes_namespace_v1').map((n) => n.metadata);
    expect(namespaces.length).toBeGreaterThan(0);
    for (const ns of namespaces) {
      expect(ns.labels[ZONE_LABEL]).toMatch(/^(dmz|app|data|mgmt|exchange)$/);
      expect(ns.labels['pod-security.kubernetes.io/audit']).toBe('restricted');
      expect(ns.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
      const enforce = ns.labels['pod-security.kubernetes.io/enforce'];
      if (enforce === 'restricted') continue;
      expect([ns.name, enforce, (ns.annotations['moit.gov.vn/pod-security-exception'] ?? '').length >= 10]).toEqual([ns.name, enforce, true]);
    }
  });

  it.each(platformStacks)('%s: every namespace has a ResourceQuota and a LimitRange', (name) => {
    const json = estate.stack(name);
    const names = ofType(json, 'kubernetes_namespace_v1').map((n) => n.metadata.name).sort();
    expect(ofType(json, 'kubernetes_resource_quota_v1').map((q) => q.metadata.namespace).sort()).toEqual(names);
    expect(ofType(json, 'kubernetes_limit_range_v1').map((l) => l.metadata.namespace).sort()).toEqual(names);
  });
});

describe('platform administrators and auditors', () => {
  it.each(platformStacks)('%s: binds the administrators\' group to cluster-admin and the auditors\' to moit:auditor', (name) => {
    const bindings = ofType(estate.stack(name), 'kubernetes_cluster_role_binding_v1');
    const subjectsOf = (role: string) => bindings.filter((b) => b.role_ref.name === role).flatMap((b) => b.subject);
    expect(subjectsOf('cluster-admin')).toEqual([{ kind: 'Group', name: 'oidc:dc-platform-admins', api_group: 'rbac.authorization.k8s.io' }]);
    expect(subjectsOf('moit:auditor')).toEqual([{ kind: 'Group', name: 'oidc:dc-auditors', api_group: 'rbac.authorization.k8s.io' }]);
  });

  it.each(platformStacks)('%s: the auditor role reads, names every resource, and cannot read Secrets', (name) => {
    const [role] = ofType(estate.stack(name), 'kubernetes_cluster_role_v1').filter((r) => r.metadata.name === 'moit:auditor');
    const rules = role!.rule as Json[];
    expect(rules.length).toBeGreaterThan(10);
    for (const rule of rules) {
      expect(rule.verbs).toEqual(['get', 'list', 'watch']);
      expect(rule.resources).not.toContain('secrets');
      expect([...rule.api_groups, ...rule.resources, ...rule.verbs]).not.toContain('*');
    }
    const readable = (group: string) => rules.filter((r) => r.api_groups.includes(group)).flatMap((r) => r.resources);
    expect(readable('')).toEqual(expect.arrayContaining(['namespaces', 'pods', 'events', 'serviceaccounts']));
    expect(readable('networking.k8s.io')).toContain('networkpolicies');
    expect(readable('rbac.authorization.k8s.io')).toEqual(['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles']);
    expect(readable('postgresql.cnpg.io')).toContain('clusters');
    expect(readable('kafka.strimzi.io')).toContain('kafkas');
  });

  it('lets auditors read the Cluster API objects on a management cluster, and not on a workload cluster', () => {
    const readsCapi = (stack: string) =>
      (ofType(estate.stack(stack), 'kubernetes_cluster_role_v1').find((r) => r.metadata.name === 'moit:auditor')!.rule as Json[]).some((r) => r.api_groups.includes('cluster.x-k8s.io'));
    expect(readsCapi('prod-mgmt-platform')).toBe(true);
    expect(readsCapi('prod-core-platform')).toBe(false);
  });

  it('keeps the built-in read lists free of Secrets and wildcards', () => {
    for (const g of [...AUDITOR_READS, ...MANAGEMENT_AUDITOR_READS]) expect(credentialAccessIn({ apiGroups: [g.apiGroup], resources: g.resources, verbs: ['get'] })).toBeUndefined();
    for (const r of DOMAIN_OWNER_RULES) expect(credentialAccessIn(r)).toBeUndefined();
  });

  it('refuses to let auditors read Secrets or "*", and names the problem', () => {
    const { stack } = tenantPlatform();
    expect(() => stack.access.allowAuditorsToRead({ apiGroup: '', resources: ['secrets'] })).toThrow(/names secrets, which hold credentials/);
    expect(() => stack.access.allowAuditorsToRead({ apiGroup: 'example.io', resources: ['*'] })).toThrow(/uses "\*", which would include Secrets/);
    expect(() => stack.access.allowAuditorsToRead({ apiGroup: '*', resources: ['widgets'] })).toThrow(/uses "\*"/);
    expect(() => stack.access.allowAuditorsToRead({ apiGroup: '', resources: ['secrets/status'] })).toThrow(/names secrets/);
  });

  it('adds reads granted after construction to the synthesized role', () => {
    const { json } = tenantPlatform((s) => s.access.allowAuditorsToRead({ apiGroup: 'monitoring.coreos.com', resources: ['prometheusrules'] }));
    const [role] = ofType(json(), 'kubernetes_cluster_role_v1');
    expect(role!.rule).toContainEqual({ api_groups: ['monitoring.coreos.com'], resources: ['prometheusrules'], verbs: ['get', 'list', 'watch'] });
  });

  it('refuses a built-in Kubernetes group and one group in both roles', () => {
    const { stack } = tenantPlatform();
    expect(() => new ClusterAccess(stack, 'other', { platformAdmins: 'system:masters' })).toThrow(/platformAdmins: must be a group of your identity provider.*got "system:masters"/);
    expect(() => new ClusterAccess(stack, 'same', { platformAdmins: 'oidc:ops', auditors: 'oidc:ops' })).toThrow(/auditors: must differ from platformAdmins/);
  });
});

describe('data-domain owners', () => {
  it('get a Role in their own namespace, bound to their group, with no access to Secrets', () => {
    const { json } = tenantPlatform((s) => s.access.grantDomainOwner('energy-statistics', 'oidc:moit-energy-statistics-stewards'));
    const synthesized = json();
    const [role] = ofType(synthesized, 'kubernetes_role_v1');
    expect(role!.metadata).toMatchObject({ name: 'moit:domain-owner', namespace: 'energy-statistics' });
    for (const rule of role!.rule as Json[]) {
      expect(rule.resources).not.toContain('secrets');
      expect([...rule.api_groups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      expect(rule.verbs.every((v: string) => ['get', 'list', 'watch', 'create'].includes(v))).toBe(true);
    }
    expect(ofType(synthesized, 'kubernetes_role_binding_v1')).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ namespace: 'energy-statistics', name: 'domain-owner-oidc-moit-energy-statistics-stewards' }),
        role_ref: { api_group: 'rbac.authorization.k8s.io', kind: 'Role', name: 'moit:domain-owner' },
        subject: [{ kind: 'Group', name: 'oidc:moit-energy-statistics-stewards', api_group: 'rbac.authorization.k8s.io' }],
      }),
    ]);
  });

  it('are granted once per group, with one Role per namespace however many groups', () => {
    const { stack, json } = tenantPlatform();
    const first = stack.access.grantDomainOwner('energy-statistics', 'oidc:a-stewards');
    expect(stack.access.grantDomainOwner('energy-statistics', 'oidc:a-stewards')).toBe(first);
    stack.access.grantDomainOwner('energy-statistics', 'oidc:b-stewards');
    const synthesized = json();
    expect(ofType(synthesized, 'kubernetes_role_v1')).toHaveLength(1);
    expect(ofType(synthesized, 'kubernetes_role_binding_v1').map((b) => b.subject[0].name).sort()).toEqual(['oidc:a-stewards', 'oidc:b-stewards']);
  });

  it('cannot be granted a platform namespace, an unknown namespace, or a built-in group', () => {
    const { stack } = tenantPlatform();
    expect(() => stack.access.grantDomainOwner('postgres', 'oidc:a-stewards')).toThrow(/is a platform namespace; domain owners are granted their own tenant namespace only, got "postgres"/);
    expect(() => stack.access.grantDomainOwner('nowhere', 'oidc:a-stewards')).toThrow(/namespace is not in this cluster's layout.*got "nowhere"/);
    expect(() => stack.access.grantDomainOwner('energy-statistics', 'system:authenticated')).toThrow(/must be a group of your identity provider/);
  });
});
