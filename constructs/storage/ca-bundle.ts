import { Construct } from 'constructs';
import { InternalCaIssuer } from '../cert-manager';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';

/** The name of the Secret (and Certificate) holding the internal CA in a namespace. */
export const CA_BUNDLE_NAME = 'dc-internal-ca-bundle';
/** The key of that Secret with the CA certificate (PEM). */
export const CA_BUNDLE_KEY = 'ca.crt';

/** Where a client in a namespace finds the CA that signed the object store's certificate. */
export interface CaBundleRef {
  readonly namespace: string;
  readonly secretName: string;
  readonly key: typeof CA_BUNDLE_KEY;
}

/**
 * The data centre's internal CA, made available in one namespace as the `ca.crt` key of the
 * Secret `dc-internal-ca-bundle`, so clients there can verify the object store's (and any other
 * internal service's) TLS certificate without trusting anything else.
 *
 * cert-manager writes `ca.crt` into every Secret it issues from a CA issuer, so the bundle is a
 * small Certificate from `dc-internal-ca` whose own key pair is never used: it has no server or
 * client auth usage and names nothing that resolves. cert-manager renews it, which also picks up
 * a rotated CA. (trust-manager would be the cleaner tool; it is not installed.)
 *
 * Use {@link InternalCaBundle.in}: one bundle per namespace and stack, whoever asks first.
 */
export class InternalCaBundle extends Construct implements CaBundleRef {
  /** The bundle of `namespace` in the stack of `scope`, created on first use. */
  static in(scope: Construct, namespace: string, issuerName: string = InternalCaIssuer.DEFAULT_NAME): InternalCaBundle {
    const stack = ClusterContext.of(scope);
    const holder = (stack.node.tryFindChild('internal-ca-bundles') as Construct | undefined) ?? new Construct(stack, 'internal-ca-bundles');
    const existing = holder.node.tryFindChild(namespace) as InternalCaBundle | undefined;
    if (existing) {
      if (existing.issuerName !== issuerName) {
        throw new Error(`${existing.node.path}: the CA bundle of namespace "${namespace}" comes from issuer "${existing.issuerName}", asked again with "${issuerName}"; one namespace trusts one internal CA`);
      }
      return existing;
    }
    return new InternalCaBundle(holder, namespace, { namespace, issuerName });
  }

  readonly namespace: string;
  readonly secretName = CA_BUNDLE_NAME;
  readonly key = CA_BUNDLE_KEY;
  readonly issuerName: string;
  readonly certificate: CustomResource;

  private constructor(scope: Construct, id: string, props: { readonly namespace: string; readonly issuerName: string }) {
    super(scope, id);
    this.namespace = props.namespace;
    this.issuerName = props.issuerName;
    // Verifies the namespace is one the cluster layout plans (throws naming the known ones).
    ClusterContext.of(this).zoneOf(props.namespace);
    this.certificate = new CustomResource(this, 'certificate', {
      object: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: {
          name: CA_BUNDLE_NAME,
          namespace: props.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', 'moit.gov.vn/ca-bundle': 'internal' },
          annotations: { 'moit.gov.vn/purpose': `Carries the internal CA (key ${CA_BUNDLE_KEY}) for TLS clients in ${props.namespace}; its own key pair authenticates nothing.` },
        },
        spec: {
          secretName: CA_BUNDLE_NAME,
          commonName: 'internal-ca-bundle',
          duration: '2160h',
          renewBefore: '360h',
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          usages: ['digital signature'],
          issuerRef: { name: props.issuerName, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        },
      },
    });
  }
}
