/**
 * Names the object-storage platform (platform stack) and the object store (services stack) must
 * agree on without a cross-stack reference. Changing one renames or replaces real resources.
 */
import { NS, STORAGE_CLASSES } from '../../policy/layout';

/** The CephCluster, named after its namespace as the rook-ceph-cluster chart does by default. */
export const CEPH_CLUSTER_NAME = NS.rookCluster;

/**
 * The Ceph release every daemon runs. Tentacle (v20) is Rook v1.20.6's default and the first
 * release that can turn on object lock for an existing versioned bucket (ceph/ceph#61946), which
 * the bucket configurator relies on. Source: ../shared/reference/operators.md section c.
 */
export const CEPH_IMAGE = { repository: 'quay.io/ceph/ceph', tag: 'v20.2.4' } as const;

/** The one CephObjectStore of a cluster (S3 gateway, pools, users). */
export const OBJECT_STORE_NAME = 'dc-objectstore';

/** The RBD pool behind STORAGE_CLASSES.block. */
export const BLOCK_POOL_NAME = 'ceph-rbd';

/**
 * The prefix Rook gives its provisioners. We set `obcProvisionerNamePrefix` and the CSI driver
 * names to the operator namespace explicitly, so the names never depend on a chart default.
 */
export const PROVISIONER_PREFIX = NS.rookSystem;

/** `<operator namespace>.ceph.rook.io/bucket`: the provisioner of ObjectBucketClaims. */
export const BUCKET_PROVISIONER = `${PROVISIONER_PREFIX}.ceph.rook.io/bucket`;

/** `<operator namespace>.rbd.csi.ceph.com`: the Ceph-CSI RBD driver (ceph-csi-drivers chart). */
export const RBD_DRIVER = `${PROVISIONER_PREFIX}.rbd.csi.ceph.com`;

/** The Service Rook creates for the gateways: `rook-ceph-rgw-<store>`. */
export const RGW_SERVICE = `rook-ceph-rgw-${OBJECT_STORE_NAME}`;

/** The only port the gateways listen on (TLS). */
export const RGW_TLS_PORT = 443;

/** The https URL of the S3 endpoint inside the cluster. */
export const RGW_ENDPOINT = `https://${RGW_SERVICE}.${NS.rookCluster}.svc`;

/** The labels Rook puts on gateway pods (`labelsForRgw` in Rook's object controller). */
export const RGW_POD_LABELS = { app: 'rook-ceph-rgw', rgw: OBJECT_STORE_NAME } as const;

/** The label Rook puts on every Ceph daemon pod with its cluster's namespace. */
export const CEPH_DAEMON_LABELS = { rook_cluster: NS.rookCluster } as const;

/** The label of the Rook operator pod. */
export const ROOK_OPERATOR_LABELS = { app: 'rook-ceph-operator' } as const;

/** Region name the S3 clients use; RGW accepts any with a single zonegroup. */
export const S3_REGION = 'us-east-1';

export { STORAGE_CLASSES };
