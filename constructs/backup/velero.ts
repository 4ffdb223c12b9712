/**
 * Velero (chart `velero` 12.1.0, app 1.18.1; ../shared/reference/operators.md section d):
 * the chart in every workload cluster's platform stack, and its BackupStorageLocation and
 * Schedules as custom resources in the services stack.
 */
import type { Construct } from 'constructs';
import { OPERATORS } from '../../lib/versions';
import { NS } from '../../policy/layout';
import { CustomResource } from '../k8s-object';
import { Peer, ZONE_LABEL } from '../network/peer';
import { placementFor } from '../network/placement';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { OperatorChart } from '../operator-chart';
import { SecretRef } from '../secrets/secret-ref';
import type { BackupTier } from '../../policy/backup/tiers';
import { veleroTtl } from '../../policy/backup/tiers';

/** The Velero server image: the chart's appVersion, pinned. */
export const VELERO_IMAGE = { repository: 'velero/velero', tag: `v${OPERATORS.velero.appVersion}` } as const;

/**
 * The S3 object-store plugin. v1.13.1 is the image the 12.x chart's own example pins
 * (operators.md section d); check velero-plugin-for-aws's compatibility table for Velero 1.18
 * before production and mirror the image into the data centre's registry.
 */
export const VELERO_AWS_PLUGIN_IMAGE = 'velero/velero-plugin-for-aws:v1.13.1';

/** The Velero backup bucket of a cluster, also the name of its claim's Secret (platform and services stacks agree on it). */
export function veleroBucketName(environment: string, cluster: string): string {
  return `velero-${environment}-${cluster}`;
}

/** The one BackupStorageLocation of a cluster (the default one). */
export const BACKUP_LOCATION_NAME = 'dc-ceph';

/** Label on every Velero backup naming its tier (set through the Schedule template). */
export const TIER_BACKUP_LABEL = 'moit.gov.vn/backup-tier';

/** Why every pod of the velero namespace is one network peer. */
export const VELERO_NAMESPACE_EXCEPTION = {
  reason:
    'Velero creates data-mover, repository-maintenance and backup pods on demand, with labels that change between releases; all of them, and only they, run in the velero namespace and need the API server and the backup bucket.',
};

/** Every pod of the velero namespace (see VELERO_NAMESPACE_EXCEPTION). */
export function veleroPods() {
  return Peer.namespace({ namespace: NS.velero, zone: 'mgmt', exception: VELERO_NAMESPACE_EXCEPTION });
}

export interface VeleroChartProps {
  /**
   * The Secret, in the velero namespace, whose keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
   * the server and node agents load as environment variables: the backup bucket's claim
   * Secret, which Rook generates in-cluster once the services stack has declared the claim.
   * The AWS plugin reads them through the SDK's default credential chain, so the
   * BackupStorageLocation names no credential file.
   */
  readonly credentialsSecret: string;
}

/** The Deployment and DaemonSet the chart names after its release (`velero`, `node-agent`). */
export const VELERO_WORKLOADS = [
  { apiVersion: 'apps/v1', kind: 'Deployment', name: 'velero' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-agent' },
] as const;

/**
 * The bucket keys as environment variables that may be missing: the Secret appears only when the
 * services stack's claim is bound, after this chart is installed. The chart's
 * `credentials.extraSecretRef` renders a non-optional `envFrom`, so a pod would wait for the
 * Secret, the atomic release would time out and roll back, and the services stack that creates
 * the claim would never run. The services stack restarts both workloads once the Secret exists
 * (VeleroCredentialsReload).
 */
export function veleroCredentialEnv(secretName: string): Array<Record<string, unknown>> {
  return ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secretName, key, optional: true } } }));
}

/**
 * The Secret Velero encrypts its kopia repository with. Velero creates it with a published
 * default (`static-passw0rd`, velero#6443, #8137) if it is missing, so the services stack
 * produces it first: a generated value kept in OpenBao (constructs/secrets/generated-secret.ts),
 * the same after a rebuild, never rotated after the first backup.
 */
