import { Construct } from 'constructs';
import { CustomResource } from './k8s-object';
import { OperatorChart } from './operator-chart';

/**
 * cert-manager, installed first: the Barman Cloud plugin, the Cluster API operator and the
 * providers' webhooks need it. CRDs are installed and kept on uninstall.
 */
export class CertManager extends OperatorChart {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      operator: 'certManager',
      values: {
        crds: { enabled: true, keep: true },
        global: { leaderElection: { namespace: 'cert-manager' } },
        prometheus: { enabled: false },
        // The chart's defaults already run as non-root with a read-only root filesystem.
        enableCertificateOwnerRef: false,
      },
    });
  }
}

export interface InternalCaIssuerProps {
  /** @default "dc-internal-ca" */
  readonly name?: string;
  /**
   * The Secret in the cert-manager namespace holding the data centre's intermediate CA keypair
   * (tls.crt, tls.key, ca.crt). It is created outside Terraform by the PKI team: no key
   * material ever passes through code or state. @default "dc-intermediate-ca-keypair"
   */
  readonly caSecretName?: string;
}

/** The ClusterIssuer every service certificate comes from: the data centre's internal CA. */
export class InternalCaIssuer extends CustomResource {
  static readonly DEFAULT_NAME = 'dc-internal-ca';
  readonly issuerName: string;

  constructor(scope: Construct, id: string, props: InternalCaIssuerProps = {}) {
    const name = props.name ?? InternalCaIssuer.DEFAULT_NAME;
    super(scope, id, {
      object: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: { name },
        spec: { ca: { secretName: props.caSecretName ?? 'dc-intermediate-ca-keypair' } },
      },
    });
    this.issuerName = name;
  }
}
