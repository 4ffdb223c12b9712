/**
 * What a new workload cluster needs before any other workload can run, declared as the first
 * resources of its platform stack:
 *
 * - the CNI: Cilium (chart 1.19.6). It enforces standard NetworkPolicy (every policy the estate
 *   compiles), and with `policyCIDRMatchMode: [nodes]` an `ipBlock` also matches node addresses,
 *   which the flows to the API server (on the control-plane nodes' network) and from it to the
 *   webhooks rely on. Its agent tolerates every taint; its operator the control-plane,
 *   not-ready and uninitialized taints, so both run on a cluster whose nodes are not Ready yet;
 * - the vSphere cloud provider (CPI, chart vsphere-cpi 1.35.1): kubelets run with
 *   `cloud-provider: external`, so every node keeps the `node.cloudprovider.kubernetes.io/uninitialized`
 *   taint and has no providerID (Cluster API cannot match machines to nodes) until the CPI
 *   initializes it. It also sets `topology.kubernetes.io/zone` and `.../region` from vSphere tags
 *   (the categories VSPHERE_TOPOLOGY_CATEGORIES name), which Kafka's rack awareness reads;
 * - the CSI snapshot controller (chart snapshot-controller 5.2.0, with the snapshot CRDs), on
 *   every cluster: Velero's volume backups are CSI snapshots, cut by the RBD driver's
 *   csi-snapshotter through the VolumeSnapshotClass the rook-ceph-cluster chart writes.
 *
 * How they are installed, and why here: as Helm releases of the cluster's own platform stack,
 * marked as the cluster bootstrap so that every other chart waits for the CNI and the CPI
 * (ClusterContext.addBootstrapDependency). The alternatives were weighed:
 * - a Cluster API ClusterResourceSet applies raw manifests from the management cluster as soon
 *   as the cluster's API answers; but it needs the charts rendered to manifests, which a synth
 *   without network and without Helm cannot do, and what it applied is outside every plan;
 * - the Cluster API Helm add-on provider (HelmChartProxy) would add a fifth provider to the
 *   management cluster, with egress to every workload API server and to a chart repository,
 *   and its releases would live outside Terraform's plan, diff and review.
 * A Helm release of the platform stack is planned, diffed and reviewed like every other chart,
 * and it is early enough: the platform stack runs right after the management stack has
 * created the cluster, whose API server answers on the control-plane VIP (the kube-vip static
 * pod, kube-vip.ts) without any CNI. Until Cilium is up no node is Ready, so nothing else could
 * be scheduled anyway; the snapshot controller, like every other chart, waits for it.
 *
 * The one thing the CPI needs that must not pass through code or state, vCenter's credentials,
 * reaches the cluster as Secret `vsphere-cloud-secret` in kube-system through a
 * ClusterResourceSet of the management stack (KubernetesCluster, kubernetes-cluster.ts).
 */
import { Construct } from 'constructs';
import type { ClusterApiClusterConfig } from '../../environments/schema';
import { ConfigMapV1 } from '../../lib/providers';
import { stringify } from 'yaml';
import { ClusterContext } from '../context';
import { placementFor } from '../network/placement';
import { OperatorChart, SYSTEM_NAMESPACE } from '../operator-chart';

/** The Secret (in kube-system of the workload cluster) holding `<vcenter>.username` and `.password` for the CPI. */
export const CPI_CREDENTIALS_SECRET = 'vsphere-cloud-secret';
/** The ConfigMap the vsphere-cpi chart mounts when it renders no configuration itself (`config.enabled: false`). */
export const CPI_CONFIG_MAP = 'cloud-config';

/**
 * The vSphere tag categories the CPI reads a node's region and zone from (walking its VM's
 * host, cluster, datacenter and folder, nearest first). Every ESXi host or cluster that runs
 * Kubernetes nodes must carry one tag of each category; the tag becomes the node's
 * `topology.kubernetes.io/region` and `topology.kubernetes.io/zone`.
 */
export const VSPHERE_TOPOLOGY_CATEGORIES = { region: 'k8s-region', zone: 'k8s-zone' } as const;

/** The node label the CPI sets from the zone category, which Kafka's rack awareness reads. */
export const TOPOLOGY_ZONE_LABEL = 'topology.kubernetes.io/zone';

/**
 * WireGuard between nodes from security level 4: level 4 asks for two layers of encryption in
 * transit for important data (TCVN 14423 6.4.2.4 c, ../shared/reference/governance.md); the
 * services' own TLS is the first, node-to-node WireGuard the second. Level 3 asks for one,
 * which TLS already is.
 */
export function podTrafficEncryptedAt(securityLevel: number): boolean {
  return securityLevel >= 4;
}

/** The Cilium values of a Cluster API cluster. */
export function ciliumValues(cluster: ClusterApiClusterConfig, securityLevel: number): Record<string, unknown> {
  return {
    // kube-proxy stays (kubeadm installs it); the agents still reach the API server through the
    // VIP directly, so they do not depend on kube-proxy's rules while the node starts.
    kubeProxyReplacement: 'false',
    k8sServiceHost: cluster.controlPlane.endpoint.host,
    k8sServicePort: cluster.controlPlane.endpoint.port,
    // Pod addresses from each node's podCIDR, which the controller manager allocates from the
    // Cluster's pod network (kubeadm podSubnet): one source of truth for the pod range.
    ipam: { mode: 'kubernetes' },
    // Standard NetworkPolicy, enforced as written: default deny comes from the policies.
    policyEnforcementMode: 'default',
    // Lets ipBlock rules match node addresses (API server, kubelet, host-network pods); without
    // it every flow to the API server on the node network would be dropped (Cilium >= 1.15;
    // a 0.0.0.0/0 block still misses nodes, cilium#47827, and the estate writes none).
    policyCIDRMatchMode: ['nodes'],
    encryption: podTrafficEncryptedAt(securityLevel) ? { enabled: true, type: 'wireguard', nodeEncryption: false } : { enabled: false },
    // Hubble's certificates would be generated anew at every render of the release (the chart's
    // `helm` method) and cert-manager is not there yet when the CNI installs: off until the
    // observability work adds it with cert-manager-issued certificates.
    hubble: { enabled: false },
    operator: { replicas: cluster.controlPlane.replicas > 1 ? 2 : 1 },
  };
}

