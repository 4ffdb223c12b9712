import { Construct } from 'constructs';
import type { ObjectLockMode } from '../../environments/sections/object-storage';
import { ConstructPropsError } from '../../lib/errors';
import { markSharing, retain } from '../../lib/markers';
import { JobV1 } from '../../lib/providers';
import { dependOn, Lazy } from '../../lib/tf';
import { STORAGE_CLASSES } from '../../policy/layout';
import { CustomResource } from '../k8s-object';
import { type IConnectable, Segmentation } from '../network/segmentation';
import { Peer } from '../network/peer';
import { placementFor } from '../network/placement';
import { ClusterContext } from '../context';
import type { CaBundleRef } from './ca-bundle';
import type { ObcAdditionalConfigField } from './ceph-platform';
import { S3_REGION } from './names';
import type { ObjectStore } from './object-store';
import { type BucketAccess, bucketLifecycle, bucketPolicy } from './policy';
import type { ObjectStoreUser, UserCredentials } from './user';

/** What a bucket holds; backup and archive buckets are write-once in production and recovery. */
export type BucketPurpose = 'data' | 'backup' | 'archive';
export const BUCKET_PURPOSES: readonly BucketPurpose[] = ['data', 'backup', 'archive'];

/** Default retention of every new object version (S3 object lock, WORM). */
export interface ObjectLockSettings {
  /** COMPLIANCE: nobody can shorten or remove it. GOVERNANCE: a user with the bypass right can. */
  readonly mode: ObjectLockMode;
  /** Days each new version stays locked. */
  readonly days: number;
}

/** An explicit, reported decision not to lock a bucket that would be locked by default. */
export interface ObjectLockOptOut {
  readonly disabled: true;
  /** Why, in words an auditor can check (10 characters at least). */
  readonly reason: string;
}

export interface BucketOptions {
  /**
   * The bucket's name in the object store; also the name of the claim and of the owner's Secret
   * and ConfigMap. 3-63 lower-case letters, digits and '-', unique in the store.
   */
  readonly name: string;
  /** The owner's namespace: the claim and the owner's credentials live there. */
  readonly namespace: string;
  readonly purpose: BucketPurpose;
  /** What the bucket is for, shown to reviewers and auditors. @default "<purpose> bucket" */
  readonly description?: string;
  /** Quota on the bucket's size ("500Gi", "2Ti"). @default the environment's `objectStorage.buckets.maxSize` */
  readonly maxSize?: string;
  /** Quota on the bucket's number of objects. @default the environment's `objectStorage.buckets.maxObjects` */
  readonly maxObjects?: number;
  /** Days a noncurrent version is kept. @default the environment's `objectStorage.buckets.noncurrentVersionExpirationDays` */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days before an unfinished upload is aborted. @default the environment's `objectStorage.buckets.abortIncompleteUploadDays` */
  readonly abortIncompleteUploadDays?: number;
  /**
   * Days after which a current version expires (it becomes noncurrent and is removed after
   * `noncurrentVersionExpirationDays`). For data with a legal retention period.
   * @default never: current versions are kept until deleted
   */
  readonly currentVersionExpirationDays?: number;
  /**
   * Object lock (WORM) default retention.
   * @default for backup and archive buckets in production and recovery, the environment's
   * `objectStorage.buckets.objectLock`; otherwise none. `{ disabled: true, reason }` opts a bucket
   * out of the default, visibly: the reason is recorded on the claim for the audit.
   */
  readonly objectLock?: ObjectLockSettings | ObjectLockOptOut;
  /** Extra labels on the claim (e.g. the data domain). @default {} */
  readonly labels?: Record<string, string>;
}

export interface BucketProps extends BucketOptions {
  /** The object store the bucket lives in. */
  readonly store: ObjectStore;
}

/** Who uses a bucket through a grant. */
export interface BucketConsumer {
  /**
   * The consumer's name: with its namespace it names its object-store user
   * (`<namespace>.<name>`). A lower-case DNS label.
   */
  readonly name: string;
  /** The namespace the consumer runs in; its credentials and CA bundle appear there. */
  readonly namespace: string;
  /**
   * The pods that use the credentials: the network flow to the gateways is declared from them.
   * @default the pods labelled `app.kubernetes.io/name: <name>` in the namespace
   */
  readonly peer?: Peer | IConnectable;
  /** Sharing agreements this grant derives from; recorded on the user for the audit. @default [] */
  readonly agreements?: readonly string[];
}

/** What a consumer needs to use a bucket: where everything appears in its namespace. */
export interface BucketGrant {
  readonly access: BucketAccess;
  readonly bucketName: string;
  /** The https URL of the S3 endpoint. */
  readonly endpoint: string;
  /** The S3 region name to sign requests with. */
  readonly region: string;
  /** The consumer's RGW user id. */
  readonly userId: string;
  /** The Secret the operator generates in the consumer's namespace, and its keys. */
  readonly credentials: UserCredentials;
  /** The internal CA that signed the endpoint's certificate, in the consumer's namespace. */
  readonly caBundle: CaBundleRef;
  readonly user: ObjectStoreUser;
}

