import { Construct } from 'constructs';
import type { ZoneName } from '../../environments/schema';
import { ConstructPropsError, PropsProblems } from '../../lib/errors';
import { retain } from '../../lib/markers';
import { Lazy } from '../../lib/tf';
import { NS, STORAGE_CLASSES } from '../../policy/layout';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { TOPOLOGY_ZONE_LABEL } from '../cluster/bootstrap';
import { Peer, WorkloadPeer } from '../network/peer';
import { Port } from '../network/port';
import { checkExposure, Connections, Flow, IConnectable, Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { allowGatewayEntry, gatewayPeer as sharedGatewayPeer, type GatewayEntry } from '../network/gateway';
import { KAFKA_DEFAULTS, KafkaAuthentication, KafkaListenerType } from '../../policy/kafka/defaults';
import { KafkaMirrorMaker2, KafkaMirrorProps } from './mirror-maker';
import { clusterOperatorPeer, kafkaPeers, KafkaPeers, STRIMZI_PORTS } from './peers';
import { strimziPodPlacement } from './pod-template';
import { listenerProblems, nodePoolProblems, superUserProblems } from '../../policy/kafka/rules';
import { KafkaTopicProps, KafkaTopicResource, TopicConfigValue } from './topic';
import { KafkaUserProps, KafkaUserResource } from './user';

/** CPU and memory of each pod: requested, and memory also limited. */
export interface KafkaPodResources {
  /** CPU cores requested, e.g. "2" or "500m" (no CPU limit: throttling hurts Kafka's latency). */
  readonly cpu: string;
  /** Memory requested and limited, e.g. "8Gi"; Strimzi sizes the JVM heap from it. */
  readonly memory: string;
}

export interface KafkaNodePoolProps {
  /** Pods in the pool; at least 3 outside development, and odd for controllers. */
  readonly replicas: number;
  /** Size of each persistent volume, e.g. "500Gi" (StorageClass `ceph-rbd-retain`). */
  readonly storage: string;
  /** JBOD volumes per pod. @default 1 */
  readonly volumes?: number;
  /** @default { cpu: "500m", memory: "2Gi" } */
  readonly resources?: KafkaPodResources;
}

/** The Gateway (exchange zone, TLS passthrough) a `tlsroute` listener is reached through. */
export interface KafkaListenerGateway {
  readonly name: string;
  /** Its namespace; it must be in the exchange zone. */
  readonly namespace: string;
  /** The Gateway listener to attach to. @default every listener of the Gateway */
  readonly sectionName?: string;
  /** Labels of the gateway's proxy pods: the only peers that reach the listener. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Who reaches the gateway from outside, on which port of its pods. @default none: nothing outside reaches it */
  readonly entry?: GatewayEntry;
}

export interface KafkaListenerProps {
  /** 1-11 lower-case letters or digits. */
  readonly name: string;
  /** 9092 or higher; not a port Strimzi uses itself (9090, 9091, 9404, 9999). */
  readonly port: number;
  /**
   * `internal` and `cluster-ip` stay inside the cluster; `tlsroute` leaves it only through a
   * Gateway in the exchange zone; `loadbalancer` and `nodeport` would expose the data zone
   * directly and are refused by the segmentation rules.
   * @default "internal"
   */
  readonly type?: KafkaListenerType;
  /** Encryption; `false` is refused. @default true */
  readonly tls?: boolean;
  /** How clients authenticate: mutual TLS or SCRAM-SHA-512. Required; there is no anonymous listener. */
  readonly authentication: KafkaAuthentication;
  /** For `tlsroute` only. */
  readonly gateway?: KafkaListenerGateway;
  /** For `tlsroute` only: the bootstrap host name. */
  readonly bootstrapHost?: string;
  /** For `tlsroute` only: per-broker host names containing `{nodeId}`. */
  readonly brokerHostTemplate?: string;
}

export interface KafkaClusterProps {
  /** The `Kafka` resource's name: a DNS label of at most 30 characters. */
  readonly name: string;
  /** @default "4.3.1" */
  readonly version?: string;
  /** @default "4.3-IV0" */
  readonly metadataVersion?: string;
  readonly controllers: KafkaNodePoolProps;
  readonly brokers: KafkaNodePoolProps;
  /** @default one `internal` listener "tls" on 9093 with mutual TLS */
  readonly listeners?: readonly KafkaListenerProps[];
  /** Principals with unlimited rights, at most 3. @default ["CN=kafka-admin"] (created as an operator-managed KafkaUser) */
  readonly superUsers?: readonly string[];
  /** Cruise Control, for rebalancing. @default on with 2 or more brokers (Strimzi refuses it with one) */
  readonly cruiseControl?: boolean;
  /**
   * Rack awareness by zone (`topology.kubernetes.io/zone`): replicas of a partition are spread
   * over zones. Every node a broker may land on must carry the label: Strimzi's broker init
   * container exits when its node lacks it, and brokers get a required node affinity on it.
   * On a Cluster API cluster the vSphere CPI sets it from the hosts' `k8s-zone` tags
   * (constructs/cluster/bootstrap.ts); an adopted cluster gives no such guarantee.
   * @default true on a Cluster API cluster, false on an adopted (`existing`) one
   */
  readonly rack?: boolean;
  /**
   * Further broker configuration. The settings this construct manages (replication, topic
   * auto-creation and deletion, unclean election) cannot be overridden here.
   * @default {}
   */
  readonly config?: Readonly<Record<string, TopicConfigValue>>;
}

/** A listener after defaults, as the cluster serves it. */
export interface KafkaListener {
  readonly name: string;
  readonly port: number;
  readonly type: KafkaListenerType;
  readonly authentication: KafkaAuthentication;
  readonly gateway?: KafkaListenerGateway;
  readonly bootstrapHost?: string;
  readonly brokerHostTemplate?: string;
}

/** Broker settings the construct owns (durability and least surprise). */
const MANAGED_CONFIG = [
  'auto.create.topics.enable',
  'default.replication.factor',
  'min.insync.replicas',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
  'unclean.leader.election.enable',
  'delete.topic.enable',
  'allow.everyone.if.no.acl.found',
  'super.users',
];

/**
 * The peer a listener admits when no client has been allowed yet. Strimzi opens a listener
 * with an empty `networkPolicyPeers` to every pod, so "nobody" must be spelt as a selector
 * that no pod carries: pods of the `kafka` namespace labelled with it (none are).
 */
export const NO_CLIENTS_PEER = { podSelector: { matchLabels: { 'moit.gov.vn/kafka-listener': 'no-declared-clients' } } } as const;

const SERVICE_TYPE: Record<KafkaListenerType, string> = {
  internal: 'ClusterIP',
  'cluster-ip': 'ClusterIP',
  tlsroute: 'ClusterIP',
  loadbalancer: 'LoadBalancer',
  nodeport: 'NodePort',
};

const QUANTITY = /^\d+(\.\d+)?(Mi|Gi|Ti)$/;
const CPU = /^(\d+m|\d+(\.\d+)?)$/;

/**
 * A Strimzi Kafka cluster in the `kafka` namespace (data zone), KRaft with a controller and a
 * broker node pool, secure by default:
 *  - every listener encrypts (TLS) and authenticates (mutual TLS or SCRAM-SHA-512); simple
 *    authorization with a minimal superuser list; topics are never auto-created;
 *  - replication factor 3 and `min.insync.replicas` 2 whenever there are 3 brokers (always
 *    outside development), rack awareness by zone, a PodDisruptionBudget of one pod;
 *  - persistent JBOD volumes on `ceph-rbd-retain` with `deleteClaim: false`; the Kafka, its
 *    node pools and its topics are retained outside ephemeral environments;
 *  - pods on the data zone's nodes; the traffic of Strimzi's own components declared as flows,
 *    and each listener's `networkPolicyPeers` (Strimzi's own NetworkPolicy) rendered from the
 *    flows declared to the brokers: `kafka.connections.allowFrom(app)` opens both.
 */
export class KafkaCluster extends Construct implements IConnectable {
  readonly clusterName: string;
  readonly namespace: string = NS.kafka;
  readonly zone: ZoneName = 'data';
  readonly version: string;
  readonly metadataVersion: string;
  readonly environmentClass: string;
  readonly ephemeral: boolean;
  readonly brokerCount: number;
  readonly controllerCount: number;
  /** Replication factor and `min.insync.replicas` the cluster and its topics use. */
  readonly replication: { readonly factor: number; readonly minInsync: number };
  readonly listeners: readonly KafkaListener[];
  readonly superUsers: readonly string[];
  readonly cruiseControl: boolean;
  readonly peers: KafkaPeers;
  /**
   * The brokers' network side: `allowFrom(app)` lets `app` reach the in-cluster listeners (all
   * of them, or `ports`); a port that is no listener's, or a tlsroute listener's, is refused.
   */
  readonly connections: Connections;
  readonly kafka: CustomResource;
  readonly controllerPool: CustomResource;
  readonly brokerPool: CustomResource;
  /** The operator-managed users named in `superUsers`. */
  readonly adminUsers: readonly KafkaUserResource[];
  private readonly topicsByName = new Map<string, KafkaTopicResource>();
  private readonly usersByName = new Map<string, KafkaUserResource>();
  private readonly mirrors: KafkaMirrorMaker2[] = [];

  /** The MirrorMaker 2 instances writing into this cluster (the recovery site's off-site copy). */
  get mirrorMakers(): readonly KafkaMirrorMaker2[] {
    return [...this.mirrors];
  }

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    // Validate: every problem is reported at once.
    const problems = new PropsProblems(this.node.path);
    if (typeof props.name !== 'string' || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 30) {
      problems.add('name', 'must be a lower-case DNS label of at most 30 characters (Strimzi derives pod and Service names from it)', props.name);
    }
    this.environmentClass = stack.environment.class;
    this.ephemeral = stack.ephemeral;
    for (const role of ['controllers', 'brokers'] as const) {
      const pool = props[role];
      const replicaProblems = nodePoolProblems(role, pool.replicas, this.environmentClass);
      if (replicaProblems.length > 0) problems.add(`${role}.replicas`, replicaProblems.join('; '), pool.replicas);
      if (typeof pool.storage !== 'string' || !QUANTITY.test(pool.storage)) problems.add(`${role}.storage`, 'must be a size in Mi, Gi or Ti, such as "500Gi"', pool.storage);
      const volumes = pool.volumes ?? 1;
      if (!Number.isInteger(volumes) || volumes < 1 || volumes > 8) problems.add(`${role}.volumes`, 'must be a whole number from 1 to 8', volumes);
      if (pool.resources && (!CPU.test(pool.resources.cpu) || !QUANTITY.test(pool.resources.memory))) {
        problems.add(`${role}.resources`, 'cpu must be cores ("2", "500m") and memory a size ("8Gi")', pool.resources);
      }
    }
    const listenerProps: readonly KafkaListenerProps[] = props.listeners ?? KAFKA_DEFAULTS.listeners;
    if (listenerProps.length === 0) problems.add('listeners', 'a Kafka cluster needs at least one listener', listenerProps);
    listenerProps.forEach((l, i) => {
      for (const p of listenerProblems(l)) problems.add(`listeners[${i}].${p.field}`, p.message, p.received);
      if (listenerProps.findIndex((o) => o.name === l.name) !== i) problems.add(`listeners[${i}].name`, 'duplicate listener name', l.name);
      if (listenerProps.findIndex((o) => o.port === l.port) !== i) problems.add(`listeners[${i}].port`, 'duplicate listener port', l.port);
    });
    const superUsers = [...(props.superUsers ?? KAFKA_DEFAULTS.superUsers)];
    for (const p of superUserProblems(superUsers)) problems.add(`superUsers${p.index === undefined ? '' : `[${p.index}]`}`, p.message, p.received);
    const brokers = props.brokers.replicas;
    const cruiseControl = props.cruiseControl ?? brokers >= 2;
    if (cruiseControl && brokers < 2) problems.add('cruiseControl', 'Strimzi runs Cruise Control only with 2 or more brokers', props.cruiseControl);
    for (const key of Object.keys(props.config ?? {})) {
      if (MANAGED_CONFIG.includes(key)) problems.add(`config["${key}"]`, 'is managed by the construct (replication, topic creation and deletion, authorization); it cannot be overridden', props.config![key]);
    }
    problems.throwIfAny();

    // Apply defaults.
    this.clusterName = props.name;
    this.version = props.version ?? KAFKA_DEFAULTS.version;
    this.metadataVersion = props.metadataVersion ?? KAFKA_DEFAULTS.metadataVersion;
    this.brokerCount = brokers;
    this.controllerCount = props.controllers.replicas;
    const factor = Math.min(3, brokers);
    this.replication = { factor, minInsync: factor >= 3 ? 2 : 1 };
    this.listeners = listenerProps.map((l) => ({
      name: l.name,
      port: l.port,
      type: l.type ?? 'internal',
      authentication: l.authentication,
      ...(l.gateway ? { gateway: l.gateway } : {}),
      ...(l.bootstrapHost ? { bootstrapHost: l.bootstrapHost } : {}),
      ...(l.brokerHostTemplate ? { brokerHostTemplate: l.brokerHostTemplate } : {}),
    }));
    this.superUsers = superUsers;
    this.cruiseControl = cruiseControl;
    const rack = props.rack ?? nodesCarryZoneLabel(stack);

    // Network identity, and the exposure rules of each listener.
    // `allowFrom` opens the in-cluster listeners by default; a tlsroute listener is for its gateway.
    this.peers = kafkaPeers(this.clusterName, this.listeners.filter((l) => l.type !== 'tlsroute').map((l) => Port.tcp(l.port)));
    this.connections = new BrokerConnections(this, this.peers.brokers);
    const segmentation = Segmentation.of(this);
    for (const l of this.listeners) {
      const exposed = checkExposure(`Kafka "${this.clusterName}" listener "${l.name}" (type ${l.type})`, this.zone, SERVICE_TYPE[l.type]);
      if (exposed) segmentation.reportViolation(`${exposed}; reach it from another site through a "tlsroute" listener and the exchange-zone Gateway (declared at ${this.node.path})`);
      if (l.gateway) this.allowGateway(l, stack.zoneOf.bind(stack));
    }

    // Resources.
    const placement = strimziPodPlacement(this, this.zone);
    this.controllerPool = this.nodePool('controllers', props.controllers, placement);
    this.brokerPool = this.nodePool('brokers', props.brokers, placement);
    const componentResources = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });
    this.kafka = new CustomResource(this, 'kafka', {
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'Kafka',
        metadata: { name: this.clusterName, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          kafka: {
            version: this.version,
            metadataVersion: this.metadataVersion,
            ...(rack ? { rack: { type: 'topology-label', topologyKey: TOPOLOGY_ZONE_LABEL } } : {}),
            // Rendered when the stack is written: the peers come from the flows declared by then.
            listeners: Lazy.anyValue({ produce: () => this.listeners.map((l) => this.renderListener(l)) }),
            authorization: { type: 'simple', superUsers: [...superUsers] },
            // Kafka's metrics in Prometheus format on port 9404 (tcp-prometheus), no JMX exporter
            // rules to maintain; the monitoring stack scrapes them (constructs/monitoring).
            metricsConfig: { type: 'strimziMetricsReporter' },
            config: {
              ...(props.config ?? {}),
              'auto.create.topics.enable': false,
              'default.replication.factor': this.replication.factor,
              'min.insync.replicas': this.replication.minInsync,
              'offsets.topic.replication.factor': this.replication.factor,
              'transaction.state.log.replication.factor': this.replication.factor,
              'transaction.state.log.min.isr': this.replication.minInsync,
              'unclean.leader.election.enable': false,
              // Outside ephemeral environments the brokers refuse to delete topics at all.
              'delete.topic.enable': this.ephemeral,
            },
            template: { podDisruptionBudget: { maxUnavailable: 1 } },
          },
          entityOperator: {
            topicOperator: { resources: componentResources('100m', '512Mi') },
            userOperator: { resources: componentResources('100m', '512Mi') },
            template: { pod: { ...placement } },
          },
          ...(cruiseControl ? { cruiseControl: { resources: componentResources('200m', '1Gi'), template: { pod: { ...placement } } } } : {}),
        },
      },
    });
    retain(this.kafka.manifest, 'kafka', this.ephemeral);
    this.adminUsers = superUsers.map((principal) => {
      const tls = principal.startsWith('CN=');
      const name = tls ? principal.slice(3) : principal;
      return this.registerUser(new KafkaUserResource(this, `superuser-${name}`, this, { name, authentication: tls ? 'tls' : 'scram-sha-512', role: 'superuser' }));
    });

    // Strimzi's own traffic, minimal and each with its reason.
    this.declareSystemFlows(segmentation);
    this.node.addValidation({ validate: () => this.flowProblems() });
  }

  /** Creates a topic of this cluster. Topics are retained outside ephemeral environments. */
  addTopic(props: KafkaTopicProps): KafkaTopicResource {
    if (this.topicsByName.has(props.name)) throw new ConstructPropsError(this.node.path, 'addTopic.name', 'a topic of this name already exists in this cluster', props.name);
    const topic = new KafkaTopicResource(this, `topic-${props.name}`, this, props);
    this.topicsByName.set(topic.topicName, topic);
    return topic;
  }

  /**
   * Creates a user with least-privilege ACLs on this cluster's topics; credentials are
   * generated in-cluster. Network access is separate: `kafka.connections.allowFrom(workload)`.
   */
  addUser(props: KafkaUserProps): KafkaUserResource {
    if (this.usersByName.has(props.name)) throw new ConstructPropsError(this.node.path, 'addUser.name', 'a user of this name already exists in this cluster', props.name);
    return this.registerUser(new KafkaUserResource(this, `user-${props.name}`, this, props));
  }

  /** A topic of this cluster by its Kafka name. */
  topic(name: string): KafkaTopicResource | undefined {
    return this.topicsByName.get(name);
  }

  /** A user of this cluster by name. */
  user(name: string): KafkaUserResource | undefined {
    return this.usersByName.get(name);
  }

  /** Every topic, by name. */
  get topics(): KafkaTopicResource[] {
    return [...this.topicsByName.values()].sort((a, b) => a.topicName.localeCompare(b.topicName));
  }

  /** Every user, by name (superusers included). */
  get users(): KafkaUserResource[] {
    return [...this.usersByName.values()].sort((a, b) => a.userName.localeCompare(b.userName));
  }

  /** The topics that are part of the off-site copy. */
  get offsiteCopyTopics(): KafkaTopicResource[] {
    return this.topics.filter((t) => t.offsiteCopy);
  }

  /** A listener by name; an unknown name is an error naming the known ones. */
  listener(name: string): KafkaListener {
    const found = this.listeners.find((l) => l.name === name);
    if (!found) throw new ConstructPropsError(this.node.path, 'listener', `no such listener; listeners: ${this.listeners.map((l) => l.name).join(', ')}`, name);
    return found;
  }

  /** The in-cluster bootstrap address of a listener: `<name>-kafka-bootstrap.kafka.svc:<port>`. */
  bootstrapServers(listenerName: string): string {
    return `${this.clusterName}-kafka-bootstrap.${this.namespace}.svc:${this.listener(listenerName).port}`;
  }

  /** The Secret (created by Strimzi) with the cluster CA certificate clients trust (`ca.crt`). */
  get clusterCaSecretName(): string {
    return `${this.clusterName}-cluster-ca-cert`;
  }

  /**
   * Makes this cluster the source of an off-site copy: a user for the recovery site's
   * MirrorMaker 2, authenticating like `listener`, with Describe+Read on every topic marked
   * for the off-site copy (literal names, as they are added) and Describe (only) on the
   * consumer groups of the users reading them, so consumer offsets can be translated at the
   * recovery site. It writes nothing and owns no group. Its credentials Secret is copied to
   * the recovery site by the operators.
   */
  addOffsiteCopyUser(props: { readonly name: string; readonly listener: string }): KafkaUserResource {
    const listener = this.listener(props.listener);
    if (this.usersByName.has(props.name)) throw new ConstructPropsError(this.node.path, 'addOffsiteCopyUser.name', 'a user of this name already exists in this cluster', props.name);
    return this.registerUser(
      new KafkaUserResource(this, `offsite-copy-${props.name}`, this, {
        name: props.name,
        authentication: listener.authentication,
        role: 'offsite-copy-source',
        extraAcls: {
          topics: () => this.offsiteCopyTopics.map((t) => ({ name: t.topicName, operations: ['Describe', 'Read'] })),
          groupPrefixes: () => this.readersOf(this.offsiteCopyTopics).map((u) => ({ prefix: u.groupPrefix, operations: ['Describe'] })),
        },
      }),
    );
  }

  /** Mirrors another site's cluster into this one with MirrorMaker 2 (the recovery site's off-site copy). */
  mirrorFrom(props: KafkaMirrorProps): KafkaMirrorMaker2 {
    const mirror = new KafkaMirrorMaker2(this, `mirror-from-${props.sourceAlias}`, this, props);
    this.mirrors.push(mirror);
    return mirror;
  }

  /** Client users of this cluster that read any of `topics`. */
  readersOf(topics: readonly KafkaTopicResource[]): KafkaUserResource[] {
    const names = new Set(topics.map((t) => t.topicName));
    return this.users.filter((u) => u.role === 'client' && u.readTopics.some((t) => names.has(t)));
  }

  /** @internal Registers a user created by a construct of this cluster. */
  registerUser(user: KafkaUserResource): KafkaUserResource {
    this.usersByName.set(user.userName, user);
    return user;
  }

  /** The peers a listener's NetworkPolicy admits: the sources of the flows declared to it. */
  networkPolicyPeers(listener: KafkaListener): Array<Record<string, unknown>> {
    const peers = new Map<string, Record<string, unknown>>();
    for (const flow of Segmentation.of(this).flows) {
      if (flow.to.describe() !== this.peers.brokers.describe()) continue;
      if (!flow.ports.some((p) => p.protocol === 'TCP' && p.port === listener.port)) continue;
      const peer = flow.from.policyPeer();
      peers.set(JSON.stringify(peer), peer);
    }
    if (peers.size === 0) return [structuredClone(NO_CLIENTS_PEER) as Record<string, unknown>];
    return [...peers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, p]) => p);
  }

  private renderListener(l: KafkaListener): Record<string, unknown> {
    const configuration =
      l.type === 'tlsroute'
        ? {
            parentRefs: [
              {
                group: 'gateway.networking.k8s.io',
                kind: 'Gateway',
                name: l.gateway!.name,
                namespace: l.gateway!.namespace,
                ...(l.gateway!.sectionName ? { sectionName: l.gateway!.sectionName } : {}),
              },
            ],
            bootstrap: { host: l.bootstrapHost },
            hostTemplate: l.brokerHostTemplate,
          }
        : undefined;
    return {
      name: l.name,
      port: l.port,
      type: l.type,
      tls: true,
      authentication: { type: l.authentication },
      ...(configuration ? { configuration } : {}),
      networkPolicyPeers: this.networkPolicyPeers(l),
    };
  }

  private nodePool(role: 'controllers' | 'brokers', pool: KafkaNodePoolProps, placement: Record<string, unknown>): CustomResource {
    const name = `${this.clusterName}-${role}`;
    const resources = pool.resources ?? KAFKA_DEFAULTS.resources;
    const volumes = Array.from({ length: pool.volumes ?? 1 }, (_, id) => ({
      id,
      type: 'persistent-claim',
      size: pool.storage,
      class: STORAGE_CLASSES.block,
      // The claim outlives the pod and the Kafka resource; the volume outlives the claim.
      deleteClaim: false,
      ...(id === 0 ? { kraftMetadata: 'shared' } : {}),
    }));
    const resource = new CustomResource(this, role, {
      object: {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaNodePool',
        metadata: { name, namespace: this.namespace, labels: { 'strimzi.io/cluster': this.clusterName, 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          replicas: pool.replicas,
          roles: [role === 'controllers' ? 'controller' : 'broker'],
          storage: { type: 'jbod', volumes },
          resources: { requests: { cpu: resources.cpu, memory: resources.memory }, limits: { memory: resources.memory } },
          template: {
            pod: {
              ...placement,
              // One pod per node: losing a node costs one replica, never a quorum.
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: this.environmentClass === 'development' ? 'ScheduleAnyway' : 'DoNotSchedule',
                  labelSelector: { matchLabels: { 'strimzi.io/cluster': this.clusterName, 'strimzi.io/pool-name': name } },
                },
              ],
            },
          },
        },
      },
    });
    retain(resource.manifest, 'kafka', this.ephemeral);
    return resource;
  }

  /** A `tlsroute` listener is reached only from the gateway pods of an exchange-zone Gateway. */
  private allowGateway(l: KafkaListener, zoneOf: (ns: string) => ZoneName): void {
    const gateway = l.gateway!;
    let zone: ZoneName;
    try {
      zone = zoneOf(gateway.namespace);
    } catch (error) {
      throw new ConstructPropsError(this.node.path, `listeners.${l.name}.gateway.namespace`, (error as Error).message, gateway.namespace);
    }
    if (zone !== 'exchange') {
      throw new ConstructPropsError(this.node.path, `listeners.${l.name}.gateway.namespace`, `is in zone "${zone}"; Kafka leaves the cluster only through the exchange zone's Gateway`, gateway.namespace);
    }
    this.connections.allowFrom(gatewayPeer(l), {
      ports: [Port.tcp(l.port)],
      description: `Gateway ${gateway.namespace}/${gateway.name} passes TLS through to Kafka "${this.clusterName}" listener "${l.name}" (clients at another site)`,
    });
    if (gateway.entry) {
      allowGatewayEntry(this, gatewayPeer(l), gateway.entry, `${gateway.entry.name} enters Gateway ${gateway.namespace}/${gateway.name} for Kafka "${this.clusterName}" listener "${l.name}" (TLS passthrough)`);
    }
  }

  private declareSystemFlows(segmentation: Segmentation): void {
    const p = this.peers;
    const operator = clusterOperatorPeer();
    const api = apiServerPeer(this);
    const allow = (from: Peer, to: Peer, ports: Port[], description: string) => segmentation.allow(from, to, { ports, description, declaredBy: this });
    allow(p.controllers, p.controllers, [STRIMZI_PORTS.controlPlane], 'KRaft controllers replicate the metadata log among themselves');
    allow(p.brokers, p.controllers, [STRIMZI_PORTS.controlPlane], 'brokers fetch cluster metadata from the KRaft controllers');
    allow(p.brokers, p.brokers, [STRIMZI_PORTS.replication], 'brokers replicate partitions from each other');
    allow(p.nodes, api, [...API_SERVER_PORTS], 'Kafka nodes load their certificates from Secrets, and the broker init container reads its node zone label for rack awareness');
    allow(operator, p.controllers, [STRIMZI_PORTS.controlPlane], 'the cluster operator checks the KRaft quorum before rolling a controller');
    allow(operator, p.brokers, [STRIMZI_PORTS.replication], 'the cluster operator administers brokers (admin client) during reconciliation and rolls');
    allow(operator, p.nodes, [STRIMZI_PORTS.agent], "the cluster operator reads each node's state from the Kafka agent during rolls");
    allow(p.entityOperator, api, [...API_SERVER_PORTS], 'the topic and user operators watch KafkaTopic and KafkaUser resources and write user Secrets');
    allow(p.entityOperator, p.brokers, [STRIMZI_PORTS.replication], 'the topic and user operators apply topics, ACLs and quotas through the admin API');
    if (this.cruiseControl) {
      allow(p.cruiseControl, p.brokers, [STRIMZI_PORTS.replication], 'Cruise Control reads metrics and moves partitions through the admin API');
      allow(operator, p.cruiseControl, [STRIMZI_PORTS.cruiseControlApi], 'the cluster operator drives rebalances through the Cruise Control REST API');
    }
  }

  /** Why `ports` may not be opened to the brokers by `from`, or undefined when they may. */
  portProblem(from: Peer, ports: readonly Port[]): string | undefined {
    const p = this.peers;
    const internal = [clusterOperatorPeer(), p.brokers, p.entityOperator, p.cruiseControl].some((x) => x.describe() === from.describe());
    const listenerPorts = this.listeners.map((l) => l.port);
    const bad = ports.filter((port) => !(port.protocol === 'TCP' && (listenerPorts.includes(port.port) || (internal && port.port === STRIMZI_PORTS.replication.port))));
    if (bad.length > 0) {
      return `ports ${bad.map(String).join(', ')} are not listener ports of Kafka "${this.clusterName}"; clients reach ${this.listeners.map((l) => `${l.port} (${l.name})`).join(', ')} only`;
    }
    for (const l of this.listeners.filter((x) => x.type === 'tlsroute' && ports.some((port) => port.port === x.port))) {
      if (from.describe() !== gatewayPeer(l).describe()) {
        return `port ${l.port} is listener "${l.name}", reached only through Gateway ${l.gateway!.namespace}/${l.gateway!.name}; in-cluster clients use ${this.listeners.filter((x) => x.type !== 'tlsroute').map((x) => `${x.port} (${x.name})`).join(', ') || 'no other listener'}`;
      }
    }
    return undefined;
  }

  /**
   * Flows to the brokers use listener ports only; the replication port is for Strimzi's own
   * components. A client flow on another port would open more than a listener. (Flows made
   * with `connections.allowFrom` are checked when declared; this catches the others.)
   */
  private flowProblems(): string[] {
    const out: string[] = [];
    for (const flow of Segmentation.of(this).flows) {
      if (flow.to.describe() !== this.peers.brokers.describe()) continue;
      const problem = this.portProblem(flow.from, flow.ports);
      if (problem) out.push(`flow ${flow.from.describe()} -> ${flow.to.describe()} (declared at ${flow.declaredBy}): ${problem}`);
    }
    return out;
  }
}