/**
 * The CPI's configuration (`vsphere.conf`): the vCenter, its pinned certificate, the datacenter
 * and the tag categories of regions and zones. It names the credentials' Secret; it holds none.
 */
export function cpiConfig(cluster: ClusterApiClusterConfig): Record<string, unknown> {
  const v = cluster.vsphere;
  return {
    global: { port: 443, insecureFlag: false, secretName: CPI_CREDENTIALS_SECRET, secretNamespace: SYSTEM_NAMESPACE },
    vcenter: { [v.server]: { server: v.server, datacenters: [v.datacenter], thumbprint: v.thumbprint } },
    labels: { region: VSPHERE_TOPOLOGY_CATEGORIES.region, zone: VSPHERE_TOPOLOGY_CATEGORIES.zone },
  };
}

/** The vsphere-cpi values: no configuration or Secret from the chart (both would come from values, the password into state). */
export function cpiValues(): Record<string, unknown> {
  return {
    // With `config.enabled: false` the chart renders neither its ConfigMap nor its Secret and
    // mounts ConfigMap "cloud-config" (templates/daemonset.yaml, secret.yaml at v1.35.1).
    config: { enabled: false },
    daemonset: {
      // The full list, so the chart's defaults are not relied on: the CPI must run before the
      // nodes are initialized and Ready, on the control-plane nodes (the chart's affinity).
      tolerations: [
        { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
        { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
      ],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    },
  };
}

/**
 * The bootstrap of the cluster a platform stack manages: on a Cluster API cluster Cilium and the
 * vSphere CPI (registered as the stack's bootstrap dependencies), on every cluster the CSI
 * snapshot controller.
 */
export class ClusterBootstrap extends Construct {
  /** Cilium; undefined on an adopted cluster, which brings its own CNI. */
  readonly cni?: OperatorChart;
  /** The vSphere CPI; undefined on an adopted cluster. */
  readonly cloudProvider?: OperatorChart;
  readonly snapshotController: OperatorChart;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    if (stack.layer !== 'platform') {
      throw new Error(`${this.node.path}: the cluster bootstrap is installed by the cluster's platform stack, not by ${stack.node.id}`);
    }
    const environment = stack.environment;
    const cluster = environment.clusters.find((c) => c.name === stack.cluster);

    if (cluster?.mode === 'clusterApi') {
      this.cni = new OperatorChart(this, 'cilium', { operator: 'cilium', namespace: SYSTEM_NAMESPACE, bootstrap: true, values: ciliumValues(cluster, environment.securityLevel) });

      const config = new ConfigMapV1(this, 'cpi-config', {
        provider: stack.kubernetes,
        metadata: {
          name: CPI_CONFIG_MAP,
          namespace: SYSTEM_NAMESPACE,
          labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' },
          annotations: { 'moit.gov.vn/purpose': `vSphere CPI configuration: vCenter ${cluster.vsphere.server}, its credentials in Secret ${CPI_CREDENTIALS_SECRET}.` },
        },
        data: { 'vsphere.conf': stringify(cpiConfig(cluster), { lineWidth: 0 }) },
      });
      this.cloudProvider = new OperatorChart(this, 'vsphere-cpi', { operator: 'vsphereCpi', namespace: SYSTEM_NAMESPACE, bootstrap: true, values: cpiValues() });
      this.cloudProvider.release.dependsOn = [...(this.cloudProvider.release.dependsOn ?? []), config.fqn];

      stack.addBootstrapDependency(this.cni.release);
      stack.addBootstrapDependency(this.cloudProvider.release);
    }

    const mgmt = placementFor(this, 'mgmt');
    this.snapshotController = new OperatorChart(this, 'snapshot-controller', {
      operator: 'snapshotController',
      namespace: SYSTEM_NAMESPACE,
      values: {
        // The VolumeSnapshot, VolumeSnapshotContent and VolumeSnapshotClass CRDs (v8.6.0).
        installCRDs: true,
        controller: {
          enabled: true,
          replicaCount: environment.class === 'development' ? 1 : 2,
          ...(mgmt.nodeSelector ? { nodeSelector: mgmt.nodeSelector } : {}),
          ...(mgmt.tolerations ? { tolerations: mgmt.tolerations } : {}),
        },
        // Only a conversion webhook for the old VolumeGroupSnapshot versions, which nothing here
        // uses. Its self-signed key pair would still be generated at render (templates/crds.yaml
        // gates it on `tls.autogenerate`, not on `enabled`, at the stored commit), so that is off.
        webhook: { enabled: false, tls: { autogenerate: false } },
        // The class Velero uses is written by the rook-ceph-cluster chart, next to its driver.
        volumeSnapshotClasses: [],
      },
    });
  }
}
