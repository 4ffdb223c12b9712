import { Construct } from 'constructs';
import type { ObjectStorageConfig } from '../../environments/sections/object-storage';
import { retain } from '../../lib/markers';
import { dependOn, Lazy } from '../../lib/tf';
import { NS } from '../../policy/layout';
import { InternalCaIssuer } from '../cert-manager';
import { CustomResource } from '../k8s-object';
import { Peer, type WorkloadPeer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Connections, type IConnectable } from '../network/segmentation';
import { ClusterContext } from '../context';
import { Bucket, type BucketOptions } from './bucket';
import { InternalCaBundle } from './ca-bundle';
import { replicatedPool } from './ceph-platform';
import { OBJECT_STORE_NAME, RGW_ENDPOINT, RGW_POD_LABELS, RGW_SERVICE, RGW_TLS_PORT, ROOK_OPERATOR_LABELS } from './names';
import { rookPlacement, spreadOverNodes } from './placement';
import { ObjectStoreUser, userIdOf } from './user';

export interface ObjectStoreProps {
  /**
   * The ClusterIssuer of the gateways' certificate and of the CA bundles given to clients.
   * @default the `dc-internal-ca` ClusterIssuer (InternalCaIssuer.DEFAULT_NAME)
   */
  readonly issuer?: InternalCaIssuer;
  /** @default the `objectStorage` section of the stack's environment */
  readonly config?: ObjectStorageConfig;
}

/**
 * The S3 object store of a workload cluster: a CephObjectStore in `rook-ceph` (services stack),
 * sized by the environment's `objectStorage` section.
 *
 * - TLS only: the gateways listen on 443 with a certificate cert-manager issues from the
 *   internal CA for the gateway Service's DNS names; there is no plain-HTTP `port`, and TLS 1.0
 *   and 1.1 are off.
 * - Retained: `preservePoolsOnDelete` keeps the data if the resource is ever deleted, and the
 *   resource carries `prevent_destroy` outside ephemeral environments.
 * - Reached only through declared flows: `connections` is the gateway pods on 443. Buckets and
 *   grants declare their consumers' flows; the Rook operator's (admin API) is declared here.
 * - Users in other namespaces only where a grant needs one: `allowUsersInNamespaces` lists
 *   exactly the namespaces of the users created through {@link Bucket.grantRead} /
 *   {@link Bucket.grantWrite}.
 *
 * Buckets: `store.addBucket(id, { name, namespace, purpose })`.
 */
export class ObjectStore extends Construct implements IConnectable {
  readonly name = OBJECT_STORE_NAME;
  readonly namespace = NS.rookCluster;
  /** The https URL of the S3 endpoint inside the cluster. */
  readonly endpoint = RGW_ENDPOINT;
  readonly connections: Connections;
  readonly config: ObjectStorageConfig;
  readonly issuerName: string;
  /** The gateways' certificate (Secret of the same name). */
  readonly certificate: CustomResource;
  /** The CephObjectStore. */
  readonly resource: CustomResource;
  private readonly users = new Map<string, ObjectStoreUser>();
  private readonly bucketsByName = new Map<string, Bucket>();

  constructor(scope: Construct, id: string, props: ObjectStoreProps = {}) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const config = props.config ?? stack.environment.objectStorage;
    this.config = config;
    this.issuerName = props.issuer?.issuerName ?? InternalCaIssuer.DEFAULT_NAME;
    const zone = stack.zoneOf(this.namespace);

