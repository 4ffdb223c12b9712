import type { Construct } from 'constructs';
import { OPERATORS } from '../../lib/versions';
import { NS } from '../../policy/layout';
import { ExternalPeer, Peer, WorkloadPeer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { OperatorChart } from '../operator-chart';

/** The port OpenBao serves its API on (TLS). */
export const OPENBAO_API_PORT = Port.tcp(8200);
/** ESO's webhook port (chart value `webhook.port`, default 10250). */
export const ESO_WEBHOOK_PORT = Port.tcp(10250);
/** trust-manager's webhook port (chart value `app.webhook.port`, default 6443). */
export const TRUST_MANAGER_WEBHOOK_PORT = Port.tcp(6443);

/** Where the OpenBao API of the environment is reached (environment `secrets.store`). */
export interface SecretStoreEndpoint {
  readonly host: string;
  readonly cidr: string;
}

/** The OpenBao API as a network peer outside the cluster (on the management cluster's VIP). */
export function openBaoPeer(endpoint: SecretStoreEndpoint): ExternalPeer {
  return Peer.external({ name: `openbao (${endpoint.host})`, cidr: endpoint.cidr });
}

const placed = (scope: Construct) => {
  const mgmt = placementFor(scope, 'mgmt');
  return { ...(mgmt.nodeSelector ? { nodeSelector: mgmt.nodeSelector } : {}), ...(mgmt.tolerations ? { tolerations: mgmt.tolerations } : {}) };
};

export interface ExternalSecretsOperatorProps {
  readonly store: SecretStoreEndpoint;
  /** cert-manager, whose CA bundle (through trust-manager) the stores verify OpenBao with. */
  readonly dependsOn?: readonly OperatorChart[];
}

/**
 * External Secrets Operator 2.9.0 in its own mgmt-zone namespace: the controller, its webhook and
 * its certificate controller, each placed on the mgmt pool (`moit.gov.vn/zone` taint). Its
 * traffic is declared here: the controller to the API server and to OpenBao (8200, TLS), the API
 * server to the webhook. CRDs are installed by the chart and kept.
 */
export class ExternalSecretsOperator extends OperatorChart {
  readonly pods: WorkloadPeer;
  readonly controller: WorkloadPeer;

  constructor(scope: Construct, id: string, props: ExternalSecretsOperatorProps) {
    const placement = placed(scope);
    super(scope, id, {
      operator: 'externalSecrets',
      namespace: NS.externalSecrets,
      dependsOn: props.dependsOn,
      values: {
        installCRDs: true,
        ...placement,
        webhook: { ...placement, port: ESO_WEBHOOK_PORT.port },
        certController: { ...placement },
        // The PushSecrets of generated values and the ExternalSecrets are namespaced; the
        // ClusterSecretStores limit which namespaces may use them (spec.conditions).
        processClusterExternalSecret: false,
        processClusterPushSecret: false,
        // OpenBao's Kubernetes auth reviews ESO's token with that token itself (no long-lived
        // reviewer token): ESO's service account may create TokenReviews (constructs/secrets/openbao-config.ts).
        systemAuthDelegator: true,
      },
    });
    const namespace = NS.externalSecrets;
    // Chart labels: app.kubernetes.io/instance is the release name (templates/_helpers.tpl).
    this.pods = Peer.workload({ name: 'external-secrets', namespace, zone: 'mgmt', selector: { 'app.kubernetes.io/instance': OPERATORS.externalSecrets.chart } });
    this.controller = Peer.workload({ name: 'external-secrets-controller', namespace, zone: 'mgmt', selector: { 'app.kubernetes.io/instance': OPERATORS.externalSecrets.chart, 'app.kubernetes.io/name': 'external-secrets' } });
    const webhook = Peer.workload({ name: 'external-secrets-webhook', namespace, zone: 'mgmt', selector: { 'app.kubernetes.io/instance': OPERATORS.externalSecrets.chart, 'app.kubernetes.io/name': 'external-secrets-webhook' } });
    const apiServer = apiServerPeer(this);
    const segmentation = Segmentation.of(this);
    segmentation.allow(this.pods, apiServer, { ports: API_SERVER_PORTS, description: 'External Secrets Operator watches ExternalSecrets and PushSecrets and writes the Secrets they produce', declaredBy: this });
    segmentation.allow(apiServer, webhook, { ports: [ESO_WEBHOOK_PORT], description: "the API server calls ESO's webhook to validate stores and ExternalSecrets", declaredBy: this });
    segmentation.allow(this.controller, openBaoPeer(props.store), { ports: [OPENBAO_API_PORT], description: 'ESO reads and pushes secret values in OpenBao over TLS (Kubernetes auth)', declaredBy: this });
  }
}

/**
 * trust-manager v0.24.0 in cert-manager's namespace (its trust namespace): distributes the
 * internal CA as a ConfigMap to the namespaces that verify internal TLS (a Bundle). No default
 * CA package: the site is air-gapped and trusts only its own CA.
 */
export class TrustManager extends OperatorChart {
  constructor(scope: Construct, id: string, props: { readonly dependsOn?: readonly OperatorChart[] } = {}) {
    super(scope, id, {
      operator: 'trustManager',
      dependsOn: props.dependsOn,
      values: {
        ...placed(scope),
        defaultPackage: { enabled: false },
        secretTargets: { enabled: false },
        app: { trust: { namespace: NS.certManager } },
      },
    });
    const pods = Peer.workload({ name: 'trust-manager', namespace: NS.certManager, zone: 'mgmt', selector: { 'app.kubernetes.io/instance': OPERATORS.trustManager.chart } });
    const apiServer = apiServerPeer(this);
    const segmentation = Segmentation.of(this);
    segmentation.allow(pods, apiServer, { ports: API_SERVER_PORTS, description: 'trust-manager reads Bundle sources and writes their ConfigMaps', declaredBy: this });
    segmentation.allow(apiServer, pods, { ports: [TRUST_MANAGER_WEBHOOK_PORT], description: "the API server calls trust-manager's webhook to validate Bundles", declaredBy: this });
  }
}