/** Where the owner's credentials appear: the Secret and ConfigMap Rook creates with the claim's name. */
export interface OwnerCredentials {
  readonly namespace: string;
  /** Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
  readonly secretName: string;
  /** ConfigMap with BUCKET_HOST, BUCKET_PORT and BUCKET_NAME. */
  readonly configMapName: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const QUANTITY = /^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$/;

/** The label that selects a bucket's configurator pods (and its network flow). */
const CONFIGURATOR_LABEL = 'moit.gov.vn/bucket-configurator';

/**
 * A bucket in the cluster's object store, claimed with an ObjectBucketClaim in its owner's
 * namespace (StorageClass `ceph-bucket-retain`: deleting the claim never deletes the bucket).
 *
 * Declared through the claim (Rook applies them): a quota on the bucket's size and object count,
 * lifecycle rules (expire noncurrent versions, abort unfinished uploads, drop orphaned delete
 * markers) and the bucket policy (deny anything not over TLS; one statement per consumer with
 * exactly its actions; no wildcard principal).
 *
 * Not declarable through Rook (rook/rook#17883, open): versioning, object lock and public access
 * blocking. A small Job in the owner's namespace applies them with the owner's own credentials
 * right after the claim is bound, verifies them and fails the apply if any did not stick; it is
 * re-run whenever they change. Object lock on an existing bucket needs Ceph Tentacle (v20,
 * ceph/ceph#61946); it can never be turned off again once on.
 *
 * Retained: the claim carries the `bucket` stateful marker, and `prevent_destroy` outside
 * ephemeral environments, so removing a bucket from the code is a plan the deploy guard refuses.
 */
export class Bucket extends Construct {
  readonly bucketName: string;
  readonly namespace: string;
  readonly purpose: BucketPurpose;
  readonly store: ObjectStore;
  /** The object lock applied, or undefined. */
  readonly objectLock?: ObjectLockSettings;
  readonly claim: CustomResource;
  readonly configurator: JobV1;
  readonly owner: OwnerCredentials;
  private readonly grants = new Map<string, { access: BucketAccess; user: ObjectStoreUser }>();
  /** Sharing agreements behind the grants, recorded on the claim. */
  private readonly sharing = new Set<string>();

