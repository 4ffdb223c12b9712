import { Construct } from 'constructs';
import { CertManager } from '../constructs/cert-manager';
import { EnvironmentStack, EnvironmentStackProps } from './base';

/**
 * Per workload cluster: operators installed with Helm (which brings their CRDs) and plain
 * cluster objects. No custom resource may be declared here (see CustomResource).
 */
export class PlatformStack extends EnvironmentStack {
  readonly certManager: CertManager;

  constructor(scope: Construct, id: string, props: Omit<EnvironmentStackProps, 'layer'>) {
    super(scope, id, { ...props, layer: 'platform' });
    this.certManager = new CertManager(this, 'cert-manager');
  }
}
