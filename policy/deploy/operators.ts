/**
 * What operators and charts create at run time from what the estate declares, so a reference
 * to it counts as provided. Each naming rule is taken from the operator's source (cited; read
 * through the stored GitHub index, which may hold a commit near, not at, the pinned tag).
 */
import { asArray, asString, chartValues, groupOf, isObject, type KubeObject, type Resource } from '../audit/model';

/** The kinds of object the reference check follows. */
export const REFERENCE_KINDS = ['Secret', 'ConfigMap', 'StorageClass', 'VolumeSnapshotClass', 'PriorityClass', 'ServiceAccount', 'Namespace'] as const;
export type RefKind = (typeof REFERENCE_KINDS)[number];

const CLUSTER_SCOPED = new Set<RefKind>(['StorageClass', 'VolumeSnapshotClass', 'PriorityClass', 'Namespace']);
export const isClusterScoped = (kind: RefKind) => CLUSTER_SCOPED.has(kind);

/** An object the estate (or an operator acting on it) creates. */
export interface Product {
  readonly kind: RefKind;
  readonly name: string;
  readonly namespace?: string;
  readonly resource: Resource;
  /** How it comes to exist, for messages: `ObjectBucketClaim velero/velero-prod-core (lib-bucket-provisioner)`. */
  readonly via: string;
}

/**
 * Objects every cluster has from the start (kubeadm, kube-apiserver and kube-controller-manager
 * create them): they need no producer.
 */
export const BUILT_IN: Readonly<Record<RefKind, readonly string[]>> = {
  Namespace: ['default', 'kube-system', 'kube-public', 'kube-node-lease'],
  PriorityClass: ['system-cluster-critical', 'system-node-critical'],
  // The root-CA ConfigMap is published into every namespace by kube-controller-manager.
  ConfigMap: ['*/kube-root-ca.crt'],
  ServiceAccount: ['*/default'],
  Secret: [],
  StorageClass: [],
  VolumeSnapshotClass: [],
};

export function isBuiltIn(kind: RefKind, name: string, namespace?: string): boolean {
  return BUILT_IN[kind].some((b) => b === name || b === `*/${name}` || (namespace !== undefined && b === `${namespace}/${name}`));
}

/** Strimzi's `STRIMZI_SECRET_PREFIX` of the user operator; the chart leaves it empty. */
const KAFKA_USER_SECRET_PREFIX = '';

/**
 * The objects an operator creates from one custom resource.
 *
 * - ObjectBucketClaim → Secret and ConfigMap named as the claim, in its namespace:
 *   lib-bucket-provisioner `pkg/provisioner` `NewCredentialsSecret`/`NewBucketConfigMap`
 *   (`ObjectMeta{Name: obc.Name, Namespace: obc.Namespace}`), which Rook's bucket provisioner embeds.
 * - Certificate → Secret `spec.secretName` in its namespace (cert-manager `Certificate` API).
 * - KafkaUser → Secret `<prefix><name>`: Strimzi `KafkaUserModel.getSecretName(secretPrefix, username)`
 *   returns `secretPrefix + username`.
 * - Kafka → `<name>-cluster-ca-cert`, `<name>-clients-ca-cert`, `<name>-cluster-ca`, `<name>-clients-ca`:
 *   Strimzi `KafkaResources` `clusterCaCertificateSecretName`, `clientsCaCertificateSecretName`,
 *   `clusterCaKeySecretName`, `clientsCaKeySecretName` (`clusterName + "-cluster-ca-cert"` etc.).
 * - CephObjectStoreUser → Secret `rook-ceph-object-user-<spec.store>-<name>` in its namespace:
 *   rook/rook `pkg/operator/ceph/object/user/controller.go` `generateCephUserSecretName`.
 * - ExternalSecret → Secret `spec.target.name` (default its own name) in its namespace (ESO).
 * - Bundle → ConfigMap named as the Bundle in the namespaces its target selects (trust-manager).
 * - CloudNativePG Cluster → `<name>-app`, `<name>-ca`, `<name>-server`, `<name>-replication`, and
 *   `<name>-superuser` when superuser access is enabled: cloudnative-pg `api/v1/cluster_types.go`
 *   (`ApplicationUserSecretSuffix "-app"`, `DefaultServerCaSecretSuffix "-ca"`, `ServerSecretSuffix
 *   "-server"`, `ReplicationSecretSuffix "-replication"`, `SuperUserSecretSuffix "-superuser"`); a
 *   name given in `spec.certificates` replaces the generated one (`GetServerCASecretName` etc.).
 */
