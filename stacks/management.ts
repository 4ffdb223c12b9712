import { Construct } from 'constructs';
import { CertManager } from '../constructs/cert-manager';
import { EnvironmentStack, EnvironmentStackProps } from './base';
import type { NamespacePlan } from './layout';
import { MANAGEMENT_CLUSTER } from './names';
import { createNamespaces } from './platform';

type ManagementProps = Omit<EnvironmentStackProps, 'layer' | 'cluster' | 'namespaces'>;

/** The namespaces this environment uses on the management cluster. */
export const MANAGEMENT_NAMESPACES: readonly NamespacePlan[] = [
  { name: 'cert-manager', zone: 'mgmt', purpose: 'cert-manager for the Cluster API webhooks.' },
];

/** The Cluster API management cluster's operators: cert-manager and the Cluster API operator. */
export class ManagementPlatformStack extends EnvironmentStack {
  readonly certManager: CertManager;

  constructor(scope: Construct, id: string, props: ManagementProps) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'platform', namespaces: MANAGEMENT_NAMESPACES });
    createNamespaces(this, this.namespaces);
    this.certManager = new CertManager(this, 'cert-manager');
  }
}

/** The Cluster API objects that declare this environment's workload clusters. */
export class ManagementClustersStack extends EnvironmentStack {
  constructor(scope: Construct, id: string, props: ManagementProps & { readonly platform: ManagementPlatformStack }) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'clusters', namespaces: MANAGEMENT_NAMESPACES });
    this.addDependency(props.platform);
  }
}
