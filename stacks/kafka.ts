/**
 * Which Kafka constructs an environment's `kafka` section yields: the Strimzi operator in the
 * platform stack of a cluster that runs Kafka, and the clusters, their users and the off-site
 * copy in its services stack.
 */
import type { KafkaClusterConfig } from '../environments/sections/kafka';
import { KafkaCluster, StrimziOperator } from '../constructs/kafka';
import type { EnvironmentStack } from './base';

/** The environment's Kafka clusters that run on the cluster `stack` targets. */
function clustersOf(stack: EnvironmentStack): KafkaClusterConfig[] {
  return stack.environment.kafka.clusters.filter((k) => k.cluster === stack.cluster);
}

/** Installs the Strimzi operator in a platform stack whose cluster runs Kafka; otherwise nothing. */
export function installStrimzi(stack: EnvironmentStack): StrimziOperator | undefined {
  return clustersOf(stack).length > 0 ? new StrimziOperator(stack, 'strimzi') : undefined;
}

/**
 * Declares, in a services stack, the Kafka clusters of its cluster: each with its node pools,
 * listeners and admin user; at the primary site the off-site copy's user, at the recovery
 * site the MirrorMaker 2 pulling from it. Keyed by Kafka cluster name.
 */
export function kafkaClusters(stack: EnvironmentStack): Map<string, KafkaCluster> {
  const out = new Map<string, KafkaCluster>();
  for (const config of clustersOf(stack)) {
    const kafka = new KafkaCluster(stack, `kafka-${config.name}`, {
      name: config.name,
      version: config.version,
      metadataVersion: config.metadataVersion,
      controllers: config.controllers,
      brokers: config.brokers,
      listeners: config.listeners,
      superUsers: config.superUsers,
      cruiseControl: config.cruiseControl,
    });
    if (config.offsiteCopy) kafka.addOffsiteCopyUser({ name: config.offsiteCopy.user, listener: config.offsiteCopy.listener });
    const from = config.mirrorFrom;
    if (from) {
      kafka.mirrorFrom({
        sourceAlias: from.alias,
        bootstrapServers: from.bootstrapServers,
        sourceCidr: from.cidr,
        sourceUser: from.user,
        credentialsSecret: from.credentialsSecret,
        caSecret: from.caSecret,
        authentication: from.authentication,
        replicas: from.replicas,
        resources: from.resources,
      });
    }
    out.set(config.name, kafka);
  }
  return out;
}
