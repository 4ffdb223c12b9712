import { Construct } from 'constructs';
import { NS } from '../../policy/layout';
import { OperatorChart } from '../operator-chart';
import { NAMESPACE_NAME_LABEL } from '../network/peer';
import { placementFor } from '../network/placement';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { clusterOperatorPeer } from './peers';

export interface StrimziOperatorProps {
  /**
   * Namespaces the operator reconciles Kafka resources in (besides its own).
   * @default ["kafka"] (NS.kafka, the data-zone namespace of every Kafka cluster)
   */
  readonly watchNamespaces?: readonly string[];
}

/**
 * The Strimzi cluster operator (chart `strimzi-kafka-operator`, version from lib/versions.ts),
 * in `strimzi-system` (mgmt zone), watching only the `kafka` namespace. It generates
 * operand pods with the restricted Pod Security provider (the `kafka` namespace enforces
 * `restricted`), and NetworkPolicies that admit it by its namespace's name rather than from
 * every namespace. The chart's own pod defaults are restricted since 1.2.0 and are kept.
 *
 * Its only traffic of its own is to the API server (declared here); its traffic to Kafka,
 * Cruise Control and MirrorMaker 2 pods is declared by the constructs owning those pods.
 * It serves no admission webhook, so nothing needs to reach it.
 */
export class StrimziOperator extends OperatorChart {
  constructor(scope: Construct, id: string, props: StrimziOperatorProps = {}) {
    const watch = [...(props.watchNamespaces ?? [NS.kafka])];
    const placement = placementFor(scope, 'mgmt');
    super(scope, id, {
      operator: 'strimzi',
      values: {
        watchNamespaces: watch,
        watchAnyNamespace: false,
        // Strimzi's per-cluster NetworkPolicies, narrowed by each listener's networkPolicyPeers.
        generateNetworkPolicy: true,
        leaderElection: { enable: true },
        resources: { requests: { cpu: '200m', memory: '384Mi' }, limits: { memory: '384Mi' } },
        extraEnvs: [
          // Operand pods (Kafka, entity operator, Cruise Control, MirrorMaker 2) get the
          // security context Pod Security `restricted` requires; the default is `baseline`.
          { name: 'STRIMZI_POD_SECURITY_PROVIDER_CLASS', value: 'restricted' },
          // Without it, generated NetworkPolicies admit "the operator" from every namespace.
          { name: 'STRIMZI_OPERATOR_NAMESPACE_LABELS', value: `${NAMESPACE_NAME_LABEL}=${NS.strimziSystem}` },
        ],
        ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
        ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
      },
    });
    // The operator watches Kafka resources, pods, Secrets and PVCs, and writes StrimziPodSets.
    Segmentation.of(this).allow(clusterOperatorPeer(), apiServerPeer(this), {
      ports: API_SERVER_PORTS,
      description: 'Strimzi cluster operator watches and reconciles its resources through the API server',
      declaredBy: this,
    });
  }
}
