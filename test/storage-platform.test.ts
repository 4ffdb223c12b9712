/**
 * The Ceph platform of every workload cluster (constructs/storage/ceph-platform.ts): the three
 * charts in order, production settings, retained StorageClasses, retention and the network.
 */
import { parse } from 'yaml';
import { OBC_ADDITIONAL_CONFIG_FIELDS, blockPool, cephClusterSpec } from '../constructs/storage/ceph-platform';
import { BUCKET_PROVISIONER, RBD_DRIVER } from '../constructs/storage/names';
import { statefulKindOf } from '../lib/markers';
import { validateManifest } from '../tools/validate/validator';
import { itEachWithSchemas, itWithSchemas } from './schemas';
import { OPERATORS } from '../lib/versions';
import { loadEnvironments } from '../environments';
import { type Json, resourcesOf, synthEstate } from './helpers';

const { stack, estate } = synthEstate();
const ENVS = ['dev', 'staging', 'prod', 'dr'];

function releases(stackJson: Json): Record<string, Json> {
  return Object.fromEntries(Object.values(stackJson.resource.helm_release as Record<string, Json>).map((r) => [r.chart, r]));
}
const valuesOf = (release: Json): Json => parse(release.values[0]);
const logicalIdOf = (stackJson: Json, type: string, body: Json): string => resourcesOf(stackJson).find(([t, , b]) => t === type && b === body)![1];

