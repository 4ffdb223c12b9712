/**
 * `npm run validate` / tools/validate: every kubernetes_manifest of the estate is checked against
 * the CRD schema of exactly the pinned operator versions. CRDs come from CRD_SCHEMA_DIR
 * (locally: export CRD_SCHEMA_DIR=/work/shared/crds) or `.schema-cache/`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  CrdSchemaRegistry,
  SchemaSourceError,
  formatFinding,
  resolveSchemaRoot,
  schemaRegistry,
  validateManifest,
  validateSynthesized,
  type Finding,
} from '../tools/validate';
import { synthEstate, type Json } from './helpers';
import { SCHEMA_ROOT, describeWithSchemas } from './schemas';

// Without a schema source the blocks that need one skip themselves and are reported at the end
// of the run (test/schemas.ts); CI requires the schemas, so it never passes without them.
const schemaRoot = SCHEMA_ROOT ?? '';
const registry = (): CrdSchemaRegistry => schemaRegistry(schemaRoot);

const examples: Json[] = parseAllDocuments(readFileSync(join(__dirname, 'fixtures/validate/operator-examples.yaml'), 'utf8'))
  .map((d) => d.toJS() as Json)
  .filter(Boolean);
/** A deep copy of the operators.md example of this kind (and name, when there are several). */
function example(kind: string, name?: string): Json {
  const found = examples.find((e) => e.kind === kind && (!name || e.metadata.name === name));
  if (!found) throw new Error(`no example ${kind} ${name ?? ''}`);
  return structuredClone(found);
}

