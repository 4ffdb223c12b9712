import { Construct } from 'constructs';
import type { Environment } from '../environments';
import { ManagementClustersStack, ManagementPlatformStack } from './management';
import { type Catalogue, loadCatalogue } from '../environments/catalogue';
import { clusterNamespaces, tenantNamespaces } from '../policy/layout';
import { MANAGEMENT_CLUSTER, stackName } from '../policy/names';
import { PlatformStack } from './platform';
import { ServicesStack } from './services';
import { backupServicesOf } from '../constructs/backup/coverage';
import { ConfigError } from '../lib/errors';
import { tenantCluster } from '../constructs/secrets/openbao-config';

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
    const clusters = new ManagementClustersStack(scope, stackName(env, MANAGEMENT_CLUSTER, 'clusters'), { environment, kubeconfig, platform, domains: catalogue.domains.map((d) => d.name) });
    management = { platform, clusters };
  }
  const clusters = environment.clusters.map((cluster): ClusterStacks => {
    // Every data domain has its tenant namespace on the environment's first cluster.
    const tenants = cluster.name === tenantCluster(environment) ? tenantNamespaces(catalogue.domains) : [];
    const common = { environment, cluster: cluster.name, kubeconfig: cluster.kubeconfig, namespaces: clusterNamespaces(tenants) };
    const platform = new PlatformStack(scope, stackName(env, cluster.name, 'platform'), { ...common, ...(tenants.length > 0 ? { catalogue } : {}) });
    // A Cluster API cluster exists only once the management stack has created it.
    if (cluster.mode === 'clusterApi' && management) platform.addDependency(management.clusters);
    const services = new ServicesStack(scope, stackName(env, cluster.name, 'services'), { ...common, platform, ...(management ? { management: management.clusters } : {}), ...(tenants.length > 0 ? { catalogue } : {}) });
    return { name: cluster.name, platform, services };
  });
  // After every stack is prepared: each backup.assign entry must name a service that exists.
  scope.node.addValidation({ validate: () => unknownAssignments(environment, clusters) });
  return { environment, catalogue, management, clusters };
}

/** backup.assign entries naming no service of the environment: a ConfigError (thrown, a user error). */
function unknownAssignments(environment: Environment, clusters: readonly ClusterStacks[]): string[] {
  const services = new Set(clusters.flatMap((c) => [...backupServicesOf(c.platform), ...backupServicesOf(c.services)]));
  const unknown = Object.keys(environment.backup.assign).filter((service) => !services.has(service));
  if (unknown.length === 0) return [];
  const namespaceOf = (service: string) => service.split('/').slice(0, 2).join('/');
  throw new ConfigError(
    unknown.map((service) => {
      const near = [...services].filter((s) => s !== namespaceOf(s) && namespaceOf(s) === namespaceOf(service)).sort();
      const known = near.length > 0 ? `services in ${namespaceOf(service)}: ${near.join(', ')}` : `namespaces: ${[...services].filter((s) => s === namespaceOf(s)).sort().join(', ')}`;
      return { source: `environments/${environment.name}.ts`, path: `backup.assign["${service}"]`, message: `names no service of this environment, so the tier would protect nothing; ${known}` };
    }),
  );
}


/** Declares the stacks of every given environment. */
export function buildEstate(scope: Construct, environments: readonly Environment[], catalogue: Catalogue = loadCatalogue()): EnvironmentStacks[] {
  return environments.map((e) => buildEnvironment(scope, e, catalogue));
}
