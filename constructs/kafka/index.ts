/**
 * Kafka on Strimzi: the operator, the clusters, topics, users and the off-site copy. Which of
 * them an environment gets is decided in stacks/kafka.ts.
 */

export * from '../../policy/kafka/defaults';
export * from './kafka-cluster';
export * from './mirror-maker';
export * from './operator';
export * from './peers';
export * from '../../policy/kafka/rules';
export * from './topic';
export * from './user';
