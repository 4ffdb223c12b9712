import { Construct } from 'constructs';
import { CertManager } from '../constructs/cert-manager';
import { ZonedNamespace } from '../constructs/network/zoned-namespace';
import { EnvironmentStack, EnvironmentStackProps } from './base';
import type { NamespacePlan } from './layout';

/**
 * Creates the planned namespaces of a cluster, each with its zone and baseline, under a
 * `namespaces` construct (construct ids are the namespace names).
 */
export function createNamespaces(stack: EnvironmentStack, plan: readonly NamespacePlan[]): Map<string, ZonedNamespace> {
  const scope = new Construct(stack, 'namespaces');
  return new Map(plan.map((ns) => [ns.name, new ZonedNamespace(scope, ns.name, ns)]));
}

/**
 * Per workload cluster: the namespaces with their baseline, operators installed with Helm
 * (which brings their CRDs), and other plain cluster objects. No custom resource may be
 * declared here (see CustomResource).
 */
export class PlatformStack extends EnvironmentStack {
  readonly namespaceObjects: Map<string, ZonedNamespace>;
  readonly certManager: CertManager;

  constructor(scope: Construct, id: string, props: Omit<EnvironmentStackProps, 'layer'>) {
    super(scope, id, { ...props, layer: 'platform' });
    this.namespaceObjects = createNamespaces(this, this.namespaces);
    this.certManager = new CertManager(this, 'cert-manager');
  }
}
