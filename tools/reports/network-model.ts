import type { ClusterNetwork, EnvironmentNetwork } from './network-diagram';
import { Segmentation } from '../../constructs/network/segmentation';
import type { EnvironmentStacks } from '../../stacks/estate';
import { MANAGEMENT_CLUSTER } from '../../policy/names';

/** Collects an environment's namespaces and declared flows, per cluster, from its stacks. */
export function networkOf(stacks: EnvironmentStacks): EnvironmentNetwork {
  const clusters: ClusterNetwork[] = [];
  if (stacks.management) {
    const { platform, clusters: capi } = stacks.management;
    clusters.push({ name: MANAGEMENT_CLUSTER, namespaces: platform.namespaces, flows: [...Segmentation.flowsOf(platform), ...Segmentation.flowsOf(capi)] });
  }
  for (const c of stacks.clusters) {
    clusters.push({ name: c.name, namespaces: c.platform.namespaces, flows: [...Segmentation.flowsOf(c.platform), ...Segmentation.flowsOf(c.services)] });
  }
  return { environment: stacks.environment, clusters };
}
