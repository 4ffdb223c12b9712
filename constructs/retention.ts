import type { TerraformResource } from '../lib/tf';

/** Kinds of stateful resource the deploy guard and the audit know about. */
export type StatefulKind = 'postgres' | 'kafka' | 'kafka-topic' | 'bucket' | 'object-store' | 'ceph-cluster' | 'volume' | 'cluster';

/**
 * Marks a resource as holding data. Outside ephemeral environments it gets Terraform's
 * `prevent_destroy`, so no plan can delete or replace it; in every environment it carries a
 * `//` comment (ignored by Terraform) that the diff, the deploy guard and the audit read.
 */
export function retain(resource: TerraformResource, kind: StatefulKind, ephemeral: boolean): void {
  resource.addOverride('//.stateful', kind);
  if (!ephemeral) resource.addOverride('lifecycle.prevent_destroy', true);
}

/** Reads the marker written by `retain` from a synthesized resource body. */
export function statefulKindOf(body: unknown): StatefulKind | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const comment = (body as Record<string, unknown>)['//'];
  if (!comment || typeof comment !== 'object') return undefined;
  const kind = (comment as Record<string, unknown>).stateful;
  return typeof kind === 'string' ? (kind as StatefulKind) : undefined;
}
