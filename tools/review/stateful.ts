/**
 * Whether a resource holds data, and how we know. The deploy guard and the destructive-change
 * warnings rely on this, in order of strength:
 *
 * 1. `marker`: the `"//": {"stateful": "<kind>"}` marker that `retain()` (lib/markers.ts)
 *    writes into the synthesized body. Authoritative for everything this project declares.
 * 2. `prevent_destroy`: the synthesized body sets `lifecycle.prevent_destroy`; someone decided
 *    it must not be destroyed, even without a marker.
 * 3. `resource kind`: only the plan is available (a plan made elsewhere, `--from-json` without
 *    a synthesized folder), so the resource type or the custom resource's kind decides:
 *    see {@link KNOWN_STATEFUL_KINDS}. Plan JSON carries neither markers nor lifecycle settings.
 */
import { isObject } from './paths';
import type { SynthesizedResource } from './synthesized';

export interface StatefulEvidence {
  /** What kind of data: `postgres`, `kafka`, `bucket`, `volume`, ... */
  readonly kind: string;
  readonly source: 'marker' | 'prevent_destroy' | 'resource kind';
}

/** Custom resources that hold data, by `<api group>/<kind>`. */
export const KNOWN_STATEFUL_KINDS: Readonly<Record<string, string>> = {
  'postgresql.cnpg.io/Cluster': 'postgres',
  'kafka.strimzi.io/Kafka': 'kafka',
  'kafka.strimzi.io/KafkaNodePool': 'kafka',
  'kafka.strimzi.io/KafkaTopic': 'kafka-topic',
  'objectbucket.io/ObjectBucketClaim': 'bucket',
  'ceph.rook.io/CephCluster': 'ceph-cluster',
  'ceph.rook.io/CephObjectStore': 'object-store',
  'ceph.rook.io/CephBlockPool': 'volume',
  'ceph.rook.io/CephFilesystem': 'volume',
  'cluster.x-k8s.io/Cluster': 'cluster',
  '/PersistentVolumeClaim': 'volume',
  '/PersistentVolume': 'volume',
};

/** Terraform resource types that hold data. */
export const KNOWN_STATEFUL_TYPES: Readonly<Record<string, string>> = {
  kubernetes_persistent_volume_claim: 'volume',
  kubernetes_persistent_volume_claim_v1: 'volume',
  kubernetes_persistent_volume: 'volume',
  kubernetes_persistent_volume_v1: 'volume',
};

/** Evidence from a synthesized body: the marker, else `prevent_destroy`. */
export function statefulFromSynth(resource: SynthesizedResource | undefined): StatefulEvidence | undefined {
  if (!resource) return undefined;
  if (resource.stateful) return { kind: resource.stateful, source: 'marker' };
  if (resource.preventDestroy) return { kind: 'protected', source: 'prevent_destroy' };
  return undefined;
}

/** The `kubernetes_manifest` object of a body or plan value (plan JSON may wrap it in a list). */
export function manifestObject(values: unknown): Record<string, unknown> | undefined {
  if (!isObject(values)) return undefined;
  const m = values.manifest;
  const one = Array.isArray(m) && m.length === 1 ? m[0] : m;
  return isObject(one) ? one : undefined;
}

/** Evidence from the resource type or the custom resource's kind (plan values or a body). */
export function statefulFromValues(type: string, values: unknown): StatefulEvidence | undefined {
  const byType = KNOWN_STATEFUL_TYPES[type];
  if (byType) return { kind: byType, source: 'resource kind' };
  if (type !== 'kubernetes_manifest') return undefined;
  const manifest = manifestObject(values);
  if (!manifest || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') return undefined;
  const group = manifest.apiVersion.includes('/') ? manifest.apiVersion.split('/')[0] : '';
  const kind = KNOWN_STATEFUL_KINDS[`${group}/${manifest.kind}`];
  return kind ? { kind, source: 'resource kind' } : undefined;
}

/** The strongest evidence available. */
export function statefulEvidence(type: string, synthesized: SynthesizedResource | undefined, ...values: unknown[]): StatefulEvidence | undefined {
  return statefulFromSynth(synthesized) ?? values.map((v) => statefulFromValues(type, v)).find(Boolean);
}