    const tlsSecret = `${RGW_SERVICE}-tls`;
    this.certificate = new CustomResource(this, 'certificate', {
      object: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: tlsSecret, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          secretName: tlsSecret,
          dnsNames: [RGW_SERVICE, `${RGW_SERVICE}.${this.namespace}`, `${RGW_SERVICE}.${this.namespace}.svc`, `${RGW_SERVICE}.${this.namespace}.svc.cluster.local`],
          duration: '2160h',
          renewBefore: '360h',
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          usages: ['server auth', 'digital signature'],
          issuerRef: { name: this.issuerName, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        },
      },
    });

    const pool = config.objectStore.dataPool;
    const dataPool =
      pool.type === 'replicated'
        ? replicatedPool(config.failureDomain, pool.replicas)
        : { failureDomain: config.failureDomain, erasureCoded: { dataChunks: pool.dataChunks, codingChunks: pool.codingChunks } };
    const spread = !config.ceph.allowMultipleDaemonsPerNode;

    this.resource = new CustomResource(this, 'store', {
      object: {
        apiVersion: 'ceph.rook.io/v1',
        kind: 'CephObjectStore',
        metadata: { name: this.name, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          metadataPool: replicatedPool(config.failureDomain, config.objectStore.metadataReplicas),
          dataPool: { ...dataPool, parameters: { bulk: 'true' } },
          preservePoolsOnDelete: true,
          allowUsersInNamespaces: Lazy.anyValue({ produce: () => this.userNamespaces }),
          gateway: {
            instances: config.objectStore.gateways,
            securePort: RGW_TLS_PORT,
            sslCertificateRef: tlsSecret,
            priorityClassName: 'system-cluster-critical',
            resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } },
            placement: { ...rookPlacement(placementFor(this, zone)), ...spreadOverNodes({ ...RGW_POD_LABELS }, spread) },
          },
          security: { sslOptions: { sslv2: false, sslv3: false, tlsv1_0: false, tlsv1_1: false, tlsv1_2: true } },
          healthCheck: { startupProbe: { disabled: false }, readinessProbe: { disabled: false } },
        },
      },
    });
    dependOn(this.resource.manifest, this.certificate.manifest);
    retain(this.resource.manifest, 'object-store', stack.ephemeral);

    const gateways: WorkloadPeer = Peer.workload({ name: `rgw-${this.name}`, namespace: this.namespace, zone, selector: { ...RGW_POD_LABELS }, ports: [Port.tcp(RGW_TLS_PORT)] });
    this.connections = new Connections(this, gateways);
    const operator = Peer.workload({ name: 'rook-ceph-operator', namespace: NS.rookSystem, zone: stack.zoneOf(NS.rookSystem), selector: { ...ROOK_OPERATOR_LABELS } });
    this.connections.allowFrom(operator, { description: 'Rook creates buckets and users and checks the gateways through the RGW admin API' });
  }

  /** Namespaces other than the store's that hold users, sorted (for `allowUsersInNamespaces`). */
  get userNamespaces(): string[] {
    return [...new Set([...this.users.values()].map((u) => u.namespace))].filter((ns) => ns !== this.namespace).sort();
  }

  /** Every user created so far, by RGW user id. */
  get allUsers(): ObjectStoreUser[] {
    return [...this.users.values()];
  }

  /** Every bucket of this store. */
  get buckets(): Bucket[] {
    return [...this.bucketsByName.values()];
  }

  /** A bucket of this store by its name, if declared. */
  bucket(name: string): Bucket | undefined {
    return this.bucketsByName.get(name);
  }

  /** Declares a bucket in this store (see {@link Bucket}). */
  addBucket(id: string, options: BucketOptions): Bucket {
    return new Bucket(this, id, { ...options, store: this });
  }

  /**
   * The user of a consumer, created on first use: one user per consumer (namespace and name),
   * however many buckets it is granted. Called by Bucket's grants.
   */
  userFor(consumer: { readonly name: string; readonly namespace: string }): ObjectStoreUser {
    const userId = userIdOf(consumer);
    let user = this.users.get(userId);
    if (user && (user.namespace !== consumer.namespace || user.consumerName !== consumer.name)) {
      throw new Error(
        `${this.node.path}: consumer "${consumer.name}" in namespace "${consumer.namespace}" would share the object-store user "${userId}" with consumer "${user.consumerName}" in namespace "${user.namespace}"; rename one of them`,
      );
    }
    if (!user) {
      const holder = (this.node.tryFindChild('users') as Construct | undefined) ?? new Construct(this, 'users');
      user = new ObjectStoreUser(holder, userId, { consumerName: consumer.name, namespace: consumer.namespace });
      dependOn(user.resource.manifest, this.resource.manifest);
      this.users.set(userId, user);
    }
    return user;
  }

  /** The internal CA bundle in `namespace`, for clients there to verify the gateways' certificate. */
  caBundleIn(namespace: string): InternalCaBundle {
    return InternalCaBundle.in(this, namespace, this.issuerName);
  }

  /** @internal Registers a bucket; its name must be unique in the store. */
  registerBucket(bucket: Bucket): void {
    const existing = this.bucketsByName.get(bucket.bucketName);
    if (existing) {
      throw new Error(`${bucket.node.path}: bucket name "${bucket.bucketName}" is already used by ${existing.node.path}; bucket names are unique in an object store`);
    }
    this.bucketsByName.set(bucket.bucketName, bucket);
  }
}
