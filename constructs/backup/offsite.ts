/**
 * Off-site copies of buckets: a CronJob per tier in the velero namespace copies every bucket of
 * that tier into the other site's receiving bucket, on the tier's schedule.
 *
 * Why a job and not Ceph's own replication: Rook declares RGW multisite (realm, zone group,
 * zone) with CephObjectRealm / CephObjectZoneGroup / CephObjectZone, whose CRDs are not among
 * the schemas this project validates against (../shared/crds/rook-ceph has cephblockpools,
 * cephclusters, cephobjectstores, cephobjectstoreusers, objectbucketclaims, objectbuckets), and
 * S3 PutBucketReplication on RGW works only inside a multisite zone group. An
 * ObjectBucketClaim's `additionalConfig` has no replication field (Rook v1.20 docs). So the copy
 * is a plain, declared job with a declared network flow to the other site (a backup target).
 *
 * What makes the copy safe:
 * - `rclone sync` into a versioned receiving bucket: the copy mirrors the source (a Velero kopia
 *   repository or a Barman archive stays consistent, with no blob expiring while still used),
 *   and whatever the sync removes or overwrites there only becomes a noncurrent version, kept
 *   for that bucket's noncurrent-version expiry;
 * - the receiving bucket at the other site has object lock (declared there under
 *   `backup.receives`): every copied version is kept for its lock period, whatever anyone
 *   holding this site's keys does, a sync of an emptied source included; Velero cannot write
 *   to a locked bucket, which is why its bucket is copied here instead of locked;
 * - the source keys are read-only (a `grantRead` user of each bucket);
 * - the other site's keys are a Secret reference delivered by the secret-management process.
 */
