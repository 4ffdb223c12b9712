/**
 * The cluster-completeness check: a Cluster API cluster comes up only when something serves its
 * control-plane address (kube-vip as a static pod, as CAPV's own template does), a cloud provider
 * initializes its nodes (kubelets run with `cloud-provider: external`, so every node keeps the
 * `node.cloudprovider.kubernetes.io/uninitialized` taint until a CPI removes it), a CNI gives pods
 * a network, volume snapshots can be taken (a snapshot controller and a VolumeSnapshotClass, which
 * Velero's CSI backups need), and nodes can join: kubeadm's bootstrap-token discovery reads
 * `/api/v1/namespaces/kube-public/configmaps/cluster-info` anonymously, unless the join uses file
 * discovery (kubeadm join; cluster-api `reconcileDiscovery`).
 */
import { asArray, asString, isObject, parseYaml, type Json, type KubeObject } from '../audit/model';
import { addonDeclared } from './placement';
import { productsOf } from './references';
import type { Finding } from './types';
import { at, type EnvironmentView } from './view';

/** The path kubeadm's token discovery reads without credentials. */
export const CLUSTER_INFO_PATH = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

/** Charts that provide a pod network (a CNI). */
export const CNI_CHARTS = ['cilium', 'calico', 'tigera-operator', 'antrea', 'flannel'];
export const CPI_CHARTS = ['vsphere-cpi'];
export const SNAPSHOT_CONTROLLER_CHARTS = ['snapshot-controller'];

function files(kcp: KubeObject): Json[] {
  return asArray(at(kcp.spec, 'kubeadmConfigSpec.files')).filter(isObject);
}

/** A kube-vip static pod among the control plane's files. */
function servesVip(kcp: KubeObject): boolean {
  return files(kcp).some((f) => String(f.path ?? '').startsWith('/etc/kubernetes/manifests/') && /kube-vip/.test(String(f.path) + String(f.content ?? '')));
}

/** Why nodes cannot join, or undefined when they can. */
function joinProblem(kcp: KubeObject): { field: string; value: unknown; message: string } | undefined {
  if (isObject(at(kcp.spec, 'kubeadmConfigSpec.joinConfiguration.discovery.file'))) return undefined;
  const list = files(kcp);
  for (let i = 0; i < list.length; i++) {
    const content = list[i]!.content;
    if (typeof content !== 'string' || !content.includes('AuthenticationConfiguration')) continue;
    let config: unknown;
    try {
      config = parseYaml(content);
    } catch {
      continue;
    }
    if (!isObject(config) || config.kind !== 'AuthenticationConfiguration') continue;
    const anonymous = isObject(config.anonymous) ? config.anonymous : undefined;
    if (!anonymous) return undefined; // anonymous access as the API server's default
    const field = `manifest.spec.kubeadmConfigSpec.files[${i}].content`;
    if (anonymous.enabled !== true) return { field, value: anonymous, message: 'the API server\'s AuthenticationConfiguration disables anonymous requests, so kubeadm\'s bootstrap-token discovery cannot read cluster-info and no node can join' };
    const conditions = asArray(anonymous.conditions);
    if (conditions.length === 0) return undefined;
    const paths = conditions.filter(isObject).map((c) => asString(c.path));
    if (!paths.includes(CLUSTER_INFO_PATH)) {
      return { field, value: paths, message: `the API server admits anonymous requests only to ${paths.join(', ')}, so kubeadm's bootstrap-token discovery (an anonymous GET of ${CLUSTER_INFO_PATH}) is refused and no node can join` };
    }
    return undefined;
  }
  const extra = asArray(at(kcp.spec, 'kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs')).filter(isObject);
  const anon = extra.find((a) => a.name === 'anonymous-auth');
  if (anon && String(anon.value) === 'false') return { field: 'manifest.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs', value: anon, message: 'anonymous-auth=false refuses kubeadm\'s bootstrap-token discovery, so no node can join' };
  return undefined;
}

export function checkClusters(view: EnvironmentView): Finding[] {
  const findings: Finding[] = [];
  for (const stack of view.stacks) {
    for (const cluster of stack.model.objectsOf('Cluster', 'cluster.x-k8s.io')) {
      const name = cluster.name;
      const base = { check: 'cluster' as const, stack: stack.name };
      const at0 = (o: KubeObject) => ({ address: o.resource.address, constructPath: o.resource.path });
      const cpName = asString(at(cluster.spec, 'controlPlaneRef.name'));
      const kcp = stack.model.objectsOf('KubeadmControlPlane').find((k) => k.name === cpName && k.namespace === cluster.namespace);
      const workloadStacks = view.stacks.filter((s) => s.cluster === name).map((s) => s.name).join(', ') || `the stacks of cluster ${name}`;
      if (kcp && !servesVip(kcp)) {
        findings.push({ ...base, ...at0(kcp), field: 'manifest.spec.kubeadmConfigSpec.files', value: files(kcp).map((f) => f.path), message: `nothing serves the control-plane address of cluster ${name} (${String(at(cluster.spec, 'controlPlaneEndpoint.host') ?? 'the VSphereCluster controlPlaneEndpoint')}): no kube-vip static pod among the control plane's files`, fix: 'add kube-vip as a static pod (/etc/kubernetes/manifests/kube-vip.yaml in kubeadmConfigSpec.files, as CAPV\'s cluster template does)' });
      }
      if (!addonDeclared(view, name, CPI_CHARTS)) {
        findings.push({ ...base, ...at0(cluster), field: 'manifest.metadata.name', value: name, message: `no cloud provider (vSphere CPI) is declared for cluster ${name}; kubelets run with cloud-provider=external, so every node keeps the node.cloudprovider.kubernetes.io/uninitialized taint, gets no providerID and no topology labels`, fix: `install the vsphere-cpi chart in ${workloadStacks} (or a HelmChartProxy selecting the cluster), with zone and region tag categories` });
      }
      if (!addonDeclared(view, name, CNI_CHARTS)) {
        findings.push({ ...base, ...at0(cluster), field: 'manifest.metadata.name', value: name, message: `no CNI is declared for cluster ${name}; nodes stay NotReady and no pod gets a network`, fix: `install a CNI (the cilium chart) in the first stack of cluster ${name} (${workloadStacks}), tolerating the uninitialized and control-plane taints` });
      }
      const snapshotter = addonDeclared(view, name, SNAPSHOT_CONTROLLER_CHARTS);
      const classes = view.stacks.filter((s) => s.cluster === name).flatMap((s) => productsOf(s)).filter((p) => p.kind === 'VolumeSnapshotClass');
      if (!snapshotter || classes.length === 0) {
        const missing = [!snapshotter ? 'no CSI snapshot controller (snapshot-controller chart)' : '', classes.length === 0 ? 'no VolumeSnapshotClass' : ''].filter(Boolean).join(' and ');
        findings.push({ ...base, ...at0(cluster), field: 'manifest.metadata.name', value: name, message: `cluster ${name} has ${missing}, so volume snapshots (Velero's CSI backups) cannot be taken`, fix: 'install the snapshot-controller chart and enable the rook-ceph-cluster chart\'s cephBlockPoolsVolumeSnapshotClass with the label velero.io/csi-volumesnapshot-class: "true"' });
      }
      if (kcp) {
        const problem = joinProblem(kcp);
        if (problem) findings.push({ ...base, ...at0(kcp), ...problem, fix: `add {path: ${CLUSTER_INFO_PATH}} to the AuthenticationConfiguration's anonymous.conditions, or use file discovery (joinConfiguration.discovery.file)` });
      }
    }
  }
  return findings;
}
