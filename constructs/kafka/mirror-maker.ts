import { Construct } from 'constructs';
import { PropsProblems } from '../../lib/errors';
import { SecretRef } from '../secrets/secret-ref';
import { StoreSecret } from '../secrets/store-secret';
import { peerCredentialKey } from '../../policy/secrets';
import { Lazy } from '../../lib/tf';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { ExternalPeer, Peer, WorkloadPeer } from '../network/peer';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import type { KafkaAuthentication } from '../../policy/kafka/defaults';
import type { KafkaCluster, KafkaListener, KafkaPodResources } from './kafka-cluster';
import { clusterOperatorPeer, mirrorMakerPeer, STRIMZI_PORTS } from './peers';
import { strimziPodPlacement } from './pod-template';
import { exactNamesPattern, escapeRegex } from '../../policy/kafka/rules';
import { KafkaUserResource } from './user';

export interface KafkaMirrorProps {
  /** Alias of the source cluster (in MirrorMaker 2's internal topic names), e.g. "prod". */
  readonly sourceAlias: string;
  /** The source's bootstrap address as reached from this site, `host:port`. */
  readonly bootstrapServers: string;
  /** Where that address (and the broker names) resolve: the primary site's exchange gateway. */
  readonly sourceCidr: string;
  /** The user at the source whose credentials MirrorMaker 2 uses (the source's off-site copy user). */
  readonly sourceUser: string;
  /**
   * Secret (in `kafka`) with the source user's credentials: `user.crt` and `user.key` for
   * mutual TLS, `password` for SCRAM. Copied from the primary site by the operators.
   */
  readonly credentialsSecret: string;
  /** Secret (in `kafka`) with the source cluster's CA certificate(s) (`*.crt`), copied likewise. */
  readonly caSecret: string;
  /** @default "tls" */
  readonly authentication?: KafkaAuthentication;
  /** MirrorMaker 2 pods, at least 2 so that one restart does not stop the copy. @default 2 */
  readonly replicas?: number;
  /** @default { cpu: "500m", memory: "2Gi" } */
  readonly resources?: KafkaPodResources;
  /** This cluster's alias. @default the environment's name */
  readonly targetAlias?: string;
}

