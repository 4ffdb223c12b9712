import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { PropsProblems } from '../../lib/errors';
import { retain } from '../../lib/markers';
import { CustomResource } from '../k8s-object';
import { KAFKA_DEFAULTS } from '../../policy/kafka/defaults';
import type { KafkaCluster } from './kafka-cluster';
import type { KafkaUserResource } from './user';

/** Label naming the data domain a topic or user belongs to (the same key as the tenant namespaces'). */
export const KAFKA_DOMAIN_LABEL = 'moit.gov.vn/domain';
/** Label saying whether a topic is part of the off-site copy. */
export const OFFSITE_COPY_LABEL = 'moit.gov.vn/offsite-copy';

export type TopicConfigValue = string | number | boolean;

export interface KafkaTopicProps {
  /** The Kafka topic name: letters, digits, '.', '_' and '-' (at most 249). */
  readonly name: string;
  /** @default 6 */
  readonly partitions?: number;
  /**
   * Copies of each partition; at least 3 outside development.
   * @default the cluster's replication factor (3 whenever it has 3 brokers)
   */
  readonly replicas?: number;
  /** How long messages are kept, in milliseconds; -1 keeps them forever. @default 604800000 (7 days) */
  readonly retentionMs?: number;
  /**
   * Other topic configs (`cleanup.policy`, `max.message.bytes`, ...). `min.insync.replicas`
   * may be raised, never lowered below the cluster's; `retention.ms` is `retentionMs`.
   * @default {}
   */
  readonly config?: Readonly<Record<string, TopicConfigValue>>;
  /** The data domain that owns the topic (labelled for audits and the catalogue). @default none */
  readonly domain?: string;
  /**
   * Part of the off-site copy: mirrored to the recovery site (MirrorMaker 2 there), and
   * readable at the primary site by the off-site copy's replication user.
   * @default true
   */
  readonly offsiteCopy?: boolean;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Topic configs the construct sets itself or that would weaken durability. */
const MANAGED_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'retention.ms': 'use the retentionMs prop',
  'unclean.leader.election.enable': 'an out-of-sync replica becoming leader loses acknowledged messages; it stays false',
};

/**
 * One Kafka topic (a Strimzi `KafkaTopic`), managed by the cluster's topic operator. Create
 * it with `KafkaCluster.addTopic`. It holds data, so it is retained (`prevent_destroy`)
 * outside ephemeral environments; brokers there also refuse topic deletion.
 */
export class KafkaTopicResource extends CustomResource {
  readonly cluster: KafkaCluster;
  readonly topicName: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly domain?: string;
  readonly offsiteCopy: boolean;

  constructor(scope: Construct, id: string, cluster: KafkaCluster, props: KafkaTopicProps) {
    const problems = new PropsProblems(`${scope.node.path}/${id}`);
    const replication = cluster.replication;
    if (typeof props.name !== 'string' || !TOPIC_NAME.test(props.name) || props.name === '.' || props.name === '..') {
      problems.add('name', "must be a Kafka topic name: 1-249 letters, digits, '.', '_' or '-'", props.name);
    } else if (props.name.startsWith('__')) problems.add('name', 'names starting with "__" are Kafka-internal topics', props.name);
    const partitions = props.partitions ?? KAFKA_DEFAULTS.topic.partitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) problems.add('partitions', 'must be a whole number from 1 to 1000', partitions);
    const replicas = props.replicas ?? replication.factor;
    if (!Number.isInteger(replicas) || replicas < 1) problems.add('replicas', 'must be a whole number >= 1', replicas);
    else if (replicas > cluster.brokerCount) problems.add('replicas', `must be <= the number of brokers (${cluster.brokerCount})`, replicas);
    else if (cluster.environmentClass !== 'development' && replicas < 3) {
      problems.add('replicas', `must be >= 3 outside development (class "${cluster.environmentClass}"): a topic must survive the loss of a broker without losing acknowledged data`, replicas);
    }
    const retentionMs = props.retentionMs ?? KAFKA_DEFAULTS.topic.retentionMs;
    if (!Number.isInteger(retentionMs) || (retentionMs !== -1 && retentionMs < 60_000)) {
      problems.add('retentionMs', 'must be -1 (keep forever) or a whole number of milliseconds >= 60000', retentionMs);
    }
    const config = { ...(props.config ?? {}) };
    for (const [key, why] of Object.entries(MANAGED_TOPIC_CONFIGS)) {
      if (key in config) problems.add(`config["${key}"]`, `is managed: ${why}`, config[key]);
    }
    const minInsync = config['min.insync.replicas'] ?? replication.minInsync;
    if (typeof minInsync !== 'number' || !Number.isInteger(minInsync) || minInsync < replication.minInsync) {
      problems.add('config["min.insync.replicas"]', `must be a whole number >= the cluster's ${replication.minInsync}: fewer in-sync copies would acknowledge writes a single failure can lose`, minInsync);
    } else if (minInsync > replicas) problems.add('config["min.insync.replicas"]', `must be <= replicas (${replicas}), or no write could succeed`, minInsync);
    if (props.domain !== undefined && (!DNS_LABEL.test(props.domain) || props.domain.length > 63)) {
      problems.add('domain', 'must be a data-domain name (a lower-case DNS label)', props.domain);
    }
    problems.throwIfAny();

    const kubernetesName = DNS_SUBDOMAIN.test(props.name) && props.name.length <= 253 ? props.name : derivedName(props.name);
    const offsiteCopy = props.offsiteCopy ?? true;
    super(scope, id, {
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaTopic',
        metadata: {
          name: kubernetesName,
          namespace: cluster.namespace,
          labels: {
            'strimzi.io/cluster': cluster.clusterName,
            'app.kubernetes.io/managed-by': 'moit-datacentre',
            [OFFSITE_COPY_LABEL]: String(offsiteCopy),
            ...(props.domain ? { [KAFKA_DOMAIN_LABEL]: props.domain } : {}),
          },
        },
        spec: {
          ...(kubernetesName === props.name ? {} : { topicName: props.name }),
          partitions,
          replicas,
          config: { ...config, 'retention.ms': retentionMs, 'min.insync.replicas': minInsync },
        },
      },
    });
    this.cluster = cluster;
    this.topicName = props.name;
    this.partitions = partitions;
    this.replicas = replicas;
    this.domain = props.domain;
    this.offsiteCopy = offsiteCopy;
    retain(this.manifest, 'kafka-topic', cluster.ephemeral);
  }

  /** Lets `user` read this topic (Describe, Read; consumer groups under the user's own prefix). */
  grantRead(user: KafkaUserResource): void {
    user.grantRead(this);
  }

  /** Lets `user` write to this topic (Describe, Write). */
  grantWrite(user: KafkaUserResource): void {
    user.grantWrite(this);
  }
}

/** A DNS-1123 name for a topic whose own name is not one (upper case, '_'). */
function derivedName(topic: string): string {
  const base = topic.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 200) || 'topic';
  return `${base}-${createHash('sha256').update(topic).digest('hex').slice(0, 8)}`;
}
