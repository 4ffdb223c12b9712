import { Construct } from 'constructs';
import { CertManager } from '../constructs/cert-manager';
import { EnvironmentStack, EnvironmentStackProps } from './base';
import { MANAGEMENT_CLUSTER } from './names';

type ManagementProps = Omit<EnvironmentStackProps, 'layer' | 'cluster'>;

/** The Cluster API management cluster's operators: cert-manager and the Cluster API operator. */
export class ManagementPlatformStack extends EnvironmentStack {
  readonly certManager: CertManager;

  constructor(scope: Construct, id: string, props: ManagementProps) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'platform' });
    this.certManager = new CertManager(this, 'cert-manager');
  }
}

/** The Cluster API objects that declare this environment's workload clusters. */
export class ManagementClustersStack extends EnvironmentStack {
  constructor(scope: Construct, id: string, props: ManagementProps & { readonly platform: ManagementPlatformStack }) {
    super(scope, id, { ...props, cluster: MANAGEMENT_CLUSTER, layer: 'clusters' });
    this.addDependency(props.platform);
  }
}
