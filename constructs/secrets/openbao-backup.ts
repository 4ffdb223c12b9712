/**
 * OpenBao's durability and audit trail (issue #23): Raft snapshots on a schedule, and the file
 * audit device's log shipped off the pod, both to the environment's off-site target.
 *
 * Where they go, and why there: the management cluster runs no object store (Rook-Ceph runs on
 * the workload clusters, whose gateways are reachable only inside their cluster), so the one S3
 * endpoint it can honestly reach is the one every site already declares for its off-site copies:
 * `backup.offsite`, the other site's receiving bucket, over https, versioned and object-locked
 * there (`immutable`, checked against the other environment's file by the tests). Snapshots land
 * under `openbao/<env>/snapshots/`, audit logs under `openbao/<env>/audit/`. There is no local
 * copy: a restore reads from the other site (docs/secrets.md, "Restoring OpenBao").
 *
 * Snapshots: the chart's `snapshotAgent` (openbao-snapshot-agent 0.4.1) uploads with s3cmd,
 * whose use of a private CA is unverified (../shared/reference/secrets.md), and prunes old
 * snapshots itself, which an object-locked bucket refuses. So the job is declared here with
 * the two images the estate already pins: OpenBao's own (`bao write auth/<mount>/login` with
 * the pod's service-account token, then `bao operator raft snapshot save` against the active
 * node) in an init container, and rclone (`copy`, never deleting, verified TLS) to upload.
 * The token's policy is {@link SNAPSHOT_POLICY}, bound by {@link SNAPSHOT_ROLE} on the
 * management cluster's Kubernetes auth mount (configuration as code: openbao-config.ts).
 *
 * Audit: OpenBao writes its file audit device to the `audit` volume of each server pod; a
 * Fluent Bit sidecar in the same pod tails that file and ships it to S3 over verified TLS. The
 * S3 keys are the one bootstrap Secret {@link OFFSITE_KEYS_SECRET}: they must exist before
 * OpenBao runs, since restoring OpenBao needs them while it is down.
 */
