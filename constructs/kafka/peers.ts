/**
 * The pods Strimzi runs, as network peers, selected by the labels Strimzi puts on them
 * (`strimzi.io/cluster`, `strimzi.io/kind`, `strimzi.io/name`, and the node-role labels of
 * node-pool pods). Flows between them are declared by the constructs that own them.
 */
import { NS } from '../../policy/layout';
import { Peer, WorkloadPeer } from '../network/peer';
import { Port } from '../network/port';

/** Ports on Kafka pods that Strimzi uses itself (KafkaCluster.java in Strimzi 1.2.0). */
export const STRIMZI_PORTS = {
  /** KRaft control plane, on controller nodes: controllers and brokers, and the operator during rolls. */
  controlPlane: Port.tcp(9090),
  /** Replication, on broker nodes: brokers, the operator, the entity operator, Cruise Control. */
  replication: Port.tcp(9091),
  /** The Kafka agent on every node: the operator reads broker state from it during rolls. */
  agent: Port.tcp(8443),
  /** Cruise Control's REST API: the operator drives rebalances through it. */
  cruiseControlApi: Port.tcp(9090),
  /** Kafka Connect's REST API on MirrorMaker 2 pods: the operator manages connectors through it. */
  connectApi: Port.tcp(8083),
} as const;

/** The Strimzi cluster operator's pods (label set by the chart's Deployment). */
export function clusterOperatorPeer(): WorkloadPeer {
  return Peer.workload({ name: 'strimzi-cluster-operator', namespace: NS.strimziSystem, zone: 'mgmt', selector: { 'strimzi.io/kind': 'cluster-operator' } });
}

/** Labels of every pod Strimzi runs for the Kafka resource `cluster`. */
function kafkaLabels(cluster: string, name: string): Record<string, string> {
  return { 'strimzi.io/cluster': cluster, 'strimzi.io/kind': 'Kafka', 'strimzi.io/name': name };
}

/** The peers of one Kafka cluster's pods. */
export function kafkaPeers(cluster: string, listenerPorts: readonly Port[]) {
  const nodes = kafkaLabels(cluster, `${cluster}-kafka`);
  const peer = (name: string, selector: Record<string, string>, ports: readonly Port[] = []) =>
    Peer.workload({ name: `${cluster}-${name}`, namespace: NS.kafka, zone: 'data', selector, ports });
  return {
    /** Every Kafka node (controllers and brokers). */
    nodes: peer('kafka-nodes', nodes),
    controllers: peer('controllers', { ...nodes, 'strimzi.io/controller-role': 'true' }, [STRIMZI_PORTS.controlPlane]),
    /** Brokers; their default ports are the client listeners', so `allowFrom` opens those only. */
    brokers: peer('brokers', { ...nodes, 'strimzi.io/broker-role': 'true' }, listenerPorts),
    entityOperator: peer('entity-operator', kafkaLabels(cluster, `${cluster}-entity-operator`)),
    cruiseControl: peer('cruise-control', kafkaLabels(cluster, `${cluster}-cruise-control`), [STRIMZI_PORTS.cruiseControlApi]),
  };
}

export type KafkaPeers = ReturnType<typeof kafkaPeers>;

/** The pods of a KafkaMirrorMaker2 resource. */
export function mirrorMakerPeer(name: string): WorkloadPeer {
  return Peer.workload({
    name,
    namespace: NS.kafka,
    zone: 'data',
    selector: { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'KafkaMirrorMaker2', 'strimzi.io/name': `${name}-mirrormaker2` },
    ports: [STRIMZI_PORTS.connectApi],
  });
}
