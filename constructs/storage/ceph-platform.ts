import { Construct } from 'constructs';
import type { ObjectStorageConfig } from '../../environments/sections/object-storage';
import { retain } from '../../lib/markers';
import { StorageClassV1 } from '../../lib/providers';
import { NS, STORAGE_CLASSES } from '../../policy/layout';
import { ZONE_LABEL } from '../network/peer';
import { placementFor, type ZonePlacement } from '../network/placement';
import { ClusterContext } from '../context';
import { OperatorChart } from '../operator-chart';
import { CephNetwork } from './ceph-network';
import {
  BLOCK_POOL_NAME,
  BUCKET_PROVISIONER,
  CEPH_CLUSTER_NAME,
  CEPH_IMAGE,
  OBJECT_STORE_NAME,
  PROVISIONER_PREFIX,
  RBD_DRIVER,
  S3_REGION,
} from './names';
import { rookPlacement } from './placement';

/**
 * The ObjectBucketClaim `additionalConfig` fields the Rook operator accepts
 * (`ROOK_OBC_ALLOW_ADDITIONAL_CONFIG_FIELDS`). Rook allows only `maxObjects` and `maxSize` by
 * default because the others let whoever writes a claim change the bucket's policy or lifecycle.
 * We need exactly these four: a quota on the bucket itself (size, objects), the bucket policy
 * (TLS only, per-consumer grants) and lifecycle rules. Not enabled: `maxObjects`/`maxSize`
 * (quotas on the owning user; the bucket quota is what we mean) and `bucketOwner` (re-linking a
 * bucket to another user). Only Terraform writes claims: the chart's `rbacAggregate.enableOBCs`
 * stays off, so namespace users get no right to create them.
 */
export const OBC_ADDITIONAL_CONFIG_FIELDS = ['bucketMaxObjects', 'bucketMaxSize', 'bucketPolicy', 'bucketLifecycle'] as const;
export type ObcAdditionalConfigField = (typeof OBC_ADDITIONAL_CONFIG_FIELDS)[number];

/**
 * Requests and limits of every Ceph daemon, from the rook-ceph-cluster chart's production values
 * (v1.20.6). They must be explicit: the namespace's LimitRange would otherwise give each
 * container 512Mi, and an OSD needs 4Gi. The OSD prepare job gets a limit (the chart leaves it
 * unlimited, which the namespace's quota refuses): 2Gi covers devices of any size (rook/rook#11103).
 */
export const CEPH_RESOURCES = {
  mgr: { limits: { memory: '1Gi' }, requests: { cpu: '500m', memory: '512Mi' } },
  mon: { limits: { memory: '2Gi' }, requests: { cpu: '1000m', memory: '1Gi' } },
  osd: { limits: { memory: '4Gi' }, requests: { cpu: '1000m', memory: '4Gi' } },
  prepareosd: { limits: { memory: '2Gi' }, requests: { cpu: '500m', memory: '50Mi' } },
  'mgr-sidecar': { limits: { memory: '100Mi' }, requests: { cpu: '100m', memory: '40Mi' } },
  crashcollector: { limits: { memory: '60Mi' }, requests: { cpu: '100m', memory: '60Mi' } },
  logcollector: { limits: { memory: '1Gi' }, requests: { cpu: '100m', memory: '100Mi' } },
  cleanup: { limits: { memory: '1Gi' }, requests: { cpu: '500m', memory: '100Mi' } },
  exporter: { limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '50Mi' } },
} as const;

/** The VolumeSnapshotClass of the RBD driver, written by the rook-ceph-cluster chart. */
export const VOLUME_SNAPSHOT_CLASS = 'ceph-block';
/** Velero 1.18 snapshots a CSI driver's volumes with the class of that driver carrying this label. */
export const VELERO_SNAPSHOT_CLASS_LABEL = 'velero.io/csi-volumesnapshot-class';

/** Ceph messenger v2 (port 3300) only, and every connection encrypted (secure mode). */
const CEPH_NETWORK = { connections: { encryption: { enabled: true }, compression: { enabled: false }, requireMsgr2: true } };