import { Construct } from 'constructs';
import type { OffsiteTarget } from '../../environments/sections/backup';
import { declarePrerequisite } from '../../lib/markers';
import { ServiceAccountV1, type CronJobV1 } from '../../lib/providers';
import { dependOn } from '../../lib/tf';
import { OPERATORS } from '../../lib/versions';
import { MANAGEMENT_CLUSTER } from '../../policy/names';
import { kubernetesAuthMount } from '../../policy/secrets';
import type { BackupTier } from '../../policy/backup/tiers';
import { BackupLedger } from '../backup/coverage';
import { RCLONE_IMAGE } from '../backup/offsite';
import { ClusterContext } from '../context';
import { Peer, type WorkloadPeer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { OPENBAO_API_PORT } from './operator';
import { scheduledJob } from '../scheduled-job';

/** The Kubernetes auth role the snapshot job logs in as (on the management cluster's mount). */
export const SNAPSHOT_ROLE = 'raft-snapshot';
/** Its service account, in OpenBao's namespace. */
export const SNAPSHOT_SERVICE_ACCOUNT = 'openbao-snapshot';
/** The only thing the snapshot token may do: read a Raft snapshot (`GET sys/storage/raft/snapshot`). */
export const SNAPSHOT_POLICY = 'path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}\n';
/** The bootstrap Secret (openbao namespace) with the other site's S3 keys for the receiving bucket. */
export const OFFSITE_KEYS_SECRET = 'openbao-offsite-keys';
/** The label that selects the snapshot job's pods. */
export const SNAPSHOT_LABEL = 'moit.gov.vn/openbao-snapshot';
/** Fluent Bit, the release the estate's audit-log shipper pins (lib/versions.ts fluentBit). */
export const FLUENT_BIT_IMAGE = `cr.fluentbit.io/fluent/fluent-bit:${OPERATORS.fluentBit.appVersion}`;
/** The OpenBao image the server runs (the chart's default tag is the appVersion without "v"). */
export const OPENBAO_IMAGE = `quay.io/openbao/openbao:${OPERATORS.openbao.appVersion.replace(/^v/, '')}`;

/** Where, in the receiving bucket, one environment's OpenBao snapshots and audit logs go. */
export function openBaoOffsitePrefix(environment: string, what: 'snapshots' | 'audit'): string {
  return `openbao/${environment}/${what}`;
}

/** The record both constructs leave on what they declare (`"//".secretStore`), read by SEC-004 and SEC-005. */
export interface SecretStoreDurability {
  readonly what: 'raft-snapshots' | 'audit-log';
  readonly target: { readonly environment: string; readonly site: string; readonly endpoint: string; readonly bucket: string; readonly prefix: string };
  readonly offsite: true;
  readonly immutable: boolean;
  readonly tls: true;
}

function targetOf(t: OffsiteTarget, prefix: string): SecretStoreDurability['target'] {
  return { environment: t.environment, site: t.site, endpoint: t.endpoint, bucket: t.bucket, prefix };
}

/** The snapshot job's pods. */
export function snapshotPeer(): WorkloadPeer {
  return Peer.workload({ name: 'openbao-snapshot', namespace: OPERATORS.openbao.namespace, zone: 'mgmt', selector: { [SNAPSHOT_LABEL]: 'raft' } });
}

/** The other site's object store, as the off-site copiers declare it: a backup target outside the cluster. */
function offsitePeer(t: OffsiteTarget) {
  return Peer.external({ name: `offsite-${t.environment}`, cidr: t.cidr, backupTarget: true });
}

/** The init container's script: log in with the pod's token, save a snapshot from the active node. */
export function snapshotScript(environment: string): string {
  const mount = kubernetesAuthMount(environment, MANAGEMENT_CLUSTER);
  return [
    'set -eu',
    `BAO_TOKEN="$(bao write -field=token auth/${mount}/login role=${SNAPSHOT_ROLE} jwt=@/var/run/secrets/kubernetes.io/serviceaccount/token)"`,
    'export BAO_TOKEN',
    `f="/snapshots/openbao-${environment}-$(date -u +%Y%m%dT%H%M%SZ).snap"`,
    'bao operator raft snapshot save "$f"',
    // An empty file is a failed snapshot: fail the job so its alert fires.
    'test -s "$f"',
    'echo "saved $f"',
  ].join('\n');
}

/** The upload container's script: copy (never sync, never delete) the snapshot to the receiving bucket. */
export function uploadScript(bucket: string, prefix: string): string {
  return ['set -eu', `rclone copy /snapshots "dst:${bucket}/${prefix}" --s3-no-check-bucket --retries 5 --log-level INFO --use-json-log --ca-cert /etc/openbao-ca/ca.crt`, `echo "uploaded to ${bucket}/${prefix}"`].join('\n');
}

/**
 * The Fluent Bit sidecar of each OpenBao server pod (chart `server.extraContainers`): tails the
 * file audit device's log on the shared `audit` volume and ships it over verified TLS.
 */
export function auditShipperContainer(t: OffsiteTarget, environment: string, auditLog: string, caFile: string): Record<string, unknown> {
  const dir = auditLog.replace(/\/[^/]+$/, '');
  return {
    name: 'audit-shipper',
    image: FLUENT_BIT_IMAGE,
    args: [
      '-f', '5',
      '-i', 'tail', '-t', 'openbao.audit', '-p', `path=${auditLog}`, '-p', `db=${dir}/.fluent-bit-tail.db`, '-p', 'read_from_head=true', '-p', 'skip_long_lines=off', '-p', 'mem_buf_limit=32MB',
      '-o', 's3', '-m', 'openbao.*',
      '-p', `bucket=${t.bucket}`, '-p', 'region=us-east-1', '-p', `endpoint=${t.endpoint}`,
      '-p', 'tls=on', '-p', 'tls.verify=on', '-p', `tls.ca_file=${caFile}`,
      // An object-locked bucket refuses a PUT without Content-MD5.
      '-p', 'use_put_object=on', '-p', 'send_content_md5=true',
      '-p', 'compression=gzip', '-p', 'total_file_size=50M', '-p', 'upload_timeout=5m',
      '-p', `store_dir=${dir}/.fluent-bit-s3`,
      // $(POD_NAME) is expanded by the kubelet (from env below); $UUID and the date by Fluent Bit.
      '-p', `s3_key_format=/${openBaoOffsitePrefix(environment, 'audit')}/$(POD_NAME)/%Y/%m/%d/%H%M%S-$UUID.gz`,
      '-p', 'retry_limit=no_limits',
    ],
    env: [
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: OFFSITE_KEYS_SECRET, key: t.credentialKeys.accessKeyId } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: OFFSITE_KEYS_SECRET, key: t.credentialKeys.secretAccessKey } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [
      { name: 'audit', mountPath: dir },
      { name: 'tls', mountPath: caFile.replace(/\/[^/]+$/, ''), readOnly: true },
    ],
  };
}

