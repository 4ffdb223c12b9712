import { Construct } from 'constructs';
import { OPERATORS } from '../../lib/versions';
import { NS } from '../../policy/layout';
import { Peer, WorkloadPeer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { ClusterContext } from '../context';
import { OperatorChart } from '../operator-chart';

/** The operator's admission webhook port (chart value `webhook.port`). */
export const CNPG_WEBHOOK_PORT = 9443;
/** The Barman Cloud plugin's gRPC port, which the operator calls over mutual TLS. */
export const BARMAN_CLOUD_PLUGIN_PORT = 9090;

/** The CloudNativePG operator's pods (the chart's selector labels; release name = chart name). */
export function cnpgOperatorPeer(): WorkloadPeer {
  const chart = OPERATORS.cloudnativePg.chart;
  return Peer.workload({
    name: 'cnpg-operator',
    namespace: NS.cnpgSystem,
    zone: 'mgmt',
    selector: { 'app.kubernetes.io/name': chart, 'app.kubernetes.io/instance': chart },
    ports: [Port.tcp(CNPG_WEBHOOK_PORT)],
  });
}

/** The Barman Cloud plugin's pods. */
export function barmanCloudPluginPeer(): WorkloadPeer {
  const chart = OPERATORS.barmanCloudPlugin.chart;
  return Peer.workload({
    name: 'barman-cloud-plugin',
    namespace: NS.cnpgSystem,
    zone: 'mgmt',
    selector: { 'app.kubernetes.io/name': chart, 'app.kubernetes.io/instance': chart },
    ports: [Port.tcp(BARMAN_CLOUD_PLUGIN_PORT)],
  });
}

export interface CloudNativePgProps {
  /** cert-manager: the plugin's chart creates an Issuer and Certificates, so it goes first. */
  readonly certManager: OperatorChart;
  /**
   * Operator replicas (leader election picks one). The operator performs failovers, so it is
   * kept running through the loss of a node outside development.
   * @default 2, or 1 in development
   */
  readonly operatorReplicas?: number;
}

/**
 * CloudNativePG and its Barman Cloud plugin, in the platform stack of a workload cluster, at
 * the versions pinned in lib/versions.ts. Both run on the mgmt zone's nodes. The plugin must
 * live in the operator's namespace and needs cert-manager for the mutual TLS between the two.
 *
 * The system traffic they need is declared here, each flow with its reason:
 *   operator -> API server      (watches clusters, writes pods, services, secrets)
 *   API server -> operator 9443 (mutating and validating admission webhooks)
 *   operator -> plugin 9090     (CNPG-I gRPC over mutual TLS; the plugin has no webhook)
 *   plugin -> API server        (watches ObjectStores, grants instance pods access to their Secrets)
 * The flows to and from the Postgres pods are declared by each PostgresCluster.
 */
export class CloudNativePg extends Construct {
  readonly operator: OperatorChart;
  readonly barmanCloud: OperatorChart;

  constructor(scope: Construct, id: string, props: CloudNativePgProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const development = stack.environment.class === 'development';
    const replicas = props.operatorReplicas ?? (development ? 1 : 2);
    const placement = placementFor(this, 'mgmt');
    const operatorSelector = cnpgOperatorPeer().selector;

    this.operator = new OperatorChart(this, 'operator', {
      operator: 'cloudnativePg',
      values: {
        replicaCount: replicas,
        crds: { create: true },
        webhook: { port: CNPG_WEBHOOK_PORT, mutating: { create: true, failurePolicy: 'Fail' }, validating: { create: true, failurePolicy: 'Fail' } },
        // No Prometheus Operator CRDs in the estate yet.
        monitoring: { podMonitorEnabled: false },
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        ...placementValues(placement),
        affinity:
          replicas > 1
            ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: operatorSelector }, topologyKey: 'kubernetes.io/hostname' }] } }
            : {},
      },
    });

    this.barmanCloud = new OperatorChart(this, 'barman-cloud', {
      operator: 'barmanCloudPlugin',
      // The chart creates a cert-manager Issuer and Certificates for the operator <-> plugin mTLS.
      dependsOn: [props.certManager, this.operator],
      values: {
        crds: { create: true },
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        ...placementValues(placement),
      },
    });

    const segmentation = Segmentation.of(this);
    const apiServer = apiServerPeer(this);
    const operator = cnpgOperatorPeer();
    const plugin = barmanCloudPluginPeer();
    segmentation.allow(operator, apiServer, {
      ports: API_SERVER_PORTS,
      description: 'CloudNativePG operator watches Clusters and manages their pods, services and secrets',
      declaredBy: this,
    });
    segmentation.allow(apiServer, operator, {
      ports: [Port.tcp(CNPG_WEBHOOK_PORT)],
      description: 'API server calls the CloudNativePG admission webhooks',
      declaredBy: this,
    });
    segmentation.allow(operator, plugin, {
      ports: [Port.tcp(BARMAN_CLOUD_PLUGIN_PORT)],
      description: 'CloudNativePG operator calls the Barman Cloud plugin (CNPG-I gRPC, mutual TLS)',
      declaredBy: this,
    });
    segmentation.allow(plugin, apiServer, {
      ports: API_SERVER_PORTS,
      description: 'Barman Cloud plugin watches ObjectStores and grants instance pods access to their Secrets',
      declaredBy: this,
    });
  }
}

function placementValues(placement: ReturnType<typeof placementFor>): Record<string, unknown> {
  return {
    ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
    ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
  };
}
