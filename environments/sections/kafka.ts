/**
 * The `kafka` section of an environment file: the Strimzi Kafka clusters of each workload
 * cluster, their node pools and listeners, and the off-site copy (MirrorMaker 2 at the
 * recovery site pulling from production). Shapes are checked here; the rules that need the
 * whole environment (class, cluster names) are in `kafkaProblems`, called by the schema's
 * superRefine. The rules shared with the constructs (replica minimums, listener security)
 * live in policy/kafka/rules.ts, so a config and a direct construct call get the same answer.
 */
import { ipv4CidrSchema } from '../../lib/net';
import { z } from 'zod';
import { listenerProblems, nodePoolProblems, superUserProblems } from '../../policy/kafka/rules';
import { KAFKA_DEFAULTS } from '../../policy/kafka/defaults';
import { gatewayEntry } from './gateway';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const label = (what: string, max = 40) =>
  z
    .string()
    .max(max, { message: `${what} must be at most ${max} characters (it becomes part of Kubernetes names)` })
    .regex(DNS_LABEL, { message: `${what} must be a lower-case DNS label: letters, digits and '-', starting with a letter` });

const hostname = z.string().regex(/^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, {
  message: 'must be a fully qualified lower-case DNS name such as "events-bootstrap.kafka.hanoi-1.dc.moit.gov.vn"',
});

const cidr = ipv4CidrSchema('10.10.8.16/28');

/** A Kubernetes quantity of bytes: "20Gi", "1.5Ti", "512Mi". */
const bytes = z.string().regex(/^\d+(\.\d+)?(Mi|Gi|Ti)$/, { message: 'must be a size in Mi, Gi or Ti, such as "500Gi"' });
/** CPU: whole or fractional cores, or millicores: "2", "0.5", "500m". */
const cpu = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, { message: 'must be CPU cores such as "2", "0.5" or "500m"' });

const resources = z.strictObject({
  /** CPU requested per pod (no CPU limit: Kafka is latency-sensitive, throttling hurts it). */
  cpu,
  /** Memory requested and limited per pod. */
  memory: bytes,
});

const nodePool = z.strictObject({
  /** Number of pods; at least 3 outside development (checked with the environment's class). */
  replicas: z.number().int().min(1).max(30),
  /** Size of each persistent volume. */
  storage: bytes,
  /** Number of JBOD volumes per pod. @default 1 */
  volumes: z.number().int().min(1).max(8).default(1),
  resources,
});

const listener = z.strictObject({
  /** Listener name: lower-case letters and digits, 1-11 characters (Strimzi's rule). */
  name: z.string().regex(/^[a-z0-9]{1,11}$/, { message: 'must be 1-11 lower-case letters or digits (Strimzi names Services after it)' }),
  port: z.number().int().min(9092).max(65535),
  /** How the listener is reached. @default "internal" */
  type: z.enum(['internal', 'cluster-ip', 'tlsroute', 'loadbalancer', 'nodeport']).default('internal'),
  /** Every listener encrypts; the field exists so that turning it off is refused by name. @default true */
  tls: z.boolean().default(true),
  /** How clients prove who they are: mutual TLS or SCRAM-SHA-512 (over TLS). */
  authentication: z.enum(['tls', 'scram-sha-512'], { message: 'every listener authenticates its clients; choose "tls" (mutual TLS) or "scram-sha-512"' }),
  /**
   * For a `tlsroute` listener: the Gateway in the exchange zone the TLSRoutes attach to
   * (TLS passthrough), and the labels of the gateway's pods, which are the only peers that
   * may reach the listener.
   */
  gateway: z
    .strictObject({
      name: label('a Gateway name', 63),
      namespace: label('a namespace', 63),
      /** The Gateway listener (section) to attach to. */
      sectionName: label('a Gateway listener name', 63).optional(),
      podSelector: z.record(z.string(), z.string()),
      /**
       * Who reaches the gateway from outside (the other site's node network) and on which port
       * of the gateway pods: the declared entry path. @default none: nothing outside reaches
       * the gateway, so the listener is reachable only on paper (`npm run reach` shows it)
       */
      entry: gatewayEntry.optional(),
    })
    .optional(),
  /** For a `tlsroute` listener: the bootstrap host name clients at the other site use. */
  bootstrapHost: hostname.optional(),
  /** For a `tlsroute` listener: per-broker host names, with `{nodeId}`. */
  brokerHostTemplate: z.string().optional(),
});

const mirrorFrom = z.strictObject({
  /** Alias of the source cluster in MirrorMaker 2 (appears in its internal topic names). */
  alias: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { message: 'must be a short lower-case alias such as "prod"' }),
  /** The source cluster's bootstrap address as reachable from this site: `host:port`. */
  bootstrapServers: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}$/, { message: 'must be "host:port", such as "events-bootstrap.kafka.hanoi-1.dc.moit.gov.vn:443"' }),
  /** The addresses that bootstrap name and the broker names resolve to: the primary site's exchange gateway. */
  cidr,
  /** The KafkaUser at the source whose credentials this site's MirrorMaker 2 uses (read-only there). */
  user: label('a user name', 63),
  /**
   * Secret in the `kafka` namespace holding that user's credentials (`user.crt`/`user.key`, or
   * `password` for SCRAM), copied from the primary site by the operators; never in code or state.
   */
  credentialsSecret: label('a Secret name', 63),
  /** Secret in the `kafka` namespace holding the source cluster's CA certificate (`*.crt`), copied likewise. */
  caSecret: label('a Secret name', 63),
  /** How MirrorMaker 2 authenticates at the source. @default "tls" */
  authentication: z.enum(['tls', 'scram-sha-512']).default('tls'),
  /** MirrorMaker 2 pods. @default 2 */
  replicas: z.number().int().min(1).max(10).default(2),
  /** @default { cpu: "500m", memory: "2Gi" } */
  resources: resources.default({ cpu: '500m', memory: '2Gi' }),
});

