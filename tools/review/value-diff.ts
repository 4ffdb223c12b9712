/**
 * Attribute-level differences between two JSON values (two synthesized bodies, or a plan's
 * `before` and `after`), down to the leaves: `manifest.spec.instances: 3 → 5`.
 *
 * - Objects are compared key by key; arrays of the same length index by index; arrays whose
 *   length changed are aligned with jsdiff's `diffArrays`, so inserting one rule in the
 *   middle of a list shows one added element, not a change to every later one.
 * - A string holding a YAML or JSON document (Helm `values`) is decoded and compared field by
 *   field (path step `{yaml}`), so masking works inside it and the change is readable.
 * - In plan mode, `after_unknown` marks values that are known only after apply.
 */
import { diffArrays } from 'diff';
import { DECODED_YAML, deepEqual, isObject, type Json, type Path } from './paths';
import { decodeDocument } from './sensitive';

/** One changed leaf. `before`/`after` are absent when the value was added/removed. */
export interface LeafChange {
  readonly path: Path;
  readonly before?: Json;
  readonly after?: Json;
  /** True when the new value is known only after apply (plan mode). */
  readonly afterUnknown?: boolean;
}

export interface DiffOptions {
  /** Terraform's `after_unknown` structure: `true` where the value is unknown until apply. */
  readonly afterUnknown?: unknown;
}

function unknownAt(marks: unknown): boolean {
  return marks === true;
}

function child(marks: unknown, step: string | number): unknown {
  if (marks === true) return true;
  if (typeof step === 'number') return Array.isArray(marks) ? marks[step] : undefined;
  return isObject(marks) ? marks[step] : undefined;
}

/**
 * Every leaf that differs between `before` and `after`. Missing values are `undefined`; a whole
 * added or removed object is reported leaf by leaf (an empty object or array is a leaf).
 */
export function diffValues(before: Json | undefined, after: Json | undefined, options: DiffOptions = {}): LeafChange[] {
  const out: LeafChange[] = [];
  walk(before, after, [], options.afterUnknown, out);
  return out;
}

function isContainer(v: unknown): v is Json[] | { [key: string]: Json } {
  return Array.isArray(v) || (isObject(v) && Object.keys(v).length > 0);
}

function walk(before: Json | undefined, after: Json | undefined, path: Path, unknown: unknown, out: LeafChange[]): void {
  if (unknownAt(unknown)) {
    out.push({ path, ...(before === undefined ? {} : { before }), afterUnknown: true });
    return;
  }
  if (deepEqual(before, after) && !isContainer(unknown)) return;

  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...(isObject(unknown) ? Object.keys(unknown) : [])])].sort();
    for (const k of keys) walk(before[k], after[k], [...path, k], child(unknown, k), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length === after.length || Array.isArray(unknown)) {
      const n = Math.max(before.length, after.length);
      for (let i = 0; i < n; i++) walk(before[i], after[i], [...path, i], child(unknown, i), out);
      return;
    }
    alignArrays(before, after, path, unknown, out);
    return;
  }
  if (typeof before === 'string' && typeof after === 'string') {
    const a = decodeDocument(before);
    const b = decodeDocument(after);
    if (a !== undefined && b !== undefined) {
      walk(a, b, [...path, DECODED_YAML], undefined, out);
      return;
    }
  }
  // One side missing, or a type change: expand containers to their leaves.
  if (before !== undefined && after === undefined && isContainer(before)) {
    for (const [k, v] of entries(before)) walk(v, undefined, [...path, k], undefined, out);
    return;
  }
  if (after !== undefined && before === undefined && isContainer(after)) {
    for (const [k, v] of entries(after)) walk(undefined, v, [...path, k], child(unknown, k), out);
    return;
  }
  if (typeof after === 'string' && before === undefined) {
    const doc = decodeDocument(after);
    if (doc !== undefined) {
      walk(undefined, doc, [...path, DECODED_YAML], undefined, out);
      return;
    }
  }
  if (deepEqual(before, after)) return;
  out.push({ path, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) });
}

function entries(v: Json[] | { [key: string]: Json }): Array<[string | number, Json]> {
  return Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Arrays whose length changed: align equal elements, report the rest as removed/added. */
function alignArrays(before: Json[], after: Json[], path: Path, unknown: unknown, out: LeafChange[]): void {
  const parts = diffArrays(before, after, { comparator: (a: Json, b: Json) => deepEqual(a, b) });
  let i = 0; // index in before
  let j = 0; // index in after
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const next = parts[p + 1];
    if (part.removed && next?.added && next.count === part.count) {
      // A run replaced by a run of the same length: compare element by element.
      for (let k = 0; k < part.count; k++) walk(before[i + k], after[j + k], [...path, j + k], child(unknown, j + k), out);
      i += part.count;
      j += next.count;
      p++;
    } else if (part.removed) {
      for (let k = 0; k < part.count; k++) walk(before[i + k], undefined, [...path, i + k], undefined, out);
      i += part.count;
    } else if (part.added) {
      for (let k = 0; k < part.count; k++) walk(undefined, after[j + k], [...path, j + k], child(unknown, j + k), out);
      j += part.count;
    } else {
      i += part.count;
      j += part.count;
    }
  }
}
