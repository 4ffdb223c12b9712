import type { ClusterNetwork, EnvironmentNetwork } from './network-diagram';
import { Segmentation } from '../../constructs/network/segmentation';
import type { EnvironmentStacks } from '../../stacks/estate';
import { MANAGEMENT_CLUSTER } from '../../policy/names';
import { clustersInFolder } from '../reach/load';
import { enforcedPaths } from '../reach/report';

/**
 * Collects an environment's namespaces and declared flows, per cluster, from its stacks, and
 * the paths its policies enforce, computed from the synthesized folder `outdir` the stacks were
 * synthesized into (tools/reach).
 */
export function networkOf(stacks: EnvironmentStacks, outdir: string): EnvironmentNetwork {
  const computed = new Map(clustersInFolder(outdir, stacks.environment.name).map((c) => [c.cluster, enforcedPaths(c)]));
  const clusters: ClusterNetwork[] = [];
  if (stacks.management) {
    const { platform, clusters: capi } = stacks.management;
    clusters.push({ name: MANAGEMENT_CLUSTER, namespaces: platform.namespaces, flows: [...Segmentation.flowsOf(platform), ...Segmentation.flowsOf(capi)], paths: computed.get(MANAGEMENT_CLUSTER) ?? [] });
  }
  for (const c of stacks.clusters) {
    clusters.push({ name: c.name, namespaces: c.platform.namespaces, flows: [...Segmentation.flowsOf(c.platform), ...Segmentation.flowsOf(c.services)], paths: computed.get(c.name) ?? [] });
  }
  return { environment: stacks.environment, clusters };
}