/** The record of the audit shipper, for the OpenBao chart release. */
export function auditShippingRecord(t: OffsiteTarget, environment: string): SecretStoreDurability {
  return { what: 'audit-log', target: targetOf(t, openBaoOffsitePrefix(environment, 'audit')), offsite: true, immutable: t.immutable, tls: true };
}

/** Declares the bootstrap Secret with the other site's keys, on the resource that consumes it. */
export function declareOffsiteKeys(resource: Parameters<typeof declarePrerequisite>[0], t: OffsiteTarget): void {
  declarePrerequisite(resource, {
    kind: 'secret',
    name: OFFSITE_KEYS_SECRET,
    namespace: OPERATORS.openbao.namespace,
    providedBy: 'secret-management',
    purpose: `S3 keys ${t.environment} (${t.site}) issues for OpenBao's snapshots and audit logs in its bucket ${t.bucket}; bootstrap set, because restoring OpenBao needs them while OpenBao is down.`,
    keys: [t.credentialKeys.accessKeyId, t.credentialKeys.secretAccessKey],
    rotation: `Rotated yearly, and at once when a holder leaves, by the security officers of both sites: ${t.environment} issues new keys for the bucket, they replace this Secret, then revoke the old keys.`,
  });
}

export interface OpenBaoSnapshotsProps {
  readonly target: OffsiteTarget;
  readonly tier: BackupTier;
  /** The service the coverage table lists, `mgmt/openbao/openbao`. */
  readonly service: string;
  /** OpenBao's pods (the API the job calls). */
  readonly pods: WorkloadPeer;
  /** The TLS Secret whose ca.crt verifies OpenBao and the other site's endpoint (the internal CA). */
  readonly tlsSecret: string;
  /** The OpenBao Service the job reaches: the active node. */
  readonly activeAddress: string;
}

/** A CronJob on the tier's schedule: a Raft snapshot from the active node, copied to the off-site bucket. */
export class OpenBaoSnapshots extends Construct {
  readonly cronJob: CronJobV1;
  readonly serviceAccount: ServiceAccountV1;
  readonly record: SecretStoreDurability;

