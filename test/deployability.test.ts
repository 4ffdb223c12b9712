/**
 * The deployability check (issue 17; policy/deploy/, stacks/deployability.ts): the real estate's
 * current verdict, seeded regressions of each kind, and the pieces of the model.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { loadEnvironments, parseEnvironment } from '../environments';
import { createApp } from '../lib/tf';
import { Release } from '../lib/providers';
import { CustomResource } from '../constructs/k8s-object';
import { buildEnvironment, buildEstate, type EnvironmentStacks } from '../stacks/estate';
import { CHART_VALUES_DIR_VARIABLE, deployabilityReports, MODE_CONTEXT } from '../stacks/deployability';
import { checkDeployability, DeployabilityError, formatFinding, type Finding } from '../policy/deploy';
import { CNI_CHARTS } from '../policy/deploy/cluster';
import { coalesce, unknownKeys, validatorFor, type ValidatorCache } from '../policy/deploy/chart-values';
import { tolerates } from '../policy/deploy/placement';
import { prerequisiteProblems } from '../policy/prerequisites';
import { configOf } from './helpers';

const CHARTS_AVAILABLE = !!process.env[CHART_VALUES_DIR_VARIABLE];
if (!CHARTS_AVAILABLE) {
  // Loud on purpose: the chart-values expectations below are not checked in this run.
  console.warn(`deployability.test: ${CHART_VALUES_DIR_VARIABLE} is not set: the chart-values check was SKIPPED (set it to ../shared/charts, as .ci/run does).`);
}

const signature = (f: Finding) => `${f.check} ${f.stack} ${f.address} ${f.field}`;

/** Synthesizes environments in report mode and returns each one's findings. */
function verdict(names: string[]): Map<string, Finding[]> {
  const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'moit-deploy-')), context: { [MODE_CONTEXT]: 'report' } });
  buildEstate(app, loadEnvironments(names));
  app.synth();
  return new Map(deployabilityReports(app).map((r) => [r.environment, [...r.findings]]));
}

/** Synthesizes one environment in enforce mode after `declare` changed its stacks; returns the error. */
function enforce(env: string, declare: (stacks: EnvironmentStacks) => void = () => undefined): DeployabilityError | undefined {
  const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'moit-deploy-')), context: { [MODE_CONTEXT]: 'enforce' } });
  const stacks = buildEnvironment(app, parseEnvironment(configOf(env), `environments/${env}.ts`));
  declare(stacks);
  try {
    app.synth();
  } catch (error) {
    if (error instanceof DeployabilityError) return error;
    throw error;
  }
  return undefined;
}

/** Adds a chart release to the first cluster's platform stack. */
function seedRelease(stacks: EnvironmentStacks, name: string, chart: string, version: string, namespace: string, values: object): void {
  const platform = stacks.clusters[0]!.platform;
  new Release(platform, name, { provider: platform.helm, name, chart, version, namespace, repository: 'https://charts.example', values: [dump(values)] });
}

describe('the real estate', () => {
  const found = verdict(['dev', 'staging', 'prod', 'dr']);

  it('has no problem that would stop a first install of any environment', () => {
    const lines = [...found].flatMap(([env, list]) => list.map((f) => `${env}: ${signature(f)}`));
    // Printed so the verdict is visible in the test output when merging.
    console.log(`deployability verdict (dev, staging, prod, dr):\n${[...found].flatMap(([, list]) => list.map((f) => `  ${formatFinding(f)}`)).join('\n')}`);
    expect(lines.filter((l) => !l.includes(' chart-values ') || CHARTS_AVAILABLE)).toEqual(EXPECTED.filter((l) => !l.includes(' chart-values ') || CHARTS_AVAILABLE));
  });

  it('names stack, resource, field, value and fix in every finding', () => {
    for (const f of [...found.values()].flat()) {
      expect(formatFinding(f)).toMatch(new RegExp(`^\\[${f.check}\\] ${f.stack} ${f.address.replace(/[.[\]]/g, '\\$&')} .*: ${f.field.replace(/[.[\]]/g, '\\$&')} = .*\\. Fix: .+`));
    }
  });
});