export function operatorProducts(o: KubeObject): Product[] {
  const out: Product[] = [];
  const group = groupOf(o.apiVersion);
  const ns = o.namespace;
  const add = (kind: RefKind, name: string | undefined, via: string, namespace = ns) => {
    if (name) out.push({ kind, name, ...(isClusterScoped(kind) ? {} : { namespace }), resource: o.resource, via: `${o.kind} ${ns ? `${ns}/` : ''}${o.name} (${via})` });
  };
  const spec = o.spec;
  switch (`${o.kind}.${group}`) {
    case 'ObjectBucketClaim.objectbucket.io':
      add('Secret', o.name, 'lib-bucket-provisioner NewCredentialsSecret');
      add('ConfigMap', o.name, 'lib-bucket-provisioner NewBucketConfigMap');
      break;
    case 'Certificate.cert-manager.io':
      add('Secret', asString(spec.secretName), 'cert-manager Certificate spec.secretName');
      break;
    case 'KafkaUser.kafka.strimzi.io':
      add('Secret', `${KAFKA_USER_SECRET_PREFIX}${o.name}`, 'Strimzi KafkaUserModel.getSecretName');
      break;
    case 'Kafka.kafka.strimzi.io':
      for (const suffix of ['-cluster-ca-cert', '-clients-ca-cert', '-cluster-ca', '-clients-ca']) add('Secret', `${o.name}${suffix}`, 'Strimzi KafkaResources');
      break;
    case 'CephObjectStoreUser.ceph.rook.io':
      add('Secret', `rook-ceph-object-user-${asString(spec.store) ?? ''}-${o.name}`, 'Rook generateCephUserSecretName');
      break;
    case 'ExternalSecret.external-secrets.io': {
      // ESO writes `spec.target.name` (default: the ExternalSecret's name) in its namespace,
      // unless creationPolicy None (external-secrets apis/externalsecrets/v1/externalsecret_types.go).
      const target = isObject(spec.target) ? spec.target : {};
      if (target.creationPolicy !== 'None') add('Secret', asString(target.name) ?? o.name, 'External Secrets Operator ExternalSecret target');
      break;
    }
    case 'Bundle.trust.cert-manager.io': {
      // trust-manager writes a ConfigMap named as the Bundle into each namespace its target's
      // namespaceSelector selects; followed here when it names them (kubernetes.io/metadata.name).
      const target = isObject(spec.target) ? spec.target : {};
      const selector = isObject(target.namespaceSelector) && isObject(target.namespaceSelector.matchLabels) ? target.namespaceSelector.matchLabels : {};
      const named = asString(selector['kubernetes.io/metadata.name']);
      if (isObject(target.configMap) && named) add('ConfigMap', o.name, 'trust-manager Bundle target.configMap', named);
      break;
    }
    case 'Cluster.postgresql.cnpg.io': {
      const certs = isObject(spec.certificates) ? spec.certificates : {};
      add('Secret', `${o.name}-app`, 'CloudNativePG ApplicationUserSecretSuffix');
      if (spec.enableSuperuserAccess === true) add('Secret', `${o.name}-superuser`, 'CloudNativePG SuperUserSecretSuffix');
      if (!certs.serverCASecret || !certs.clientCASecret) add('Secret', `${o.name}-ca`, 'CloudNativePG DefaultServerCaSecretSuffix');
      if (!certs.serverTLSSecret) add('Secret', `${o.name}-server`, 'CloudNativePG ServerSecretSuffix');
      if (!certs.replicationTLSSecret) add('Secret', `${o.name}-replication`, 'CloudNativePG ReplicationSecretSuffix');
      break;
    }
  }
  return out;
}

/**
 * The objects a chart release creates from its values (cited templates), besides its own
 * namespace when `create_namespace` is set.
 *
 * - rook-ceph: the ConfigMap `rook-csi-operator-image-set-configmap` in the release namespace,
 *   which the ceph-csi-drivers' OperatorConfig reads (rook/rook `pkg/operator/ceph/csi` constant
 *   `imageSetConfigMap`; Rook's installer adopts it as a resource of the operator chart,
 *   `tests/framework/installer/ceph_installer.go` `adoptRookOperatorHelmResourcesForUpgrade`).
 * - rook-ceph-cluster: a StorageClass per enabled `cephBlockPools[].storageClass`,
 *   `cephObjectStores[].storageClass` and `cephFileSystems[].storageClass`, and the
 *   VolumeSnapshotClasses `cephBlockPoolsVolumeSnapshotClass` / `cephFileSystemVolumeSnapshotClass`
 *   when enabled (`deploy/charts/rook-ceph-cluster/templates/{cephblockpool,cephobjectstore,
 *   cephfilesystem,volumesnapshotclass}.yaml`); the CephCluster's CSI Secrets
 *   `rook-csi-rbd-provisioner` and `rook-csi-rbd-node` (Rook's CSI keyring reconcile).
 * - snapshot-controller: `volumeSnapshotClasses[].name` (`templates/volumesnapshotclass.yaml`).
 */
export function chartProducts(resource: Resource): Product[] {
  const chart = asString(resource.body.chart);
  const namespace = asString(resource.body.namespace);
  const values = chartValues(resource);
  const out: Product[] = [];
  const via = `chart ${chart}`;
  const add = (kind: RefKind, name: unknown, ns = namespace) => {
    if (typeof name === 'string' && name) out.push({ kind, name, ...(isClusterScoped(kind) ? {} : { namespace: ns }), resource, via });
  };
  if (resource.body.create_namespace === true) add('Namespace', namespace);
  if (chart === 'rook-ceph') add('ConfigMap', 'rook-csi-operator-image-set-configmap');
  if (chart === 'rook-ceph-cluster') {
    for (const list of ['cephBlockPools', 'cephObjectStores', 'cephFileSystems']) {
      for (const item of asArray(values[list])) {
        if (isObject(item) && isObject(item.storageClass) && item.storageClass.enabled !== false) add('StorageClass', item.storageClass.name);
      }
    }
    const vsc = (key: string, fallback: string) => {
      const v = values[key];
      if (isObject(v) && v.enabled === true) add('VolumeSnapshotClass', asString(v.name) ?? fallback);
    };
    vsc('cephBlockPoolsVolumeSnapshotClass', 'ceph-block');
    vsc('cephFileSystemVolumeSnapshotClass', 'ceph-filesystem');
    add('Secret', 'rook-csi-rbd-provisioner');
    add('Secret', 'rook-csi-rbd-node');
  }
  if (chart === 'snapshot-controller') for (const c of asArray(values.volumeSnapshotClasses)) if (isObject(c)) add('VolumeSnapshotClass', c.name);
  return out;
}
