import { Construct } from 'constructs';
import { allowCertManagerTraffic } from './cluster/cert-manager-flows';
import { declarePrerequisite } from '../lib/markers';
import { OPERATORS } from '../lib/versions';
import { CustomResource } from './k8s-object';
import type { ExternalPeer } from './network/peer';
import { placementFor } from './network/placement';
import { apiServerPeer } from './network/system';
import { OperatorChart } from './operator-chart';

export interface CertManagerProps {
  /** The API server it talks to and is called by. @default the stack's cluster's (apiServerPeer) */
  readonly apiServer?: ExternalPeer;
}

/**
 * cert-manager, installed first: the Barman Cloud plugin, the Cluster API operator and the
 * providers' webhooks need it. CRDs are installed and kept on uninstall. Its own traffic (to
 * the API server, and the API server to its webhook) is declared here, so default deny in its
 * namespace never leaves it unable to issue certificates.
 */
export class CertManager extends OperatorChart {
  constructor(scope: Construct, id: string, props: CertManagerProps = {}) {
    // Every pod of the chart runs in the mgmt zone: on a Cluster API cluster every node pool is
    // tainted with its zone, and chart v1.21.1 has no global tolerations, so each of its four
    // workloads (controller at the top level, webhook, cainjector, startupapicheck) is placed
    // itself. Without this the atomic release would time out and roll back.
    const mgmt = placementFor(scope, 'mgmt');
    const placement = { ...(mgmt.nodeSelector ? { nodeSelector: mgmt.nodeSelector } : {}), ...(mgmt.tolerations ? { tolerations: mgmt.tolerations } : {}) };
    super(scope, id, {
      operator: 'certManager',
      values: {
        ...placement,
        ...(Object.keys(placement).length > 0 ? { webhook: { ...placement }, cainjector: { ...placement }, startupapicheck: { ...placement } } : {}),
        crds: { enabled: true, keep: true },
        global: { leaderElection: { namespace: 'cert-manager' } },
        prometheus: { enabled: false },
        // The chart's defaults already run as non-root with a read-only root filesystem.
        enableCertificateOwnerRef: false,
      },
    });
    allowCertManagerTraffic(this, props.apiServer ?? apiServerPeer(this));
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
  /** The Secret (cert-manager namespace) with the CA keypair and `ca.crt`. */
  readonly caSecretName: string;

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
    this.caSecretName = props.caSecretName ?? 'dc-intermediate-ca-keypair';
    declarePrerequisite(this.manifest, {
      kind: 'secret',
      name: props.caSecretName ?? 'dc-intermediate-ca-keypair',
      namespace: OPERATORS.certManager.namespace,
      providedBy: 'pki-team',
      purpose: 'The data centre intermediate CA keypair the internal ClusterIssuer signs every service certificate with.',
      keys: ['tls.crt', 'tls.key', 'ca.crt'],
      rotation: 'Re-issued by the PKI team before it expires and replaced in place; cert-manager signs every later renewal with the new key, and trust-manager redistributes ca.crt.',
    });
  }
}
