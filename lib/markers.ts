/**
 * Markers written into synthesized resources as Terraform JSON comments (`"//"` keys, which
 * Terraform ignores at any level). The diff, the deploy guard and the standalone audit read
 * them from `cdk.tf.json`, so they work on any build artefact without running our code.
 *
 *   "//": { "stateful": "postgres" }        the resource holds data (see `retain`)
 *   "//": { "sharing": ["agr-001", ...] }   the resource exists because of these sharing agreements
 */
import type { TerraformResource } from './tf';

/** Kinds of stateful resource the deploy guard and the audit know about. */
export type StatefulKind = 'postgres' | 'kafka' | 'kafka-topic' | 'bucket' | 'object-store' | 'ceph-cluster' | 'volume' | 'cluster';

/**
 * Marks a resource as holding data. Outside ephemeral environments it gets Terraform's
 * `prevent_destroy`, so no plan can delete or replace it; in every environment it carries the
 * `stateful` marker.
 */
export function retain(resource: TerraformResource, kind: StatefulKind, ephemeral: boolean): void {
  resource.addOverride('//.stateful', kind);
  if (!ephemeral) resource.addOverride('lifecycle.prevent_destroy', true);
}

/** Records the sharing agreements a resource (a grant, a user, a policy) derives from. */
export function markSharing(resource: TerraformResource, agreementIds: readonly string[]): void {
  resource.addOverride('//.sharing', [...agreementIds].sort());
}

function comment(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const c = (body as Record<string, unknown>)['//'];
  return c && typeof c === 'object' ? (c as Record<string, unknown>) : undefined;
}

/** The `stateful` marker of a synthesized resource body, if any. */
export function statefulKindOf(body: unknown): StatefulKind | undefined {
  const kind = comment(body)?.stateful;
  return typeof kind === 'string' ? (kind as StatefulKind) : undefined;
}

/** The sharing agreements a synthesized resource body derives from. */
export function sharingOf(body: unknown): string[] {
  const ids = comment(body)?.sharing;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

/** The construct path cdktf records for a synthesized resource body. */
export function constructPathOf(body: unknown): string | undefined {
  const meta = comment(body)?.metadata as Record<string, unknown> | undefined;
  return typeof meta?.path === 'string' ? meta.path : undefined;
}
