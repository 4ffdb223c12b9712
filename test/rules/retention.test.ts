import { expectFires, expectOutcomes, expectSilent, manifests, run, stack, type Json } from './fixture';
import { bucketClaim, objectStore, pgCluster } from './objects';

const RETAINED_COMMENT = { stateful: 'postgres', backupTier: 'gold' };
const PROTECTED = { lifecycle: { prevent_destroy: true } };
const GOLD = { backupTiers: { gold: { retentionDays: 30, offsite: 'dr: s3://pg-backups-dr' } } };
const drills = (lastSuccess: string) => ({ restoreDrills: [{ tier: 'gold', lastSuccess, evidence: 'OPS-1234' }] });
const dev = { name: 'dev', class: 'development', securityLevel: 3, ephemeral: true };

describe('RET-001 stateful resources retained', () => {
  it('fires for a database without the stateful marker', () => {
    expectFires('RET-001', stack(manifests([pgCluster(), {}, PROTECTED])), /holds data \(postgres\) but has no "\/\/".stateful marker; declare it through retain/);
  });
  it('fires for a stateful resource without prevent_destroy outside an ephemeral environment', () => {
    expectFires('RET-001', stack(manifests([pgCluster(), RETAINED_COMMENT])), /lacks lifecycle.prevent_destroy in a non-ephemeral environment/);
    expectFires('RET-001', stack({ helm_release: { ceph: { chart: 'rook-ceph-cluster', values: [''] } } }), /chart rook-ceph-cluster, which owns the CephCluster\) holds data/);
  });
  it('is silent when marked and protected, and lets an ephemeral environment destroy', () => {
    expectSilent('RET-001', stack(manifests([pgCluster(), RETAINED_COMMENT, PROTECTED])));
    expectSilent('RET-001', stack(manifests([pgCluster(), RETAINED_COMMENT]), dev));
  });
  it('accepts a restore drill\'s scratch copy, which says why it is removable, and only with a reason', () => {
    expectSilent('RET-001', stack(manifests([pgCluster(), { scratch: 'restore drill of core/postgres/main, removed when the drill ends' }])));
    expectFires('RET-001', stack(manifests([pgCluster(), { scratch: '' }])), /has no "\/\/".stateful marker/);
  });
});

