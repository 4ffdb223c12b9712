import { parseCidr } from '../../lib/net';
import type { ZoneName } from '../../environments/schema';
import type { Port } from './port';

/** Label every namespace carries with its zone; policies and audits select on it. */
export const ZONE_LABEL = 'moit.gov.vn/zone';
/** The label Kubernetes sets on every namespace with its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A declared exception to a segmentation rule: who allowed it and why. */
export interface NetworkException {
  /** Why this is needed, in words an auditor can check (10 characters at least). */
  readonly reason: string;
}

/**
 * A narrower peer inside an address block, declared as covered on purpose: without it, a block
 * holding another declared peer (the registry mirror inside the node network) is refused at synth,
 * because its flows would reach that host under the wrong name.
 */
export interface EnclosedPeer {
  readonly peer: { readonly name: string; readonly cidr: string };
  /** Why flows of the wider block may reach it (10 characters at least). */
  readonly reason: string;
}

/** Where a peer lives: a zone of this cluster, the cluster's own control plane, or outside. */
export type PeerLocation =
  | { readonly kind: 'zone'; readonly zone: ZoneName; readonly namespace: string }
  | { readonly kind: 'control-plane' }
  | { readonly kind: 'external' };

/** Something traffic can come from or go to. Build one with the static factories. */
export abstract class Peer {
  /**
   * The cluster's own control plane (API server, on the node network): part of the cluster,
   * so reaching it is not egress "beyond the cluster".
   */
  static controlPlane(props: { readonly cidr: string }): ExternalPeer {
    return new ExternalPeer('kube-apiserver', props.cidr, false, undefined, true);
  }

  /**
   * The cluster's node network: host-network pods and kernel clients on every node. It holds
   * the control-plane nodes, so a flow from it must declare that overlap (`encloses`).
   */
  static nodeNetwork(props: { readonly cidr: string; readonly encloses?: readonly EnclosedPeer[] }): ExternalPeer {
    return new ExternalPeer('node-network', props.cidr, false, undefined, false, props.encloses ?? []);
  }

  /** Pods selected by labels in one namespace: the normal, narrow peer. */
  static workload(props: { readonly name: string; readonly namespace: string; readonly zone: ZoneName; readonly selector: Record<string, string>; readonly ports?: readonly Port[] }): WorkloadPeer {
    return new WorkloadPeer(props.name, props.namespace, props.zone, props.selector, props.ports ?? []);
  }

  /** Every pod of a namespace: a wildcard, allowed only with a declared exception. */
  static namespace(props: { readonly namespace: string; readonly zone: ZoneName; readonly exception: NetworkException }): NamespacePeer {
    return new NamespacePeer(props.namespace, props.zone, props.exception);
  }

  /**
   * Addresses outside the cluster. `0.0.0.0/0` needs an exception; a data-zone workload may
   * reach outside only a peer declared as a backup target.
   */
  static external(props: {
    readonly name: string;
    readonly cidr: string;
    readonly backupTarget?: boolean;
    readonly exception?: NetworkException;
    /** Narrower declared peers inside this block that its flows may reach on purpose. @default none: an overlap is refused at synth */
    readonly encloses?: readonly EnclosedPeer[];
  }): ExternalPeer {
    return new ExternalPeer(props.name, props.cidr, props.backupTarget ?? false, props.exception, false, props.encloses ?? []);
  }

  /** A stable, DNS-safe name used in policy names and diagrams. */
  abstract readonly name: string;
  abstract readonly location: PeerLocation;
  /** Ports this peer serves, used when a flow to it names none. */
  abstract readonly defaultPorts: readonly Port[];
  /** The NetworkPolicy peer block (`from`/`to` entry, provider-struct casing) that selects this peer. */
  abstract policyPeer(): Record<string, unknown>;
  /** The pods a policy for this peer applies to, or undefined if it is not a set of pods here. */
  abstract policyTarget(): { readonly namespace: string; readonly podSelector: Record<string, string> } | undefined;
  /** A wildcard or outside-world peer must carry an exception; undefined when none is needed. */
  abstract exceptionNeeded(): string | undefined;
  abstract readonly exception?: NetworkException;
  /** For diagrams: `app-trade/importer`. */
  abstract describe(): string;
}

export class WorkloadPeer extends Peer {
  readonly location: PeerLocation;
  readonly exception = undefined;

  constructor(
    readonly name: string,
    readonly namespace: string,
    readonly zone: ZoneName,
    readonly selector: Record<string, string>,
    readonly defaultPorts: readonly Port[],
  ) {
    super();
    if (Object.keys(selector).length === 0) {
      throw new Error(`Peer.workload(${name}): selector must name at least one label; an empty selector is every pod of "${namespace}" (use Peer.namespace with an exception)`);
    }
    this.location = { kind: 'zone', zone, namespace };
  }

  policyPeer(): Record<string, unknown> {
    return {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespace } },
      podSelector: { matchLabels: { ...this.selector } },
    };
  }

  policyTarget() {
    return { namespace: this.namespace, podSelector: { ...this.selector } };
  }

  exceptionNeeded(): string | undefined {
    return undefined;
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }
}

export class NamespacePeer extends Peer {
  readonly location: PeerLocation;
  readonly name: string;
  readonly defaultPorts: readonly Port[] = [];

  constructor(
    readonly namespace: string,
    readonly zone: ZoneName,
    readonly exception: NetworkException,
  ) {
    super();
    this.name = `${namespace}-all`;
    this.location = { kind: 'zone', zone, namespace };
  }

  policyPeer(): Record<string, unknown> {
    return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespace } } };
  }

  policyTarget() {
    return { namespace: this.namespace, podSelector: {} };
  }

  exceptionNeeded(): string {
    return `every pod of namespace "${this.namespace}" (a namespace-wide wildcard)`;
  }

  describe(): string {
    return `${this.namespace}/*`;
  }
}

export class ExternalPeer extends Peer {
  readonly location: PeerLocation;
  readonly defaultPorts: readonly Port[] = [];

  constructor(
    readonly name: string,
    readonly cidr: string,
    readonly backupTarget: boolean,
    readonly exception?: NetworkException,
    controlPlane = false,
    readonly encloses: readonly EnclosedPeer[] = [],
  ) {
    super();
    this.location = controlPlane ? { kind: 'control-plane' } : { kind: 'external' };
    if (!parseCidr(cidr)) {
      throw new Error(`Peer.external(${name}): cidr must be an IPv4 CIDR block such as "10.50.0.0/24", got ${JSON.stringify(cidr)}`);
    }
  }

  policyPeer(): Record<string, unknown> {
    return { ipBlock: { cidr: this.cidr } };
  }

  policyTarget() {
    return undefined;
  }

  exceptionNeeded(): string | undefined {
    return this.cidr.endsWith('/0') ? `the whole Internet (${this.cidr})` : undefined;
  }

  describe(): string {
    return `${this.name} (${this.cidr})`;
  }
}