export interface CephPlatformProps {
  /** @default the `objectStorage` section of the stack's environment */
  readonly config?: ObjectStorageConfig;
  /** Charts that must be installed first. @default [] */
  readonly dependsOn?: readonly OperatorChart[];
}

/**
 * Ceph on a workload cluster, in its platform stack, installed with the three charts Rook v1.20
 * needs, in order:
 * 1. `rook-ceph` (the operator and its CRDs) in `rook-ceph-system`;
 * 2. `ceph-csi-drivers` (the Ceph-CSI RBD driver, run by the Ceph-CSI operator the first chart
 *    brings) in `rook-ceph-system`;
 * 3. `rook-ceph-cluster` (the CephCluster and the RBD pool with its StorageClass
 *    `ceph-rbd-retain`) in `rook-ceph`.
 *
 * The CephCluster and the pool are chart values rather than `kubernetes_manifest`s: their CRDs
 * arrive with chart 1, and a manifest would need them at plan time. The bucket StorageClass
 * `ceph-bucket-retain` is a typed StorageClassV1 here, because the chart only writes bucket
 * StorageClasses for object stores it creates itself, and our CephObjectStore is a custom
 * resource of the services stack (next to the cert-manager Certificate it serves).
 *
 * Everything is retained: the cluster chart and the operator chart (whose CRDs own every Ceph
 * object) carry `prevent_destroy` outside ephemeral environments, both StorageClasses keep their
 * volumes and buckets (`reclaimPolicy: Retain`), and the CephCluster never wipes hosts on delete
 * (`cleanupPolicy.confirmation` stays empty).
 */
export class CephPlatform extends Construct {
  readonly operator: OperatorChart;
  readonly csiDrivers: OperatorChart;
  readonly cluster: OperatorChart;
  readonly bucketStorageClass: StorageClassV1;
  readonly network: CephNetwork;
  readonly config: ObjectStorageConfig;

  constructor(scope: Construct, id: string, props: CephPlatformProps = {}) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    if (stack.layer !== 'platform') {
      throw new Error(`${this.node.path}: Ceph is installed by a platform stack (its charts bring the CRDs the services stack uses), not by ${stack.node.id}`);
    }
    const config = props.config ?? stack.environment.objectStorage;
    this.config = config;
    const ephemeral = stack.ephemeral;
    const mgmt = placementFor(this, 'mgmt');
    const data = placementFor(this, 'data');