  constructor(scope: Construct, id: string, props: OpenBaoSnapshotsProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const env = stack.environment.name;
    const namespace = OPERATORS.openbao.namespace;
    const t = props.target;
    const prefix = openBaoOffsitePrefix(env, 'snapshots');
    const placement = placementFor(this, 'mgmt');
    const selector = { [SNAPSHOT_LABEL]: 'raft' };
    // The namespace (and its default deny) exists before anything lands in it.
    const created = stack.createdNamespace(namespace);
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      provider: stack.kubernetes,
      ...(created ? { dependsOn: [created.namespace, ...created.baseline] } : {}),
      metadata: { name: SNAPSHOT_SERVICE_ACCOUNT, namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
      // Only the job's pods mount a token (below), and only to log in to OpenBao.
      automountServiceAccountToken: false,
    });
    const ca = { name: 'openbao-ca', secret: { secretName: props.tlsSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } };
    const restricted = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
    this.cronJob = scheduledJob(this, 'cron-job', {
      provider: stack.kubernetes,
      metadata: {
        name: 'openbao-snapshot',
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', ...selector },
        annotations: { 'moit.gov.vn/purpose': `Raft snapshots of OpenBao (${env}) to ${t.environment} (${t.site}) bucket ${t.bucket}/${prefix}, tier ${props.tier.name}.` },
      },
      schedule: props.tier.schedule,
      selector,
      placement,
      pod: {
      serviceAccountName: SNAPSHOT_SERVICE_ACCOUNT,
      automountServiceAccountToken: true,
      securityContext: { runAsNonRoot: true, runAsUser: '100', runAsGroup: '1000', fsGroup: '1000', seccompProfile: { type: 'RuntimeDefault' } },
      initContainer: [
        {
          name: 'snapshot',
          image: OPENBAO_IMAGE,
          command: ['/bin/sh', '-ec', snapshotScript(env)],
          env: [
            { name: 'BAO_ADDR', value: props.activeAddress },
            { name: 'BAO_CACERT', value: '/etc/openbao-ca/ca.crt' },
            { name: 'HOME', value: '/tmp' },
          ],
          securityContext: restricted,
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
          volumeMount: [
            { name: 'openbao-ca', mountPath: '/etc/openbao-ca', readOnly: true },
            { name: 'snapshots', mountPath: '/snapshots' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      container: [
        {
          name: 'upload',
          image: RCLONE_IMAGE,
          command: ['/bin/sh', '-ec', uploadScript(t.bucket, prefix)],
          env: [
            { name: 'RCLONE_CONFIG_DST_TYPE', value: 's3' },
            { name: 'RCLONE_CONFIG_DST_PROVIDER', value: 'Ceph' },
            { name: 'RCLONE_CONFIG_DST_ENDPOINT', value: t.endpoint },
            { name: 'RCLONE_CONFIG_DST_FORCE_PATH_STYLE', value: 'true' },
            { name: 'RCLONE_CONFIG_DST_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: OFFSITE_KEYS_SECRET, key: t.credentialKeys.accessKeyId } } },
            { name: 'RCLONE_CONFIG_DST_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: OFFSITE_KEYS_SECRET, key: t.credentialKeys.secretAccessKey } } },
            { name: 'HOME', value: '/tmp' },
            { name: 'RCLONE_CONFIG', value: '/tmp/rclone.conf' },
          ],
          securityContext: restricted,
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
          volumeMount: [
            { name: 'openbao-ca', mountPath: '/etc/openbao-ca', readOnly: true },
            { name: 'snapshots', mountPath: '/snapshots', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volume: [ca, { name: 'snapshots', emptyDir: { sizeLimit: '2Gi' } }, { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
      },
    });
    dependOn(this.cronJob, this.serviceAccount);
    declareOffsiteKeys(this.cronJob, t);
    this.record = { what: 'raft-snapshots', target: targetOf(t, prefix), offsite: true, immutable: t.immutable, tls: true };
    this.cronJob.addOverride('//.secretStore', this.record);
    // The job keeps the secret store's service (whose tier is on the release holding the volumes).
    BackupLedger.of(this).addMechanism(props.service, {
      kind: 'raft-snapshot',
      schedule: props.tier.schedule,
      retentionDays: props.tier.retentionDays,
      target: `${t.environment} (${t.site}): bucket ${t.bucket}/${prefix}`,
      immutable: t.immutable,
      offsite: true,
      watch: { namespace, cronjob: 'openbao-snapshot' },
      description: `bao operator raft snapshot save from the active node, copied (never deleted) over verified TLS to the other site${t.immutable ? ', object-locked there' : ''}`,
    });
    const segmentation = Segmentation.of(this);
    const peer = snapshotPeer();
    segmentation.allow(peer, props.pods, { ports: [OPENBAO_API_PORT], description: 'the snapshot job logs in and saves a Raft snapshot from the active node over TLS', declaredBy: this });
    segmentation.allow(peer, offsitePeer(t), { ports: [Port.tcp(t.port)], description: `OpenBao's Raft snapshots to ${t.environment} (${t.site}), bucket ${t.bucket} over TLS`, declaredBy: this });
  }
}

/** The flow of the audit sidecar (it runs in OpenBao's pods) to the other site. */
export function allowAuditShipping(scope: Construct, pods: WorkloadPeer, t: OffsiteTarget): void {
  Segmentation.of(scope).allow(pods, offsitePeer(t), { ports: [Port.tcp(t.port)], description: `OpenBao's audit log (Fluent Bit sidecar) to ${t.environment} (${t.site}), bucket ${t.bucket} over TLS`, declaredBy: scope });
}
