import type { ZonePlacement } from '../network/placement';

/**
 * A zone placement in the shape Rook's `placement` fields take (CephCluster `placement.all`,
 * CephObjectStore `gateway.placement`): Rook has no nodeSelector, so the zone label becomes a
 * required node affinity. Empty on clusters without zone pools.
 */
export function rookPlacement(placement: ZonePlacement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const terms = Object.entries(placement.nodeSelector ?? {}).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
  if (terms.length > 0) {
    out.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: terms }] } };
  }
  if (placement.tolerations && placement.tolerations.length > 0) out.tolerations = placement.tolerations.map((t) => ({ ...t }));
  return out;
}

/** Spreads pods with these labels over nodes: required when they must not share one, else preferred. */
export function spreadOverNodes(labels: Record<string, string>, required: boolean): Record<string, unknown> {
  const term = { labelSelector: { matchLabels: { ...labels } }, topologyKey: 'kubernetes.io/hostname' };
  return required
    ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
    : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}