/** The pods of the Gateway a `tlsroute` listener is reached through. */
function gatewayPeer(l: KafkaListener): WorkloadPeer {
  const g = l.gateway!;
  return sharedGatewayPeer({ namespace: g.namespace, zone: 'exchange', podSelector: g.podSelector });
}

/** The brokers' connections: `allowFrom` refuses, when called, a port that is not a listener's. */
class BrokerConnections extends Connections {
  constructor(
    private readonly kafka: KafkaCluster,
    peer: WorkloadPeer,
  ) {
    super(kafka, peer);
  }

  allowFrom(other: Peer | IConnectable, options: { readonly ports?: readonly Port[]; readonly description?: string } = {}): Flow {
    const from = other instanceof Peer ? other : other.connections.peer;
    const problem = this.kafka.portProblem(from, options.ports ?? this.peer.defaultPorts);
    if (problem) throw new ConstructPropsError(this.kafka.node.path, 'connections.allowFrom', problem, from.describe());
    return super.allowFrom(other, options);
  }
}

/**
 * True when every node of the stack's cluster gets `topology.kubernetes.io/zone`: a Cluster API
 * cluster, whose vSphere CPI sets it. An adopted cluster (dev: kind or similar) may not label its
 * nodes at all, and a broker on an unlabelled node never starts, so rack awareness is off there.
 */
function nodesCarryZoneLabel(stack: ClusterContext): boolean {
  return stack.environment.clusters.find((c) => c.name === stack.cluster)?.mode === 'clusterApi';
}
