import { Construct } from 'constructs';
import { CustomResource } from '../k8s-object';
import { InternalCaIssuer } from '../cert-manager';

export interface ServerCertificateProps {
  /** Name of the Certificate and of the kubernetes.io/tls Secret cert-manager writes. */
  readonly name: string;
  readonly namespace: string;
  /** Every name a client may connect to; the operator checks only the CA, clients may check more. */
  readonly dnsNames: readonly string[];
  /** The ClusterIssuer. @default "dc-internal-ca" (the data centre's internal CA) */
  readonly issuerName?: string;
  /** Labels cert-manager puts on the Secret, e.g. `cnpg.io/reload` so rotations reload Postgres. @default {} */
  readonly secretLabels?: Record<string, string>;
}

/**
 * A server certificate from the internal CA, written by cert-manager into a kubernetes.io/tls
 * Secret with `tls.crt`, `tls.key` and `ca.crt`. ECDSA P-384, 90 days, renewed 15 days before
 * expiry with a fresh key each time. No key material passes through Terraform.
 */
export class ServerCertificate extends CustomResource {
  /** The Secret holding the certificate, its key and the CA (`ca.crt`). */
  readonly secretName: string;

  constructor(scope: Construct, id: string, props: ServerCertificateProps) {
    super(scope, id, {
      object: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: props.name, namespace: props.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          secretName: props.name,
          ...(props.secretLabels && Object.keys(props.secretLabels).length > 0 ? { secretTemplate: { labels: { ...props.secretLabels } } } : {}),
          duration: '2160h',
          renewBefore: '360h',
          privateKey: { algorithm: 'ECDSA', size: 384, rotationPolicy: 'Always' },
          usages: ['server auth', 'digital signature'],
          dnsNames: [...props.dnsNames],
          issuerRef: { name: props.issuerName ?? InternalCaIssuer.DEFAULT_NAME, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        },
      },
    });
    this.secretName = props.name;
  }
}
