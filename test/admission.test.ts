/**
 * Admission-time enforcement (policy/admission, constructs/admission): every generated CEL
 * expression runs with a real CEL implementation (@bufbuild/cel) on the fixtures the
 * synth-time rule is tested with, and the two must agree: what the rule rejects the policy
 * denies, what it accepts the policy admits, for each object form (typed resource and manifest).
 */
import { run as celRun } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { diffSynthesized } from '../tools/review/config-diff';
import { loadSynthesized } from '../tools/review/synthesized';
import { stackModel } from '../policy/audit/model';
import { RULES } from '../policy/audit/rules';
import { admissionCoverage, admissionPolicies, SYNTH_ONLY, type AdmissionParams, type AdmissionPolicyDefinition } from '../policy/admission/policies';
import { parseEnvironment } from '../environments';
import { configOf, manifestsOf, synthEstate, type Json } from './helpers';
import { manifests, run, stack } from './rules/fixture';
import { bucketClaim, flowPolicy, kafka, namespace, pgCluster, TLS_ONLY_HBA } from './rules/objects';
import { synthApp, tmp, type StackSpec } from './fixtures/review/apps';
import { loadSynthesized as loadSynthesizedStacks } from '../tools/audit/load';
import { renderMarkdown } from '../tools/audit/report/markdown';
import { buildReport } from '../tools/audit/report/model';

const PARAMS: AdmissionParams = {
  exposedZones: ['dmz', 'exchange'],
  podSecurityExceptions: { 'rook-ceph': 'privileged' },
  retainingClasses: ['ceph-rbd-retain', 'ceph-bucket-retain'],
  retainedZones: ['data'],
  development: false,
};
const POLICIES = admissionPolicies(PARAMS);
/** The zones of the fixture stack's namespaces (test/rules/fixture.ts). */
const ZONES: Record<string, string> = { postgres: 'data', kafka: 'data', gateway: 'dmz', exchange: 'exchange', 'app-trade': 'app', 'rook-ceph': 'data' };

/** JSON as the API server hands it to CEL: integers are int, objects are maps. */
function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}

/** True when every validation of `policy` admits `object` (CREATE), with its namespace's labels. */
function admits(policy: AdmissionPolicyDefinition, object: Json, operation: 'CREATE' | 'DELETE' = 'CREATE'): boolean {
  const ns = object.metadata?.namespace as string | undefined;
  const namespaceObject = { metadata: { name: ns ?? '', labels: ns && ZONES[ns] ? { 'moit.gov.vn/zone': ZONES[ns] } : {} } };
  const bindings: Record<string, any> = { object: toCel(operation === 'DELETE' ? null : object), oldObject: toCel(operation === 'DELETE' ? object : null), namespaceObject: toCel(namespaceObject), request: toCel({ operation }) };
  const matched = (policy.matchConditions ?? []).every((c) => celRun(c.expression, bindings, { funcs: strings }) === true);
  if (!matched) return true;
  return policy.validations.every((v) => {
    const result = celRun(v.expression, bindings, { funcs: strings });
    if (typeof result !== 'boolean') throw new Error(`${policy.name}: "${v.expression}" gave ${String(result)}`);
    return result;
  });
}

/** The synth-time verdict of `rule` on a fixture stack, and the admission verdict on each of its objects of the policy's kinds. */
function verdicts(ruleId: string, json: Json): { synth: boolean; admission: boolean; objects: number } {
  const synth = run(ruleId, json).every((o) => o.status !== 'fail');
  const model = stackModel('prod-core-services', json);
  const policies = POLICIES.filter((p) => p.rule === ruleId);
  const objects = model.objects.filter((o) => policies.some((p) => p.resources.some((r) => r.kind === o.kind)));
  const admission = objects.every((o) => policies.every((p) => !p.resources.some((r) => r.kind === o.kind) || admits(p, { ...o.raw, kind: o.kind, apiVersion: o.apiVersion })));
  return { synth, admission, objects: objects.length };
}

