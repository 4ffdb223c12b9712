import { Construct } from 'constructs';
import { ClusterAccess, MANAGEMENT_AUDITOR_READS } from '../constructs/baseline/rbac';
import { CertManager } from '../constructs/cert-manager';
import { ClusterApiOperator, CLUSTER_API_NAMESPACES, managementApiServer } from '../constructs/cluster/cluster-api-operator';
import { KubernetesCluster } from '../constructs/cluster/kubernetes-cluster';
import type { Environment } from '../environments';
import { EnvironmentStack, EnvironmentStackProps } from './base';
import type { NamespacePlan } from '../policy/layout';
import { MANAGEMENT_CLUSTER } from '../policy/names';
import { createNamespaces } from './platform';
import { InternalCaIssuer } from '../constructs/cert-manager';
import { OpenBao } from '../constructs/secrets/openbao';
import { preparedBackupRecord } from '../constructs/backup/coverage';
import { OpenBaoConfig } from '../constructs/secrets/openbao-config';
import { OPERATORS } from '../lib/versions';
import { Peer } from '../constructs/network/peer';
import { Port } from '../constructs/network/port';
import { Segmentation } from '../constructs/network/segmentation';
import { API_SERVER_PORTS } from '../constructs/network/system';
import { OPENBAO_API_PORT } from '../constructs/secrets/operator';
import { ManagementMonitors, managementMonitoringStack } from '../constructs/monitoring/management';
import type { MonitoringStack } from '../constructs/monitoring/monitoring-stack';
import { NS } from '../policy/layout';

const OPENBAO_NAMESPACE = OPERATORS.openbao.namespace;

/**
 * OpenBao's traffic: every workload cluster's ESO reaches it on 8200 (from that cluster's node
 * network, where pod traffic leaving the cluster comes from); it calls each cluster's API server
 * (only it, not the node network) to review ESO's service-account tokens (Kubernetes auth), and its
 * own for service registration.
 */
function allowOpenBaoTraffic(openbao: OpenBao, environment: Environment): void {
  const segmentation = Segmentation.of(openbao);
  segmentation.allow(openbao.pods, managementApiServer(environment), { ports: API_SERVER_PORTS, description: 'OpenBao registers its active and standby pods with the API server (service_registration "kubernetes")', declaredBy: openbao });
  for (const c of environment.clusters) {
    // The cluster's API server: its control-plane VIP for a Cluster API cluster (the peer the
    // Cluster API controllers use), else its control-plane block; the node network holds it.
    const apiServer =
      c.mode === 'clusterApi'
        ? { peer: Peer.external({ name: `${c.name}-apiserver`, cidr: `${c.controlPlane.endpoint.host}/32` }), port: c.controlPlane.endpoint.port }
        : { peer: Peer.external({ name: `${c.name}-apiserver`, cidr: c.controlPlaneCidr }), port: 6443 };
    const nodes = Peer.external({
      name: `${c.name}-nodes`,
      cidr: c.nodeCidr,
      encloses: [{ peer: apiServer.peer, reason: 'the control-plane nodes are nodes of this network: host-network traffic from them is node traffic' }],
    });
    segmentation.allow(nodes, openbao.pods, { ports: [OPENBAO_API_PORT], description: `ESO of cluster ${c.name} reads and pushes secret values`, declaredBy: openbao });
    segmentation.allow(openbao.pods, apiServer.peer, { ports: [Port.tcp(apiServer.port)], description: `OpenBao reviews the service-account tokens of cluster ${c.name} with its API server (Kubernetes auth)`, declaredBy: openbao });
  }
}

type ManagementProps = Omit<EnvironmentStackProps, 'layer' | 'cluster' | 'namespaces'>;

/** The namespaces every management cluster has, all in the mgmt zone. */
export const MANAGEMENT_NAMESPACES: readonly NamespacePlan[] = [
  { name: 'cert-manager', zone: 'mgmt', purpose: 'cert-manager for the Cluster API webhooks.' },
  ...CLUSTER_API_NAMESPACES,
  { name: NS.monitoring, zone: 'mgmt', purpose: 'kube-prometheus-stack watching the Cluster API controllers (constructs/monitoring/management.ts).' },
];

