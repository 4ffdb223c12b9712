import { Construct } from 'constructs';
import type { Environment } from '../environments';
import { ManagementClustersStack, ManagementPlatformStack } from './management';
import { type Catalogue, loadCatalogue } from '../environments/catalogue';
import { clusterNamespaces, tenantNamespaces } from '../policy/layout';
import { MANAGEMENT_CLUSTER, stackName } from '../policy/names';
import { PlatformStack } from './platform';
import { ServicesStack } from './services';

export interface ClusterStacks {
  readonly name: string;
  readonly platform: PlatformStack;
  readonly services: ServicesStack;
}

export interface EnvironmentStacks {
  readonly environment: Environment;
  /** The data domains and sharing agreements this environment was built with. */
  readonly catalogue: Catalogue;
  readonly management?: { readonly platform: ManagementPlatformStack; readonly clusters: ManagementClustersStack };
  readonly clusters: readonly ClusterStacks[];
}

/**
 * Declares every stack of one environment, in deploy order: the management cluster's
 * platform, then its Cluster API objects, then for each workload cluster its platform and
 * its services. `addDependency` encodes that order for `cdktf deploy` and our own deploy.
 */
export function buildEnvironment(scope: Construct, environment: Environment, catalogue: Catalogue = loadCatalogue()): EnvironmentStacks {
  const env = environment.name;
  let management: EnvironmentStacks['management'];
  if (environment.management) {
    const kubeconfig = environment.management.kubeconfig;
    const platform = new ManagementPlatformStack(scope, stackName(env, MANAGEMENT_CLUSTER, 'platform'), { environment, kubeconfig });
    const clusters = new ManagementClustersStack(scope, stackName(env, MANAGEMENT_CLUSTER, 'clusters'), { environment, kubeconfig, platform });
    management = { platform, clusters };
  }
  const clusters = environment.clusters.map((cluster): ClusterStacks => {
    // Every data domain has its tenant namespace on the environment's first cluster.
    const tenants = cluster === environment.clusters[0] ? tenantNamespaces(catalogue.domains) : [];
    const common = { environment, cluster: cluster.name, kubeconfig: cluster.kubeconfig, namespaces: clusterNamespaces(tenants) };
    const platform = new PlatformStack(scope, stackName(env, cluster.name, 'platform'), { ...common, ...(tenants.length > 0 ? { catalogue } : {}) });
    // A Cluster API cluster exists only once the management stack has created it.
    if (cluster.mode === 'clusterApi' && management) platform.addDependency(management.clusters);
    const services = new ServicesStack(scope, stackName(env, cluster.name, 'services'), { ...common, platform, ...(management ? { management: management.clusters } : {}), ...(tenants.length > 0 ? { catalogue } : {}) });
    return { name: cluster.name, platform, services };
  });
  return { environment, catalogue, management, clusters };
}


/** Declares the stacks of every given environment. */
export function buildEstate(scope: Construct, environments: readonly Environment[], catalogue: Catalogue = loadCatalogue()): EnvironmentStacks[] {
  return environments.map((e) => buildEnvironment(scope, e, catalogue));
}
