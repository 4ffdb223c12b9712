import type { Construct } from 'constructs';
import type { ZoneName } from '../../environments/schema';
import { placementFor } from '../network/placement';

/**
 * A Strimzi pod template (`template.pod`) that places pods on the nodes of `zone`. Strimzi's
 * pod template has no `nodeSelector`, so the zone's node label becomes a required node
 * affinity, and the zone's taint a toleration. Empty on clusters without zone node pools.
 */
export function strimziPodPlacement(scope: Construct, zone: ZoneName): Record<string, unknown> {
  const placement = placementFor(scope, zone);
  const out: Record<string, unknown> = {};
  if (placement.nodeSelector) {
    out.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: Object.entries(placement.nodeSelector).map(([key, value]) => ({ key, operator: 'In', values: [value] })) }],
        },
      },
    };
  }
  if (placement.tolerations) out.tolerations = placement.tolerations.map((t) => ({ ...t }));
  return out;
}
