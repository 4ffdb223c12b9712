/**
 * Cluster API on the management cluster: the cluster-api-operator chart, which installs the
 * pinned providers (core Cluster API, kubeadm bootstrap, kubeadm control plane, vSphere) from
 * the data centre's internal OCI registry, and the network flows those controllers need, each
 * declared and explained here; everything else stays denied by the namespaces' default deny.
 *
 * The providers are declared through chart values rather than as custom resources in the
 * clusters stack: the `Cluster` objects of that stack need the providers' CRDs at plan time,
 * so the providers must already be installed when it is planned.
 */
import { Construct } from 'constructs';
import type { Environment } from '../../environments/schema';
import type { NamespacePlan } from '../../policy/layout';
import { ConstructPropsError } from '../../lib/errors';
import { declarePrerequisite } from '../../lib/markers';
import { OPERATORS } from '../../lib/versions';
import { ExternalPeer, Peer, WorkloadPeer } from '../network/peer';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS } from '../network/system';
import { ClusterContext } from '../context';
import { OperatorChart } from '../operator-chart';

/** The port every Cluster API controller (and the operator) serves its admission and conversion webhooks on. */
export const WEBHOOK_PORT = Port.tcp(9443);
/** vCenter's API. */
export const VCENTER_PORT = Port.tcp(443);
/** The internal registry (OCI over HTTPS). */
export const REGISTRY_PORT = Port.tcp(443);

export type ProviderType = 'core' | 'bootstrap' | 'controlPlane' | 'infrastructure';

/** One Cluster API provider the operator installs. */
export interface ClusterApiProvider {
  readonly type: ProviderType;
  /** The provider's name in clusterctl terms (`cluster-api`, `kubeadm`, `vsphere`). */
  readonly name: string;
  readonly namespace: string;
  readonly version: string;
  /** The OCI artifact holding its components, under the environment's registry. */
  readonly artifact: string;
  /** The label its controller pods carry (clusterctl's `cluster.x-k8s.io/provider`). */
  readonly podLabel: string;
  /** A short name for policies and diagrams. */
  readonly peerName: string;
  /** Why it talks to the workload clusters' API servers, when it does. */
  readonly reachesWorkloadClusters?: string;
  /** Why it talks to vCenter, when it does. */
  readonly reachesVCenter?: string;
}

const capi = OPERATORS.clusterApi.appVersion;
const capv = OPERATORS.capv.appVersion;

/** The providers, at the versions pinned in lib/versions.ts (CAPI v1.13 is CAPV v1.16's tested partner). */
export const CLUSTER_API_PROVIDERS: readonly ClusterApiProvider[] = [
  {
    type: 'core',
    name: 'cluster-api',
    namespace: OPERATORS.clusterApi.namespace,
    version: capi,
    artifact: `cluster-api:${capi}`,
    podLabel: 'cluster-api',
    peerName: 'capi-core',
    reachesWorkloadClusters: 'watches each workload cluster\'s nodes to match them to machines, drains nodes before deleting machines, and applies ClusterResourceSets (the cloud provider\'s credentials)',
  },
  {
    type: 'bootstrap',
    name: 'kubeadm',
    namespace: 'capi-kubeadm-bootstrap-system',
    version: capi,
    artifact: `cluster-api:${capi}`,
    podLabel: 'bootstrap-kubeadm',
    peerName: 'capi-bootstrap',
    reachesWorkloadClusters: 'creates the bootstrap tokens new nodes join the workload cluster with',
  },
  {
    type: 'controlPlane',
    name: 'kubeadm',
    namespace: 'capi-kubeadm-control-plane-system',
    version: capi,
    artifact: `cluster-api:${capi}`,
    podLabel: 'control-plane-kubeadm',
    peerName: 'capi-control-plane',
    reachesWorkloadClusters: 'checks etcd membership and control-plane health through the workload API server during scaling and upgrades',
  },
  {
    type: 'infrastructure',
    name: 'vsphere',
    namespace: OPERATORS.capv.namespace,
    version: capv,
    artifact: `infrastructure-vsphere:${capv}`,
    podLabel: 'infrastructure-vsphere',
    peerName: 'capv',
    reachesWorkloadClusters: 'reads the workload cluster\'s nodes (cluster cache) to finish deleting machines',
    reachesVCenter: 'clones, powers and deletes the cluster\'s virtual machines through vCenter\'s API',
  },
];

