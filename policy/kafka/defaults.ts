/**
 * Defaults of the Kafka constructs and the `kafka` environment section, in one place.
 * Kafka 4.3.1 with metadata version 4.3-IV0 is Strimzi 1.2.0's default
 * (../shared/reference/operators.md, section b).
 */

/** Authentication a listener (and a user) can use: mutual TLS or SCRAM-SHA-512 over TLS. */
export type KafkaAuthentication = 'tls' | 'scram-sha-512';

/** Listener types Strimzi offers that this project knows how to secure. */
export type KafkaListenerType = 'internal' | 'cluster-ip' | 'tlsroute' | 'loadbalancer' | 'nodeport';

export const KAFKA_DEFAULTS = {
  version: '4.3.1',
  metadataVersion: '4.3-IV0',
  /** One in-cluster listener with mutual TLS: the narrowest useful default. */
  listeners: [{ name: 'tls', port: 9093, type: 'internal' as KafkaListenerType, tls: true, authentication: 'tls' as KafkaAuthentication }],
  /** The operator-managed admin user (a KafkaUser with mutual TLS), and no one else. */
  superUsers: ['CN=kafka-admin'],
  topic: {
    partitions: 6,
    /** 7 days. */
    retentionMs: 604_800_000,
  },
  /** Per-user quotas, so one client cannot starve the others. */
  quotas: { producerByteRate: 10 * 1024 * 1024, consumerByteRate: 20 * 1024 * 1024 },
  /** Kafka pods of a cluster, per role, when the environment file does not say. */
  resources: { cpu: '500m', memory: '2Gi' },
} as const;
