import { Construct } from 'constructs';
import { markSharing } from '../../lib/markers';
import { Lazy } from '../../lib/tf';
import { NS } from '../../policy/layout';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { OBJECT_STORE_NAME } from './names';
import { type BucketAccess, opMaskFor } from './policy';

/** The keys of the Secret Rook writes for a CephObjectStoreUser (`generateCephUserSecret`). */
export const USER_SECRET_KEYS = { accessKeyId: 'AccessKey', secretAccessKey: 'SecretKey', endpoint: 'Endpoint' } as const;

/** Where a user's credentials appear: the Secret the operator generates in the user's namespace. */
export interface UserCredentials {
  readonly namespace: string;
  /** `rook-ceph-object-user-<store>-<user>`. */
  readonly secretName: string;
  /** Key of the access key id (AWS_ACCESS_KEY_ID). */
  readonly accessKeyIdKey: typeof USER_SECRET_KEYS.accessKeyId;
  /** Key of the secret access key (AWS_SECRET_ACCESS_KEY). */
  readonly secretAccessKeyKey: typeof USER_SECRET_KEYS.secretAccessKey;
  /** Key of the S3 endpoint URL the operator advertises. */
  readonly endpointKey: typeof USER_SECRET_KEYS.endpoint;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The RGW user id of a consumer: `<namespace>-<name>` (the object store refuses two consumers that would share one). */
export function userIdOf(consumer: { readonly namespace: string; readonly consumerName?: string; readonly name?: string }): string {
  return `${consumer.namespace}-${consumer.consumerName ?? consumer.name}`;
}

/**
 * One consumer's identity in the object store: a CephObjectStoreUser in the consumer's own
 * namespace (the object store lists that namespace in `allowUsersInNamespaces`), whose keys the
 * operator generates into a Secret there. Nothing secret passes through Terraform.
 *
 * Least privilege:
 * - no admin capabilities (Rook's `capabilities` are RGW admin-API rights, never needed to use a
 *   bucket);
 * - `maxBuckets: -1`: the user cannot create buckets;
 * - the op-mask allows only the operation types its grants need (a reader gets `read` only), so
 *   RGW refuses other operations whatever any policy says;
 * - bucket access comes only from the statements the buckets' policies give this user.
 *
 * RGW names the user after the resource (`metadata.name`) whatever its namespace, so the name is
 * `<namespace>-<consumer>`, and the object store refuses a second consumer that would map to the
 * same id (`a-b`/`c` and `a`/`b-c`): two consumers never share one RGW identity.
 */
export class ObjectStoreUser extends Construct {
  /** The RGW user id, also the resource's name. */
  readonly userId: string;
  readonly consumerName: string;
  readonly namespace: string;
  readonly credentials: UserCredentials;
  readonly resource: CustomResource;
  private readonly accesses = new Set<BucketAccess>();
  private readonly agreements = new Set<string>();

  constructor(scope: Construct, id: string, props: { readonly consumerName: string; readonly namespace: string }) {
    super(scope, id);
    const userId = userIdOf(props);
    if (!DNS_LABEL.test(props.consumerName) || userId.length > 63) {
      throw new Error(
        `${this.node.path}: consumer name must be a lower-case DNS label, and "<namespace>-<name>" at most 63 characters (it names the user, its Secret and a label), got ${JSON.stringify(props.consumerName)} in namespace ${JSON.stringify(props.namespace)}`,
      );
    }
    ClusterContext.of(this).zoneOf(props.namespace);
    this.userId = userId;
    this.consumerName = props.consumerName;
    this.namespace = props.namespace;
    this.credentials = {
      namespace: props.namespace,
      secretName: `rook-ceph-object-user-${OBJECT_STORE_NAME}-${userId}`,
      accessKeyIdKey: USER_SECRET_KEYS.accessKeyId,
      secretAccessKeyKey: USER_SECRET_KEYS.secretAccessKey,
      endpointKey: USER_SECRET_KEYS.endpoint,
    };
    this.resource = new CustomResource(this, 'user', {
      object: {
        apiVersion: 'ceph.rook.io/v1',
        kind: 'CephObjectStoreUser',
        metadata: { name: userId, namespace: props.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          store: OBJECT_STORE_NAME,
          clusterNamespace: NS.rookCluster,
          displayName: `${props.consumerName} (namespace ${props.namespace})`,
          quotas: { maxBuckets: -1 },
          opMask: Lazy.anyValue({ produce: () => this.opMask }),
        },
      },
    });
  }

  /** The operation types the user's grants need, in a stable order. */
  get opMask(): string[] {
    const mask = new Set<string>();
    for (const access of this.accesses) for (const op of opMaskFor(access)) mask.add(op);
    return ['read', 'write', 'delete'].filter((op) => mask.has(op));
  }

  /** Records that a grant gives this user `access` (called by Bucket). */
  addAccess(access: BucketAccess, agreements: readonly string[] = []): void {
    this.accesses.add(access);
    for (const a of agreements) this.agreements.add(a);
    if (this.agreements.size > 0) markSharing(this.resource.manifest, [...this.agreements]);
  }
}
