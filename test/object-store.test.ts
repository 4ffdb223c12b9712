/**
 * The object store of every workload cluster (constructs/storage/object-store.ts) and the
 * `objectStorage` environment section's rules (environments/sections/object-storage.ts).
 */
import { statefulKindOf } from '../lib/markers';
import { validateManifest } from '../tools/validate/validator';
import { itEachWithSchemas } from './schemas';
import { SOURCES, checkEnvironment, type EnvironmentInput } from '../environments';
import { type Json, configOf, manifestsOf, resourcesOf, synthEstate } from './helpers';

const { stack, estate } = synthEstate();
const ENVS = ['dev', 'staging', 'prod', 'dr'];
const storeOf = (env: string): Json => manifestsOf(stack(`${env}-core-services`), 'CephObjectStore')[0]!;
const storeResource = (env: string): Json =>
  resourcesOf(stack(`${env}-core-services`)).find(([type, , body]) => type === 'kubernetes_manifest' && body.manifest.kind === 'CephObjectStore')![2];

describe('the object store', () => {
  it.each(ENVS)('exists in %s, in rook-ceph', (env) => {
    expect(storeOf(env).metadata).toMatchObject({ name: 'dc-objectstore', namespace: 'rook-ceph' });
  });

  itEachWithSchemas(ENVS.map((e): [string] => [e]), 'validates in %s against the Rook v1.20.6 CRD, with its certificate', (env) => {
    const store = storeOf(env);
    expect(validateManifest(store)).toEqual([]);
    const certificate = manifestsOf(stack(`${env}-core-services`), 'Certificate').find((c) => c.metadata.namespace === 'rook-ceph')!;
    expect(validateManifest(certificate)).toEqual([]);
  });

  it.each(ENVS)('serves S3 over TLS only in %s: port 443, no plain port, TLS 1.2 and later', (env) => {
    const gateway = storeOf(env).spec.gateway;
    expect(gateway.securePort).toBe(443);
    expect(gateway.port).toBeUndefined();
    expect(gateway.sslCertificateRef).toBe('rook-ceph-rgw-dc-objectstore-tls');
    expect(storeOf(env).spec.security.sslOptions).toEqual({ sslv2: false, sslv3: false, tlsv1_0: false, tlsv1_1: false, tlsv1_2: true });
  });

  it('gets its certificate from the internal CA, for the gateway Service names', () => {
    const certificate = manifestsOf(stack('prod-core-services'), 'Certificate').find((c) => c.metadata.namespace === 'rook-ceph')!;
    expect(certificate.spec).toMatchObject({
      secretName: 'rook-ceph-rgw-dc-objectstore-tls',
      issuerRef: { name: 'dc-internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      usages: ['server auth', 'digital signature'],
    });
    expect(certificate.spec.dnsNames).toEqual([
      'rook-ceph-rgw-dc-objectstore',
      'rook-ceph-rgw-dc-objectstore.rook-ceph',
      'rook-ceph-rgw-dc-objectstore.rook-ceph.svc',
      'rook-ceph-rgw-dc-objectstore.rook-ceph.svc.cluster.local',
    ]);
    const services = estate.find((e) => e.environment.name === 'prod')!.clusters[0]!.services;
    expect(services.objectStore.endpoint).toBe('https://rook-ceph-rgw-dc-objectstore.rook-ceph.svc');
  });

  it('is sized per environment: erasure coding 4+2 over hosts in prod, three replicas in dr, single copies in dev', () => {
    expect(storeOf('prod').spec.dataPool).toEqual({ failureDomain: 'host', erasureCoded: { dataChunks: 4, codingChunks: 2 }, parameters: { bulk: 'true' } });
    expect(storeOf('prod').spec.metadataPool).toEqual({ failureDomain: 'host', replicated: { size: 3, requireSafeReplicaSize: true } });
    expect(storeOf('prod').spec.gateway.instances).toBe(3);
    expect(storeOf('dr').spec.dataPool).toEqual({ failureDomain: 'host', replicated: { size: 3, requireSafeReplicaSize: true }, parameters: { bulk: 'true' } });
    expect(storeOf('dev').spec.dataPool.replicated).toEqual({ size: 1, requireSafeReplicaSize: false });
  });

  it('keeps its pools if deleted, and no plan may delete it outside dev', () => {
    for (const env of ENVS) expect(storeOf(env).spec.preservePoolsOnDelete).toBe(true);
    for (const env of ['staging', 'prod', 'dr']) {
      expect(storeResource(env).lifecycle).toEqual({ prevent_destroy: true });
      expect(statefulKindOf(storeResource(env))).toBe('object-store');
    }
    expect(storeResource('dev').lifecycle).toBeUndefined();
    expect(statefulKindOf(storeResource('dev'))).toBe('object-store');
  });

  it('spreads the gateways over data-zone nodes in prod, one per node', () => {
    const placement = storeOf('prod').spec.gateway.placement;
    expect(placement.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]).toEqual({ key: 'moit.gov.vn/zone', operator: 'In', values: ['data'] });
    expect(placement.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toEqual({
      labelSelector: { matchLabels: { app: 'rook-ceph-rgw', rgw: 'dc-objectstore' } },
      topologyKey: 'kubernetes.io/hostname',
    });
    expect(storeOf('dev').spec.gateway.placement.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  it.each(ENVS)('lets users live outside rook-ceph in %s only in the namespaces that hold one', (env) => {
    const users = manifestsOf(stack(`${env}-core-services`), 'CephObjectStoreUser');
    const namespaces = [...new Set(users.map((u) => u.metadata.namespace as string))].filter((ns) => ns !== 'rook-ceph').sort();
    expect(storeOf(env).spec.allowUsersInNamespaces).toEqual(namespaces);
    expect(storeOf(env).spec.allowUsersInNamespaces).not.toContain('*');
  });

  it('is reached only through declared flows, on 443: the Rook operator for the admin API, then each declared client', () => {
    const policies = Object.values(stack('prod-core-services').resource.kubernetes_network_policy_v1 as Record<string, Json>);
    const intoGateways = policies.filter((p) => p.metadata.namespace === 'rook-ceph' && p.spec.ingress && p.spec.pod_selector.match_labels?.app === 'rook-ceph-rgw');
    expect(intoGateways.map((p) => p.metadata.labels['moit.gov.vn/policy'])).toEqual(intoGateways.map(() => 'flow'));
    for (const p of intoGateways) expect(p.spec.ingress[0].ports).toEqual([{ port: '443', protocol: 'TCP' }]);
    expect(intoGateways.map((p) => p.spec.ingress[0].from[0])).toContainEqual({
      namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'rook-ceph-system' } },
      pod_selector: { match_labels: { app: 'rook-ceph-operator' } },
    });
  });
});

describe('the objectStorage section of an environment', () => {
  const problemsOf = (name: string, change: (c: any) => void): string[] => {
    const config = configOf(name);
    change(config as any);
    const result = checkEnvironment(config, `environments/${name}.ts`);
    return result.ok ? [] : result.problems.filter((p) => p.path.startsWith('objectStorage')).map((p) => `${p.path}: ${p.message}`);
  };

  it('accepts every environment file as it is', () => {
    for (const { file, config } of SOURCES) expect([file, checkEnvironment(config, file).ok]).toEqual([file, true]);
  });

  it('wants an odd number of monitors', () => {
    expect(problemsOf('prod', (c) => (c.objectStorage.ceph.monitors = 4))).toEqual([expect.stringContaining('objectStorage.ceph.monitors: must be odd')]);
    expect(problemsOf('prod', (c) => (c.objectStorage.ceph.monitors = 5))).toEqual([]);
  });

  it('refuses single points of failure outside development, naming each', () => {
    const problems = problemsOf('staging', (c) => {
      c.objectStorage.ceph = { monitors: 1, managers: 1, allowMultipleDaemonsPerNode: true };
      c.objectStorage.blockPool.replicas = 2;
      c.objectStorage.objectStore = { metadataReplicas: 2, dataPool: { type: 'replicated', replicas: 2 }, gateways: 1 };
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'objectStorage.blockPool.replicas',
      'objectStorage.ceph.allowMultipleDaemonsPerNode',
      'objectStorage.ceph.managers',
      'objectStorage.ceph.monitors',
      'objectStorage.objectStore.dataPool.replicas',
      'objectStorage.objectStore.gateways',
      'objectStorage.objectStore.metadataReplicas',
    ]);
    // The same layout is fine where data may be lost.
    expect(problemsOf('dev', () => undefined)).toEqual([]);
  });

  it('needs two coding chunks for erasure coding outside development', () => {
    expect(problemsOf('prod', (c) => (c.objectStorage.objectStore.dataPool = { type: 'erasureCoded', dataChunks: 4, codingChunks: 1 }))).toEqual([
      expect.stringContaining('objectStorage.objectStore.dataPool.codingChunks: must be >= 2'),
    ]);
  });

  it('keeps copies on different hosts in production and recovery', () => {
    expect(problemsOf('prod', (c) => (c.objectStorage.failureDomain = 'osd'))).toEqual([expect.stringContaining('objectStorage.failureDomain: must be "host" for class "production"')]);
    expect(problemsOf('dr', (c) => (c.objectStorage.failureDomain = 'osd'))).toEqual([expect.stringContaining('must be "host" for class "recovery"')]);
    expect(problemsOf('staging', (c) => (c.objectStorage.failureDomain = 'osd'))).toEqual([]);
  });

  it('checks there are enough data-zone hosts for the chunks and copies', () => {
    // dr has three data nodes: 4+2 needs six.
    expect(problemsOf('dr', (c) => (c.objectStorage.objectStore.dataPool = { type: 'erasureCoded', dataChunks: 4, codingChunks: 2 }))).toEqual([
      expect.stringMatching(/^objectStorage\.objectStore\.dataPool: needs 6 data-zone nodes in cluster "core".*have 3;/),
    ]);
    expect(problemsOf('prod', (c) => (c.objectStorage.objectStore.dataPool = { type: 'erasureCoded', dataChunks: 4, codingChunks: 2 }))).toEqual([]);
  });

  it('refuses a floating tools image and unknown fields', () => {
    expect(problemsOf('prod', (c) => (c.objectStorage.s3CliImage = 'amazon/aws-cli:latest'))).toEqual([expect.stringContaining('objectStorage.s3CliImage: must be pinned')]);
    expect(problemsOf('prod', (c) => (c.objectStorage.s3CliImage = 'amazon/aws-cli'))).toEqual([expect.stringContaining('objectStorage.s3CliImage: must be an image pinned by tag or digest')]);
    expect(problemsOf('prod', (c) => (c.objectStorage.publicBuckets = true))).toEqual([expect.stringContaining('objectStorage.publicBuckets: unknown field')]);
  });

  it('fills bucket defaults where an environment gives none', () => {
    const config = configOf('staging') as EnvironmentInput & { objectStorage: any };
    delete config.objectStorage.buckets;
    const result = checkEnvironment(config);
    expect(result.ok && result.environment.objectStorage.buckets).toEqual({
      maxSize: '1Ti',
      maxObjects: 10_000_000,
      noncurrentVersionExpirationDays: 30,
      abortIncompleteUploadDays: 7,
      objectLock: { mode: 'COMPLIANCE', days: 30 },
    });
  });
});
