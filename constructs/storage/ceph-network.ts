import { Construct } from 'constructs';
import { NetworkPolicyV1 } from '../../lib/providers';
import { NS } from '../../policy/layout';
import { NAMESPACE_NAME_LABEL, Peer } from '../network/peer';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { ClusterContext } from '../context';
import { CEPH_DAEMON_LABELS } from './names';

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

/** The annotation the audit (NET-003) reads a declared exception's reason from (NETWORK_EXCEPTION_ANNOTATION in segmentation.ts). */
const NETWORK_EXCEPTION = 'moit.gov.vn/network-exception';

/**
 * The Ceph messenger ports as NetworkPolicy port entries. Segmentation's `Port` names single
 * ports, and the OSDs' range is 769 ports wide, so these policies are written here as typed
 * NetworkPolicies with `endPort`, labelled `moit.gov.vn/policy: ceph-messenger` and annotated
 * with their purpose like the flows Segmentation renders.
 */
const MESSENGER_PORTS = [
  { port: String(CEPH_MON_PORT), protocol: 'TCP' },
  { port: String(CEPH_DAEMON_PORTS.from), endPort: CEPH_DAEMON_PORTS.to, protocol: 'TCP' },
];

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
 *
 * Messenger policies (typed NetworkPolicies, see MESSENGER_PORTS):
 * - into the Ceph daemons, on 3300 and 6800-7568, from: the other Ceph daemons; the Rook and CSI
 *   components in `rook-ceph-system` (the operator runs `ceph` commands, the CSI controller
 *   creates RBD images); and the cluster's node network, where the CSI node plugins run with
 *   host networking and the kernel RBD client maps volumes;
 * - out of the Ceph daemons to each other, and out of `rook-ceph-system` to the daemons.
 * Nothing here leaves the cluster: the data zone's no-egress rule holds.
 */
export class CephNetwork extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const segmentation = Segmentation.of(this);
    const apiServer = apiServerPeer(this);
    const cluster = stack.environment.clusters.find((c) => c.name === stack.cluster);
    const nodeCidr = cluster!.nodeCidr;

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

    const provider = stack.kubernetes;
    const labels = { 'app.kubernetes.io/managed-by': 'moit-datacentre', 'moit.gov.vn/policy': 'ceph-messenger' };
    const daemons = { podSelector: { matchLabels: { ...CEPH_DAEMON_LABELS } } };
    const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } });
    // A policy in a namespace this same stack creates waits for the namespace.
    const dependsOn = (ns: string) => {
      const created = stack.createdNamespace(ns);
      return created ? { dependsOn: [created.namespace] } : {};
    };

    new NetworkPolicyV1(this, 'daemons-in', {
      provider,
      ...dependsOn(NS.rookCluster),
      metadata: {
        name: 'ceph-messenger-in',
        namespace: NS.rookCluster,
        labels,
        annotations: {
          'moit.gov.vn/purpose':
            'Ceph messenger v2 into the daemons: from each other, from Rook and Ceph-CSI in rook-ceph-system, and from the node network (CSI node plugins on host networking, kernel RBD client).',
          [NETWORK_EXCEPTION]: ROOK_SYSTEM_EXCEPTION,
        },
      },
      spec: {
        podSelector: { matchLabels: { ...CEPH_DAEMON_LABELS } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [daemons, inNamespace(NS.rookSystem), { ipBlock: { cidr: nodeCidr } }], ports: MESSENGER_PORTS }],
      },
    });

    new NetworkPolicyV1(this, 'daemons-out', {
      provider,
      ...dependsOn(NS.rookCluster),
      metadata: { name: 'ceph-messenger-out', namespace: NS.rookCluster, labels, annotations: { 'moit.gov.vn/purpose': 'Ceph daemons (monitors, OSDs, managers, gateways) reach each other over messenger v2.' } },
      spec: {
        podSelector: { matchLabels: { ...CEPH_DAEMON_LABELS } },
        policyTypes: ['Egress'],
        egress: [{ to: [daemons], ports: MESSENGER_PORTS }],
      },
    });

    new NetworkPolicyV1(this, 'system-out', {
      provider,
      ...dependsOn(NS.rookSystem),
      metadata: {
        name: 'ceph-messenger-out',
        namespace: NS.rookSystem,
        labels,
        annotations: { 'moit.gov.vn/purpose': 'The Rook operator runs ceph commands and the CSI controller plugins create RBD images: both speak messenger v2 to the Ceph daemons.' },
      },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ...inNamespace(NS.rookCluster), ...daemons }], ports: MESSENGER_PORTS }],
      },
    });
  }
}