describe('the Ceph platform', () => {
  it.each(ENVS)('installs rook-ceph, ceph-csi-drivers and rook-ceph-cluster in %s, at the pinned versions, in that order', (env) => {
    const json = stack(`${env}-core-platform`);
    const r = releases(json);
    expect(r['rook-ceph']).toMatchObject({ namespace: 'rook-ceph-system', version: OPERATORS.rookCeph.chartVersion, repository: OPERATORS.rookCeph.repository });
    expect(r['ceph-csi-drivers']).toMatchObject({ namespace: 'rook-ceph-system', version: OPERATORS.cephCsiDrivers.chartVersion, repository: OPERATORS.cephCsiDrivers.repository });
    expect(r['rook-ceph-cluster']).toMatchObject({ namespace: 'rook-ceph', version: OPERATORS.rookCephCluster.chartVersion });
    const ref = (chart: string) => `helm_release.${logicalIdOf(json, 'helm_release', r[chart]!)}`;
    expect(r['ceph-csi-drivers']!.depends_on).toContain(ref('rook-ceph'));
    expect(r['rook-ceph-cluster']!.depends_on).toEqual(expect.arrayContaining([ref('rook-ceph'), ref('ceph-csi-drivers')]));
    expect(valuesOf(r['rook-ceph-cluster']!).operatorNamespace).toBe('rook-ceph-system');
  });

  it('allows exactly the claim fields buckets use, beyond which claims cannot change a bucket', () => {
    const operator = valuesOf(releases(stack('prod-core-platform'))['rook-ceph']!);
    expect(operator.obcAllowAdditionalConfigFields.split(',').sort()).toEqual(['bucketLifecycle', 'bucketMaxObjects', 'bucketMaxSize', 'bucketPolicy']);
    expect(operator.obcAllowAdditionalConfigFields.split(',')).not.toContain('bucketOwner');
    expect(operator.obcProvisionerNamePrefix).toBe('rook-ceph-system');
    expect(operator.rbacAggregate).toEqual({ enableOBCs: false });
    expect([...OBC_ADDITIONAL_CONFIG_FIELDS].sort()).toEqual(operator.obcAllowAdditionalConfigFields.split(',').sort());
  });

  it('runs a production CephCluster in prod: 3 monitors on distinct nodes, 2 managers, encrypted msgr2 only, dashboard over TLS, budgets, priorities, data-zone nodes', () => {
    const spec = valuesOf(releases(stack('prod-core-platform'))['rook-ceph-cluster']!).cephClusterSpec;
    expect(spec.mon).toEqual({ count: 3, allowMultiplePerNode: false });
    expect(spec.mgr).toMatchObject({ count: 2, allowMultiplePerNode: false });
    expect(spec.dashboard).toEqual({ enabled: true, ssl: true });
    expect(spec.network.connections).toEqual({ encryption: { enabled: true }, compression: { enabled: false }, requireMsgr2: true });
    expect(spec.disruptionManagement.managePodBudgets).toBe(true);
    expect(spec.priorityClassNames).toEqual({ mon: 'system-node-critical', osd: 'system-node-critical', mgr: 'system-cluster-critical' });
    expect(spec.cleanupPolicy.confirmation).toBe('');
    expect(spec.storage.config).toEqual({ encryptedDevice: 'true' });
    expect(spec.placement.all.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'moit.gov.vn/zone', operator: 'In', values: ['data'] },
    ]);
    expect(spec.placement.all.tolerations).toEqual([{ key: 'moit.gov.vn/zone', operator: 'Equal', value: 'data', effect: 'NoSchedule' }]);
  });

  it('gives every Ceph daemon explicit requests and limits, so the namespace defaults (512Mi) never starve an OSD', () => {
    const spec = valuesOf(releases(stack('prod-core-platform'))['rook-ceph-cluster']!).cephClusterSpec;
    expect(spec.resources.osd).toEqual({ limits: { memory: '4Gi' }, requests: { cpu: '1000m', memory: '4Gi' } });
    for (const [daemon, r] of Object.entries(spec.resources as Record<string, Json>)) {
      expect([daemon, typeof r.limits.memory, typeof r.requests.cpu]).toEqual([daemon, 'string', 'string']);
    }
    const quota = (Object.values(stack('prod-core-platform').resource.kubernetes_resource_quota_v1) as Json[]).find((q) => q.metadata.namespace === 'rook-ceph')!;
    expect(quota.spec.hard).toMatchObject({ 'requests.cpu': '64', 'limits.memory': '256Gi' });
  });

  it('sizes dev for one existing node: one monitor and manager, sharing the node, no zone placement', () => {
    const spec = valuesOf(releases(stack('dev-core-platform'))['rook-ceph-cluster']!).cephClusterSpec;
    expect(spec.mon).toEqual({ count: 1, allowMultiplePerNode: true });
    expect(spec.placement).toBeUndefined();
    expect(spec.network.connections.encryption.enabled).toBe(true);
  });

  itEachWithSchemas(ENVS.map((e): [string] => [e]), 'writes a CephCluster and CephBlockPool for %s that validate against the Rook v1.20.6 CRDs', (env) => {
    const values = valuesOf(releases(stack(`${env}-core-platform`))['rook-ceph-cluster']!);
    const cluster = { apiVersion: 'ceph.rook.io/v1', kind: 'CephCluster', metadata: { name: 'rook-ceph', namespace: 'rook-ceph' }, spec: values.cephClusterSpec };
    expect(validateManifest(cluster)).toEqual([]);
    for (const pool of values.cephBlockPools) {
      expect(validateManifest({ apiVersion: 'ceph.rook.io/v1', kind: 'CephBlockPool', metadata: { name: pool.name, namespace: 'rook-ceph' }, spec: pool.spec })).toEqual([]);
    }
    expect(values.cephObjectStores).toEqual([]);
    expect(values.cephFileSystems).toEqual([]);
  });

  itWithSchemas('catches a CephCluster spec the CRD refuses (the validation above can fail)', () => {
    const config = loadEnvironments(['prod'])[0]!.objectStorage;
    const spec = { ...cephClusterSpec(config, {}), mon: { count: 'three' } };
    expect(validateManifest({ apiVersion: 'ceph.rook.io/v1', kind: 'CephCluster', metadata: { name: 'x', namespace: 'rook-ceph' }, spec })).not.toEqual([]);
  });

  it('gives stateful services ceph-rbd-retain: RBD on the Ceph-CSI driver, volumes kept when claims go, expandable, encrypted messenger', () => {
    const values = valuesOf(releases(stack('prod-core-platform'))['rook-ceph-cluster']!);
    const [pool] = values.cephBlockPools;
    expect(pool.spec).toMatchObject({ failureDomain: 'host', replicated: { size: 3, requireSafeReplicaSize: true } });
    expect(pool.storageClass).toMatchObject({ enabled: true, name: 'ceph-rbd-retain', reclaimPolicy: 'Retain', allowVolumeExpansion: true, isDefault: false });
    expect(pool.storageClass.parameters.mapOptions).toBe('ms_mode=secure');
    // The chart names the provisioner <operatorNamespace>.rbd.csi.ceph.com: the driver the CSI chart installs.
    expect(`${values.operatorNamespace}.rbd.csi.ceph.com`).toBe(RBD_DRIVER);
    const drivers = valuesOf(releases(stack('prod-core-platform'))['ceph-csi-drivers']!);
    expect(drivers.drivers.rbd).toMatchObject({ enabled: true, name: RBD_DRIVER, snapshotPolicy: 'volumeSnapshot' });
    expect(drivers.drivers.cephfs.enabled).toBe(false);
    expect(drivers.operatorConfig.namespace).toBe('rook-ceph-system');
    expect(blockPool(loadEnvironments(['dev'])[0]!.objectStorage).spec).toMatchObject({ failureDomain: 'osd', replicated: { size: 1, requireSafeReplicaSize: false } });
  });

  it('gives claims ceph-bucket-retain: the bucket provisioner of the operator namespace, buckets kept when claims go', () => {
    const classes = Object.values(stack('prod-core-platform').resource.kubernetes_storage_class_v1) as Json[];
    expect(classes).toHaveLength(1);
    expect(classes[0]).toMatchObject({
      metadata: { name: 'ceph-bucket-retain' },
      storage_provisioner: 'rook-ceph-system.ceph.rook.io/bucket',
      reclaim_policy: 'Retain',
      parameters: { objectStoreName: 'dc-objectstore', objectStoreNamespace: 'rook-ceph' },
    });
    expect(BUCKET_PROVISIONER).toBe('rook-ceph-system.ceph.rook.io/bucket');
  });

  it('retains the operator and cluster releases outside dev; dev keeps only the stateful marker', () => {
    for (const env of ['staging', 'prod', 'dr']) {
      const r = releases(stack(`${env}-core-platform`));
      for (const chart of ['rook-ceph', 'rook-ceph-cluster']) {
        expect(r[chart]!.lifecycle).toEqual({ prevent_destroy: true });
        expect(statefulKindOf(r[chart])).toBe('ceph-cluster');
      }
    }
    const dev = releases(stack('dev-core-platform'));
    expect(dev['rook-ceph-cluster']!.lifecycle).toBeUndefined();
    expect(statefulKindOf(dev['rook-ceph-cluster'])).toBe('ceph-cluster');
    expect(releases(stack('prod-core-platform'))['ceph-csi-drivers']!.lifecycle).toBeUndefined();
  });

  it('exposes the platform on the platform stack for other constructs', () => {
    const platform = estate.find((e) => e.environment.name === 'prod')!.clusters[0]!.platform;
    expect(platform.objectStorage.config.objectStore.dataPool).toEqual({ type: 'erasureCoded', dataChunks: 4, codingChunks: 2 });
  });
});