import { Construct } from 'constructs';
import type { OffsiteTarget } from '../../environments/sections/backup';
import { SecretRef } from '../secrets/secret-ref';
import { StoreSecret } from '../secrets/store-secret';
import { peerCredentialKey } from '../../policy/secrets';
import type { CronJobV1 } from '../../lib/providers';
import { NS } from '../../policy/layout';
import { Peer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { ClusterContext } from '../context';
import type { Bucket } from '../storage/bucket';
import type { BackupTier } from '../../policy/backup/tiers';
import { scheduledJob } from '../scheduled-job';

/**
 * rclone, pinned. Mirror it into the data centre's registry and pin it by digest there; check
 * the tag before production.
 */
export const RCLONE_IMAGE = 'docker.io/rclone/rclone:1.70.3';

/** The consumer name of the copier's read-only object-store user (`velero.offsite-copier`). */
export const COPIER_CONSUMER = 'offsite-copier';

/** The label that selects the copier's pods (network policies). */
export const COPIER_LABEL = 'moit.gov.vn/offsite-copier';

export interface OffsiteCopierProps {
  readonly tier: BackupTier;
  /** The buckets of this tier, in this cluster's object store. */
  readonly buckets: readonly Bucket[];
  readonly target: OffsiteTarget;
  /** Where the copies land in the receiving bucket: `<prefix>/<bucket>/...`. */
  readonly prefix: string;
}

/** The copier's pods of one tier. */
export function copierPeer(tier: string) {
  return Peer.workload({ name: `offsite-copy-${tier}`, namespace: NS.velero, zone: 'mgmt', selector: { [COPIER_LABEL]: tier } });
}

/** The script a copier runs: one `rclone sync` per bucket, stopping at the first failure. */
export function copierScript(buckets: readonly string[], destination: string, prefix: string, caFiles: readonly string[]): string {
  const ca = caFiles.map((f) => `--ca-cert ${f}`).join(' ');
  return [
    'set -eu',
    `for b in ${[...buckets].sort().join(' ')}; do`,
    `  rclone sync "src:$b" "dst:${destination}/${prefix}/$b" --checksum --s3-no-check-bucket --transfers 8 --retries 5 --log-level INFO --use-json-log ${ca}`,
    'done',
    `echo "copied ${buckets.length} bucket(s) to ${destination}/${prefix}"`,
  ].join('\n');
}

/**
 * The off-site copier of one tier: a CronJob that copies the tier's buckets to the other site,
 * with the read grants and the network flow it needs.
 */
export class OffsiteCopier extends Construct {
  readonly cronJob: CronJobV1;
  /** The CronJob's name (`offsite-copy-<tier>`): kube-state-metrics labels its runs with it. */
  readonly cronJobName: string;
  readonly bucketNames: readonly string[];

  constructor(scope: Construct, id: string, props: OffsiteCopierProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const t = props.target;
    const peer = copierPeer(props.tier.name);
    const grants = props.buckets.map((b) => b.grantRead({ name: COPIER_CONSUMER, namespace: NS.velero, peer }));
    this.bucketNames = props.buckets.map((b) => b.bucketName).sort();
    const source = grants[0]!;
    const localCa = source.caBundle;
    const remoteCa = t.ca ?? { secretName: localCa.secretName, key: localCa.key };
    const sameCa = remoteCa.secretName === localCa.secretName && remoteCa.key === localCa.key;
    const caFiles = sameCa ? ['/etc/ca/local/ca.crt'] : ['/etc/ca/local/ca.crt', '/etc/ca/remote/ca.crt'];
    const placement = placementFor(this, 'mgmt');
    const selector = { [COPIER_LABEL]: props.tier.name };
    const s3 = (remote: 'SRC' | 'DST', endpoint: string) => [
      { name: `RCLONE_CONFIG_${remote}_TYPE`, value: 's3' },
      { name: `RCLONE_CONFIG_${remote}_PROVIDER`, value: 'Ceph' },
      { name: `RCLONE_CONFIG_${remote}_ENDPOINT`, value: endpoint },
      { name: `RCLONE_CONFIG_${remote}_REGION`, value: source.region },
      { name: `RCLONE_CONFIG_${remote}_FORCE_PATH_STYLE`, value: 'true' },
    ];
    const name = `offsite-copy-${props.tier.name}`;
    this.cronJobName = name;
    this.cronJob = scheduledJob(this, 'cron-job', {
      provider: stack.kubernetes,
      metadata: {
        name,
        namespace: NS.velero,
        labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', ...selector },
        annotations: {
          'moit.gov.vn/purpose': `Copies the ${props.tier.name}-tier buckets (${this.bucketNames.join(', ')}) to ${t.environment} (${t.site}) bucket ${t.bucket}/${props.prefix}.`,
        },
      },
      schedule: props.tier.schedule,
      selector,
      placement,
      pod: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: '65532', runAsGroup: '65532', seccompProfile: { type: 'RuntimeDefault' } },
      container: [
        {
          name: 'copy',
          image: RCLONE_IMAGE,
          command: ['/bin/sh', '-ec', copierScript(this.bucketNames, t.bucket, props.prefix, caFiles)],
          env: [
            ...s3('SRC', source.endpoint),
            { name: 'RCLONE_CONFIG_SRC_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: source.credentials.secretName, key: source.credentials.accessKeyIdKey } } },
            { name: 'RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: source.credentials.secretName, key: source.credentials.secretAccessKeyKey } } },
            ...s3('DST', t.endpoint),
            { name: 'RCLONE_CONFIG_DST_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: t.credentialsSecret, key: t.credentialKeys.accessKeyId } } },
            { name: 'RCLONE_CONFIG_DST_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: t.credentialsSecret, key: t.credentialKeys.secretAccessKey } } },
            { name: 'HOME', value: '/tmp' },
            { name: 'RCLONE_CONFIG', value: '/tmp/rclone.conf' },
          ],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
          volumeMount: [
            { name: 'local-ca', mountPath: '/etc/ca/local', readOnly: true },
            ...(sameCa ? [] : [{ name: 'remote-ca', mountPath: '/etc/ca/remote', readOnly: true }]),
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volume: [
        { name: 'local-ca', secret: { secretName: localCa.secretName, items: [{ key: localCa.key, path: 'ca.crt' }] } },
        ...(sameCa ? [] : [{ name: 'remote-ca', secret: { secretName: remoteCa.secretName, items: [{ key: remoteCa.key, path: 'ca.crt' }] } }]),
        { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
      ],
      },
    });
    // One ExternalSecret per cluster for all tiers' copies: the first tier's construct makes it.
    if (!stack.node.tryFindChild(`offsite-credentials-${t.credentialsSecret}`)) {
      const credentials = SecretRef.of({ name: t.credentialsSecret, namespace: NS.velero, keys: [t.credentialKeys.accessKeyId, t.credentialKeys.secretAccessKey] });
      new StoreSecret(stack as unknown as Construct, `offsite-credentials-${t.credentialsSecret}`, {
        secret: credentials,
        remoteKey: peerCredentialKey(stack.cluster, NS.velero, credentials.name),
        classification: 'credential',
        writtenBy: 'peer-site',
        purpose: `Write-only S3 credentials for bucket ${t.bucket} at ${t.environment} (${t.site}), issued by that site, for the off-site copies of the backup buckets.`,
      });
    }
    // The other site's object store: outside the cluster, declared as a backup target.
    const remote = Peer.external({ name: `offsite-${t.environment}`, cidr: t.cidr, backupTarget: true });
    Segmentation.of(this).allow(peer, remote, {
      ports: [Port.tcp(t.port)],
      description: `off-site copies of the ${props.tier.name}-tier buckets to ${t.environment} (${t.site}), bucket ${t.bucket}`,
      declaredBy: this,
    });
  }
}