/** The management namespaces of an environment: the common ones plus its Cluster API objects' namespace. */
export function managementNamespaces(environment: Environment): NamespacePlan[] {
  const own: NamespacePlan[] = environment.management
    ? [
        { name: environment.management.namespace, zone: 'mgmt', purpose: `Cluster API objects declaring the workload clusters of environment "${environment.name}".` },
        { name: OPENBAO_NAMESPACE, zone: 'mgmt', purpose: `OpenBao, the secret store of environment "${environment.name}" (created by the clusters stack, with its certificate).` },
      ]
    : [];
  return [...MANAGEMENT_NAMESPACES, ...own];
}

/**
 * The Cluster API management cluster's platform: its namespaces with their baseline,
 * cert-manager, the Cluster API operator with the pinned providers and their network flows,
 * and access for administrators and auditors.
 */
export class ManagementPlatformStack extends EnvironmentStack {
  readonly certManager: CertManager;
  readonly clusterApi: ClusterApiOperator;
  readonly access: ClusterAccess;
  /** kube-prometheus-stack watching the Cluster API controllers (constructs/monitoring/management.ts). */
  readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: ManagementProps) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'platform', namespaces: managementNamespaces(props.environment) });
    createNamespaces(this, this.namespaces.filter((n) => n.name !== OPENBAO_NAMESPACE));
    this.certManager = new CertManager(this, 'cert-manager', { apiServer: managementApiServer(props.environment) });
    this.clusterApi = new ClusterApiOperator(this, 'cluster-api', { dependsOn: [this.certManager] });
    this.access = new ClusterAccess(this, 'access', { auditorReads: MANAGEMENT_AUDITOR_READS });
    this.monitoring = managementMonitoringStack(this, 'monitoring', props.environment);
  }
}

/** The Cluster API objects that declare this environment's workload clusters. */
export class ManagementClustersStack extends EnvironmentStack {
  /** Every cluster of the environment; adopted (`existing`) ones declare nothing here. */
  readonly clusters: readonly KubernetesCluster[];
  /** The environment's secret store (constructs/secrets/openbao.ts). */
  readonly openbao: OpenBao;
  /** The monitors and alerts of the management cluster's controllers (constructs/monitoring/management.ts). */
  readonly monitoring: ManagementMonitors;

  constructor(scope: Construct, id: string, props: ManagementProps & { readonly platform: ManagementPlatformStack; readonly domains?: readonly string[] }) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'clusters', namespaces: managementNamespaces(props.environment) });
    this.addDependency(props.platform);
    // OpenBao's namespace is created here: its certificate (a custom resource) must exist before its chart.
    createNamespaces(this, this.namespaces.filter((n) => n.name === OPENBAO_NAMESPACE));
    const issuer = new InternalCaIssuer(this, 'internal-ca');
    this.openbao = new OpenBao(this, 'openbao', { host: props.environment.secrets.store.host, unseal: props.environment.secrets.unseal, issuerName: issuer.issuerName });
    allowOpenBaoTraffic(this.openbao, props.environment);
    new OpenBaoConfig(this, 'openbao-config', { openbao: this.openbao, environment: props.environment, domains: props.domains ?? [] });
    const clusters = new Construct(this, 'clusters');
    this.clusters = props.environment.clusters.map((cluster) => new KubernetesCluster(clusters, cluster.name, { cluster }));
    this.monitoring = new ManagementMonitors(this, 'monitoring');
    this.addOverride('//.alerting', this.monitoring.alerting);
  }

  /** After the backups are prepared (the records exist), compiles the management cluster's alerts. */
  prepareStack(): void {
    super.prepareStack();
    this.monitoring.compile(preparedBackupRecord(this));
  }
}