/** Keeps topic names identical at both sites, so consumers fail over without renaming. */
const IDENTITY_POLICY = 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy';
const INTERNAL_TOPIC_OPERATIONS = ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write'];
const ALIAS = /^[a-z][a-z0-9-]{0,30}$/;
const SECRET = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The off-site copy of a Kafka cluster: a KafkaMirrorMaker2 at this (recovery) site pulling the
 * topics marked for the off-site copy from the primary site, in the v1 shape (`target` +
 * `mirrors[].source`), with TLS and authentication on both sides:
 *  - source: the primary site's bootstrap address through its exchange gateway, trusted by
 *    its CA, as its read-only off-site copy user (Secrets copied by the operators);
 *  - target: this cluster's internal listener, as a user this construct creates with Write on
 *    the mirrored topics and full rights only on MirrorMaker 2's own, literally named topics;
 *  - topics and consumer-group patterns built from the declared names, regex-escaped;
 *  - offset syncs kept at the target, so the source user needs no write right at all.
 * Network: MirrorMaker 2 pods reach the primary site as a declared backup target (this is
 * Kafka's off-site copy), the brokers here on the listener port, and each other on the
 * Connect REST port; the cluster operator reaches them there.
 */
export class KafkaMirrorMaker2 extends Construct {
  readonly name: string;
  readonly sourceAlias: string;
  readonly targetAlias: string;
  readonly replicas: number;
  readonly targetListener: KafkaListener;
  readonly targetUser: KafkaUserResource;
  readonly resource: CustomResource;
  readonly peer: WorkloadPeer;
  readonly source: ExternalPeer;

  constructor(scope: Construct, id: string, kafka: KafkaCluster, props: KafkaMirrorProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const problems = new PropsProblems(this.node.path);
    const targetAlias = props.targetAlias ?? stack.environment.name;
    if (typeof props.sourceAlias !== 'string' || !ALIAS.test(props.sourceAlias)) problems.add('sourceAlias', 'must be a short lower-case alias such as "prod"', props.sourceAlias);
    if (!ALIAS.test(targetAlias)) problems.add('targetAlias', 'must be a short lower-case alias such as "dr"', targetAlias);
    else if (targetAlias === props.sourceAlias) problems.add('sourceAlias', `must differ from the target's alias "${targetAlias}"`, props.sourceAlias);
    const address = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(\d{1,5})$/.exec(props.bootstrapServers ?? '');
    const port = address ? Number(address[3]) : NaN;
    if (!address || port < 1 || port > 65535) problems.add('bootstrapServers', 'must be "host:port" with a port from 1 to 65535', props.bootstrapServers);
    for (const field of ['sourceUser', 'credentialsSecret', 'caSecret'] as const) {
      if (typeof props[field] !== 'string' || !SECRET.test(props[field]) || props[field].length > 63) problems.add(field, 'must be a lower-case DNS name', props[field]);
    }
    const authentication = props.authentication ?? 'tls';
    if (authentication !== 'tls' && authentication !== 'scram-sha-512') problems.add('authentication', 'must be "tls" or "scram-sha-512"', authentication);
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 2) problems.add('replicas', 'must be a whole number >= 2, so that restarting one pod does not stop the off-site copy', replicas);
    const targetListener = kafka.listeners.find((l) => l.type === 'internal' || l.type === 'cluster-ip');
    if (!targetListener) problems.add('target', `Kafka "${kafka.clusterName}" has no internal or cluster-ip listener for MirrorMaker 2 to write through`, kafka.listeners.map((l) => l.name));
    problems.throwIfAny();

    this.name = `${kafka.clusterName}-mirror-${props.sourceAlias}`;
    this.sourceAlias = props.sourceAlias;
    this.targetAlias = targetAlias;
    this.replicas = replicas;
    this.targetListener = targetListener!; // problems.throwIfAny() above stops when there is none
    const connect = {
      groupId: `${this.name}-connect`,
      configStorageTopic: `${this.name}-connect-config`,
      offsetStorageTopic: `${this.name}-connect-offsets`,
      statusStorageTopic: `${this.name}-connect-status`,
    };
    // MirrorMaker 2's own topics at the target, by their literal names. The offset-syncs
    // topic is named after the "other" cluster's alias; Kafka versions have differed on which
    // one that is when it lives at the target, so both literal names are allowed.
    const internalTopics = [
      connect.configStorageTopic,
      connect.offsetStorageTopic,
      connect.statusStorageTopic,
      `${props.sourceAlias}.checkpoints.internal`,
      `mm2-offset-syncs.${props.sourceAlias}.internal`,
      `mm2-offset-syncs.${targetAlias}.internal`,
    ];
    this.targetUser = kafka.registerUser(
      new KafkaUserResource(this, 'target-user', kafka, {
        name: this.name,
        authentication: this.targetListener.authentication,
        role: 'mirror-target',
        extraAcls: {
          topics: () => [
            ...kafka.offsiteCopyTopics.map((t) => ({ name: t.topicName, operations: ['Describe', 'Write'] })),
            ...internalTopics.map((name) => ({ name, operations: INTERNAL_TOPIC_OPERATIONS })),
          ],
          // Its Connect group `<name>-connect` is under its own prefix.
          groupPrefixes: () => [{ prefix: `${this.name}-`, operations: ['Read'] }],
        },
      }),
    );

    const rf = kafka.replication.factor;
    const secretAuth = (secretName: string, username: string, type: KafkaAuthentication) =>
      type === 'tls'
        ? { type: 'tls', certificateAndKey: { secretName, certificate: 'user.crt', key: 'user.key' } }
        : { type: 'scram-sha-512', username, passwordSecret: { secretName, password: 'password' } };
    const resources = props.resources ?? { cpu: '500m', memory: '2Gi' };
    this.resource = new CustomResource(this, 'mirror-maker', {
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaMirrorMaker2',
        metadata: { name: this.name, namespace: kafka.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          version: kafka.version,
          replicas,
          // Replication latency in Prometheus format on port 9404, for the MirrorMakerLag alert (constructs/monitoring).
          metricsConfig: { type: 'strimziMetricsReporter' },
          target: {
            alias: targetAlias,
            bootstrapServers: kafka.bootstrapServers(this.targetListener.name),
            ...connect,
            tls: { trustedCertificates: [{ secretName: kafka.clusterCaSecretName, pattern: '*.crt' }] },
            authentication: secretAuth(this.targetUser.secretName, this.targetUser.userName, this.targetListener.authentication),
            config: {
              'config.storage.replication.factor': rf,
              'offset.storage.replication.factor': rf,
              'status.storage.replication.factor': rf,
            },
          },
          mirrors: [
            {
              source: {
                alias: props.sourceAlias,
                bootstrapServers: props.bootstrapServers,
                tls: { trustedCertificates: [{ secretName: props.caSecret, pattern: '*.crt' }] },
                authentication: secretAuth(props.credentialsSecret, props.sourceUser, authentication),
              },
              sourceConnector: {
                tasksMax: replicas * 2,
                autoRestart: { enabled: true },
                config: {
                  'replication.policy.class': IDENTITY_POLICY,
                  'replication.factor': rf,
                  'offset-syncs.topic.location': 'target',
                  'offset-syncs.topic.replication.factor': rf,
                  // Topic configs and ACLs are declared at each site, not copied.
                  'sync.topic.configs.enabled': false,
                  'sync.topic.acls.enabled': false,
                },
              },
              checkpointConnector: {
                tasksMax: 1,
                autoRestart: { enabled: true },
                config: {
                  'replication.policy.class': IDENTITY_POLICY,
                  'offset-syncs.topic.location': 'target',
                  'checkpoints.topic.replication.factor': rf,
                  // Checkpoints are written for failover tooling; consumer groups here are not moved.
                  'sync.group.offsets.enabled': false,
                },
              },
              topicsPattern: Lazy.stringValue({ produce: () => exactNamesPattern(kafka.offsiteCopyTopics.map((t) => t.topicName)) }),
              groupsPattern: Lazy.stringValue({
                produce: () => {
                  const prefixes = kafka.readersOf(kafka.offsiteCopyTopics).map((u) => u.groupPrefix);
                  return prefixes.length === 0 ? '^$' : `(${prefixes.map(escapeRegex).join('|')}).*`;
                },
              }),
            },
          ],
          resources: { requests: { cpu: resources.cpu, memory: resources.memory }, limits: { memory: resources.memory } },
          template: { pod: strimziPodPlacement(this, kafka.zone) },
        },
      },
    });

    // Issued by the source site and copied here by its operators: the source user's certificate and the source cluster's CA.
    const cluster = ClusterContext.of(this).cluster;
    const credentials = SecretRef.of({ name: props.credentialsSecret, namespace: kafka.namespace, keys: authentication === 'tls' ? ['user.crt', 'user.key'] : ['password'] });
    new StoreSecret(this, 'source-credentials', {
      secret: credentials,
      remoteKey: peerCredentialKey(cluster, kafka.namespace, credentials.name),
      classification: authentication === 'tls' ? 'key-material' : 'credential',
      writtenBy: 'peer-site',
      purpose: `The credentials of Kafka user "${props.sourceUser}" at "${props.sourceAlias}", with which MirrorMaker 2 reads the topics marked for the off-site copy.`,
    });
    const ca = SecretRef.of({ name: props.caSecret, namespace: kafka.namespace, keys: ['ca.crt'] });
    new StoreSecret(this, 'source-ca', {
      secret: ca,
      remoteKey: peerCredentialKey(cluster, kafka.namespace, ca.name),
      classification: 'key-material',
      writtenBy: 'peer-site',
      purpose: `The cluster CA certificate of Kafka at "${props.sourceAlias}", which MirrorMaker 2 trusts when it connects there.`,
    });

    // Network.
    this.peer = mirrorMakerPeer(this.name);
    this.source = Peer.external({ name: `${props.sourceAlias}-kafka`, cidr: props.sourceCidr, backupTarget: true });
    const segmentation = Segmentation.of(this);
    segmentation.allow(this.peer, this.source, {
      ports: [Port.tcp(port)],
      description: `off-site copy: MirrorMaker 2 pulls the topics of "${props.sourceAlias}" through its exchange gateway (a declared backup target: Kafka's off-site copy)`,
      declaredBy: this,
    });
    kafka.connections.allowFrom(this.peer, { ports: [Port.tcp(this.targetListener.port)], description: `MirrorMaker 2 writes the off-site copy of "${props.sourceAlias}" into Kafka "${kafka.clusterName}"` });
    segmentation.allow(this.peer, this.peer, { ports: [STRIMZI_PORTS.connectApi], description: 'MirrorMaker 2 workers forward Connect REST requests to their leader', declaredBy: this });
    segmentation.allow(clusterOperatorPeer(), this.peer, { ports: [STRIMZI_PORTS.connectApi], description: 'the cluster operator manages the mirror connectors through the Connect REST API', declaredBy: this });
  }
}