/** The namespaces Cluster API needs on a management cluster, all in the mgmt zone. */
export const CLUSTER_API_NAMESPACES: readonly NamespacePlan[] = [
  { name: OPERATORS.clusterApiOperator.namespace, zone: 'mgmt', purpose: 'The Cluster API operator: installs and upgrades the pinned providers.' },
  ...CLUSTER_API_PROVIDERS.map((p): NamespacePlan => ({ name: p.namespace, zone: 'mgmt', purpose: `Cluster API ${p.type} provider "${p.name}" ${p.version}.` })),
];

export interface ClusterApiOperatorProps {
  /**
   * The internal OCI registry the providers' components and the operator's image come from.
   * @default the environment's `management.registry`
   */
  readonly registry?: { readonly repository: string; readonly cidr: string };
  /**
   * The Secret of clusterctl variables the providers' components are rendered with (CAPV's
   * components require VSPHERE_USERNAME and VSPHERE_PASSWORD even when, as here, clusters use
   * a VSphereClusterIdentity). Created outside Terraform.
   * @default { name: "capi-provider-variables", namespace: "capi-operator-system" }
   */
  readonly variablesSecret?: { readonly name: string; readonly namespace: string };
  /** Releases installed first (cert-manager: the operator's and providers' webhooks need it). @default [] */
  readonly dependsOn?: readonly OperatorChart[];
}

/** The management cluster's own API server: its control-plane nodes, `management.controlPlaneCidr`. */
export function managementApiServer(environment: Environment): ExternalPeer {
  if (!environment.management) throw new Error(`environment "${environment.name}" has no management cluster`);
  return Peer.controlPlane({ cidr: environment.management.controlPlaneCidr });
}

export class ClusterApiOperator extends Construct {
  readonly chart: OperatorChart;
  readonly providers: readonly ClusterApiProvider[] = CLUSTER_API_PROVIDERS;
  /** The operator's pods. */
  readonly operatorPeer: WorkloadPeer;
  /** Each provider's controller pods, by provider peer name. */
  readonly providerPeers: ReadonlyMap<string, WorkloadPeer>;

  constructor(scope: Construct, id: string, props: ClusterApiOperatorProps = {}) {
    super(scope, id);
    const environment = ClusterContext.of(this).environment;
    if (!environment.management) {
      throw new ConstructPropsError(this.node.path, 'environment.management', `environment "${environment.name}" has no management cluster to install Cluster API into`, undefined);
    }
    const registry = props.registry ?? environment.management.registry;
    const variablesSecret = props.variablesSecret ?? { name: 'capi-provider-variables', namespace: OPERATORS.clusterApiOperator.namespace };
    const repository = registry.repository.replace(/\/+$/, '');

    // Air-gapped: each provider's components come from the internal registry, never from GitHub.
    // Chart 0.28.0 reads `fetchConfig` under each provider: its values.schema.json marks the
    // top-level map deprecated ("Prefer declaring fetchConfig under the individual providers"),
    // that map is keyed by provider name only (`kubeadm` would hit both the bootstrap and the
    // control-plane provider) and prints values as scalars. UNVERIFIED: the 0.28.0 core,
    // bootstrap and control-plane templates themselves are not in the stored index (the addon
    // template of a later commit renders `$addon.fetchConfig` with toYaml); re-check at the tag.
    // `version` stays set: the templates emit `spec:` only when a version, configSecret or
    // manager is given, never for fetchConfig alone.
    const section = (type: ProviderType) =>
      Object.fromEntries(
        this.providers
          .filter((p) => p.type === type)
          .map((p) => [p.name, { namespace: p.namespace, version: p.version, createNamespace: false, fetchConfig: { oci: `${repository}/${p.artifact}` } }]),
      );

    this.chart = new OperatorChart(this, 'chart', {
      operator: 'clusterApiOperator',
      dependsOn: props.dependsOn,
      values: {
        // The namespaces exist already, with their zone, Pod Security labels and default deny.
        core: section('core'),
        bootstrap: section('bootstrap'),
        controlPlane: section('controlPlane'),
        infrastructure: section('infrastructure'),
        configSecret: variablesSecret,
        image: { manager: { repository: `${repository}/capi-operator/cluster-api-operator` } },
        insecureDiagnostics: false,
        // Runs under the namespace's `restricted` Pod Security level.
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { manager: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } },
      },
    });
    declarePrerequisite(this.chart.release, {
      kind: 'secret',
      name: variablesSecret.name,
      namespace: variablesSecret.namespace,
      providedBy: 'secret-management',
      // OCI_* per the operator's air-gapped guide (docs/book/src/03_topics/02_configuration/01_air-gapped-environtment.md).
      purpose: `The Cluster API provider variables the operator passes to every provider, among them the credentials of the registry ${repository} the providers are fetched from.`,
      keys: ['OCI_USERNAME', 'OCI_PASSWORD'],
      rotation: 'The registry team issues a new robot credential yearly or on suspicion; it is replaced in place and the operator reads it at its next reconcile, then the old one is revoked.',
    });