  constructor(scope: Construct, id: string, props: BucketProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const path = this.node.path;
    const fail = (field: string, message: string, received: unknown): never => {
      throw new ConstructPropsError(path, field, message, received);
    };

    // Validate.
    if (!BUCKET_NAME.test(props.name)) fail('name', 'must be 3-63 lower-case letters, digits and "-", starting and ending with a letter or digit (an S3 bucket name without dots)', props.name);
    if (!BUCKET_PURPOSES.includes(props.purpose)) fail('purpose', `must be one of ${BUCKET_PURPOSES.join(', ')}`, props.purpose);
    const zone = stack.zoneOf(props.namespace);
    const defaults = props.store.config.buckets;
    const maxSize = props.maxSize ?? defaults.maxSize;
    if (!QUANTITY.test(maxSize)) fail('maxSize', 'must be a whole size with an optional unit, such as "500Gi" or "2Ti"', maxSize);
    const days = (field: keyof BucketOptions, value: number | undefined, max: number) => {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max)) fail(field, `must be a whole number of days from 1 to ${max}`, value);
    };
    const maxObjects = props.maxObjects ?? defaults.maxObjects;
    if (!Number.isInteger(maxObjects) || maxObjects < 1) fail('maxObjects', 'must be a whole number >= 1', maxObjects);
    days('noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays, 36500);
    days('abortIncompleteUploadDays', props.abortIncompleteUploadDays, 365);
    days('currentVersionExpirationDays', props.currentVersionExpirationDays, 36500);

    const cls = stack.environment.class;
    const lockedByDefault = (props.purpose === 'backup' || props.purpose === 'archive') && (cls === 'production' || cls === 'recovery');
    let lock: ObjectLockSettings | undefined;
    let lockException: string | undefined;
    if (props.objectLock && 'disabled' in props.objectLock) {
      const reason = props.objectLock.reason?.trim() ?? '';
      if (reason.length < 10) fail('objectLock.reason', 'must say in at least 10 characters why this bucket is not locked, so the audit can check it', props.objectLock.reason);
      lockException = reason;
    } else if (props.objectLock) {
      if (props.objectLock.mode !== 'COMPLIANCE' && props.objectLock.mode !== 'GOVERNANCE') fail('objectLock.mode', 'must be "COMPLIANCE" or "GOVERNANCE"', props.objectLock.mode);
      days('objectLock' as keyof BucketOptions, props.objectLock.days, 36500);
      lock = { mode: props.objectLock.mode, days: props.objectLock.days };
    } else if (lockedByDefault) {
      lock = { mode: defaults.objectLock.mode, days: defaults.objectLock.days };
    }
    // An opt-out where nothing would be locked (a data bucket, or dev and staging) changes nothing,
    // so one bucket definition serves every environment; only a real exception is recorded.
    if (!lockedByDefault) lockException = undefined;

    // Defaults and identity.
    this.bucketName = props.name;
    this.namespace = props.namespace;
    this.purpose = props.purpose;
    this.store = props.store;
    this.objectLock = lock;
    this.owner = { namespace: props.namespace, secretName: props.name, configMapName: props.name };
    props.store.registerBucket(this);
    const lifecycle = bucketLifecycle({
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? defaults.noncurrentVersionExpirationDays,
      abortIncompleteUploadDays: props.abortIncompleteUploadDays ?? defaults.abortIncompleteUploadDays,
      currentVersionExpirationDays: props.currentVersionExpirationDays,
    });

    // The claim.
    const additionalConfig: Record<ObcAdditionalConfigField, string> = {
      bucketMaxSize: maxSize,
      bucketMaxObjects: String(maxObjects),
      bucketLifecycle: JSON.stringify(lifecycle),
      bucketPolicy: Lazy.stringValue({ produce: () => JSON.stringify(this.policy) }),
    };
    this.claim = new CustomResource(this, 'claim', {
      object: {
        apiVersion: 'objectbucket.io/v1alpha1',
        kind: 'ObjectBucketClaim',
        metadata: {
          name: props.name,
          namespace: props.namespace,
          labels: { ...props.labels, 'app.kubernetes.io/managed-by': 'moit-datacentre', 'moit.gov.vn/bucket-purpose': props.purpose },
          annotations: {
            'moit.gov.vn/purpose': props.description ?? `${props.purpose} bucket`,
            'moit.gov.vn/versioning': 'enabled',
            'moit.gov.vn/object-lock': lock ? `${lock.mode} ${lock.days}d` : 'none',
            ...(lockException ? { 'moit.gov.vn/object-lock-exception': lockException } : {}),
          },
        },
        spec: { bucketName: props.name, storageClassName: STORAGE_CLASSES.bucket, additionalConfig },
      },
      // The bucket library fills in the bound ObjectBucket's name.
      computedFields: ['metadata.labels', 'metadata.annotations', 'metadata.finalizers', 'spec.objectBucketName'],
    });
    dependOn(this.claim.manifest, props.store.resource.manifest);
    retain(this.claim.manifest, 'bucket', stack.ephemeral);

    // What the claim cannot declare: versioning, public access block, object lock.
    const caBundle = props.store.caBundleIn(props.namespace);
    const selector = { [CONFIGURATOR_LABEL]: props.name };
    const placement = placementFor(this, zone);
    const jobName = `${props.name}-configure`.slice(0, 63).replace(/-+$/, '');
    this.configurator = new JobV1(this, 'configure', {
      provider: stack.kubernetes,
      metadata: {
        name: jobName,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', ...selector },
        annotations: { 'moit.gov.vn/purpose': `Turns on versioning${lock ? ' and object lock' : ''} and blocks public access on bucket ${props.name}, then verifies them.` },
      },
      spec: {
        backoffLimit: 10,
        template: {
          metadata: { labels: { ...selector } },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: '65532', runAsGroup: '65532', seccompProfile: { type: 'RuntimeDefault' } },
            ...(placement.nodeSelector ? { nodeSelector: { ...placement.nodeSelector } } : {}),
            ...(placement.tolerations ? { toleration: placement.tolerations.map((t) => ({ ...t })) } : {}),
            container: [
              {
                name: 'configure',
                image: props.store.config.s3CliImage,
                command: ['/bin/sh', '-ec', configuratorScript(props.name, lock)],
                env: [
                  { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: this.owner.secretName, key: 'AWS_ACCESS_KEY_ID' } } },
                  { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: this.owner.secretName, key: 'AWS_SECRET_ACCESS_KEY' } } },
                  { name: 'AWS_ENDPOINT_URL', value: props.store.endpoint },
                  { name: 'AWS_DEFAULT_REGION', value: S3_REGION },
                  { name: 'AWS_CA_BUNDLE', value: `/etc/internal-ca/${caBundle.key}` },
                  { name: 'HOME', value: '/tmp' },
                ],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                volumeMount: [
                  { name: 'internal-ca', mountPath: '/etc/internal-ca', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volume: [
              { name: 'internal-ca', secret: { secretName: caBundle.secretName, items: [{ key: caBundle.key, path: caBundle.key }] } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
      waitForCompletion: true,
      // The first apply waits for Ceph to come up and bind the claim.
      timeouts: { create: '30m', update: '30m' },
      dependsOn: [this.claim.manifest, caBundle.certificate.manifest],
    });
    const configurator = Peer.workload({ name: jobName, namespace: props.namespace, zone, selector });
    Segmentation.of(this).allow(configurator, props.store, { description: `configures bucket ${props.name} with its owner's credentials`, declaredBy: this });
  }

  /** The bucket policy as it stands: TLS-only deny plus one statement per grant. */
  get policy(): ReturnType<typeof bucketPolicy> {
    return bucketPolicy(
      this.bucketName,
      [...this.grants.values()].map((g) => ({ userId: g.user.userId, access: g.access })),
    );
  }

  /** Consumers granted access so far, by user id. */
  get grantees(): Array<{ readonly userId: string; readonly access: BucketAccess }> {
    return [...this.grants.entries()].map(([userId, g]) => ({ userId, access: g.access })).sort((a, b) => a.userId.localeCompare(b.userId));
  }

  /** Lets `consumer` list and read objects (and their versions). */
  grantRead(consumer: BucketConsumer): BucketGrant {
    return this.grant(consumer, 'read');
  }

  /**
   * Lets `consumer` read, write and delete objects. Deleting in a versioned bucket only adds a
   * delete marker; removing versions for good is never granted.
   */
  grantWrite(consumer: BucketConsumer): BucketGrant {
    return this.grant(consumer, 'write');
  }

  private grant(consumer: BucketConsumer, access: BucketAccess): BucketGrant {
    const stack = ClusterContext.of(this);
    const user = this.store.userFor(consumer);
    const previous = this.grants.get(user.userId);
    // Write includes read: a second, weaker grant never narrows the first.
    const effective: BucketAccess = previous?.access === 'write' ? 'write' : access;
    this.grants.set(user.userId, { access: effective, user });
    user.addAccess(effective, consumer.agreements ?? []);
    // The policy names the user: create the user first, so Rook never applies a policy whose principal is missing.
    dependOn(this.claim.manifest, user.resource.manifest);
    if (consumer.agreements && consumer.agreements.length > 0) {
      for (const a of consumer.agreements) this.sharing.add(a);
      markSharing(this.claim.manifest, [...this.sharing]);
    }
    const peer =
      consumer.peer ??
      Peer.workload({ name: consumer.name, namespace: consumer.namespace, zone: stack.zoneOf(consumer.namespace), selector: { 'app.kubernetes.io/name': consumer.name } });
    this.store.connections.allowFrom(peer, { description: `${access === 'read' ? 'reads' : 'writes'} bucket ${this.bucketName}` });
    const caBundle = this.store.caBundleIn(consumer.namespace);
    return {
      access: effective,
      bucketName: this.bucketName,
      endpoint: this.store.endpoint,
      region: S3_REGION,
      userId: user.userId,
      credentials: user.credentials,
      caBundle: { namespace: caBundle.namespace, secretName: caBundle.secretName, key: caBundle.key },
      user,
    };
  }

}

/**
 * The configurator's script: idempotent, every setting verified after it is applied, so a
 * bucket that silently kept its old settings fails the Job (and the apply) instead.
 */
export function configuratorScript(bucket: string, lock: ObjectLockSettings | undefined): string {
  const lines = [
    `BUCKET='${bucket}'`,
    's3() { aws s3api "$@" --bucket "$BUCKET"; }',
    '# Versioning: overwrites and deletes keep the previous version until lifecycle expires it.',
    's3 put-bucket-versioning --versioning-configuration Status=Enabled',
    '# No public access, whatever ACL or policy anyone attempts later.',
    's3 put-public-access-block --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
  ];
  if (lock) {
    const configuration = JSON.stringify({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: lock.mode, Days: lock.days } } });
    lines.push(
      `# Object lock: every new version is locked ${lock.days} days (${lock.mode}).`,
      `s3 put-object-lock-configuration --object-lock-configuration '${configuration}'`,
    );
  }
  lines.push(
    '# Verify.',
    'test "$(s3 get-bucket-versioning --query Status --output text)" = Enabled',
    'test "$(s3 get-public-access-block --query PublicAccessBlockConfiguration.BlockPublicPolicy --output text)" = True',
  );
  if (lock) {
    lines.push(
      `test "$(s3 get-object-lock-configuration --query ObjectLockConfiguration.Rule.DefaultRetention.Mode --output text)" = ${lock.mode}`,
      `test "$(s3 get-object-lock-configuration --query ObjectLockConfiguration.Rule.DefaultRetention.Days --output text)" = ${lock.days}`,
    );
  }
  lines.push(`echo "bucket $BUCKET configured"`);
  return lines.join('\n');
}
