/** Stack layers, in the order they deploy within one cluster. */
export type Layer = 'platform' | 'clusters' | 'services';

/**
 * Stack names say environment, cluster and layer: `prod-core-platform`. The Cluster API
 * management cluster of an environment is the cluster named `mgmt`.
 */
export function stackName(environment: string, cluster: string, layer: Layer): string {
  return `${environment}-${cluster}-${layer}`;
}

export const MANAGEMENT_CLUSTER = 'mgmt';