    const peer = (name: string, namespace: string, selector: Record<string, string>) => Peer.workload({ name, namespace, zone: 'mgmt', selector });
    this.operatorPeer = peer('capi-operator', OPERATORS.clusterApiOperator.namespace, { 'app.kubernetes.io/name': OPERATORS.clusterApiOperator.chart });
    this.providerPeers = new Map(this.providers.map((p) => [p.peerName, peer(p.peerName, p.namespace, { 'cluster.x-k8s.io/provider': p.podLabel })]));

    this.declareFlows(environment, { name: 'capi-registry', cidr: registry.cidr });
  }

  /** The minimal flows of the operator and the providers' controllers. */
  private declareFlows(environment: Environment, registry: { readonly name: string; readonly cidr: string }): void {
    const segmentation = Segmentation.of(this);
    const allow = (from: Peer, to: Peer, ports: readonly Port[], description: string) => segmentation.allow(from, to, { ports, description, declaredBy: this });
    const apiServer = managementApiServer(environment);

    allow(this.operatorPeer, apiServer, API_SERVER_PORTS, 'the Cluster API operator installs and upgrades providers through the API server');
    allow(apiServer, this.operatorPeer, [WEBHOOK_PORT], "the API server calls the operator's admission webhooks for provider objects");
    allow(this.operatorPeer, Peer.external({ name: registry.name, cidr: registry.cidr }), [REGISTRY_PORT], "the operator fetches the providers' components from the internal OCI registry");

    const workloadApiServers = environment.clusters.flatMap((c) =>
      c.mode === 'clusterApi' ? [{ peer: Peer.external({ name: `${c.name}-apiserver`, cidr: `${c.controlPlane.endpoint.host}/32` }), port: Port.tcp(c.controlPlane.endpoint.port) }] : [],
    );
    const vcenters = new Map<string, ExternalPeer>();
    for (const c of environment.clusters) {
      if (c.mode !== 'clusterApi') continue;
      const name = `vcenter-${c.vsphere.datacenter.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
      if (!vcenters.has(c.vsphere.serverCidr)) vcenters.set(c.vsphere.serverCidr, Peer.external({ name, cidr: c.vsphere.serverCidr }));
    }

    for (const provider of this.providers) {
      const pods = this.providerPeers.get(provider.peerName)!;
      allow(pods, apiServer, API_SERVER_PORTS, `the ${provider.type} provider reconciles its objects through the management API server`);
      allow(apiServer, pods, [WEBHOOK_PORT], `the API server calls the ${provider.type} provider's admission and conversion webhooks`);
      if (provider.reachesWorkloadClusters) {
        for (const target of workloadApiServers) allow(pods, target.peer, [target.port], `the ${provider.type} provider ${provider.reachesWorkloadClusters}`);
      }
      if (provider.reachesVCenter) {
        for (const vcenter of vcenters.values()) allow(pods, vcenter, [VCENTER_PORT], `the ${provider.type} provider ${provider.reachesVCenter}`);
      }
    }
  }
}