const typedNamespace = (ns: Json) => ({ kubernetes_namespace_v1: { ns: { '//': ns['//'], metadata: ns.metadata } } });
const typedPolicy = (p: Json) => ({ kubernetes_network_policy_v1: { p: { '//': p['//'], metadata: p.metadata, spec: p.spec } } });
const svc = (name: string, namespace: string, type: string): Json => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type, ports: [{ port: 443 }] } });
const pvc = (namespace: string, storageClassName?: string): Json => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace }, spec: { ...(storageClassName ? { storageClassName } : {}), accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } });

/** Per enforced rule and object form: fixtures the synth-time rule accepts and rejects. */
const CASES: Array<{ rule: string; form: string; accepted: Json; rejected: Json }> = [
  { rule: 'NET-002', form: 'manifest Service', accepted: stack(manifests(svc('gw', 'gateway', 'LoadBalancer'), svc('db', 'postgres', 'ClusterIP'))), rejected: stack(manifests(svc('db', 'postgres', 'NodePort'))) },
  {
    rule: 'NET-002',
    form: 'manifest Kafka',
    accepted: stack(manifests(kafka())),
    rejected: stack(manifests(kafka({ listeners: [{ name: 'ext', port: 9094, type: 'loadbalancer', tls: true, authentication: { type: 'tls' } }] }))),
  },
  {
    rule: 'PSS-001',
    form: 'typed Namespace',
    accepted: stack(typedNamespace(namespace('rook-ceph', 'data', { 'pod-security.kubernetes.io/enforce': 'privileged' }, { 'moit.gov.vn/pod-security-exception': 'OSDs own raw block devices' }))),
    rejected: stack(typedNamespace(namespace('app-trade', 'app', { 'pod-security.kubernetes.io/enforce': 'privileged' }))),
  },
  {
    rule: 'PSS-001',
    form: 'manifest Namespace',
    accepted: stack(manifests({ apiVersion: 'v1', kind: 'Namespace', ...namespace('app-trade', 'app') })),
    rejected: stack(manifests({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app-trade', labels: { 'moit.gov.vn/zone': 'app' } } })),
  },
  {
    rule: 'NET-003',
    form: 'typed NetworkPolicy',
    accepted: stack(typedPolicy(flowPolicy('postgres', { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'app-trade' } }, pod_selector: { match_labels: { app: 'api' } } }))),
    rejected: stack(typedPolicy(flowPolicy('postgres', { ip_block: { cidr: '0.0.0.0/0' } }))),
  },
  {
    rule: 'NET-003',
    form: 'typed NetworkPolicy, a zero prefix written with two digits',
    accepted: stack(typedPolicy(flowPolicy('postgres', { ip_block: { cidr: '10.0.0.0/08' } }))),
    rejected: stack(typedPolicy(flowPolicy('postgres', { ip_block: { cidr: '0.0.0.0/00' } }))),
  },
  {
    rule: 'NET-003',
    form: 'manifest NetworkPolicy',
    accepted: stack(manifests({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'postgres', annotations: { 'moit.gov.vn/network-exception': 'vendor support reaches the database' } }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } })),
    rejected: stack(manifests({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'postgres' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] } })),
  },
  { rule: 'KAF-001', form: 'manifest Kafka', accepted: stack(manifests(kafka())), rejected: stack(manifests(kafka({ listeners: [{ name: 'plain', port: 9092, type: 'internal', tls: false, authentication: { type: 'tls' } }] }))) },
  { rule: 'KAF-002', form: 'manifest Kafka', accepted: stack(manifests(kafka())), rejected: stack(manifests(kafka({ listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true }] }))) },
  { rule: 'KAF-003', form: 'manifest Kafka', accepted: stack(manifests(kafka())), rejected: stack(manifests(kafka({ authorization: undefined }))) },
  { rule: 'PG-001', form: 'manifest Cluster', accepted: stack(manifests(pgCluster())), rejected: stack(manifests(pgCluster({ enableSuperuserAccess: true }))) },
  {
    rule: 'PG-002',
    form: 'manifest Cluster',
    accepted: stack(manifests(pgCluster())),
    rejected: stack(manifests(pgCluster({ postgresql: { pg_hba: ['host all all 10.0.0.0/8 scram-sha-256', ...TLS_ONLY_HBA] } }))),
  },
  {
    rule: 'PG-002',
    form: 'manifest Cluster (trust)',
    accepted: stack(manifests(pgCluster({ postgresql: { pg_hba: TLS_ONLY_HBA, parameters: { ssl_min_protocol_version: 'TLSv1.3' } } }))),
    rejected: stack(manifests(pgCluster({ postgresql: { pg_hba: ['hostssl all all 0.0.0.0/0 trust', ...TLS_ONLY_HBA] } }))),
  },
  {
    rule: 'RET-002',
    form: 'manifest KafkaNodePool',
    accepted: stack(manifests({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaNodePool', metadata: { name: 'brokers', namespace: 'kafka' }, spec: { storage: { type: 'jbod', volumes: [{ id: 0, type: 'persistent-claim', size: '100Gi', deleteClaim: false }] } } })),
    rejected: stack(manifests({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaNodePool', metadata: { name: 'brokers', namespace: 'kafka' }, spec: { storage: { type: 'jbod', volumes: [{ id: 0, type: 'persistent-claim', size: '100Gi', deleteClaim: true }] } } })),
  },
  {
    rule: 'RET-002',
    form: 'manifest CephObjectStore',
    accepted: stack(manifests({ apiVersion: 'ceph.rook.io/v1', kind: 'CephObjectStore', metadata: { name: 's3', namespace: 'rook-ceph' }, spec: { preservePoolsOnDelete: true } })),
    rejected: stack(manifests({ apiVersion: 'ceph.rook.io/v1', kind: 'CephObjectStore', metadata: { name: 's3', namespace: 'rook-ceph' }, spec: {} })),
  },
  { rule: 'RET-003', form: 'manifest ObjectBucketClaim', accepted: stack(manifests(bucketClaim('orders'))), rejected: stack(manifests({ ...bucketClaim('orders'), spec: { bucketName: 'orders', storageClassName: 'ceph-bucket' } })) },
  { rule: 'RET-003', form: 'manifest PersistentVolumeClaim', accepted: stack(manifests(pvc('postgres', 'ceph-rbd-retain'), pvc('app-trade'))), rejected: stack(manifests(pvc('postgres'))) },
];

describe('the rules that hold at admission', () => {
  it.each(CASES.map((c) => [c.rule, c.form, c] as const))('%s (%s): the synth-time rule and the CEL policy agree on an accepted and a rejected fixture', (_rule, _form, c) => {
    const accepted = verdicts(c.rule, c.accepted);
    const rejected = verdicts(c.rule, c.rejected);
    expect(accepted.objects).toBeGreaterThan(0);
    expect(rejected.objects).toBeGreaterThan(0);
    expect(accepted).toMatchObject({ synth: true, admission: true });
    expect(rejected).toMatchObject({ synth: false, admission: false });
  });

  it('covers every enforced rule with at least one case, and every rule of the pack is enforced or synth-only with a reason', () => {
    const enforced = [...new Set(POLICIES.map((p) => p.rule))].filter((r) => r !== 'RET-001');
    expect([...new Set(CASES.map((c) => c.rule))].sort()).toEqual(enforced.sort());
    for (const row of admissionCoverage(PARAMS)) {
      if (row.policies.length > 0) expect(SYNTH_ONLY[row.rule]).toBeUndefined();
      else expect(row.synthOnly!.length).toBeGreaterThan(20);
    }
    expect(admissionCoverage(PARAMS).map((r) => r.rule)).toEqual(RULES.map((r) => r.id));
  });

  it('refuses deleting Kafka topics and Postgres clusters outside development, and has no such policy in development', () => {
    const guard = POLICIES.find((p) => p.rule === 'RET-001')!;
    expect(guard.operations).toEqual(['DELETE']);
    expect(admits(guard, { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 't', namespace: 'kafka' } }, 'DELETE')).toBe(false);
    expect(admissionPolicies({ ...PARAMS, development: true }).some((p) => p.rule === 'RET-001')).toBe(false);
  });

  it('skips the namespaces Kubernetes creates itself, and only those', () => {
    const pss = POLICIES.find((p) => p.rule === 'PSS-001')!;
    expect(admits(pss, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } })).toBe(true);
    expect(admits(pss, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-systems' } })).toBe(false);
  });
});

describe('admission policies in the estate', () => {
  const estate = synthEstate();
  const bindings = (stackName: string) => manifestsOf(estate.stack(stackName), 'ValidatingAdmissionPolicyBinding');

  it('binds every policy of a production cluster with Deny and Audit, and a development one with Warn and Audit', () => {
    expect(bindings('prod-core-platform').length).toBe(POLICIES.length);
    for (const b of bindings('prod-core-platform')) expect(b.spec.validationActions).toEqual(['Deny', 'Audit']);
    for (const b of bindings('dev-core-platform')) expect(b.spec.validationActions).toEqual(['Warn', 'Audit']);
    expect(manifestsOf(estate.stack('dev-core-platform'), 'ValidatingAdmissionPolicy').some((p) => p.metadata.name === 'moit-ret-001-no-data-deletion')).toBe(false);
  });

  it('takes the Pod Security exceptions of the cluster layout into the namespace policy', () => {
    const pss = manifestsOf(estate.stack('prod-core-platform'), 'ValidatingAdmissionPolicy').find((p) => p.metadata.name === 'moit-pss-001-namespace-labels')!;
    expect(pss.spec.validations[1].expression).toContain("'rook-ceph': 'privileged'");
    expect(pss.spec.validations[1].expression).toContain("'velero': 'privileged'");
  });

  /**
   * The policies as deployed (the synthesized ValidatingAdmissionPolicy objects of each cluster's
   * platform stack) run on every object every stack of that cluster creates afterwards, with the
   * namespace labels the platform stack gives: in Deny mode one refusal stops the install there.
   */
  it("admits every object the estate creates, under its own cluster's policies as synthesized", () => {
    const plural = (kind: string) => kind.toLowerCase().replace(/y$/, 'ie').replace(/s$/, 'se') + 's';
    const refusals: string[] = [];
    let checked = 0;
    const models = estate.stackNames.map((name) => stackModel(name, estate.stack(name)));
    for (const platform of models.filter((m) => m.name.endsWith('-platform'))) {
      const cluster = platform.name.replace(/-platform$/, '');
      const deployed = platform.objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => o.raw as Json);
      const sameCluster = models.filter((m) => m.name.startsWith(`${cluster}-`));
      const labels = new Map(sameCluster.flatMap((m) => m.objects.filter((o) => o.kind === 'Namespace').map((o) => [o.name, ((o.raw as Json).metadata?.labels ?? {}) as Record<string, string>] as const)));
      for (const model of sameCluster) {
        for (const o of model.objects) {
          if (o.origin === 'chart-values') continue;
          const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
          for (const policy of deployed) {
            const applies = (policy.spec.matchConstraints.resourceRules as Json[]).some((r) => r.apiGroups.includes(group) && r.resources.includes(plural(o.kind)) && r.operations.includes('CREATE'));
            if (!applies) continue;
            const object = toCel({ ...o.raw, kind: o.kind, apiVersion: o.apiVersion });
            const namespaceObject = toCel({ metadata: { name: o.namespace ?? '', labels: labels.get(o.namespace ?? '') ?? {} } });
            const bindings: Record<string, any> = { object, oldObject: null, namespaceObject, request: toCel({ operation: 'CREATE' }) };
            const matched = ((policy.spec.matchConditions ?? []) as Json[]).every((c) => celRun(c.expression, bindings, { funcs: strings }) === true);
            if (!matched) continue;
            checked++;
            for (const v of policy.spec.validations as Json[]) {
              if (celRun(v.expression, bindings, { funcs: strings }) !== true) refusals.push(`${model.name} ${o.kind} ${o.namespace ?? ''}/${o.name}: ${policy.metadata.name}: ${v.message}`);
            }
          }
        }
      }
    }
    expect(refusals).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('refuses an admission.deny entry that names no enforceable rule, naming the allowed ones', () => {
    const config = configOf('prod');
    (config as any).admission = { deny: ['NET-001', 'NET-002'] };
    expect(() => parseEnvironment(config, 'environments/prod.ts')).toThrow(/admission\.deny\[0\]: must be a rule with an admission policy: one of NET-002,/);
  });
});

describe('npm run diff: admission modes', () => {
  const binding = (actions: string[]): StackSpec['resources'][number] => ({
    id: 'binding',
    type: 'kubernetes_manifest',
    body: { manifest: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'moit-net-002-exposure' }, spec: { policyName: 'moit-net-002-exposure', validationActions: actions } } },
  });
  const diff = (before: StackSpec['resources'], after: StackSpec['resources']) => {
    const state = tmp('moit-diff-state-');
    return diffSynthesized(loadSynthesized(synthApp([{ name: 'prod-core-platform', resources: before }], state)), loadSynthesized(synthApp([{ name: 'prod-core-platform', resources: after }], state)), { baseLabel: 'base', headLabel: 'head' });
  };

  it('flags a production binding moved from Deny to Warn as security-relevant', () => {
    const report = diff([binding(['Deny', 'Audit'])], [binding(['Warn', 'Audit'])]);
    expect(report.findings.map((f) => [f.rule, f.severity])).toEqual([['admission-weakened', 'security']]);
    expect(report.findings[0]!.message).toContain('moit-net-002-exposure no longer refuses requests: validationActions Deny, Audit → Warn, Audit');
  });

  it('stays silent when a binding moves from Warn to Deny', () => {
    expect(diff([binding(['Warn', 'Audit'])], [binding(['Deny', 'Audit'])]).findings).toEqual([]);
  });
});

describe('the audit report', () => {
  it('lists, per environment, each rule enforced at admission with its mode per stack, and each synth-only rule with its reason', () => {
    const report = buildReport({ stacks: loadSynthesizedStacks(synthEstate().outdir), today: '2026-12-03' });
    const prod = report.environments.find((e) => e.name === 'prod')!;
    expect(prod.admission.find((a) => a.rule === 'NET-002')!.bindings).toEqual([{ policy: 'moit-net-002-exposure', stack: 'prod-core-platform', mode: 'deny' }]);
    expect(prod.admission.find((a) => a.rule === 'NET-001')!.synthOnly).toBe(SYNTH_ONLY['NET-001']);
    const dev = report.environments.find((e) => e.name === 'dev')!;
    expect(dev.admission.find((a) => a.rule === 'NET-002')!.bindings[0]!.mode).toBe('warn');
    expect(dev.admission.find((a) => a.rule === 'RET-001')!.bindings).toEqual([]);
    expect(renderMarkdown(report)).toContain('| NET-002 | `moit-net-002-exposure` | prod-core-platform: deny |');
  });
});

describe('the schema of the built-in admission kinds', () => {
  it('says how to get the Kubernetes OpenAPI document when there is none, instead of passing silently', () => {
    const { builtInLookup, openApiDir } = require('../tools/validate/built-in') as typeof import('../tools/validate/built-in');
    const { createAjv } = require('../tools/validate/crd-registry') as typeof import('../tools/validate/crd-registry');
    const empty = tmp('moit-no-openapi-');
    const saved = process.env.K8S_OPENAPI_DIR;
    process.env.K8S_OPENAPI_DIR = empty;
    try {
      expect(openApiDir(empty)).toBeUndefined();
      const found = builtInLookup('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', empty, createAjv());
      expect(found).toMatchObject({ ok: false, field: 'apiVersion' });
      expect((found as { message: string }).message).toMatch(/run npm run schemas:fetch, or set K8S_OPENAPI_DIR/);
      expect(builtInLookup('v1', 'Service', empty, createAjv())).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.K8S_OPENAPI_DIR;
      else process.env.K8S_OPENAPI_DIR = saved;
    }
  });
});
