/**
 * Turns one raw resource change (two bodies or two plan values, unmasked) into the masked
 * {@link ResourceChange} of the report and the findings of the rules. This is the only place
 * where raw values and printable values meet: nothing unmasked leaves it.
 */
import type { AttributeChange, Action, Finding, ResourceChange } from './model';
import { deepEqual, formatPath, isObject, type Json, type Path } from './paths';
import { RESOURCE_RULES } from './rules';
import { Masker } from './sensitive';
import { manifestObject, type StatefulEvidence } from './stateful';
import { diffValues, type LeafChange } from './value-diff';

export interface RawChange {
  readonly source: 'config' | 'plan';
  readonly stack: string;
  readonly address: string;
  readonly previousAddress?: string;
  readonly moved?: boolean;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly action: Action;
  readonly createBeforeDestroy?: boolean;
  readonly importing?: { readonly id?: string };
  readonly reason?: string;
  readonly replacePaths: readonly Path[];
  readonly before?: Json;
  readonly after?: Json;
  /** Plan only: `after_unknown`, `before_sensitive`, `after_sensitive`. */
  readonly afterUnknown?: unknown;
  readonly beforeMarks?: unknown;
  readonly afterMarks?: unknown;
  readonly constructPath?: string;
  readonly stateful?: StatefulEvidence;
  readonly sharingBefore: readonly string[];
  readonly sharingAfter: readonly string[];
  readonly preventDestroyBefore?: boolean;
  readonly preventDestroyAfter?: boolean;
}

function first(value: unknown): Record<string, unknown> | undefined {
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
  return isObject(v) ? v : undefined;
}

/** What a resource is, for people: `Cluster data/pg-main`, `chart cert-manager v1.21.1 in cert-manager`. */
export function labelOf(type: string, values: unknown): string | undefined {
  if (!isObject(values)) return undefined;
  if (type === 'kubernetes_manifest') {
    const m = manifestObject(values);
    const meta = first(m?.metadata);
    if (!m || typeof m.kind !== 'string') return undefined;
    const ns = typeof meta?.namespace === 'string' ? `${meta.namespace}/` : '';
    return `${m.kind} ${ns}${typeof meta?.name === 'string' ? meta.name : '?'}`;
  }
  if (type === 'helm_release') {
    const chart = typeof values.chart === 'string' ? values.chart : '?';
    const version = typeof values.version === 'string' ? ` ${values.version}` : '';
    const ns = typeof values.namespace === 'string' ? ` in ${values.namespace}` : '';
    return `chart ${chart}${version}${ns}`;
  }
  const meta = first(values.metadata);
  if (meta && typeof meta.name === 'string') return `${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${meta.name}`;
  return undefined;
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => deepEqual(s, path[i]));
}

/** The masked, printable form of one leaf change. */
export function maskLeaf(masker: Masker, leaf: LeafChange, replacePaths: readonly Path[] = []): AttributeChange {
  const before = masker.mask(leaf.before, leaf.path, 'before');
  const after = leaf.afterUnknown ? undefined : masker.mask(leaf.after, leaf.path, 'after');
  const masked = !deepEqual(before, leaf.before) || (!leaf.afterUnknown && !deepEqual(after, leaf.after));
  return {
    path: formatPath(leaf.path),
    steps: leaf.path,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
    ...(leaf.afterUnknown ? { afterUnknown: true } : {}),
    ...(masked ? { masked: true } : {}),
    ...(replacePaths.some((p) => startsWith(leaf.path, p)) ? { forcesReplacement: true } : {}),
  };
}

/** Builds the report entry and runs the resource rules. */
export function buildChange(raw: RawChange): { change: ResourceChange; findings: Finding[] } {
  const masker = new Masker(raw.type, { body: raw.before, marks: raw.beforeMarks }, { body: raw.after, marks: raw.afterMarks });
  const all = raw.action === 'delete' || raw.action === 'forget' ? [] : diffValues(raw.before, raw.after, { afterUnknown: raw.afterUnknown });
  // A created resource's unset attributes (null in plan JSON) say nothing; Terraform hides them too.
  const leaves = raw.action === 'create' ? all.filter((l) => !(l.before === undefined && l.after === null)) : all;
  const findings: Finding[] = [];
  for (const rule of RESOURCE_RULES) {
    const messages = rule.check({
      source: raw.source,
      stack: raw.stack,
      address: raw.address,
      type: raw.type,
      action: raw.action,
      before: raw.before,
      after: raw.after,
      leaves,
      reason: raw.reason,
      stateful: raw.stateful,
      sharingBefore: raw.sharingBefore,
      sharingAfter: raw.sharingAfter,
      preventDestroyBefore: raw.preventDestroyBefore,
      preventDestroyAfter: raw.preventDestroyAfter,
      masker,
    });
    for (const message of messages) findings.push({ rule: rule.id, severity: rule.severity, stack: raw.stack, address: raw.address, message, why: rule.why });
  }
  const change: ResourceChange = {
    stack: raw.stack,
    address: raw.address,
    ...(raw.previousAddress ? { previousAddress: raw.previousAddress } : {}),
    ...(raw.moved ? { moved: true } : {}),
    mode: raw.mode,
    type: raw.type,
    action: raw.action,
    ...(raw.createBeforeDestroy ? { createBeforeDestroy: true } : {}),
    ...(raw.importing ? { importing: raw.importing } : {}),
    ...(raw.reason ? { reason: raw.reason } : {}),
    replacePaths: raw.replacePaths.map(formatPath),
    ...(raw.constructPath ? { constructPath: raw.constructPath } : {}),
    ...(labelOf(raw.type, raw.after ?? raw.before) ? { label: labelOf(raw.type, raw.after ?? raw.before) } : {}),
    ...(raw.stateful ? { stateful: raw.stateful } : {}),
    sharing: [...new Set([...raw.sharingBefore, ...raw.sharingAfter])].sort(),
    attributes: leaves.map((leaf) => maskLeaf(masker, leaf, raw.replacePaths)),
  };
  return { change, findings };
}
