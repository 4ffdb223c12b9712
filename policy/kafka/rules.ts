/**
 * The rules a Kafka cluster's shape must follow, as pure functions. The environment schema
 * (environments/sections/kafka.ts) reports them with a path into the file; the constructs
 * throw them as ConstructPropsError. One rule, one place, two callers.
 */
import type { KafkaAuthentication, KafkaListenerType } from './defaults';

/** Ports Strimzi uses itself on Kafka pods; no listener may take them. */
export const RESERVED_PORTS: Readonly<Record<number, string>> = {
  8443: 'the Kafka agent port the cluster operator reads broker state from',
  9090: 'the KRaft control-plane port',
  9091: 'the replication port (brokers and Strimzi components)',
  9404: 'the metrics port',
  9999: 'the JMX port',
};

/** Authentication types a listener or user may use. */
export const AUTHENTICATIONS: readonly KafkaAuthentication[] = ['tls', 'scram-sha-512'];
export const LISTENER_TYPES: readonly KafkaListenerType[] = ['internal', 'cluster-ip', 'tlsroute', 'loadbalancer', 'nodeport'];

/** At most this many superusers: each one bypasses every ACL. */
export const MAX_SUPER_USERS = 3;

/**
 * Replica minimums of a node pool. Outside development a pool has at least 3 pods: 3 KRaft
 * controllers keep a quorum through one failure; 3 brokers allow replication factor 3 with
 * `min.insync.replicas` 2. Controllers are an odd number so a majority always exists.
 */
export function nodePoolProblems(role: 'controllers' | 'brokers', replicas: number, environmentClass: string): string[] {
  const out: string[] = [];
  if (!Number.isInteger(replicas) || replicas < 1) return [`must be a whole number >= 1`];
  if (environmentClass !== 'development' && replicas < 3) {
    out.push(
      role === 'controllers'
        ? `must be >= 3 outside development (class "${environmentClass}"): the KRaft quorum must survive the loss of a controller`
        : `must be >= 3 outside development (class "${environmentClass}"): replication factor 3 with min.insync.replicas 2 needs 3 brokers`,
    );
  }
  if (role === 'controllers' && replicas % 2 === 0) out.push('must be odd so the KRaft quorum always has a majority (1, 3, 5 ...)');
  return out;
}

/** The fields of a listener the rules look at (config and construct props both have them). */
export interface ListenerShape {
  readonly name: string;
  readonly port: number;
  readonly type?: string;
  readonly tls?: boolean;
  readonly authentication?: string;
  readonly gateway?: unknown;
  readonly bootstrapHost?: string;
  readonly brokerHostTemplate?: string;
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
  readonly received: unknown;
}

/**
 * A listener must encrypt (TLS) and authenticate (mutual TLS or SCRAM-SHA-512), use a port
 * Strimzi does not, and a `tlsroute` listener must say which exchange-zone Gateway carries it.
 * Exposure (LoadBalancer, NodePort) is checked by the construct against the zone rules.
 */
export function listenerProblems(l: ListenerShape): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!/^[a-z0-9]{1,11}$/.test(l.name)) out.push({ field: 'name', message: 'must be 1-11 lower-case letters or digits (Strimzi names Services after it)', received: l.name });
  if (l.tls !== undefined && l.tls !== true) {
    out.push({ field: 'tls', message: 'every Kafka listener encrypts its traffic: TLS cannot be turned off (remove the field or set it to true)', received: l.tls });
  }
  if (!AUTHENTICATIONS.includes(l.authentication as KafkaAuthentication)) {
    out.push({ field: 'authentication', message: 'every Kafka listener authenticates its clients; choose "tls" (mutual TLS) or "scram-sha-512"', received: l.authentication });
  }
  if (!Number.isInteger(l.port) || l.port < 9092 || l.port > 65535) {
    out.push({ field: 'port', message: 'must be a whole number from 9092 to 65535 (Strimzi keeps lower ports)', received: l.port });
  } else if (RESERVED_PORTS[l.port]) {
    out.push({ field: 'port', message: `is ${RESERVED_PORTS[l.port]}; choose another port`, received: l.port });
  }
  const type = l.type ?? 'internal';
  if (!LISTENER_TYPES.includes(type as KafkaListenerType)) {
    out.push({ field: 'type', message: `must be one of: ${LISTENER_TYPES.map((t) => JSON.stringify(t)).join(', ')}`, received: l.type });
  }
  if (type === 'tlsroute') {
    if (!l.gateway) out.push({ field: 'gateway', message: 'a "tlsroute" listener is reached through a Gateway in the exchange zone; name it (name, namespace, podSelector)', received: l.gateway });
    if (!l.bootstrapHost) out.push({ field: 'bootstrapHost', message: 'a "tlsroute" listener needs the host name clients bootstrap from', received: l.bootstrapHost });
    if (!l.brokerHostTemplate?.includes('{nodeId}')) {
      out.push({ field: 'brokerHostTemplate', message: 'a "tlsroute" listener needs per-broker host names containing "{nodeId}"', received: l.brokerHostTemplate });
    }
  } else {
    for (const field of ['gateway', 'bootstrapHost', 'brokerHostTemplate'] as const) {
      if (l[field] !== undefined) out.push({ field, message: `is only for listeners of type "tlsroute" (this one is "${type}")`, received: l[field] });
    }
  }
  return out;
}

/** Who a superuser may be: the principal of a mutual-TLS user (`CN=<name>`) or a SCRAM user name. */
const PRINCIPAL = /^(CN=)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The superuser list is minimal and names real users: no wildcards, no duplicates, at most 3. */
export function superUserProblems(superUsers: readonly string[]): Array<{ readonly index?: number; readonly message: string; readonly received: unknown }> {
  const out: Array<{ index?: number; message: string; received: unknown }> = [];
  if (superUsers.length > MAX_SUPER_USERS) {
    out.push({ message: `keep the superuser list minimal: at most ${MAX_SUPER_USERS} principals, each bypasses every ACL; give other users ACLs instead`, received: superUsers });
  }
  superUsers.forEach((p, index) => {
    if (!PRINCIPAL.test(p)) {
      out.push({ index, message: 'must name one user: "CN=<user>" for a mutual-TLS user or "<user>" for a SCRAM user (lower-case DNS label; no wildcards)', received: p });
    } else if (superUsers.indexOf(p) !== index) {
      out.push({ index, message: 'duplicate superuser', received: p });
    }
  });
  return out;
}

/** Escapes a literal for a Java regular expression (MirrorMaker 2 topic and group patterns). */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * A pattern matching exactly the given names (in the order given) or, for an empty list,
 * nothing at all: MirrorMaker 2 full-matches names against it, and no name is empty.
 */
export function exactNamesPattern(names: readonly string[]): string {
  return names.length === 0 ? '^$' : names.map(escapeRegex).join('|');
}
