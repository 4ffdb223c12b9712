import { Construct } from 'constructs';
import { InternalCaIssuer } from '../constructs/cert-manager';
import { EnvironmentStack, EnvironmentStackProps } from './base';
import type { PlatformStack } from './platform';

export interface ServicesStackProps extends Omit<EnvironmentStackProps, 'layer'> {
  /** The platform stack of the same cluster; this stack deploys after it. */
  readonly platform: PlatformStack;
}

/** Per workload cluster: the custom resources, whose CRDs the platform stack installed. */
export class ServicesStack extends EnvironmentStack {
  readonly issuer: InternalCaIssuer;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, { ...props, layer: 'services' });
    this.addDependency(props.platform);
    this.issuer = new InternalCaIssuer(this, 'internal-ca');
  }
}