    this.operator = new OperatorChart(this, 'operator', {
      operator: 'rookCeph',
      namespace: NS.rookSystem,
      dependsOn: props.dependsOn,
      values: {
        crds: { enabled: true },
        priorityClassName: 'system-cluster-critical',
        ...mgmt,
        // The Ceph-CSI operator comes with this chart (subchart ceph-csi-operator 1.0.4): its
        // controller manager runs in the mgmt zone like the Rook operator.
        ...(Object.keys(mgmt).length > 0 ? { 'ceph-csi-operator': { controllerManager: { ...mgmt } } } : {}),
        containerSecurityContext: {
          runAsNonRoot: true,
          runAsUser: 2016,
          runAsGroup: 2016,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        // Claims are served by `<operator namespace>.ceph.rook.io/bucket`, set here explicitly.
        obcProvisionerNamePrefix: PROVISIONER_PREFIX,
        enableOBCWatchOperatorNamespace: true,
        obcAllowAdditionalConfigFields: OBC_ADDITIONAL_CONFIG_FIELDS.join(','),
        rbacAggregate: { enableOBCs: false },
        enableDiscoveryDaemon: false,
        monitoring: { enabled: false },
      },
    });
    retain(this.operator.release, 'ceph-cluster', ephemeral);

    // Rook's deploy/charts/ceph-csi-drivers/values.yaml, with the operator namespace in the
    // driver names (the chart's defaults assume the operator runs in `rook-ceph`).
    this.csiDrivers = new OperatorChart(this, 'csi-drivers', {
      operator: 'cephCsiDrivers',
      namespace: NS.rookSystem,
      dependsOn: [this.operator, ...(props.dependsOn ?? [])],
      values: {
        operatorConfig: {
          namespace: NS.rookSystem,
          driverSpecDefaults: {
            imageSet: { name: 'rook-csi-operator-image-set-configmap' },
            nodePlugin: { priorityClassName: 'system-node-critical' },
            controllerPlugin: { priorityClassName: 'system-cluster-critical' },
          },
        },
        drivers: {
          // Placement per driver: chart 1.0.4 writes each driver's `tolerations` (`[]` when unset)
          // into its Driver resource, and the operator copies the defaults' tolerations only into
          // a driver that has none, so tolerations among the defaults would never apply. The
          // chart reads `affinity` (a whole corev1.Affinity), not `nodeAffinity`.
          // `snapshotPolicy: volumeSnapshot` deploys the csi-snapshotter sidecar; without it (the
          // chart's "none") no VolumeSnapshot of an RBD volume is ever cut.
          rbd: { enabled: true, name: RBD_DRIVER, snapshotPolicy: 'volumeSnapshot', ...rbdPlacement(mgmt) },
          cephfs: { enabled: false, name: `${PROVISIONER_PREFIX}.cephfs.csi.ceph.com` },
          nfs: { enabled: false, name: `${PROVISIONER_PREFIX}.nfs.csi.ceph.com` },
          nvmeof: { enabled: false, name: `${PROVISIONER_PREFIX}.nvmeof.csi.ceph.com` },
        },
      },
    });

    this.cluster = new OperatorChart(this, 'cluster', {
      operator: 'rookCephCluster',
      namespace: NS.rookCluster,
      dependsOn: [this.operator, this.csiDrivers, ...(props.dependsOn ?? [])],
      values: {
        operatorNamespace: NS.rookSystem,
        clusterName: CEPH_CLUSTER_NAME,
        toolbox: { enabled: false },
        monitoring: { enabled: false },
        cephImage: { repository: CEPH_IMAGE.repository, tag: CEPH_IMAGE.tag, allowUnsupported: false },
        cephClusterSpec: cephClusterSpec(config, rookPlacement(data)),
        cephBlockPools: [blockPool(config)],
        // No CephFS, and the object store is the services stack's CephObjectStore.
        cephFileSystems: [],
        cephObjectStores: [],
        // The class Velero snapshots RBD volumes with (it picks the class of a driver by this
        // label). Deletion policy Delete: a snapshot lives only until the data mover has copied
        // it to the backup bucket; Retain would leave one Ceph snapshot per volume and backup.
        // The volumes themselves are retained by their StorageClass.
        cephBlockPoolsVolumeSnapshotClass: {
          enabled: true,
          name: VOLUME_SNAPSHOT_CLASS,
          isDefault: true,
          deletionPolicy: 'Delete',
          labels: { [VELERO_SNAPSHOT_CLASS_LABEL]: 'true' },
        },
        cephFileSystemVolumeSnapshotClass: { enabled: false },
      },
    });
    retain(this.cluster.release, 'ceph-cluster', ephemeral);

    this.bucketStorageClass = new StorageClassV1(this, 'bucket-storage-class', {
      provider: stack.kubernetes,
      metadata: {
        name: STORAGE_CLASSES.bucket,
        labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' },
        annotations: { 'moit.gov.vn/purpose': `Buckets in the CephObjectStore ${OBJECT_STORE_NAME}; a deleted claim leaves its bucket and data in place.` },
      },
      storageProvisioner: BUCKET_PROVISIONER,
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
      parameters: { objectStoreName: OBJECT_STORE_NAME, objectStoreNamespace: NS.rookCluster, region: S3_REGION },
      dependsOn: [this.operator.release],
    });

    this.network = new CephNetwork(this, 'network');
  }
}

/**
 * Where the RBD driver's pods run: node plugins on every zone's nodes (they mount volumes
 * wherever a pod using one runs, so they tolerate every zone's taint), controller plugins (the
 * provisioner, attacher, resizer and snapshotter) in the mgmt zone.
 */
export function rbdPlacement(mgmt: ZonePlacement): Record<string, unknown> {
  const controller = rookPlacement(mgmt);
  return {
    nodePlugin: { tolerations: [{ key: ZONE_LABEL, operator: 'Exists', effect: 'NoSchedule' }] },
    controllerPlugin: {
      ...(controller.nodeAffinity ? { affinity: { nodeAffinity: controller.nodeAffinity } } : {}),
      ...(controller.tolerations ? { tolerations: controller.tolerations } : {}),
    },
  };
}

