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

type ManagementProps = Omit<EnvironmentStackProps, 'layer' | 'cluster' | 'namespaces'>;

/** The namespaces every management cluster has, all in the mgmt zone. */
export const MANAGEMENT_NAMESPACES: readonly NamespacePlan[] = [
  { name: 'cert-manager', zone: 'mgmt', purpose: 'cert-manager for the Cluster API webhooks.' },
  ...CLUSTER_API_NAMESPACES,
];

/** The management namespaces of an environment: the common ones plus its Cluster API objects' namespace. */
export function managementNamespaces(environment: Environment): NamespacePlan[] {
  const own: NamespacePlan[] = environment.management
    ? [{ name: environment.management.namespace, zone: 'mgmt', purpose: `Cluster API objects declaring the workload clusters of environment "${environment.name}".` }]
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

  constructor(scope: Construct, id: string, props: ManagementProps) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'platform', namespaces: managementNamespaces(props.environment) });
    createNamespaces(this, this.namespaces);
    this.certManager = new CertManager(this, 'cert-manager', { apiServer: managementApiServer(props.environment) });
    this.clusterApi = new ClusterApiOperator(this, 'cluster-api', { dependsOn: [this.certManager] });
    this.access = new ClusterAccess(this, 'access', { auditorReads: MANAGEMENT_AUDITOR_READS });
  }
}

/** The Cluster API objects that declare this environment's workload clusters. */
export class ManagementClustersStack extends EnvironmentStack {
  /** Every cluster of the environment; adopted (`existing`) ones declare nothing here. */
  readonly clusters: readonly KubernetesCluster[];

  constructor(scope: Construct, id: string, props: ManagementProps & { readonly platform: ManagementPlatformStack }) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'clusters', namespaces: managementNamespaces(props.environment) });
    this.addDependency(props.platform);
    const clusters = new Construct(this, 'clusters');
    this.clusters = props.environment.clusters.map((cluster) => new KubernetesCluster(clusters, cluster.name, { cluster }));
  }
}
