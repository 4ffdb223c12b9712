/**
 * The part of a CRD schema that its CEL rules (`x-kubernetes-validations`) need: where the rules
 * are, and, below each node that has rules, the types (so `self` is bound as the API server binds
 * it: integer fields as CEL int, number fields as double, objects with properties as objects
 * whose field names are escaped, additionalProperties as maps) and the defaults (the API server
 * defaults an object before it validates it). Nodes with no rule at or below them are pruned, so
 * the cached CRD stays small.
 */
import type { OpenApiSchema } from './openapi';

/** This file: its code is part of the conversion, so the cache of converted CRDs is keyed by it (crd-cache.ts). */
export const CEL_SCHEMA_FILE = __filename;

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  /** A path relative to the node (`.spec.replicas`) where the API server reports the error. */
  readonly fieldPath?: string;
}

/** A schema node as the CEL evaluator sees it. */
export interface CelNode {
  /** `type` (object, array, string, integer, number, boolean). */
  readonly type?: string;
  readonly intOrString?: true;
  readonly preserveUnknown?: true;
  readonly properties?: Readonly<Record<string, CelNode>>;
  readonly items?: CelNode;
  readonly additionalProperties?: CelNode;
  /** The schema's `default`, applied when the field is absent from its (present) parent. */
  readonly default?: unknown;
  readonly rules?: readonly CelRule[];
}

/**
 * The CEL view of a CRD version's `openAPIV3Schema`, or undefined when it has no rule. Rules
 * inside `allOf`/`anyOf`/`oneOf`/`not` are not part of it (the API server refuses them there).
 */
export function celTree(root: OpenApiSchema): CelNode | undefined {
  return walk(root, false);
}

function walk(node: OpenApiSchema, underRule: boolean): CelNode | undefined {
  const rules = readRules(node['x-kubernetes-validations']);
  const typed = underRule || rules.length > 0;
  const out: { -readonly [K in keyof CelNode]: CelNode[K] } = {};
  let hasRules = rules.length > 0;
  const props = node.properties as Record<string, OpenApiSchema> | undefined;
  if (props && typeof props === 'object') {
    const kept: Record<string, CelNode> = {};
    for (const [name, child] of Object.entries(props)) {
      const c = isSchema(child) ? walk(child, typed) : undefined;
      if (c) kept[name] = c;
    }
    if (Object.keys(kept).length > 0) out.properties = kept;
  }
  if (isSchema(node.items)) out.items = walk(node.items, typed);
  if (isSchema(node.additionalProperties)) out.additionalProperties = walk(node.additionalProperties, typed);
  hasRules ||= [out.items, out.additionalProperties, ...Object.values(out.properties ?? {})].some((c) => c !== undefined);
  if (!hasRules && !typed) return undefined;
  if (out.items === undefined) delete out.items;
  if (out.additionalProperties === undefined) delete out.additionalProperties;
  if (typed || hasRules) {
    if (typeof node.type === 'string') out.type = node.type;
    if (node['x-kubernetes-int-or-string'] === true) out.intOrString = true;
    if (node['x-kubernetes-preserve-unknown-fields'] === true) out.preserveUnknown = true;
    if (node.default !== undefined) out.default = node.default;
  }
  if (rules.length > 0) out.rules = rules;
  return out;
}

function readRules(value: unknown): CelRule[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((r): r is Record<string, unknown> => isSchema(r) && typeof r.rule === 'string')
    .map((r) => ({
      rule: r.rule as string,
      ...(typeof r.message === 'string' && r.message !== '' ? { message: r.message } : {}),
      ...(typeof r.messageExpression === 'string' && r.messageExpression !== '' ? { messageExpression: r.messageExpression } : {}),
      ...(typeof r.fieldPath === 'string' && r.fieldPath !== '' ? { fieldPath: r.fieldPath } : {}),
    }));
}

function isSchema(v: unknown): v is OpenApiSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
