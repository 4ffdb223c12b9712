import type { Construct } from 'constructs';
import type { ZoneName } from '../../environments/schema';
import { ConstructPropsError } from '../../lib/errors';
import { ClusterContext } from '../context';
import { ZONE_LABEL } from './peer';

/**
 * Node placement by zone. Node pools of Cluster API clusters carry the label
 * `moit.gov.vn/zone=<zone>` and the taint `moit.gov.vn/zone=<zone>:NoSchedule`, so only
 * workloads that tolerate a zone land on its machines, and they are told to go there.
 * An adopted ("existing") cluster has no zone pools, so nothing is constrained there.
 */
export interface ZonePlacement {
  /** Kubernetes `nodeSelector` (camelCase, as in a pod spec). */
  readonly nodeSelector?: Record<string, string>;
  /** Kubernetes `tolerations`. */
  readonly tolerations?: ReadonlyArray<{ key: string; operator: 'Equal'; value: string; effect: 'NoSchedule' }>;
}

/** The taint every node of a zone's pool carries. */
export function zoneTaint(zone: ZoneName): { key: string; value: string; effect: 'NoSchedule' } {
  return { key: ZONE_LABEL, value: zone, effect: 'NoSchedule' };
}

/**
 * Where workloads of `zone` run in the cluster of the stack `scope` belongs to. On a Cluster API
 * cluster every node pool is tainted with its zone (and control-plane nodes with their own
 * taint), so a zone without a pool has no node its workloads could run on: that is an error
 * here, never an unconstrained (and unschedulable) placement.
 */
export function placementFor(scope: Construct, zone: ZoneName): ZonePlacement {
  const stack = ClusterContext.of(scope);
  const cluster = stack.environment.clusters.find((c) => c.name === stack.cluster);
  if (!cluster || cluster.mode !== 'clusterApi') return {};
  if (!cluster.nodePools.some((p) => p.zone === zone)) {
    throw new ConstructPropsError(
      scope.node.path,
      `clusters "${cluster.name}" nodePools`,
      `has no pool in zone "${zone}", where this workload runs; every pool is tainted with its zone, so it could not be scheduled anywhere. Add a node pool with zone "${zone}"`,
      cluster.nodePools.map((p) => `${p.name} (${p.zone})`),
    );
  }
  return {
    nodeSelector: { [ZONE_LABEL]: zone },
    tolerations: [{ key: ZONE_LABEL, operator: 'Equal', value: zone, effect: 'NoSchedule' }],
  };
}
