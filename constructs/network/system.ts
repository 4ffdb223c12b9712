import type { Construct } from 'constructs';
import { ClusterContext } from '../context';
import { ExternalPeer, Peer } from './peer';
import { Port } from './port';

/**
 * The Kubernetes API server as a network peer. It runs on the control-plane nodes (host
 * network), so it is reached at, and calls admission webhooks from, the control-plane nodes'
 * addresses (`controlPlaneCidr` in the environment file) — not the whole node network, which
 * holds other hosts that must not pass for the API server. Operators need egress to
 * it (6443, and 443 for the in-cluster `kubernetes` Service before DNAT); webhooks need
 * ingress from it on their own port.
 */
export function apiServerPeer(scope: Construct): ExternalPeer {
  const stack = ClusterContext.of(scope);
  const cluster = stack.environment.clusters.find((c) => c.name === stack.cluster);
  if (!cluster) throw new Error(`${scope.node.path}: cluster "${stack.cluster}" is not in environment "${stack.environment.name}"`);
  return Peer.controlPlane({ cidr: cluster.controlPlaneCidr });
}

/** Ports an operator uses to reach the API server. */
export const API_SERVER_PORTS: readonly Port[] = [Port.tcp(6443), Port.tcp(443)];