export const VELERO_REPOSITORY_SECRET = SecretRef.of({ name: 'velero-repo-credentials', namespace: NS.velero, keys: ['repository-password'] });

/**
 * The Velero chart: server in the mgmt zone, node agents on every node (they read pod volumes
 * through the kubelet's host path to move CSI snapshot data into the backup bucket; hence the
 * velero namespace's privileged Pod Security exception in policy/layout.ts).
 *
 * - No BackupStorageLocation or VolumeSnapshotLocation from the chart: its 12.1.0 BSL template
 *   renders only the deprecated base64 `caCert`, and CSI snapshots need no VSL. The BSL is a
 *   custom resource in the services stack with `caCertRef` (VeleroBackupLocation).
 * - CSI snapshots with the data mover (`EnableCSI`, still required in 1.18; kopia): volume data
 *   leaves the cluster's block storage for the object store. The snapshots are cut through the
 *   VolumeSnapshotClass labelled for Velero (ceph-platform.ts); `snapshotsEnabled: false`, as
 *   CSI needs no VolumeSnapshotLocation and the chart's default one has no provider.
 * - Installable before its bucket exists: the bucket's keys come as optional environment
 *   variables (veleroCredentialEnv), and the services stack restarts Velero once they exist.
 * - The server runs non-root, read-only, without privileges; the chart binds it to
 *   cluster-admin, which backing up and restoring every kind of object requires (Velero docs).
 *
 * The repository password (`VELERO_REPOSITORY_SECRET`) is produced by the services stack from
 * OpenBao before the first backup location exists.
 */
export class VeleroChart extends OperatorChart {
  constructor(scope: Construct, id: string, props: VeleroChartProps) {
    const mgmt = placementFor(scope, 'mgmt');
    super(scope, id, {
      operator: 'velero',
      values: {
        image: { ...VELERO_IMAGE, pullPolicy: 'IfNotPresent' },
        initContainers: [
          {
            name: 'velero-plugin-for-aws',
            image: VELERO_AWS_PLUGIN_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          },
        ],
        podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } },
        ...(mgmt.nodeSelector ? { nodeSelector: mgmt.nodeSelector } : {}),
        ...(mgmt.tolerations ? { tolerations: mgmt.tolerations } : {}),
        upgradeCRDs: true,
        cleanUpCRDs: false,
        backupsEnabled: false,
        snapshotsEnabled: false,
        deployNodeAgent: true,
        nodeAgent: {
          podVolumePath: '/var/lib/kubelet/pods',
          // Volumes live on every zone's nodes: the agents tolerate every zone's taint.
          tolerations: [{ key: ZONE_LABEL, operator: 'Exists', effect: 'NoSchedule' }],
          resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } },
          extraEnvVars: veleroCredentialEnv(props.credentialsSecret),
        },
        // No credentials file and no envFrom (see veleroCredentialEnv).
        credentials: { useSecret: false },
        configuration: {
          extraEnvVars: veleroCredentialEnv(props.credentialsSecret),
          features: 'EnableCSI',
          uploaderType: 'kopia',
          defaultSnapshotMoveData: true,
          defaultVolumesToFsBackup: false,
          logFormat: 'json',
        },
        metrics: { enabled: true },
      },
    });
    // Velero's own traffic, declared where it is installed: its pods use the API server.
    Segmentation.of(this).allow(veleroPods(), apiServerPeer(this), {
      ports: API_SERVER_PORTS,
      description: 'Velero server, node agents and data movers read and write Kubernetes objects (backups, restores, DataUploads)',
      declaredBy: this,
    });
  }
}

export interface VeleroBackupLocationProps {
  readonly bucket: string;
  /** The https URL of the S3 endpoint. */
  readonly endpoint: string;
  /** The S3 region to sign requests with. */
  readonly region: string;
  /** The Secret (velero namespace) and key holding the CA that signed the endpoint's certificate. */
  readonly ca: { readonly secretName: string; readonly key: string };
  /** A folder in the bucket. @default "backups" */
  readonly prefix?: string;
}

