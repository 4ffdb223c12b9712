/**
 * API-server audit logs off the node: Fluent Bit (chart pinned in lib/versions.ts) on every
 * control-plane node tails `/var/log/kubernetes/audit/*.log` (where the control plane writes
 * them, constructs/cluster/control-plane-hardening.ts) and the kubelet's journal, and ships them
 * over TLS to a bucket of the cluster's object store whose every version is locked in COMPLIANCE
 * mode for the days the environment's security level requires (AUDIT_LOG_DAYS, LOG-001). Nobody
 * holding the node, the cluster or the object store's keys can shorten that.
 *
 * The bucket is a custom resource (an ObjectBucketClaim) in the services stack
 * ({@link AuditLogArchive}); the shipper ({@link AuditLogShipper}) is installed in the same stack
 * after the bucket is configured: its pods read the bucket owner's Secret (`audit-logs-<env>-<cluster>`
 * in the monitoring namespace, which Rook writes when the claim is bound) and the internal CA
 * bundle (a Certificate of that stack), so installed any earlier its release would wait for
 * Secrets that do not exist yet and fail; and no log is written before versioning and the object
 * lock are on.
 */
import { Construct } from 'constructs';
import { dependOn } from '../../lib/tf';
import { NS } from '../../policy/layout';
import { AUDIT_LOG_DAYS } from '../../policy/audit/rules/LOG-001-audit-log-retention';
import { assignBackupTier } from '../backup/coverage';
import { ClusterContext } from '../context';
import { Peer, type WorkloadPeer } from '../network/peer';
import { Segmentation } from '../network/segmentation';
import { OperatorChart } from '../operator-chart';
import type { Bucket } from '../storage/bucket';
import { CA_BUNDLE_KEY, CA_BUNDLE_NAME } from '../storage/ca-bundle';
import { RGW_ENDPOINT, S3_REGION } from '../storage/names';
import type { ObjectStore } from '../storage/object-store';

/** Where the API servers write their audit log on a control-plane node. */
export const AUDIT_LOG_GLOB = '/var/log/kubernetes/audit/*.log';

/** The audit-log bucket of a cluster; also the name of its owner Secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). */
export function auditLogBucketName(environment: string, cluster: string): string {
  return `audit-logs-${environment}-${cluster}`;
}

/** Days an audit log is locked for a security level (at least LOG-001's minimum). */
export function auditLogRetentionDays(securityLevel: number): number {
  return AUDIT_LOG_DAYS[securityLevel] ?? 365;
}

/** The shipper's pods. */
export function shipperPeer(): WorkloadPeer {
  return Peer.workload({ name: 'audit-log-shipper', namespace: NS.monitoring, zone: 'mgmt', selector: { 'app.kubernetes.io/name': 'fluent-bit' } });
}

/** The Fluent Bit pipeline: audit events and the kubelet's journal to the locked bucket, over verified TLS. */
export function shipperConfig(bucket: string): Record<string, string> {
  const host = RGW_ENDPOINT;
  return {
    inputs: [
      '[INPUT]',
      '    Name tail',
      `    Path ${AUDIT_LOG_GLOB}`,
      '    Tag audit.*',
      // Audit events have no "time" field: the stock json parser would stamp them on arrival.
      '    Parser k8s_audit',
      '    DB /var/log/fluent-bit-audit.db',
      '    Mem_Buf_Limit 64MB',
      '    Skip_Long_Lines Off',
      '    Read_from_Head On',
      '',
      '[INPUT]',
      '    Name systemd',
      '    Tag host.*',
      '    Systemd_Filter _SYSTEMD_UNIT=kubelet.service',
      '    Read_From_Tail On',
      '',
    ].join('\n'),
    filters: '',
    outputs: ['audit', 'host']
      .map((tag) =>
        [
          '[OUTPUT]',
          '    Name s3',
          `    Match ${tag}.*`,
          `    bucket ${bucket}`,
          `    region ${S3_REGION}`,
          `    endpoint ${host}`,
          '    tls On',
          '    tls.verify On',
          `    tls.ca_file /etc/ca/${CA_BUNDLE_KEY}`,
          '    compression gzip',
          '    total_file_size 50M',
          '    upload_timeout 5m',
          `    store_dir /tmp/fluent-bit/s3-${tag}`,
          `    s3_key_format /${tag}/$TAG[1]/%Y/%m/%d/%H%M%S-$UUID.gz`,
          '    Retry_Limit False',
          '',
        ].join('\n'),
      )
      .join('\n'),
    customParsers: ['[PARSER]', '    Name k8s_audit', '    Format json', '    Time_Key requestReceivedTimestamp', '    Time_Format %Y-%m-%dT%H:%M:%S.%LZ', '    Time_Keep On', ''].join('\n'),
  };
}

/**
 * Fluent Bit on the control-plane nodes, shipping audit logs to the archive's bucket. Installed
 * after the bucket's configurator Job has completed: the claim is bound (its owner Secret exists),
 * the CA bundle is issued, versioning and the object lock are on.
 */
export class AuditLogShipper extends Construct {
  readonly chart: OperatorChart;
  readonly bucketName: string;

  constructor(scope: Construct, id: string, props: { readonly archive: AuditLogArchive }) {
    super(scope, id);
    this.bucketName = props.archive.bucket.bucketName;
    this.chart = new OperatorChart(this, 'chart', {
      operator: 'fluentBit',
      namespace: NS.monitoring,
      values: {
        kind: 'DaemonSet',
        // Only the control plane writes API-server audit logs.
        nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
        // The bucket owner's keys, generated by Rook in this namespace (AWS_* names the S3 output reads).
        envFrom: [{ secretRef: { name: this.bucketName } }],
        extraVolumes: [{ name: 'internal-ca', secret: { secretName: CA_BUNDLE_NAME, items: [{ key: CA_BUNDLE_KEY, path: CA_BUNDLE_KEY }] } }],
        extraVolumeMounts: [{ name: 'internal-ca', mountPath: '/etc/ca', readOnly: true }],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        config: shipperConfig(this.bucketName),
      },
    });
    dependOn(this.chart.release, props.archive.bucket.configurator);
  }
}

/** The locked bucket the audit logs go to, with the shipper's flow to the object store. */
export class AuditLogArchive extends Construct {
  readonly bucket: Bucket;
  readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: { readonly objectStore: ObjectStore }) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const env = stack.environment;
    this.retentionDays = auditLogRetentionDays(env.securityLevel);
    const name = auditLogBucketName(env.name, stack.cluster);
    this.bucket = props.objectStore.addBucket('audit-logs', {
      name,
      namespace: NS.monitoring,
      purpose: 'archive',
      description: `API-server audit logs and kubelet journals of cluster ${stack.cluster}, locked ${this.retentionDays} days (security level ${env.securityLevel})`,
      // COMPLIANCE outside development: nobody, an administrator included, can shorten the lock.
      objectLock: { mode: env.class === 'development' ? 'GOVERNANCE' : 'COMPLIANCE', days: this.retentionDays },
      currentVersionExpirationDays: this.retentionDays + 1,
    });
    assignBackupTier(this.bucket, env.backup.platform, { service: `${stack.cluster}/${NS.monitoring}/${name}`, kind: 'backup-store' });
    this.bucket.claim.manifest.addOverride('//.auditLogs', { source: AUDIT_LOG_GLOB, retentionDays: this.retentionDays, securityLevel: env.securityLevel });
    Segmentation.of(this).allow(shipperPeer(), props.objectStore, { description: `Fluent Bit ships the API servers' audit logs to bucket ${name} over TLS`, declaredBy: this });
  }
}