const kafkaCluster = z.strictObject({
  /** The Kafka cluster's name (the `Kafka` resource). */
  name: label('a Kafka cluster name', 30),
  /** The workload cluster it runs on (a name from `clusters`). */
  cluster: label('a cluster name'),
  /** @default "4.3.1" (Strimzi 1.2.0's default) */
  version: z.string().regex(/^\d+\.\d+\.\d+$/, { message: 'must be a Kafka version such as "4.3.1"' }).default(KAFKA_DEFAULTS.version),
  /** @default "4.3-IV0" */
  metadataVersion: z.string().regex(/^\d+\.\d+-IV\d+$/, { message: 'must be a KRaft metadata version such as "4.3-IV0"' }).default(KAFKA_DEFAULTS.metadataVersion),
  controllers: nodePool,
  brokers: nodePool,
  /** @default one internal listener "tls" on 9093 with mutual TLS */
  listeners: z.array(listener).min(1, { message: 'a Kafka cluster needs at least one listener' }).default([...KAFKA_DEFAULTS.listeners]),
  /** Principals with unlimited rights: a minimal list. @default ["CN=kafka-admin"] */
  superUsers: z.array(z.string()).default([...KAFKA_DEFAULTS.superUsers]),
  /** Cruise Control for rebalancing. @default on when there are at least 2 brokers */
  cruiseControl: z.boolean().optional(),
  /**
   * This cluster is the source of an off-site copy: the KafkaUser created for the recovery
   * site's MirrorMaker 2 (read-only on the topics marked for the off-site copy) and the
   * listener it connects through.
   */
  offsiteCopy: z.strictObject({ user: label('a user name', 63), listener: z.string() }).optional(),
  /** Recovery environments only: mirror the primary site's cluster into this one with MirrorMaker 2. */
  mirrorFrom: mirrorFrom.optional(),
});

export const kafkaSection = z.strictObject({ clusters: z.array(kafkaCluster).default([]) }).default({ clusters: [] });

export type KafkaSectionInput = z.input<typeof kafkaSection>;
export type KafkaSection = z.output<typeof kafkaSection>;
export type KafkaClusterConfig = KafkaSection['clusters'][number];
export type KafkaListenerConfig = KafkaClusterConfig['listeners'][number];
export type KafkaMirrorFromConfig = NonNullable<KafkaClusterConfig['mirrorFrom']>;

type Problem = (path: (string | number)[], message: string, input: unknown) => void;

/**
 * The checks of the kafka section that need the rest of the environment: referenced clusters,
 * the HA minimums of the environment's class, listener security, and who may mirror what.
 */
export function kafkaProblems(env: { readonly class: string; readonly clusters: ReadonlyArray<{ readonly name: string }>; readonly kafka: KafkaSection }, problem: Problem): void {
  const clusterNames = env.clusters.map((c) => c.name);
  const seen = new Set<string>();
  env.kafka.clusters.forEach((k, ki) => {
    const at = (...path: (string | number)[]) => ['kafka', 'clusters', ki, ...path];
    if (!clusterNames.includes(k.cluster)) problem(at('cluster'), `refers to a cluster this environment does not declare; declared: ${clusterNames.join(', ')}`, k.cluster);
    const key = `${k.cluster}/${k.name}`;
    if (seen.has(key)) problem(at('name'), `duplicate Kafka cluster name on cluster "${k.cluster}" (they share the "kafka" namespace)`, k.name);
    seen.add(key);
    for (const role of ['controllers', 'brokers'] as const) {
      for (const message of nodePoolProblems(role, k[role].replicas, env.class)) problem(at(role, 'replicas'), message, k[role].replicas);
    }
    if (k.cruiseControl && k.brokers.replicas < 2) problem(at('cruiseControl'), 'Strimzi runs Cruise Control only with 2 or more brokers', k.cruiseControl);
    if (!k.metadataVersion.startsWith(`${k.version.split('.').slice(0, 2).join('.')}-`)) {
      problem(at('metadataVersion'), `must belong to Kafka ${k.version} (for example "${k.version.split('.').slice(0, 2).join('.')}-IV0")`, k.metadataVersion);
    }
    const names = k.listeners.map((l) => l.name);
    const ports = k.listeners.map((l) => l.port);
    k.listeners.forEach((l, li) => {
      if (names.indexOf(l.name) !== li) problem(at('listeners', li, 'name'), 'duplicate listener name', l.name);
      if (ports.indexOf(l.port) !== li) problem(at('listeners', li, 'port'), 'duplicate listener port', l.port);
      for (const p of listenerProblems(l)) problem(at('listeners', li, p.field), p.message, p.received);
    });
    superUserProblems(k.superUsers).forEach((p) => problem(at('superUsers', ...(p.index === undefined ? [] : [p.index])), p.message, p.received));
    if (k.offsiteCopy && !names.includes(k.offsiteCopy.listener)) {
      problem(at('offsiteCopy', 'listener'), `names no listener of this cluster; listeners: ${names.join(', ')}`, k.offsiteCopy.listener);
    }
    if (k.mirrorFrom && env.class !== 'recovery') {
      problem(at('mirrorFrom'), `only a recovery environment receives the off-site copy of production topics (class is "${env.class}"); copying them elsewhere would leak production data`, k.mirrorFrom.alias);
    }
    if (k.mirrorFrom && !k.listeners.some((l) => l.type === 'internal' || l.type === 'cluster-ip')) {
      problem(at('listeners'), 'MirrorMaker 2 writes into this cluster from inside the cluster: declare an "internal" or "cluster-ip" listener', names);
    }
  });
}