/**
 * The findings on every environment: none. The defects of issue 17 that this check found at first
 * (Velero's Secret from a later stack, cert-manager and the Ceph CSI pods without tolerations,
 * the ceph-csi-drivers `nodeAffinity` key, Kafka's rack label, no VIP/CPI/CNI/snapshots, nodes
 * that cannot join, the rook-ceph NetworkPolicies that did not wait for their namespaces, staging
 * without a `mgmt` pool) are fixed, and the synth enforces it (DEFAULT_MODE `enforce`). The
 * seeded regressions below show each kind of finding still fires.
 */
const EXPECTED: string[] = [];

describe('seeded regressions stop the synth with stack, resource, field and fix', () => {
  /** The error's line for a finding of `check` on `address` at `field`, else undefined. */
  const line = (error: DeployabilityError | undefined, check: string, address: string, field: string) =>
    error?.message.split('\n').find((l) => l.includes(`[${check}] `) && l.includes(address) && l.includes(`: ${field} = `) && l.includes('. Fix: '));

  it('a chart without tolerations (a second Strimzi operator, placed nowhere)', () => {
    const error = enforce('prod', (stacks) => seedRelease(stacks, 'seeded-strimzi', 'strimzi-kafka-operator', '1.2.0', 'strimzi-system', { watchNamespaces: ['kafka'] }));
    expect(line(error, 'placement', 'helm_release.seeded-strimzi', 'values.tolerations')).toMatch(/prod-core-platform .*strimzi-kafka-operator cluster-operator tolerates the taints of no node group of cluster core.*Fix: tolerate the taint/);
  });

  it('a Secret from a later stack (a platform chart naming an ObjectBucketClaim of the services stack)', () => {
    const error = enforce('prod', (stacks) => seedRelease(stacks, 'seeded-velero', 'velero', '12.1.0', 'postgres', { credentials: { useSecret: false, extraSecretRef: 'pg-prod-core-main' } }));
    expect(line(error, 'references', 'helm_release.seeded-velero', 'values.credentials.extraSecretRef')).toMatch(
      /prod-core-platform .*Secret postgres\/pg-prod-core-main is produced only by the later stack prod-core-services \(ObjectBucketClaim postgres\/pg-prod-core-main.*Fix: produce it in prod-core-platform or an earlier stack/,
    );
  });

  (CHARTS_AVAILABLE ? it : it.skip)('an unknown chart key (needs CHART_VALUES_DIR)', () => {
    const values = { watchNamespaces: ['kafka'], watchAllNamespaces: true, tolerations: [{ key: 'moit.gov.vn/zone', operator: 'Exists', effect: 'NoSchedule' }] };
    const error = enforce('prod', (stacks) => seedRelease(stacks, 'seeded-strimzi', 'strimzi-kafka-operator', '1.2.0', 'strimzi-system', values));
    expect(line(error, 'chart-values', 'helm_release.seeded-strimzi', 'values.watchAllNamespaces')).toMatch(/strimzi-kafka-operator 1\.2\.0 has no key watchAllNamespaces in its values\.yaml.*Fix: use the key the chart reads/);
  });

  it('a missing node label (a Postgres cluster selecting nodes no pool labels)', () => {
    let address = '';
    const error = enforce('prod', (stacks) => {
      const cluster = stacks.clusters[0]!.services.node.findAll().find((c): c is CustomResource => c instanceof CustomResource && c.object.kind === 'Cluster');
      cluster!.manifest.addOverride('manifest.spec.affinity.nodeSelector', { 'disktype': 'ssd' });
      address = `kubernetes_manifest.${cluster!.manifest.friendlyUniqueId}`;
    });
    expect(line(error, 'placement', address, 'manifest.spec.affinity.nodeSelector')).toMatch(/prod-core-services .*selects nodes by disktype=ssd, which no node group it tolerates provides.*Fix: select a label the node pools set/);
  });

  it('a cluster without CNI (any CNI chart of the cluster renamed away)', () => {
    const error = enforce('prod', (stacks) => {
      for (const c of stacks.clusters[0]!.platform.node.findAll()) {
        if (c instanceof Release && CNI_CHARTS.includes(String(c.chartInput))) c.addOverride('chart', 'not-a-cni');
      }
    });
    const l = error?.message.split('\n').find((x) => x.includes('[cluster] prod-mgmt-clusters') && x.includes('no CNI is declared for cluster core'));
    expect(l).toMatch(/kubernetes_manifest\.clusters_core_cluster_manifest_\w+ \(prod-mgmt-clusters\/clusters\/core\/cluster\/manifest\): manifest\.metadata\.name = "core": .*Fix: install a CNI/);
  });
});

describe('the model', () => {
  it('matches tolerations as the scheduler does', () => {
    const taint = { key: 'moit.gov.vn/zone', value: 'data', effect: 'NoSchedule' };
    expect(tolerates({ key: 'moit.gov.vn/zone', operator: 'Exists' }, taint)).toBe(true);
    expect(tolerates({ key: 'moit.gov.vn/zone', operator: 'Equal', value: 'data', effect: 'NoSchedule' }, taint)).toBe(true);
    expect(tolerates({ key: 'moit.gov.vn/zone', operator: 'Equal', value: 'app' }, taint)).toBe(false);
    expect(tolerates({ key: 'moit.gov.vn/zone', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(tolerates({ operator: 'Exists' }, taint)).toBe(true);
    expect(tolerates({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
  });

  it('finds keys values.yaml does not declare, but not under free-form maps, cited allowances or empty defaults', () => {
    const defaults = { a: { b: 1, podAnnotations: {} }, list: [{ name: '', spec: {} }], open: {}, nothing: null };
    const values = { a: { b: 2, c: 3, podAnnotations: { x: 'y' } }, list: [{ name: 'n', extra: true, spec: { any: 1 } }], open: { k: 1 }, nothing: { k: 1 }, top: 1, allowed: 1 };
    expect(unknownKeys(values, defaults, [], ['allowed']).map((u) => u.path)).toEqual(['a.c', 'list[0].extra', 'top']);
    expect(unknownKeys(values, defaults, ['list[].extra'], ['allowed', 'top', 'a.c']).map((u) => u.path)).toEqual([]);
  });

  it('validates the values Helm renders: the chart defaults coalesced with the release values', () => {
    expect(coalesce({ a: { b: 1, c: 2 }, d: [1], e: 'x' }, { a: { b: 3 }, d: [2], e: null })).toEqual({ a: { b: 3, c: 2 }, d: [2] });
  });

  it('keeps the compiled values.schema.json validator between runs (ajv standalone code) with the same verdicts, and compiles again when the entry is unusable', () => {
    // Keywords whose generated code needs ajv's runtime helpers (maxLength: ucs2length, uniqueItems: equal), both drafts.
    const schemaOf = (draft: string) => ({
      $schema: draft,
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string', maxLength: 3 }, tags: { type: 'array', uniqueItems: true }, mode: { enum: ['a', { b: 1 }] }, port: { type: 'integer', minimum: 1 } },
    });
    const values = [{ name: 'abc', tags: [1, 2], mode: { b: 1 }, port: 80 }, { name: 'abcd', tags: [{ x: 1 }, { x: 1 }], mode: { b: 2 }, port: 0, extra: true }, { port: 'x' }];
    const verdicts = (v: ReturnType<typeof validatorFor>) => values.map((x) => [v(x), v.errors?.map((e) => `${e.instancePath} ${e.keyword} ${e.message}`)]);
    for (const draft of ['http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft/2020-12/schema']) {
      const store = new Map<string, string>();
      const cache: ValidatorCache = { read: (k) => store.get(k), write: (k, code) => void store.set(k, code) };
      // A new schema object each time, as a new synth process parses values.schema.json again.
      const expected = verdicts(validatorFor(schemaOf(draft)));
      expect(expected[1]![0]).toBe(false);
      expect(verdicts(validatorFor(schemaOf(draft), cache))).toEqual(expected); // compiled, then kept
      expect(store.size).toBe(1);
      expect(verdicts(validatorFor(schemaOf(draft), cache))).toEqual(expected); // loaded from the kept code
      // The kept entry is what the next run uses: a stand-in is visible in the verdicts.
      const [key] = [...store.keys()];
      store.set(key!, 'module.exports.default = function v() { v.errors = [{ instancePath: "", keyword: "kept", message: "kept" }]; return false; };');
      expect(verdicts(validatorFor(schemaOf(draft), cache))[0]).toEqual([false, [' kept kept']]);
      // An entry that does not load is compiled again (and rewritten).
      store.set(key!, 'this is not { javascript');
      expect(verdicts(validatorFor(schemaOf(draft), cache))).toEqual(expected);
      expect(store.get(key!)).not.toContain('this is not');
    }
  });

  it('accepts a prerequisite only with a known kind and provider and a purpose, and a bootstrap Secret only with its rotation', () => {
    expect(prerequisiteProblems({ kind: 'secret', name: 'x', providedBy: 'secret-management', purpose: 'The password of role x.', rotation: 'Replaced yearly by the DBA team.' })).toEqual([]);
    expect(prerequisiteProblems({ kind: 'secret', name: 'x', providedBy: 'secret-management', purpose: 'The password of role x.' })).toEqual(['rotation must say in a sentence how and by whom this bootstrap Secret is rotated']);
    expect(prerequisiteProblems({ kind: 'openbao-value', name: 'platform/x', providedBy: 'peer-site', purpose: 'Credentials the other site issues.' })).toEqual([]);
    expect(prerequisiteProblems({ kind: 'file', name: '', providedBy: 'someone', purpose: '' })).toHaveLength(4);
  });

  it('counts a declared prerequisite as provided: the internal CA keypair is not reported', () => {
    const all = [...verdict(['staging']).values()].flat();
    expect(all.some((f) => f.value === 'dc-intermediate-ca-keypair')).toBe(false);
    expect(all.filter((f) => f.check === 'references' && f.field.includes('passwordSecret'))).toEqual([]);
  });
});

describe('the checks on hand-made stacks', () => {
  const env = (cluster: string) => ({ name: 'lab', class: 'staging', securityLevel: 3, ephemeral: false, site: 'x', cluster, layer: 'platform', namespaces: {} });
  const stack = (name: string, cluster: string, resource: Record<string, Record<string, unknown>>, dependsOn: string[] = []) => ({ name, json: { '//': { environment: env(cluster) }, resource }, dependsOn });
  const check = (stacks: ReturnType<typeof stack>[]) => checkDeployability(stacks).findings;

  it('points at the Velero chart values entry whose credential names a missing Secret', () => {
    const values = dump({ configuration: { backupStorageLocation: [{ name: 'a', provider: 'aws' }, { name: 'b', provider: 'aws', credential: { name: 'bsl-keys', key: 'cloud' } }] } });
    const found = check([stack('lab-platform', 'core', { helm_release: { velero: { chart: 'velero', version: '12.1.0', namespace: 'velero', create_namespace: true, values: [values] } } })]);
    expect(found.map((f) => `${f.field} ${f.value}`)).toEqual(['values.configuration.backupStorageLocation[1].credential.name bsl-keys']);
  });

  it('accepts an object produced by an earlier stack of the same cluster, not one of another cluster', () => {
    const secret = { kubernetes_secret_v1: { s: { metadata: { name: 'keys', namespace: 'default' } } } };
    const consumer = { helm_release: { v: { chart: 'velero', version: '12.1.0', namespace: 'default', values: [dump({ credentials: { useSecret: false, extraSecretRef: 'keys' } })] } } };
    expect(check([stack('a', 'core', secret), stack('b', 'core', consumer, ['a'])])).toEqual([]);
    expect(check([stack('a', 'other', secret), stack('b', 'core', consumer, ['a'])]).map((f) => f.message)).toEqual([expect.stringContaining('Secret default/keys is produced by no stack of this cluster')]);
  });

  it("reads a ClusterResourceSet's Secrets and ConfigMaps (Cluster API copies them into the workload cluster)", () => {
    const crs = { kubernetes_manifest: { crs: { manifest: { apiVersion: 'addons.cluster.x-k8s.io/v1beta2', kind: 'ClusterResourceSet', metadata: { name: 'c', namespace: 'capi' }, spec: { resources: [{ kind: 'Secret', name: 'cpi-keys' }, { kind: 'ConfigMap', name: 'cni' }, { kind: 'Other', name: 'x' }] } } } } };
    expect(check([stack('m', 'mgmt', crs)]).filter((f) => f.field.includes('spec.resources')).map((f) => `${f.field} = ${f.value}: ${f.message}`)).toEqual([
      'manifest.spec.resources[0].name = cpi-keys: Secret capi/cpi-keys is produced by no stack of this cluster, no operator acting on one, and is not a declared operational prerequisite',
      'manifest.spec.resources[1].name = cni: ConfigMap capi/cni is produced by no stack of this cluster, no operator acting on one, and is not a declared operational prerequisite',
    ]);
  });

  it('lets nodes join through file discovery or an anonymous cluster-info path', () => {
    const kcp = (spec: object) => ({ kubernetes_manifest: { kcp: { manifest: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlane', metadata: { name: 'c-cp', namespace: 'ns' }, spec: { kubeadmConfigSpec: spec } } } } });
    const auth = (paths: string[]) => ({ files: [{ path: '/etc/kubernetes/authn.yaml', content: dump({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration', anonymous: { enabled: true, conditions: paths.map((path) => ({ path })) } }) }] });
    const cluster = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'c', namespace: 'ns' }, spec: { controlPlaneRef: { name: 'c-cp' } } };
    const join = (spec: object) => check([stack('m', 'mgmt', { kubernetes_manifest: { ...kcp(spec).kubernetes_manifest, cl: { manifest: cluster } } })]).filter((f) => f.message.includes('no node can join'));
    expect(join(auth(['/livez', '/readyz']))).toHaveLength(1);
    expect(join(auth(['/livez', '/readyz', '/api/v1/namespaces/kube-public/configmaps/cluster-info']))).toEqual([]);
    expect(join({ ...auth(['/livez']), joinConfiguration: { discovery: { file: { kubeConfig: {} } } } })).toEqual([]);
  });
});

describe('Velero credentials a later stack creates', () => {
  const env = { name: 'lab', class: 'staging', securityLevel: 3, ephemeral: false, site: 'x', cluster: 'core', layer: 'platform', namespaces: {} };
  const obc = { kubernetes_manifest: { obc: { manifest: { apiVersion: 'objectbucket.io/v1alpha1', kind: 'ObjectBucketClaim', metadata: { name: 'velero-s3', namespace: 'velero' }, spec: {} } } } };
  const run = (values: object) =>
    checkDeployability([
      { name: 'p', json: { '//': { environment: env }, resource: { helm_release: { v: { chart: 'velero', version: '12.1.0', namespace: 'velero', create_namespace: true, values: [dump(values)] } } } }, dependsOn: [] },
      { name: 's', json: { '//': { environment: { ...env, layer: 'services' } }, resource: obc }, dependsOn: ['p'] },
    ]).findings.filter((f) => f.check === 'references');

  it('stop the install when the Velero pods mount them (extraSecretRef)', () => {
    expect(run({ credentials: { useSecret: false, extraSecretRef: 'velero-s3' } }).map((f) => f.field)).toEqual(['values.credentials.extraSecretRef']);
  });

  it('do not when only the BackupStorageLocation names them (read when the location is used)', () => {
    expect(run({ credentials: { useSecret: false }, configuration: { backupStorageLocation: [{ name: 'default', provider: 'aws', credential: { name: 'velero-s3', key: 'cloud' } }] } })).toEqual([]);
    expect(run({ credentials: { useSecret: false }, configuration: { backupStorageLocation: [{ name: 'default', provider: 'aws', credential: { name: 'nobody-makes-this', key: 'cloud' } }] } }).map((f) => f.value)).toEqual(['nobody-makes-this']);
  });
});

describe('Secrets the fluent-bit and kube-prometheus-stack charts put into their pods', () => {
  const env = { name: 'lab', class: 'staging', securityLevel: 3, ephemeral: false, site: 'x', cluster: 'core', layer: 'platform', namespaces: {} };
  const obc = { kubernetes_manifest: { obc: { manifest: { apiVersion: 'objectbucket.io/v1alpha1', kind: 'ObjectBucketClaim', metadata: { name: 'logs', namespace: 'monitoring' }, spec: {} } } } };
  /** A release in the platform stack `p`; the services stack `s` (applied after it) binds claim `logs`. */
  const run = (chart: string, values: object) =>
    checkDeployability([
      { name: 'p', json: { '//': { environment: env }, resource: { helm_release: { r: { chart, version: '1.0.0', namespace: 'monitoring', create_namespace: true, values: [dump(values)] } } } }, dependsOn: [] },
      { name: 's', json: { '//': { environment: { ...env, layer: 'services' } }, resource: obc }, dependsOn: ['p'] },
    ]).findings.filter((f) => f.check === 'references');
  const fields = (findings: Finding[]) => findings.map((f) => `${f.field} = ${f.value}`);

  it('fluent-bit: envFrom, env and extraVolumes from a later stack stop the install (the DaemonSet the release waits for cannot start)', () => {
    const found = run('fluent-bit', {
      envFrom: [{ secretRef: { name: 'logs' } }, { secretRef: { name: 'logs', optional: true } }],
      env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'logs', key: 'k' } } }],
      extraVolumes: [{ name: 'ca', secret: { secretName: 'logs' } }, { name: 'maybe', secret: { secretName: 'logs', optional: true } }],
    });
    expect(fields(found).sort()).toEqual(['values.envFrom[0].secretRef.name = logs', 'values.env[0].valueFrom.secretKeyRef.name = logs', 'values.extraVolumes[0].secret.secretName = logs']);
    expect(fields(run('fluent-bit', { extraContainers: [{ name: 'x', envFrom: [{ configMapRef: { name: 'nobody' } }] }], priorityClassName: 'nobody-class' })).sort()).toEqual([
      'values.extraContainers[0].envFrom[0].configMapRef.name = nobody',
      'values.priorityClassName = nobody-class',
    ]);
    for (const f of found) expect(f.message).toMatch(/is produced only by the later stack s .*so this install waits for it and fails/);
  });

  it('openbao: the server volumes, extra containers and secret environment variables name Secrets the StatefulSet waits for', () => {
    const found = run('openbao', {
      server: {
        volumes: [{ name: 'tls', secret: { secretName: 'logs' } }],
        extraContainers: [{ name: 'shipper', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'nobody-a', key: 'k' } } }] }],
        extraInitContainers: [{ name: 'init', envFrom: [{ secretRef: { name: 'nobody-b' } }] }],
        extraSecretEnvironmentVars: [{ envName: 'X', secretName: 'nobody-c', secretKey: 'x' }],
      },
    });
    expect(fields(found).sort()).toEqual([
      'values.server.extraContainers[0].env[0].valueFrom.secretKeyRef.name = nobody-a',
      'values.server.extraInitContainers[0].envFrom[0].secretRef.name = nobody-b',
      'values.server.extraSecretEnvironmentVars[0].secretName = nobody-c',
      'values.server.volumes[0].secret.secretName = logs',
    ]);
  });

  it("kube-prometheus-stack: Grafana's admin Secret must exist before the release; Alertmanager's and Prometheus's only somewhere", () => {
    const values = (grafana: object) => ({
      grafana,
      alertmanager: { alertmanagerSpec: { volumes: [{ name: 'r', secret: { secretName: 'logs' } }, { name: 'x', secret: { secretName: 'nobody-a' } }], secrets: ['nobody-b'] } },
      prometheus: { prometheusSpec: { configMaps: ['nobody-c'] } },
    });
    const found = run('kube-prometheus-stack', values({ admin: { existingSecret: 'logs' } }));
    expect(fields(found).sort()).toEqual([
      'values.alertmanager.alertmanagerSpec.secrets[0] = nobody-b',
      'values.alertmanager.alertmanagerSpec.volumes[1].secret.secretName = nobody-a',
      'values.grafana.admin.existingSecret = logs',
      'values.prometheus.prometheusSpec.configMaps[0] = nobody-c',
    ]);
    // Grafana's Deployment is the release's own: it waits. The operator's pods retry: only a name nothing makes is reported.
    for (const f of found) expect(f.message).toMatch(f.value === 'logs' ? /produced only by the later stack s/ : /produced by no stack of this cluster/);
    // Grafana turned off reads no Secret.
    expect(fields(run('kube-prometheus-stack', { grafana: { enabled: false, admin: { existingSecret: 'nobody' } } }))).toEqual([]);
  });
});
