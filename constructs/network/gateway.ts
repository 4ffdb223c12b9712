import type { Construct } from 'constructs';
import type { ZoneName } from '../../policy/zones';
import { Peer, type WorkloadPeer } from './peer';
import { Port } from './port';
import { Segmentation } from './segmentation';

/** Who reaches a gateway from outside the cluster, and on which port of its pods. */
export interface GatewayEntry {
  /** A name for the outside peer, e.g. "dr-site". */
  readonly name: string;
  /** Its address block (the other site's node network, which its pods leave through). */
  readonly cidr: string;
  /** The port the gateway pods listen on. @default 443 */
  readonly port?: number;
}

/**
 * The pods of a gateway (exchange or dmz), under one name wherever they are a peer: the value
 * of their `app.kubernetes.io/name` label, or `<namespace>-gateway`. Every construct that names
 * the same pods gets the same peer, so the diagram and the audit see one workload.
 */
export function gatewayPeer(props: { readonly namespace: string; readonly zone: ZoneName; readonly podSelector: Readonly<Record<string, string>> }): WorkloadPeer {
  const name = props.podSelector['app.kubernetes.io/name'] ?? `${props.namespace}-gateway`;
  return Peer.workload({ name, namespace: props.namespace, zone: props.zone, selector: { ...props.podSelector } });
}

/** Declares the entry path into a gateway from its outside peer. */
export function allowGatewayEntry(scope: Construct, gateway: WorkloadPeer, entry: GatewayEntry, description: string): void {
  Segmentation.of(scope).allow(Peer.external({ name: entry.name, cidr: entry.cidr }), gateway, { ports: [Port.tcp(entry.port ?? 443)], description, declaredBy: scope });
}