/** Writes a minimal cdktf output folder: manifest.json plus one cdk.tf.json per stack. */
function synthFolder(stacks: Record<string, Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'moit-validate-'));
  const manifest: Json = { stacks: {} };
  for (const [stack, manifests] of Object.entries(stacks)) {
    manifest.stacks[stack] = { name: stack, synthesizedStackPath: `stacks/${stack}/cdk.tf.json`, dependencies: [] };
    const resources = Object.fromEntries(
      Object.entries(manifests).map(([id, object]) => [id, { '//': { metadata: { path: `${stack}/${id}/manifest`, uniqueId: id } }, manifest: object, provider: 'kubernetes' }]),
    );
    mkdirSync(join(dir, 'stacks', stack), { recursive: true });
    writeFileSync(join(dir, 'stacks', stack, 'cdk.tf.json'), JSON.stringify({ resource: { kubernetes_manifest: resources } }));
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/** The findings of one manifest, validated inside a synthesized folder. */
function findingsOf(object: unknown): Finding[] {
  return validateSynthesized(synthFolder({ 'test-stack': { 'seeded_manifest_ABC123': object } }), { registry: registry() }).findings;
}

describeWithSchemas('the estate', () => {
  it('passes: every kubernetes_manifest of every environment matches its pinned CRD schema', () => {
    const { outdir } = synthEstate();
    const report = validateSynthesized(outdir, { registry: registry() });
    expect(report.findings.map(formatFinding)).toEqual([]);
    expect(report.manifests).toBeGreaterThan(0);
    expect(report.kinds).toContain('cert-manager.io/v1 ClusterIssuer');
  });
});

describeWithSchemas('correct manifests', () => {
  it.each(examples.map((e) => [`${e.kind} ${e.metadata.name}`, e]))('pass: the operators.md example %s', (_name, object) => {
    expect(validateManifest(object, registry())).toEqual([]);
  });

  it('pass with Terraform interpolations where scalars are expected (enum, integer, boolean, patterned string)', () => {
    const topic = example('KafkaTopic');
    topic.metadata.namespace = '${var.namespace}';
    topic.spec.partitions = '${var.partitions}';
    topic.spec.replicas = '${local.replicas}';
    const backup = example('ScheduledBackup');
    backup.spec.method = '${var.backup_method}';
    backup.spec.immediate = '${var.immediate}';
    backup.spec.cluster.name = 'pg-${var.environment}';
    const pool = example('KafkaNodePool', 'brokers');
    pool.spec.resources.requests.memory = '${var.broker_memory}';
    expect(findingsOf(topic)).toEqual([]);
    expect(findingsOf(backup)).toEqual([]);
    expect(findingsOf(pool)).toEqual([]);
  });
});

describeWithSchemas('seeded defects are caught at the exact field', () => {
  it('an unknown field, with the allowed names, closest first', () => {
    const topic = example('KafkaTopic');
    delete topic.spec.replicas;
    topic.spec.replica = 3;
    const [finding, ...rest] = findingsOf(topic);
    expect(rest).toEqual([]);
    expect(finding).toEqual({
      stack: 'test-stack',
      address: 'kubernetes_manifest.seeded_manifest_ABC123',
      constructPath: 'test-stack/seeded_manifest_ABC123/manifest',
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      path: 'spec.replica',
      message: 'unknown field "replica"; allowed: replicas, config, partitions, topicName',
    });
    expect(formatFinding(finding!)).toBe(
      'test-stack: kubernetes_manifest.seeded_manifest_ABC123 (test-stack/seeded_manifest_ABC123/manifest) kafka.strimzi.io/v1 KafkaTopic: ' +
        'spec.replica: unknown field "replica"; allowed: replicas, config, partitions, topicName',
    );
  });

  it('a value outside an enum, deep in a list', () => {
    const kafka = example('Kafka');
    kafka.spec.kafka.listeners[1].authentication.type = 'plain';
    expect(findingsOf(kafka).map((f) => [f.path, f.message])).toEqual([
      ['spec.kafka.listeners[1].authentication.type', expect.stringMatching(/^must be one of: tls, scram-sha-512, .*custom; got "plain"$/)],
    ]);
  });

  it('a missing required field', () => {
    const backup = example('ScheduledBackup');
    delete backup.spec.cluster;
    expect(findingsOf(backup).map((f) => [f.path, f.message])).toEqual([['spec.cluster', 'required field "cluster" is missing']]);
  });

  it('a wrong type, with the value received', () => {
    const topic = example('KafkaTopic');
    topic.spec.partitions = 'three';
    expect(findingsOf(topic).map((f) => [f.path, f.message])).toEqual([['spec.partitions', 'must be integer, got "three"']]);
  });

  it('an int-or-string that is neither, and a quantity string that does not match its pattern', () => {
    const pool = example('KafkaNodePool', 'brokers');
    pool.spec.resources.requests.cpu = true;
    pool.spec.resources.limits.memory = 'lots';
    expect(findingsOf(pool).map((f) => [f.path, f.message])).toEqual([
      ['spec.resources.limits.memory', expect.stringMatching(/^must match the pattern \^.*, got "lots"$/)],
      ['spec.resources.requests.cpu', 'must be integer or string, got true'],
    ]);
  });

  it('an interpolation where an object is expected, an interpolation that cannot be a number, and a field misspelt next to interpolations', () => {
    const backup = example('ScheduledBackup');
    backup.spec.cluster = '${var.cluster}';
    backup.spec.schedul = '${var.schedule}';
    const topic = example('KafkaTopic');
    topic.spec.partitions = 'p-${var.n}';
    expect(findingsOf(backup).map((f) => [f.path, f.message])).toEqual([
      ['spec.cluster', 'must be object, got "${var.cluster}"'],
      ['spec.schedul', expect.stringMatching(/^unknown field "schedul"; allowed: schedule, /)],
    ]);
    expect(findingsOf(topic).map((f) => [f.path, f.message])).toEqual([['spec.partitions', 'must be integer, got "p-${var.n}"']]);
  });

  it('a field the API server would silently drop (an object schema that declares no fields)', () => {
    const cluster = example('Cluster', 'pg-main');
    cluster.spec.ephemeralVolumeSource = { volumeClaimTemplate: { metadata: { labels: { a: 'b' } }, spec: {} } };
    expect(findingsOf(cluster).map((f) => [f.path, f.message])).toEqual([
      ['spec.ephemeralVolumeSource.volumeClaimTemplate.metadata.labels', 'unknown field "labels": this object allows no fields (the API server would drop it)'],
    ]);
  });

  it('metadata: a missing name, a bad name, a non-string label, a misspelt field', () => {
    const topic = example('KafkaTopic');
    delete topic.metadata.name;
    topic.metadata.labels['app.kubernetes.io/part-of'] = 3;
    topic.metadata.annotation = {};
    expect(findingsOf(topic).map((f) => [f.path, f.message])).toEqual([
      ['metadata.annotation', expect.stringMatching(/^unknown field "annotation"; allowed: annotations, /)],
      ['metadata.labels["app.kubernetes.io/part-of"]', 'must be string, got 3'],
      ['metadata.name', 'required field "name" is missing'],
    ]);
    const issuer = example('ClusterIssuer', 'dc-internal-ca');
    issuer.metadata.name = 'DC_CA';
    expect(findingsOf(issuer).map((f) => f.path)).toEqual(['metadata.name']);
  });

  it('a namespace on a cluster-scoped kind, and none on a namespaced kind', () => {
    const issuer = example('ClusterIssuer', 'dc-internal-ca');
    issuer.metadata.namespace = 'cert-manager';
    const topic = example('KafkaTopic');
    delete topic.metadata.namespace;
    expect(findingsOf(issuer).map((f) => [f.path, f.message])).toEqual([
      ['metadata.namespace', 'must not be set: ClusterIssuer is cluster-scoped, got "cert-manager"'],
    ]);
    expect(findingsOf(topic).map((f) => [f.path, f.message])).toEqual([['metadata.namespace', expect.stringMatching(/^required field "namespace" is missing: KafkaTopic is namespaced/)]]);
  });
});

describeWithSchemas('a manifest without a schema is an error, never a silent pass', () => {
  const base = { metadata: { name: 'x', namespace: 'y' }, spec: {} };
  it.each([
    ['an unknown kind of a known group', { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuers' }, 'kind', 'the pinned CRDs of group "cert-manager.io" define kinds Certificate, ClusterIssuer, Issuer, not "ClusterIssuers"'],
    ['a version the pinned CRD does not serve', { apiVersion: 'cert-manager.io/v1alpha2', kind: 'ClusterIssuer' }, 'apiVersion', 'no such version in cert-manager/v1.21.1/clusterissuers.cert-manager.io.yaml; served versions: cert-manager.io/v1'],
    ['a served version the project does not pin', { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster' }, 'apiVersion', '(deprecated) but not an apiVersion the project writes; lib/versions.ts (OPERATORS.clusterApi) pins cluster.x-k8s.io/v1beta2'],
    ['a group no pinned CRD defines', { apiVersion: 'logging.banzaicloud.io/v1beta1', kind: 'Flow' }, 'apiVersion', 'no CRD pinned in lib/versions.ts defines group "logging.banzaicloud.io"; known groups: '],
    ['a core kind', { apiVersion: 'v1', kind: 'ConfigMap' }, 'apiVersion', 'is a built-in Kubernetes kind and the validator has CRD schemas only'],
    ['a built-in group kind', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }, 'apiVersion', 'declare it with the typed provider resource'],
  ])('%s', (_what, header, path, message) => {
    const findings = findingsOf({ ...header, ...base });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.path).toBe(path);
    expect(findings[0]!.message).toContain(message);
    expect(findings[0]!.message).toMatch(/^no schema: /);
  });

  it('flags a manifest given as a Terraform expression, and an interpolated kind', () => {
    expect(findingsOf('${yamldecode(file("x.yaml"))}').map((f) => f.message)).toEqual([expect.stringContaining('manifest must be an object literal')]);
    expect(findingsOf({ apiVersion: 'cert-manager.io/v1', kind: '${var.kind}', metadata: { name: 'x' } }).map((f) => [f.path, f.message])).toEqual([
      ['kind', 'must be a literal, not a Terraform interpolation: the schema depends on it, got "${var.kind}"'],
    ]);
  });
});

describeWithSchemas('findings name the stack, resource address and construct path', () => {
  it('reports every stack and resource of a folder, in order', () => {
    const good = example('ClusterIssuer', 'dc-internal-ca');
    const bad = example('ScheduledBackup');
    bad.spec.method = 'barman';
    const dir = synthFolder({ 'prod-core-services': { 'issuer_manifest_1': good, 'backup_manifest_2': bad }, 'dr-core-services': { 'backup_manifest_3': bad } });
    const report = validateSynthesized(dir, { registry: registry() });
    expect(report.stacks).toBe(2);
    expect(report.manifests).toBe(3);
    expect(report.findings.map(formatFinding)).toEqual([
      'dr-core-services: kubernetes_manifest.backup_manifest_3 (dr-core-services/backup_manifest_3/manifest) postgresql.cnpg.io/v1 ScheduledBackup: spec.method: must be one of: barmanObjectStore, volumeSnapshot, plugin; got "barman"',
      'prod-core-services: kubernetes_manifest.backup_manifest_2 (prod-core-services/backup_manifest_2/manifest) postgresql.cnpg.io/v1 ScheduledBackup: spec.method: must be one of: barmanObjectStore, volumeSnapshot, plugin; got "barman"',
    ]);
    expect(report.cel.transition).toEqual([expect.objectContaining({ kind: 'postgresql.cnpg.io/v1 ScheduledBackup', schemaPath: '.spec.cluster', rule: 'self == oldSelf' })]);
  });
});

describeWithSchemas('every CRD under the schema root loads and compiles', () => {
  // Every <project>/<version> folder, pinned or not (cluster-api v1.14.0 too), with every served
  // version: the constructs others add will use them.
  const folders = subfolders(schemaRoot).flatMap((project) => subfolders(join(schemaRoot, project)).map((version) => ({ project, version })));
  const pinning = (project: string, version: string, apiVersions: string[]) => ({
    probe: { repository: '', chart: '', chartVersion: '', appVersion: '', namespace: '', apiVersions, crdSource: { project, version, upstream: 'x/y', tag: version } },
  });

  it.each(folders.map((f) => [`${f.project}/${f.version}`, f]))('%s', (_folder, { project, version }) => {
    const lister = new CrdSchemaRegistry(schemaRoot, { operators: pinning(project, version, []) });
    const crds = lister.groups.flatMap((g) => lister.crdsOf(g));
    expect(crds.length).toBeGreaterThan(0);
    const served = crds.flatMap((c) => c.versions.filter((v) => v.served).map((v) => ({ crd: c, apiVersion: `${c.group}/${v.name}` })));
    const probe = new CrdSchemaRegistry(schemaRoot, { operators: pinning(project, version, served.map((s) => s.apiVersion)) });
    for (const { crd, apiVersion } of served) {
      const found = probe.lookup(apiVersion, crd.kind);
      if (!found.ok) throw new Error(found.message);
      expect(found.schema.notes.unknownKeywords).toEqual([]);
      // Not vacuous: an object without metadata fails.
      expect(found.schema.validate({ apiVersion, kind: crd.kind })).toBe(false);
    }
  });
});

describe('the schema source', () => {
  it('fails loudly, saying how to fix it, when CRD_SCHEMA_DIR is unset and there is no .schema-cache', () => {
    const empty = mkdtempSync(join(tmpdir(), 'moit-no-cache-'));
    expect(() => resolveSchemaRoot({ env: {}, projectDir: empty })).toThrow(SchemaSourceError);
    expect(() => resolveSchemaRoot({ env: {}, projectDir: empty })).toThrow(/CRD_SCHEMA_DIR is not set .*set CRD_SCHEMA_DIR to a folder .*run `npm run schemas:fetch`/);
  });

  it('uses .schema-cache when CRD_SCHEMA_DIR is unset, and rejects a CRD_SCHEMA_DIR that does not exist', () => {
    const project = mkdtempSync(join(tmpdir(), 'moit-cache-'));
    mkdirSync(join(project, '.schema-cache'));
    expect(resolveSchemaRoot({ env: {}, projectDir: project })).toEqual({ dir: join(project, '.schema-cache'), origin: 'cache' });
    expect(() => resolveSchemaRoot({ env: { CRD_SCHEMA_DIR: join(project, 'nowhere') }, projectDir: project })).toThrow(/CRD_SCHEMA_DIR=.*nowhere: no such folder/);
  });

  it('refuses a root that lacks a pinned operator version, naming it', () => {
    const partial = mkdtempSync(join(tmpdir(), 'moit-partial-'));
    mkdirSync(join(partial, 'cert-manager', 'v1.21.1'), { recursive: true });
    expect(() => new CrdSchemaRegistry(partial)).toThrow(/has no CRD folder for cloudnative-pg\/v1.30.0 \(OPERATORS.cloudnativePg\)/);
  });
});

describeWithSchemas('npm run validate', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv) => {
    try {
      return { status: 0, stdout: execFileSync(process.execPath, ['dist/scripts/validate.js', ...args], { encoding: 'utf8', stdio: 'pipe', env }), stderr: '' };
    } catch (e: any) {
      return { status: e.status as number, stdout: e.stdout as string, stderr: e.stderr as string };
    }
  };
  const env = { ...process.env, CRD_SCHEMA_DIR: schemaRoot };

  it('exits 0 and says what it checked when there are no problems', () => {
    const dir = synthFolder({ s: { issuer: example('ClusterIssuer', 'dc-internal-ca') } });
    const result = run(['--dir', dir], env);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Validated 1 manifest \(1 kind\) in 1 stack of .* against the CRD schemas in .* in \d+ ms: no problems\.\n/);
  });

  it('exits 1 and prints one line per problem', () => {
    const topic = example('KafkaTopic');
    topic.spec.partitions = 'three';
    const result = run(['--dir', synthFolder({ s: { topic } })], env);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('  - s: kubernetes_manifest.topic (s/topic/manifest) kafka.strimzi.io/v1 KafkaTopic: spec.partitions: must be integer, got "three"\n');
  });

  it('exits 2 when it cannot check anything: no schemas, or no synthesized output', () => {
    const dir = synthFolder({ s: {} });
    const noSchemas = run(['--dir', dir], { ...process.env, CRD_SCHEMA_DIR: join(dir, 'missing') });
    expect(noSchemas.status).toBe(2);
    expect(noSchemas.stderr).toContain('no such folder');
    const noOutput = run(['--dir', join(dir, 'nothing')], env);
    expect(noOutput.status).toBe(2);
    expect(noOutput.stderr).toContain('Run `npm run synth` first');
  });
});

function subfolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}
