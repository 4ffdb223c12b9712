import { OPERATORS } from '../../lib/versions';

/** The Cluster API groups this project writes. */
export const API_GROUPS = {
  core: 'cluster.x-k8s.io',
  controlPlane: 'controlplane.cluster.x-k8s.io',
  bootstrap: 'bootstrap.cluster.x-k8s.io',
  infrastructure: 'infrastructure.cluster.x-k8s.io',
  operator: 'operator.cluster.x-k8s.io',
  addons: 'addons.cluster.x-k8s.io',
} as const;

type ApiGroup = (typeof API_GROUPS)[keyof typeof API_GROUPS];

/**
 * The apiVersion of a group as pinned in lib/versions.ts (`v1beta2` for Cluster API and CAPV):
 * objects are always written in the one version the pins name, because server-side apply with
 * mixed API versions misbehaves (kubernetes/kubernetes#136919).
 */
export function apiVersionOf(group: ApiGroup): string {
  const pinned = [...OPERATORS.clusterApi.apiVersions, ...OPERATORS.capv.apiVersions, ...OPERATORS.clusterApiOperator.apiVersions].filter((v) =>
    v.startsWith(`${group}/`),
  );
  if (pinned.length !== 1) throw new Error(`lib/versions.ts must pin exactly one apiVersion of ${group}, found ${JSON.stringify(pinned)}`);
  return pinned[0]!;
}

/** A v1beta2 object reference: `{apiGroup, kind, name}` (v1beta1's apiVersion is gone). */
export function ref(apiGroup: ApiGroup, kind: string, name: string): { apiGroup: string; kind: string; name: string } {
  return { apiGroup, kind, name };
}
