import { Construct } from 'constructs';
import { NS } from '../../policy/layout';
import { Peer } from '../network/peer';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { ClusterContext } from '../context';
import { CEPH_DAEMON_LABELS } from './names';
import { cidrWithin } from '../../lib/net';
import { openBaoPeer } from '../secrets/operator';

/** Ceph messenger v2: the monitors' port. (v1, 6789, is off: the cluster requires msgr2.) */
export const CEPH_MON_PORT = 3300;
/** The range OSDs, managers and gateways bind their messenger ports in (ms_bind_port_min/max). */
export const CEPH_DAEMON_PORTS = { from: 6800, to: 7568 } as const;

/**
 * Why every pod of `rook-ceph-system` is a peer (a declared wildcard): it holds only the Rook
 * operator, the Ceph-CSI operator and the CSI controller plugins, and the CSI operator generates
 * its plugin pods' labels, so the namespace is the narrowest stable selector.
 */
export const ROOK_SYSTEM_EXCEPTION =
  'rook-ceph-system holds only the Rook operator, the Ceph-CSI operator and the CSI controller plugins, whose labels the CSI operator generates: the namespace is the narrowest stable selector.';

/** Ceph messenger v2: the monitors' port and the daemons' range. */
export const MESSENGER_PORTS: readonly Port[] = [Port.tcp(CEPH_MON_PORT), Port.tcpRange(CEPH_DAEMON_PORTS.from, CEPH_DAEMON_PORTS.to)];

/**
 * The traffic Ceph needs under the default deny of its namespaces, each allowance as narrow as
 * the components allow and documented where it is declared.
 *
 * Declared flows (Segmentation):
 * - `rook-ceph-system` -> API server: the Rook operator, the Ceph-CSI operator and the CSI
 *   controller plugins watch and write Kubernetes objects. The namespace holds only those
 *   system components, and the CSI operator generates its plugin pods' labels, so the namespace
 *   is the narrowest stable selector (a declared exception).
 * - OSD prepare jobs, version-detection jobs and the manager (its sidecar moves the mgr Service
 *   to the active manager) -> API server. No other Ceph daemon talks to Kubernetes.
 * - Messenger v2 (3300 and 6800-7568, MESSENGER_PORTS) into the Ceph daemons from: the other
 *   Ceph daemons; the Rook and CSI components in `rook-ceph-system` (the operator runs `ceph`
 *   commands, the CSI controller creates RBD images); and the cluster's node network, where the
 *   CSI node plugins run with host networking and the kernel RBD client maps volumes. The node
 *   network holds the control-plane nodes, a declared overlap (`encloses`).
 * Nothing here leaves the cluster: the data zone's no-egress rule holds.
 */
export class CephNetwork extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const segmentation = Segmentation.of(this);
    const apiServer = apiServerPeer(this);
    const cluster = stack.environment.clusters.find((c) => c.name === stack.cluster);

    const rookSystem = Peer.namespace({ namespace: NS.rookSystem, zone: stack.zoneOf(NS.rookSystem), exception: { reason: ROOK_SYSTEM_EXCEPTION } });
    segmentation.allow(rookSystem, apiServer, { ports: API_SERVER_PORTS, description: 'Rook and Ceph-CSI operators and CSI controllers watch and write Kubernetes objects', declaredBy: this });

    const zone = stack.zoneOf(NS.rookCluster);
    const reporters: Array<[string, string]> = [
      ['rook-ceph-osd-prepare', 'OSD prepare jobs record the OSDs they found in a ConfigMap'],
      ['rook-ceph-detect-version', 'the version-detection job reports the Ceph version it found'],
      ['rook-ceph-mgr', 'the manager sidecar points the mgr Service at the active manager'],
    ];
    for (const [app, why] of reporters) {
      const peer = Peer.workload({ name: app, namespace: NS.rookCluster, zone, selector: { app } });
      segmentation.allow(peer, apiServer, { ports: API_SERVER_PORTS, description: why, declaredBy: this });
    }

    const daemons = Peer.workload({ name: 'ceph-daemons', namespace: NS.rookCluster, zone, selector: { ...CEPH_DAEMON_LABELS } });
    // The secret store's address lies in the node network when OpenBao runs on this cluster
    // (dev, which has no management cluster): a declared overlap too.
    const store = openBaoPeer(stack.environment.secrets.store);
    const nodes = Peer.nodeNetwork({
      cidr: cluster!.nodeCidr,
      encloses: [
        { peer: apiServer, reason: 'the control-plane nodes are nodes of this network: host-network traffic from them is node traffic' },
        ...(cidrWithin(store.cidr, cluster!.nodeCidr) ? [{ peer: store, reason: 'OpenBao runs on this cluster (no management cluster): its service address is a node-network address' }] : []),
      ],
    });
    const messenger = (from: Peer, why: string) => segmentation.allow(from, daemons, { ports: MESSENGER_PORTS, description: `Ceph messenger v2: ${why}`, declaredBy: this });
    messenger(daemons, 'the daemons (monitors, OSDs, managers, gateways) reach each other');
    messenger(rookSystem, 'the Rook operator runs ceph commands and the CSI controller plugins create RBD images');
    messenger(nodes, 'the CSI node plugins (host networking) and the kernel RBD client map volumes');
  }
}