describe('RET-002 operator delete protections', () => {
  const pool = (deleteClaim: boolean): Json => ({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaNodePool', metadata: { name: 'brokers', namespace: 'kafka' }, spec: { storage: { type: 'jbod', volumes: [{ id: 0, type: 'persistent-claim', deleteClaim }] } } });
  const store = (preserve: boolean): Json => ({ apiVersion: 'ceph.rook.io/v1', kind: 'CephObjectStore', metadata: { name: 'dc', namespace: 'rook-ceph' }, spec: { preservePoolsOnDelete: preserve } });
  it('fires for deleteClaim: true, pools deleted with the store, and a retain StorageClass that deletes', () => {
    expectFires('RET-002', stack(manifests(pool(true))), /deleteClaim: true/);
    expectFires('RET-002', stack(manifests(store(false))), /lacks preservePoolsOnDelete: true/);
    expectFires('RET-002', stack({ kubernetes_storage_class_v1: { sc: { metadata: { name: 'ceph-rbd-retain' }, storage_provisioner: 'rbd', reclaim_policy: 'Delete' } } }), /named for retention but has reclaimPolicy Delete/);
  });
  it('is silent when the operators keep the data', () => {
    expectSilent('RET-002', stack({ ...manifests(pool(false), store(true)), kubernetes_storage_class_v1: { sc: { metadata: { name: 'ceph-rbd-retain' }, reclaim_policy: 'Retain' } } }));
  });
});

describe('BAK-001 backup tier coverage', () => {
  it('fires for a stateful resource without a tier, or with a tier the stack does not define', () => {
    expectFires('BAK-001', stack(manifests([pgCluster(), { stateful: 'postgres' }, PROTECTED]), {}, GOLD), /carries no "\/\/".backupTier marker/);
    expectFires('BAK-001', stack(manifests([pgCluster(), { stateful: 'postgres', backupTier: 'platinum' }, PROTECTED]), {}, GOLD), /names backup tier "platinum", which this stack's "\/\/".backupTiers record does not define \(defined: gold\)/);
  });
  it('is silent when covered, treats a backup bucket as the backup itself, and does not apply where data is disposable', () => {
    expectSilent('BAK-001', stack(manifests([pgCluster(), RETAINED_COMMENT, PROTECTED]), {}, GOLD));
    expectSilent('BAK-001', stack(manifests([bucketClaim('pg-backup', 'backup'), { stateful: 'bucket' }, PROTECTED])));
    expect(run('BAK-001', stack(manifests([pgCluster(), { stateful: 'postgres' }]), dev))).toEqual([]);
  });
});

describe('BAK-002 retention meets the tier', () => {
  it('fires for a CloudNativePG ObjectStore that keeps less than the tier, and a Velero schedule ttl below it', () => {
    expectFires('BAK-002', stack(manifests([pgCluster(), RETAINED_COMMENT], objectStore({ retentionPolicy: '7d' })), {}, GOLD), /keeps backups 7 days \(spec.retentionPolicy: 7d\); tier "gold" needs at least 30/);
    const schedule = { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'nightly', namespace: 'velero' }, spec: { schedule: '0 1 * * *', template: { ttl: '168h0m0s' } } };
    expectFires('BAK-002', stack(manifests([schedule, { backupTier: 'gold' }]), {}, GOLD), /keeps backups 7 days \(spec.template.ttl: 168h0m0s\)/);
  });
  it('is silent when retention meets the tier', () => {
    expectSilent('BAK-002', stack(manifests([pgCluster(), RETAINED_COMMENT], objectStore({ retentionPolicy: '5w' })), {}, GOLD));
  });
});

describe('BAK-003 off-site copies from security level 4', () => {
  it('fires for a tier without an off-site copy at level 4', () => {
    expectFires('BAK-003', stack(manifests([pgCluster(), RETAINED_COMMENT, PROTECTED]), {}, { backupTiers: { gold: { retentionDays: 30 } } }), /backup tier "gold" is used here at security level 4 but its record names no off-site copy/);
  });
  it('is silent with an off-site copy, and does not apply at level 3', () => {
    expectSilent('BAK-003', stack(manifests([pgCluster(), RETAINED_COMMENT, PROTECTED]), {}, GOLD));
    expect(run('BAK-003', stack(manifests([pgCluster(), RETAINED_COMMENT]), { name: 'staging', class: 'staging', securityLevel: 3 }, { backupTiers: { gold: { retentionDays: 30 } } }))).toEqual([]);
  });
});

describe('BAK-004 restore drills', () => {
  const json = (extra: Json) => stack(manifests([pgCluster(), RETAINED_COMMENT, PROTECTED]), {}, { ...GOLD, ...extra });
  it('fires when a tier in use was never restored, or its last drill is older than level 4 allows (183 days)', () => {
    expectFires('BAK-004', json({}), /backup tier "gold" has never been restored/);
    expectFires('BAK-004', json(drills('2026-05-01')), /last successful restore drill was on 2026-05-01 \(210 days ago, evidence OPS-1234\); security level 4 requires one every 183 days/);
  });
  it('is silent with a recent drill; the day is injectable', () => {
    expectSilent('BAK-004', json(drills('2026-09-30')));
    expectFires('BAK-004', json(drills('2026-09-30')), /overdue|requires one every/, '2027-06-01');
  });
});

describe('RET-001: what is judged, once, and the evidence', () => {
  it.each([
    ['postgresql.cnpg.io/v1', 'Cluster', 'postgres'],
    ['postgresql.cnpg.io/v1', 'Database', 'postgres'],
    ['kafka.strimzi.io/v1', 'Kafka', 'kafka'],
    ['kafka.strimzi.io/v1', 'KafkaNodePool', 'kafka'],
    ['kafka.strimzi.io/v1', 'KafkaTopic', 'kafka-topic'],
    ['objectbucket.io/v1alpha1', 'ObjectBucketClaim', 'bucket'],
    ['ceph.rook.io/v1', 'CephObjectStore', 'object-store'],
    ['ceph.rook.io/v1', 'CephCluster', 'ceph-cluster'],
    ['ceph.rook.io/v1', 'CephBlockPool', 'ceph-cluster'],
    ['cluster.x-k8s.io/v1beta2', 'Cluster', 'cluster'],
  ])('takes %s %s for data of kind %s', (apiVersion, kind, dataKind) => {
    expectFires('RET-001', stack(manifests([{ apiVersion, kind, metadata: { name: 'x', namespace: 'y' }, spec: {} }, {}, PROTECTED])), new RegExp(`\\(${kind} y/x\\) holds data \\(${dataKind}\\) but has no`));
  });

  const pvc = (extra: Json = {}) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', ...extra }, spec: {} });
  it('judges each resource once, names it by path or address, and skips what holds no data', () => {
    expectOutcomes('RET-001', stack({
      ...manifests([pgCluster(), RETAINED_COMMENT, PROTECTED], [pvc(), { stateful: 'volume' }, PROTECTED]),
      helm_release: { bao: { chart: 'openbao', '//': { stateful: 'volume' } }, velero: { chart: 'velero' } },
      kubernetes_config_map_v1: { c: { metadata: { name: 'c' }, chart: 'rook-ceph-cluster' } },
    }), [
      ['pass', 'prod-core-services/cluster-main/manifest (postgres) has lifecycle.prevent_destroy'],
      ['pass', 'prod-core-services/persistentvolumeclaim-data/manifest (volume) has lifecycle.prevent_destroy'],
      ['fail', 'helm_release.bao (volume) lacks lifecycle.prevent_destroy in a non-ephemeral environment; declare it through retain()'],
    ]);
  });
  it('names an unmarked object by kind, namespace and name, and the rook-ceph-cluster release by its chart', () => {
    const ceph = { chart: 'rook-ceph-cluster', namespace: 'rook-ceph', values: ['cephClusterSpec:\n  dataDirHostPath: /var/lib/rook\n'] };
    expectOutcomes('RET-001', stack({ ...manifests([pvc({ namespace: 'app-trade' }), {}, PROTECTED]), helm_release: { ceph } }), [
      ['fail', 'prod-core-services/persistentvolumeclaim-data/manifest (PersistentVolumeClaim app-trade/data) holds data (volume) but has no "//".stateful marker; declare it through retain(resource, \'volume\', stack.ephemeral)'],
      ['fail', 'helm_release.ceph (chart rook-ceph-cluster, which owns the CephCluster) holds data (ceph-cluster) but has no "//".stateful marker; declare it through retain(resource, \'ceph-cluster\', stack.ephemeral)'],
    ]);
    expectFires('RET-001', stack(manifests([pvc(), {}, PROTECTED])), /\(PersistentVolumeClaim data\) holds data/);
  });
  it('reports a scratch copy as an exception with its reason, and an ephemeral environment by name', () => {
    const out = run('RET-001', stack(manifests([pgCluster(), { scratch: 'restore drill of core/postgres/main' }])));
    expect(out.map((o) => [o.status, o.message, o.exception])).toEqual([
      ['excepted', 'prod-core-services/cluster-main/manifest (Cluster postgres/main) is a scratch copy, removable by design: restore drill of core/postgres/main', { kind: 'scratch', reason: 'restore drill of core/postgres/main' }],
    ]);
    expectOutcomes('RET-001', stack(manifests([pgCluster(), RETAINED_COMMENT]), dev), [['pass', 'prod-core-services/cluster-main/manifest (postgres) may be destroyed: environment dev is ephemeral']]);
  });
  it('treats a stack without an environment record as not ephemeral', () => {
    const json = stack(manifests([pgCluster(), RETAINED_COMMENT]));
    delete json['//'].environment;
    expectFires('RET-001', json, /lacks lifecycle.prevent_destroy/);
  });
});

describe('RET-002: every protection, and what is not judged', () => {
  const cephCluster = (spec: Json) => ({ apiVersion: 'ceph.rook.io/v1', kind: 'CephCluster', metadata: { name: 'ceph', namespace: 'rook-ceph' }, spec });
  it('fires for a cleanup confirmation, in a manifest or in the chart values', () => {
    expectFires('RET-002', stack(manifests(cephCluster({ cleanupPolicy: { confirmation: 'yes-really-destroy-data' } }))), /^CephCluster rook-ceph\/ceph sets cleanupPolicy.confirmation "yes-really-destroy-data", which wipes the hosts' data on delete; remove it$/);
    expectFires('RET-002', stack({ helm_release: { ceph: { chart: 'rook-ceph-cluster', name: 'ceph', namespace: 'rook-ceph', values: ['cephClusterSpec:\n  cleanupPolicy:\n    confirmation: yes-really-destroy-data\n'] } } }), /CephCluster rook-ceph\/ceph sets cleanupPolicy.confirmation/);
  });
  it('fires for a single (not jbod) volume that deletes its claim, and a retain class without a reclaim policy', () => {
    const single = { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaNodePool', metadata: { name: 'brokers', namespace: 'kafka' }, spec: { storage: { type: 'persistent-claim', deleteClaim: true } } };
    expectFires('RET-002', stack(manifests(single)), /KafkaNodePool kafka\/brokers has deleteClaim: true/);
    expectFires('RET-002', stack({ kubernetes_storage_class_v1: { sc: { metadata: { name: 'ceph-rbd-retain' } } } }), /named for retention but has reclaimPolicy Delete; set Retain/);
  });
  it('says what each object keeps, and judges only StorageClasses named for retention', () => {
    const pool = { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaNodePool', metadata: { name: 'brokers', namespace: 'kafka' }, spec: { storage: { type: 'jbod', volumes: [null, { id: 0, deleteClaim: false }] } } };
    const store = { apiVersion: 'ceph.rook.io/v1', kind: 'CephObjectStore', metadata: { name: 'dc', namespace: 'rook-ceph' }, spec: { preservePoolsOnDelete: true } };
    expectOutcomes('RET-002', stack({ ...manifests(pool, store, cephCluster({})), kubernetes_storage_class_v1: { a: { metadata: { name: 'ceph-rbd-retain' }, reclaim_policy: 'Retain' }, b: { metadata: { name: 'scratch' }, reclaim_policy: 'Delete' } } }), [
      ['pass', 'KafkaNodePool kafka/brokers keeps its volumes (deleteClaim false)'],
      ['pass', 'CephObjectStore rook-ceph/dc preserves its pools on delete'],
      ['pass', 'CephCluster rook-ceph/ceph has no cleanup confirmation set'],
      ['pass', 'StorageClass ceph-rbd-retain retains volumes'],
    ]);
  });
});

describe('BAK-001..004: evidence, boundaries and what each rule leaves to another', () => {
  const TWO = { backupTiers: { gold: { retentionDays: 30, offsite: '  dr: s3://pg-backups-dr ' }, silver: { retentionDays: 14, offsite: '   ' }, bronze: { retentionDays: 7, offsite: true } } };
  const marked = (tier?: string) => [pgCluster(), { stateful: 'postgres', ...(tier ? { backupTier: tier } : {}) }, PROTECTED] as [Json, Json, Json];
  it('BAK-001 says which tier covers what, lists the tiers a stack defines, and reads only stateful resources', () => {
    expectOutcomes('BAK-001', stack({
      ...manifests(marked('gold'), [bucketClaim('raw', 'data'), { stateful: 'bucket' }, PROTECTED], [bucketClaim('pg-backup', 'backup'), { stateful: 'bucket' }, PROTECTED]),
      helm_release: { bao: { chart: 'openbao', '//': { stateful: 'volume', backupTier: 'platinum' } } },
      kubernetes_config_map_v1: { c: { metadata: { name: 'c' } } },
    }, {}, TWO), [
      ['pass', 'prod-core-services/cluster-main/manifest (postgres) is covered by backup tier "gold"'],
      ['fail', 'prod-core-services/objectbucketclaim-raw/manifest holds data (bucket) but carries no "//".backupTier marker; give it a backup tier (markBackupTier, issue 9)'],
      ['pass', 'prod-core-services/objectbucketclaim-pg-backup/manifest is a backup bucket: it is where a tier\'s copies go, protected by versioning and object lock (OBJ-001, OBJ-003)'],
      ['fail', 'helm_release.bao names backup tier "platinum", which this stack\'s "//".backupTiers record does not define (defined: gold, silver, bronze)'],
    ]);
    expectFires('BAK-001', stack(manifests(marked('gold'))), /does not define \(defined: none\)$/);
    // Only a bucket is a backup bucket, whatever labels a volume carries.
    const labelled = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'postgres', labels: { 'moit.gov.vn/bucket-purpose': 'backup' } }, spec: {} };
    expectFires('BAK-001', stack(manifests([labelled, { stateful: 'volume' }, PROTECTED]), {}, TWO), /persistentvolumeclaim-data\/manifest holds data \(volume\) but carries no "\/\/".backupTier marker/);
  });
  it('BAK-002 holds a store to the tier of the cluster archiving into it, and says what it kept', () => {
    const store = (retentionPolicy: unknown, namespace = 'postgres') => ({ ...objectStore({ retentionPolicy }), metadata: { name: 'main-backup', namespace } });
    expectOutcomes('BAK-002', stack(manifests(marked('gold'), store('30d')), {}, TWO), [['pass', 'ObjectStore postgres/main-backup keeps backups 30 days (spec.retentionPolicy: 30d), meeting tier "gold" (30 days)']]);
    expectOutcomes('BAK-002', stack(manifests(marked('gold'), store('719h')), {}, TWO), [['fail', 'ObjectStore postgres/main-backup keeps backups 30 days (spec.retentionPolicy: 719h); tier "gold" needs at least 30']]);
    expectOutcomes('BAK-002', stack(manifests(marked('gold'), store('720h0m0s')), {}, TWO), [['pass', 'ObjectStore postgres/main-backup keeps backups 30 days (spec.retentionPolicy: 720h0m0s), meeting tier "gold" (30 days)']]);
    expectOutcomes('BAK-002', stack(manifests(marked('gold'), store('30 days')), {}, TWO), [['fail', 'ObjectStore postgres/main-backup has spec.retentionPolicy "30 days", which is not a retention such as "30d" or "720h0m0s"']]);
    expectOutcomes('BAK-002', stack(manifests(marked('gold'), store(undefined)), {}, TWO), [['pass', 'ObjectStore postgres/main-backup sets no spec.retentionPolicy: backups are kept until deleted, beyond tier "gold" (30 days)']]);
    // Another namespace's store, another plugin, no tier, or a tier without a record: nothing to hold it to.
    expect(run('BAK-002', stack(manifests(marked('gold'), store('1d', 'other')), {}, TWO))).toEqual([]);
    expect(run('BAK-002', stack(manifests([pgCluster({ plugins: [null, { name: 'other', parameters: { barmanObjectName: 'main-backup' } }] }), { stateful: 'postgres', backupTier: 'gold' }], store('1d')), {}, TWO))).toEqual([]);
    expect(run('BAK-002', stack(manifests([pgCluster({ plugins: [{ name: 'barman-cloud.cloudnative-pg.io' }] }), { stateful: 'postgres', backupTier: 'gold' }], store('1d')), {}, TWO))).toEqual([]);
    expect(run('BAK-002', stack(manifests(marked(), store('1d')), {}, TWO))).toEqual([]);
    expect(run('BAK-002', stack(manifests(marked('platinum'), store('1d')), {}, TWO))).toEqual([]);
    expect(run('BAK-002', stack(manifests(marked('gold'), store('1d')), dev, TWO))).toEqual([]);
  });
  it('BAK-002 reads a Velero Schedule without a template as keeping backups until deleted', () => {
    const schedule = { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'nightly', namespace: 'velero' }, spec: { schedule: '0 1 * * *' } };
    expectOutcomes('BAK-002', stack(manifests([schedule, { backupTier: 'silver' }]), {}, TWO), [['pass', 'Schedule velero/nightly sets no spec.template.ttl: backups are kept until deleted, beyond tier "silver" (14 days)']]);
  });
  it('BAK-003 judges each tier in use once, in order, and wants a non-blank off-site copy', () => {
    // bronze is named only by a resource that holds no data: not a tier in use.
    expectOutcomes('BAK-003', stack({ ...manifests(marked('silver'), marked('gold'), marked('platinum'), marked()), kubernetes_config_map_v1: { c: { '//': { backupTier: 'bronze' }, metadata: { name: 'c' } } } }, {}, TWO), [
      ['pass', 'backup tier "gold" copies off site to dr: s3://pg-backups-dr (security level 4)'],
      ['fail', 'backup tier "silver" is used here at security level 4 but its record names no off-site copy; set "offsite" in the tier (issue 9)'],
    ]);
    const json = stack(manifests(marked('silver')), {}, TWO);
    delete json['//'].environment;
    expect(run('BAK-003', json)).toEqual([]);
  });
  it('BAK-004 takes the latest valid drill of each tier, allows exactly the interval, and knows each level', () => {
    const drill = (tier: string, lastSuccess: string, evidence = 'OPS-1') => ({ tier, lastSuccess, evidence });
    // Tiers in use: silver and gold (listed in that order); an untiered resource and bronze on a resource without data are not.
    const withDrills = (restoreDrills: Json[], env = {}) => stack({ ...manifests(marked('silver'), marked('gold'), marked()), kubernetes_config_map_v1: { c: { '//': { backupTier: 'bronze' }, metadata: { name: 'c' } } } }, env, { ...TWO, restoreDrills });
    expect(run('BAK-004', withDrills([], dev))).toEqual([]);
    expectOutcomes('BAK-004', withDrills([drill('gold', '2026-01-01'), drill('gold', '2026-05-28', 'OPS-2'), drill('gold', '2026-02-01'), drill('gold', '2026-13-01'), drill('silver', '2026-11-01')]), [
      ['pass', 'backup tier "gold" was restored on 2026-05-28 (183 days ago, evidence OPS-2), within 183 days'],
      ['pass', 'backup tier "silver" was restored on 2026-11-01 (26 days ago, evidence OPS-1), within 183 days'],
    ]);
    expectFires('BAK-004', withDrills([drill('gold', '2026-05-27'), drill('silver', '2026-11-01')]), /^backup tier "gold": the last successful restore drill was on 2026-05-27 \(184 days ago, evidence OPS-1\); security level 4 requires one every 183 days$/);
    expectFires('BAK-004', withDrills([drill('silver', '2026-11-01'), drill('gold', 'someday')]), /^backup tier "gold" has never been restored/);
    expectFires('BAK-004', withDrills([drill('gold', '2026-08-26'), drill('silver', '2026-11-01')], { securityLevel: 5 }), /security level 5 requires one every 92 days/);
    expectSilent('BAK-004', withDrills([drill('gold', '2025-11-27'), drill('silver', '2025-11-27')], { securityLevel: 3 }));
    expectFires('BAK-004', withDrills([drill('gold', '2025-11-26'), drill('silver', '2025-11-27')], { securityLevel: 3 }), /366 days ago.*security level 3 requires one every 365 days/);
  });
});