/**
 * The cluster's default BackupStorageLocation: its backup bucket in the cluster's own object
 * store, over https verified with the internal CA (`caCertRef`, Velero 1.18). No `credential`:
 * the chart loads the bucket's keys as environment variables (VeleroChart).
 */
export class VeleroBackupLocation extends CustomResource {
  readonly locationName = BACKUP_LOCATION_NAME;

  constructor(scope: Construct, id: string, props: VeleroBackupLocationProps) {
    super(scope, id, {
      object: {
        apiVersion: 'velero.io/v1',
        kind: 'BackupStorageLocation',
        metadata: { name: BACKUP_LOCATION_NAME, namespace: NS.velero, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          provider: 'aws',
          default: true,
          accessMode: 'ReadWrite',
          objectStorage: { bucket: props.bucket, prefix: props.prefix ?? 'backups', caCertRef: { name: props.ca.secretName, key: props.ca.key } },
          config: { region: props.region, s3ForcePathStyle: 'true', s3Url: props.endpoint },
          validationFrequency: '1m0s',
          backupSyncPeriod: '1m0s',
        },
      },
    });
  }
}

/** What a namespace's backup includes. */
export type NamespaceBackupScope = 'objects-and-volumes' | 'objects-only';

export interface VeleroScheduleProps {
  /** The namespace backed up. */
  readonly namespace: string;
  readonly tier: BackupTier;
  /**
   * `objects-and-volumes`: Kubernetes objects and CSI snapshots of its volumes, moved to the
   * bucket. `objects-only`: objects, no volume data (for namespaces whose data another mechanism
   * keeps, like Postgres through Barman). @default "objects-and-volumes"
   */
  readonly scope?: NamespaceBackupScope;
  /** Why the scope is what it is, recorded on the Schedule. */
  readonly reason?: string;
  /** @default BACKUP_LOCATION_NAME */
  readonly storageLocation?: string;
}

/**
 * A Velero Schedule backing up one namespace on its tier's schedule (five-field cron), kept for
 * the tier's retention (`ttl`). Volumes go through CSI snapshots and the data mover; with
 * `objects-only`, persistent volume claims and volumes are excluded (`excludedResources`), so
 * no snapshot is taken and a restore never brings back a stale copy of data another mechanism
 * owns.
 */
export class VeleroSchedule extends CustomResource {
  readonly namespace: string;
  readonly tier: BackupTier;
  readonly scope: NamespaceBackupScope;

  constructor(scope: Construct, id: string, props: VeleroScheduleProps) {
    const backupScope = props.scope ?? 'objects-and-volumes';
    const volumes = backupScope === 'objects-and-volumes';
    super(scope, id, {
      object: {
        apiVersion: 'velero.io/v1',
        kind: 'Schedule',
        metadata: {
          name: props.namespace,
          namespace: NS.velero,
          labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', [TIER_BACKUP_LABEL]: props.tier.name },
          annotations: {
            'moit.gov.vn/purpose': `Backs up namespace ${props.namespace} (${volumes ? 'objects and volumes' : 'objects only'}), tier ${props.tier.name}.`,
            ...(props.reason ? { 'moit.gov.vn/backup-scope': props.reason } : {}),
          },
        },
        spec: {
          schedule: props.tier.schedule,
          useOwnerReferencesInBackup: false,
          template: {
            storageLocation: props.storageLocation ?? BACKUP_LOCATION_NAME,
            includedNamespaces: [props.namespace],
            ...(volumes ? {} : { excludedResources: ['persistentvolumeclaims', 'persistentvolumes'] }),
            snapshotVolumes: volumes,
            ...(volumes ? { snapshotMoveData: true } : {}),
            defaultVolumesToFsBackup: false,
            ttl: veleroTtl(props.tier),
            csiSnapshotTimeout: '30m0s',
            itemOperationTimeout: '4h0m0s',
            metadata: { labels: { [TIER_BACKUP_LABEL]: props.tier.name } },
          },
        },
      },
    });
    this.namespace = props.namespace;
    this.tier = props.tier;
    this.scope = backupScope;
  }
}
