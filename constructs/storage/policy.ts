/**
 * Bucket policy and lifecycle documents, as pure functions: what a bucket allows is decided here
 * and nowhere else, so tests and the audit can reason about it without synthesizing a stack.
 */

/** What a consumer may do with a bucket. */
export type BucketAccess = 'read' | 'write';

/**
 * Read: fetch objects and their older versions, and list them. `GetBucketLocation` is asked by
 * most S3 SDKs before anything else; `ListBucketVersions` is how a reader finds the versions
 * `GetObjectVersion` fetches.
 */
export const READ_ACTIONS: readonly string[] = ['s3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions'];

/**
 * Write adds: put objects (including multipart uploads), abort and inspect unfinished uploads,
 * and delete. In a versioned bucket `DeleteObject` only adds a delete marker; the data stays
 * until lifecycle expires it. Never granted: `DeleteObjectVersion` (permanent deletion), any
 * `Put*` on the bucket itself (policy, ACL, versioning, lifecycle, object lock), object ACLs,
 * retention or legal-hold changes, and `BypassGovernanceRetention`.
 */
export const WRITE_ACTIONS: readonly string[] = [
  ...READ_ACTIONS,
  's3:AbortMultipartUpload',
  's3:DeleteObject',
  's3:ListBucketMultipartUploads',
  's3:ListMultipartUploadParts',
  's3:PutObject',
].sort();

/** The op-mask Rook gives a consumer's user: RGW refuses other operation types whatever a policy says. */
export function opMaskFor(access: BucketAccess): Array<'read' | 'write' | 'delete'> {
  return access === 'read' ? ['read'] : ['read', 'write', 'delete'];
}

/** ARN of a bucket in RGW (no partition, region or account). */
export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

/** ARN of an RGW user (no tenant). */
export function userArn(userId: string): string {
  return `arn:aws:iam:::user/${userId}`;
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: { readonly AWS: readonly string[] };
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface BucketPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** One consumer's access to a bucket, as the policy renders it. */
export interface PolicyGrant {
  readonly userId: string;
  readonly access: BucketAccess;
}

/** `velero.backup-agent` -> `VeleroBackupAgent`: statement ids are letters and digits only. */
function sidPart(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/**
 * The policy of a bucket:
 * 1. Deny every request that did not arrive over TLS, whoever sends it. RGW sets
 *    `aws:SecureTransport` only on TLS requests (it is absent, not "false", otherwise; see
 *    `rgw_build_iam_environment` in Ceph), so the condition is `BoolIfExists`: a missing key
 *    counts as "false" and the deny applies.
 * 2. One Allow per consumer, naming exactly its user and exactly the actions of its access.
 * No statement allows a wildcard principal: there is no anonymous or public access.
 */
export function bucketPolicy(bucket: string, grants: readonly PolicyGrant[]): BucketPolicy {
  const resources = [bucketArn(bucket), `${bucketArn(bucket)}/*`];
  const statements: PolicyStatement[] = [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: ['*'] },
      Action: ['s3:*'],
      Resource: resources,
      Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
    },
  ];
  const used = new Set<string>(['DenyInsecureTransport']);
  for (const grant of [...grants].sort((a, b) => a.userId.localeCompare(b.userId))) {
    if (!grant.userId || grant.userId.includes('*')) throw new Error(`bucket "${bucket}": a grant must name one user, got ${JSON.stringify(grant.userId)}`);
    const base = `${grant.access === 'read' ? 'Read' : 'Write'}${sidPart(grant.userId)}`;
    let sid = base;
    for (let n = 2; used.has(sid); n++) sid = `${base}${n}`;
    used.add(sid);
    statements.push({
      Sid: sid,
      Effect: 'Allow',
      Principal: { AWS: [userArn(grant.userId)] },
      Action: grant.access === 'read' ? READ_ACTIONS : WRITE_ACTIONS,
      Resource: resources,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export interface LifecycleSettings {
  /** Days a noncurrent version is kept. */
  readonly noncurrentVersionExpirationDays: number;
  /** Days before an unfinished multipart upload is aborted. */
  readonly abortIncompleteUploadDays: number;
  /** Days before a current version expires (becomes noncurrent). Undefined: never. */
  readonly currentVersionExpirationDays?: number;
}

/**
 * The lifecycle rules of a bucket, sorted by ID (Rook compares them as given, so the order must
 * be stable to stay idempotent):
 * - abort unfinished multipart uploads, which otherwise hold space forever;
 * - remove delete markers that no longer hide any version;
 * - optionally expire current versions (they become noncurrent: still recoverable);
 * - expire noncurrent versions after the retention window.
 */
export function bucketLifecycle(settings: LifecycleSettings): { Rules: Array<Record<string, unknown>> } {
  const all = { Prefix: '' };
  const rules: Array<Record<string, unknown>> = [
    { ID: 'abort-incomplete-uploads', Status: 'Enabled', Filter: all, AbortIncompleteMultipartUpload: { DaysAfterInitiation: settings.abortIncompleteUploadDays } },
    { ID: 'expire-noncurrent-versions', Status: 'Enabled', Filter: all, NoncurrentVersionExpiration: { NoncurrentDays: settings.noncurrentVersionExpirationDays } },
    { ID: 'remove-expired-delete-markers', Status: 'Enabled', Filter: all, Expiration: { ExpiredObjectDeleteMarker: true } },
  ];
  if (settings.currentVersionExpirationDays !== undefined) {
    rules.push({ ID: 'expire-current-versions', Status: 'Enabled', Filter: all, Expiration: { Days: settings.currentVersionExpirationDays } });
  }
  return { Rules: rules.sort((a, b) => String(a.ID).localeCompare(String(b.ID))) };
}