describe('the Ceph network', () => {
  const policies = (env: string): Json[] => Object.values(stack(`${env}-core-platform`).resource.kubernetes_network_policy_v1 as Record<string, Json>);
  const named = (env: string, ns: string, name: string) => policies(env).find((p) => p.metadata.namespace === ns && p.metadata.name === name);

  it('lets Rook and Ceph-CSI reach the API server, and only the Ceph pods that report to it', () => {
    const egress = policies('prod').filter(
      (p) => ['rook-ceph', 'rook-ceph-system'].includes(p.metadata.namespace) && p.spec.egress && JSON.stringify(p.spec.egress).includes('10.10.0.8/29'),
    );
    const sources = egress.map((p) => `${p.metadata.namespace}:${JSON.stringify(p.spec.pod_selector)}`).sort();
    expect(sources).toEqual([
      'rook-ceph-system:{"match_labels":{}}',
      'rook-ceph:{"match_labels":{"app":"rook-ceph-detect-version"}}',
      'rook-ceph:{"match_labels":{"app":"rook-ceph-mgr"}}',
      'rook-ceph:{"match_labels":{"app":"rook-ceph-osd-prepare"}}',
    ]);
    for (const p of egress) expect(p.spec.egress[0].ports.map((x: Json) => x.port).sort()).toEqual(['443', '6443']);
  });

  it('opens the messenger ports (3300, 6800-7568) into the daemons from each other, rook-ceph-system and the node network only, as declared flows', () => {
    const inbound = policies('prod').filter((p) => p.metadata.namespace === 'rook-ceph' && p.metadata.labels['moit.gov.vn/policy'] === 'flow' && JSON.stringify(p.spec.ingress ?? []).includes('"3300"'));
    for (const p of inbound) {
      expect(p.spec.pod_selector).toEqual({ match_labels: { rook_cluster: 'rook-ceph' } });
      expect(p.spec.ingress[0].ports).toEqual([
        { port: '3300', protocol: 'TCP' },
        { port: '6800', end_port: 7568, protocol: 'TCP' },
      ]);
      expect(p.metadata.annotations['moit.gov.vn/flow']).toMatch(/^flow .* -> rook-ceph\/ceph-daemons \[3300\/TCP, 6800-7568\/TCP\]$/);
    }
    const sources = inbound.map((p) => p.spec.ingress[0].from[0]);
    expect(sources).toHaveLength(3);
    expect(sources).toEqual(
      expect.arrayContaining([
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'rook-ceph' } }, pod_selector: { match_labels: { rook_cluster: 'rook-ceph' } } },
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'rook-ceph-system' } } },
        { ip_block: { cidr: '10.10.0.0/22' } },
      ]),
    );
    // The rook-ceph-system wildcard is a declared exception, with its reason where the audit reads it.
    const fromSystem = inbound.find((p) => p.metadata.name.startsWith('flow-rook-ceph-system-all-'))!;
    expect(fromSystem.metadata.annotations['moit.gov.vn/network-exception']).toMatch(/holds only the Rook operator, the Ceph-CSI operator and the CSI controller plugins/);
  });

  it('declares the node network holding the control-plane nodes as an overlap, with a reason', () => {
    const flows = (stack('prod-core-platform')['//'].flows as Json[]).filter((f) => f.from.name === 'node-network');
    expect(flows).toHaveLength(1);
    expect(flows[0]!.from.encloses).toEqual([{ name: 'kube-apiserver', cidr: '10.10.0.8/29', reason: expect.stringMatching(/control-plane nodes/) }]);
  });

  it('keeps the data zone in the cluster: the daemons egress only to each other', () => {
    const outbound = named('prod', 'rook-ceph', 'flow-ceph-daemons-to-ceph-daemons-out')!;
    expect(outbound.spec.egress).toEqual([
      { to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'rook-ceph' } }, pod_selector: { match_labels: { rook_cluster: 'rook-ceph' } } }], ports: expect.any(Array) },
    ]);
    const fromRookCeph = policies('prod').filter((p) => p.metadata.namespace === 'rook-ceph' && p.spec.egress);
    for (const p of fromRookCeph) {
      for (const rule of p.spec.egress) for (const to of rule.to) if (to.ip_block) expect(to.ip_block.cidr).toBe('10.10.0.8/29'); // the API server, a control-plane peer
    }
  });
});
