/**
 * The network zones of the data centre and the rules every construct and tool reads about
 * them. Pure data: environments, constructs, the audit and admission policies share it.
 */

/** The network zones of the data centre; every namespace and node pool belongs to one. */
export const ZONE_NAMES = ['dmz', 'app', 'data', 'mgmt', 'exchange'] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

/** Zones that may expose a Service of type LoadBalancer or NodePort. */
export const EXPOSED_ZONES: readonly ZoneName[] = ['dmz', 'exchange'];

/** Annotation carrying the reason of a declared network exception on a policy. */
export const NETWORK_EXCEPTION_ANNOTATION = 'moit.gov.vn/network-exception';