/**
 * The CephCluster spec, after Rook's production example (deploy/examples/cluster.yaml at
 * v1.20.6) and ../shared/reference/operators.md section c.
 */
export function cephClusterSpec(config: ObjectStorageConfig, placement: Record<string, unknown>): Record<string, unknown> {
  const multiple = config.ceph.allowMultipleDaemonsPerNode;
  return {
    dataDirHostPath: '/var/lib/rook',
    skipUpgradeChecks: false,
    continueUpgradeAfterChecksEvenIfNotHealthy: false,
    upgradeOSDRequiresHealthyPGs: true,
    mon: { count: config.ceph.monitors, allowMultiplePerNode: multiple },
    mgr: { count: config.ceph.managers, allowMultiplePerNode: multiple, modules: [] },
    dashboard: { enabled: true, ssl: true },
    network: CEPH_NETWORK,
    crashCollector: { disable: false, daysToRetain: 30 },
    logCollector: { enabled: true, periodicity: 'daily', maxLogSize: '500M' },
    // Never wipe hosts: deleting the CephCluster leaves every disk as it was.
    cleanupPolicy: { confirmation: '', allowUninstallWithVolumes: false },
    ...(Object.keys(placement).length > 0 ? { placement: { all: placement } } : {}),
    priorityClassNames: { mon: 'system-node-critical', osd: 'system-node-critical', mgr: 'system-cluster-critical' },
    resources: CEPH_RESOURCES,
    disruptionManagement: { managePodBudgets: true, osdMaintenanceTimeout: 30 },
    removeOSDsIfOutAndSafeToRemove: false,
    storage: {
      useAllNodes: true,
      useAllDevices: config.ceph.deviceFilter === undefined,
      ...(config.ceph.deviceFilter !== undefined ? { deviceFilter: config.ceph.deviceFilter } : {}),
      config: { encryptedDevice: 'true' },
    },
    healthCheck: {
      daemonHealth: { mon: { disabled: false, interval: '45s' }, osd: { disabled: false, interval: '60s' }, status: { disabled: false, interval: '60s' } },
      livenessProbe: { mon: { disabled: false }, mgr: { disabled: false }, osd: { disabled: false } },
    },
  };
}

/** A replicated pool's settings; a single copy is only possible where the schema allowed it (development). */
export function replicatedPool(failureDomain: string, replicas: number): Record<string, unknown> {
  return { failureDomain, replicated: { size: replicas, requireSafeReplicaSize: replicas > 1 } };
}

/** The RBD pool and its StorageClass `ceph-rbd-retain`, as a `cephBlockPools` entry of the cluster chart. */
export function blockPool(config: ObjectStorageConfig): Record<string, unknown> {
  return {
    name: BLOCK_POOL_NAME,
    spec: { ...replicatedPool(config.failureDomain, config.blockPool.replicas), enableRBDStats: true },
    storageClass: {
      enabled: true,
      name: STORAGE_CLASSES.block,
      isDefault: false,
      reclaimPolicy: 'Retain',
      allowVolumeExpansion: true,
      // The volume is created where its pod is scheduled, so zone placement decides.
      volumeBindingMode: 'WaitForFirstConsumer',
      mountOptions: [],
      parameters: {
        imageFormat: '2',
        imageFeatures: 'layering,exclusive-lock,object-map,fast-diff,deep-flatten',
        // msgr2 secure mode for the kernel RBD client: the encryption the cluster requires.
        mapOptions: 'ms_mode=secure',
        'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
        'csi.storage.k8s.io/provisioner-secret-namespace': NS.rookCluster,
        'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
        'csi.storage.k8s.io/controller-expand-secret-namespace': NS.rookCluster,
        'csi.storage.k8s.io/controller-publish-secret-name': 'rook-csi-rbd-provisioner',
        'csi.storage.k8s.io/controller-publish-secret-namespace': NS.rookCluster,
        'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
        'csi.storage.k8s.io/node-stage-secret-namespace': NS.rookCluster,
        'csi.storage.k8s.io/fstype': 'ext4',
      },
    },
  };
}
