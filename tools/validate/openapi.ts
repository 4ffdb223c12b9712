/**
 * Converts a Kubernetes OpenAPI v3 schema (the structural-schema dialect of a CRD's
 * `spec.versions[].schema.openAPIV3Schema`) into JSON Schema that ajv 8 compiles, keeping the
 * API server's semantics where they differ from plain JSON Schema:
 *
 * - an object with `properties` (or with none) knows only those fields: the API server prunes
 *   the others, and the kubernetes provider rejects them, so we add `additionalProperties:
 *   false` unless `x-kubernetes-preserve-unknown-fields: true` or `additionalProperties` says
 *   otherwise;
 * - `x-kubernetes-int-or-string: true` means integer or string;
 * - `nullable: true` also accepts null;
 * - OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` become JSON Schema's numbers;
 * - `oneOf`/`anyOf`/`allOf`/`not` only constrain values (they may not declare fields), so their
 *   branches never get `additionalProperties: false`;
 * - the root always allows `apiVersion`, `kind` and `metadata`, and `metadata` is checked with
 *   {@link OBJECT_META} since CRDs leave it open.
 *
 * Terraform interpolations (`${...}`) are unknown until apply: wherever a scalar is expected
 * with constraints, the converted schema accepts a string holding one instead (`if` an
 * interpolation, `else` the real constraints). Field names around them are still checked.
 *
 * What is not checked, and reported in {@link ConversionNotes}: CEL rules
 * (`x-kubernetes-validations`), and patterns that JavaScript cannot compile.
 */

/** This module's file: its content is part of the key of cached conversions (crd-schemas.ts). */
export const CONVERTER_FILE = __filename;

/** A schema node in Kubernetes' OpenAPI v3 dialect, as read from a CRD file. */
export type OpenApiSchema = { readonly [keyword: string]: unknown };

/** A JSON Schema node (draft-07, as ajv 8's default export reads it). */
export type JsonSchema = { [keyword: string]: unknown };

/** What the conversion left out, so the caller can tell users what is not checked. */
export interface ConversionNotes {
  /** JSON paths (in the schema) of CEL rules, which are not evaluated. */
  readonly celRules: string[];
  /** Patterns JavaScript cannot compile, dropped: `<schema path>: <pattern>`. */
  readonly droppedPatterns: string[];
  /** Keywords the converter does not know, dropped: `<schema path>: <keyword>`. */
  readonly unknownKeywords: string[];
}

/**
 * Formats ajv checks. Kubernetes validates only some formats and ignores the rest; these are the
 * ones whose meaning is the same in ajv-formats and in the API server.
 */
export const CHECKED_FORMATS = ['date-time', 'byte', 'int32', 'int64', 'ipv4', 'ipv6', 'uuid'] as const;

/** A string holding a Terraform interpolation somewhere (`$${` is Terraform's escape, not one). */
export const CONTAINS_INTERPOLATION = '(^|[^$])\\$\\{[^}]*\\}';
/** A string that is exactly one interpolation: Terraform converts its result to the expected type. */
export const WHOLE_INTERPOLATION = '^\\$\\{[\\s\\S]*\\}$';

/** Keywords that carry no validation, or whose meaning we deliberately do not check. */
const IGNORED = new Set([
  'description',
  'title',
  'default',
  'example',
  'externalDocs',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);

/** Keywords the converter handles. Anything else is recorded in `unknownKeywords`. */
const HANDLED = new Set([
  'type',
  'nullable',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-validations',
]);

const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * The object metadata a manifest may set, in the same dialect as CRD schemas (so it gets the
 * same conversion, interpolations included). Names follow the API server's rules: RFC 1123
 * subdomain names, DNS-label namespaces, qualified label and annotation keys, label values of at
 * most 63 characters. Server-set fields (uid, resourceVersion, ...) are not allowed.
 */
export const OBJECT_META: OpenApiSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
    namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' },
    },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string', minLength: 1 } },
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          name: { type: 'string' },
          uid: { type: 'string' },
          controller: { type: 'boolean' },
          blockOwnerDeletion: { type: 'boolean' },
        },
      },
    },
  },
};

/** Converts a CRD version's `openAPIV3Schema` (the root of a custom resource). */
export function convertCrdSchema(root: OpenApiSchema): { schema: JsonSchema; notes: ConversionNotes } {
  const notes: ConversionNotes = { celRules: [], droppedPatterns: [], unknownKeywords: [] };
  const properties = { ...((root.properties as Record<string, OpenApiSchema> | undefined) ?? {}) };
  properties.apiVersion = { type: 'string' };
  properties.kind = { type: 'string' };
  properties.metadata = OBJECT_META;
  const required = new Set([...((root.required as string[] | undefined) ?? []), 'apiVersion', 'kind', 'metadata']);
  const schema = convertNode({ ...root, type: 'object', properties, required: [...required] }, '', false, notes);
  return { schema: hoistRepeatedSubschemas(schema), notes };
}

/** Converts any schema node (exported for tests and for non-CRD schemas). */
export function convertSchema(node: OpenApiSchema): { schema: JsonSchema; notes: ConversionNotes } {
  const notes: ConversionNotes = { celRules: [], droppedPatterns: [], unknownKeywords: [] };
  return { schema: convertNode(node, '', false, notes), notes };
}

/**
 * @param path where the node is in the schema, for notes (`.spec.kafka`)
 * @param junction true inside oneOf/anyOf/allOf/not: value constraints only, no field lists
 */
function convertNode(node: OpenApiSchema, path: string, junction: boolean, notes: ConversionNotes): JsonSchema {
  const out: JsonSchema = {};
  for (const keyword of Object.keys(node)) {
    if (!HANDLED.has(keyword) && !IGNORED.has(keyword)) notes.unknownKeywords.push(`${path || '.'}: ${keyword}`);
  }
  if (node['x-kubernetes-validations'] !== undefined) notes.celRules.push(path || '.');

  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const nullable = node.nullable === true;

  // Types.
  let types: string[] | undefined;
  if (intOrString) types = ['integer', 'string'];
  else if (typeof node.type === 'string') types = [node.type];
  if (types && nullable) types = [...types, 'null'];
  if (types) out.type = types.length === 1 ? types[0] : types;

  // Scalars.
  if (Array.isArray(node.enum)) out.enum = nullable && !node.enum.includes(null) ? [...node.enum, null] : [...node.enum];
  if (typeof node.format === 'string' && (CHECKED_FORMATS as readonly string[]).includes(node.format)) out.format = node.format;
  if (typeof node.pattern === 'string') {
    if (compiles(node.pattern)) out.pattern = node.pattern;
    else notes.droppedPatterns.push(`${path || '.'}: ${node.pattern}`);
  }
  for (const k of ['minLength', 'maxLength', 'minimum', 'maximum', 'multipleOf', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) {
    if (typeof node[k] === 'number') out[k] = node[k];
  }
  // OpenAPI 3.0: `exclusiveMinimum: true` modifies `minimum`; JSON Schema wants the bound itself.
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (node[flag] === true && typeof node[bound] === 'number') {
      out[flag] = node[bound];
      delete out[bound];
    } else if (typeof node[flag] === 'number') {
      out[flag] = node[flag];
    }
  }

  // Arrays.
  if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) {
    out.items = convertNode(node.items as OpenApiSchema, `${path}[]`, junction, notes);
  }
  if (node.uniqueItems === true || node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;

  // Objects.
  const props = node.properties as Record<string, OpenApiSchema> | undefined;
  if (props && typeof props === 'object') {
    out.properties = Object.fromEntries(Object.entries(props).map(([name, child]) => [name, convertNode(child, `${path}.${name}`, junction, notes)]));
  }
  if (Array.isArray(node.required) && node.required.length > 0) out.required = [...node.required];
  const additional = node.additionalProperties;
  if (additional !== undefined) {
    out.additionalProperties = typeof additional === 'object' && additional !== null ? convertNode(additional as OpenApiSchema, `${path}{}`, junction, notes) : additional;
  }
  if (node['x-kubernetes-embedded-resource'] === true && out.properties) {
    // The API server adds these to an embedded object's known fields.
    const p = out.properties as Record<string, JsonSchema>;
    p.apiVersion ??= { type: 'string' };
    p.kind ??= { type: 'string' };
    p.metadata ??= { type: 'object' };
  }
  const isObject = node.type === 'object';
  if (isObject && !junction && !preserveUnknown && additional === undefined) {
    // Structural schema: fields not listed are pruned by the API server; flag them instead.
    out.properties ??= {};
    out.additionalProperties = false;
  }

  // Junctions: value constraints only. The int-or-string anyOf is already expressed by `type`.
  for (const k of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = node[k];
    if (!Array.isArray(branches)) continue;
    if (k === 'anyOf' && intOrString && isIntOrStringAnyOf(branches)) continue;
    out[k] = branches.map((b, i) => convertNode(b as OpenApiSchema, `${path}/${k}[${i}]`, true, notes));
  }
  if (node.not && typeof node.not === 'object') out.not = convertNode(node.not as OpenApiSchema, `${path}/not`, true, notes);

  return junction ? out : acceptInterpolation(out, types);
}

/**
 * Wraps a scalar node so a Terraform interpolation passes where its constraints cannot be
 * known before apply. A plain string node without constraints needs no wrapper.
 */
function acceptInterpolation(out: JsonSchema, types: string[] | undefined): JsonSchema {
  if (!types) return out;
  const nonNull = types.filter((t) => t !== 'null');
  if (nonNull.length === 0 || !nonNull.every((t) => SCALAR_TYPES.has(t))) return out;
  const acceptsString = nonNull.includes('string');
  const constrained = ['enum', 'pattern', 'format', 'minLength', 'maxLength', 'oneOf', 'anyOf', 'allOf', 'not'].some((k) => k in out);
  if (acceptsString && !constrained) return out;
  return { if: { type: 'string', pattern: acceptsString ? CONTAINS_INTERPOLATION : WHOLE_INTERPOLATION }, else: out };
}

function isIntOrStringAnyOf(branches: unknown[]): boolean {
  const types = branches.map((b) => (b && typeof b === 'object' ? (b as OpenApiSchema).type : undefined)).sort();
  return branches.length === 2 && types[0] === 'integer' && types[1] === 'string';
}

/** True when JavaScript (with the `u` flag ajv uses) can compile a pattern written for Go. */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Keywords whose value is a map of subschemas, a subschema, or a list of subschemas. */
const SUBSCHEMA_MAPS = ['properties', 'definitions'] as const;
const SUBSCHEMA = ['items', 'additionalProperties', 'if', 'then', 'else', 'not'] as const;
const SUBSCHEMA_LISTS = ['oneOf', 'anyOf', 'allOf'] as const;

/**
 * Moves subschemas that occur more than once (pod templates, affinity, resources, TLS blocks:
 * CRDs repeat them inline for every component) into `definitions` and refers to them with
 * `$ref`. Compiled with `inlineRefs: false`, each is compiled once: this cuts ajv's compile time
 * of the large CRDs (Kafka, CNPG Cluster and Pooler, CephCluster) by five or more.
 *
 * @param minSize subschemas smaller than this (JSON characters) stay inline
 */
export function hoistRepeatedSubschemas(root: JsonSchema, minSize = 200): JsonSchema {
  const keyOf = new Map<JsonSchema, string>();
  const counts = new Map<string, number>();
  const count = (node: JsonSchema): void => {
    forEachSubschema(node, count);
    const key = JSON.stringify(node);
    keyOf.set(node, key);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  count(root);

  const definitions: Record<string, JsonSchema> = {};
  const names = new Map<string, string>();
  const rewrite = (node: JsonSchema, isDefinition: boolean): JsonSchema => {
    const key = keyOf.get(node)!;
    if (!isDefinition && key.length >= minSize && counts.get(key)! >= 2) {
      let name = names.get(key);
      if (name === undefined) {
        name = `s${names.size}`;
        names.set(key, name);
        definitions[name] = rewrite(node, true);
      }
      return { $ref: `#/definitions/${name}` };
    }
    return mapSubschemas(node, (child) => rewrite(child, false));
  };
  const out = rewrite(root, true);
  if (names.size > 0) out.definitions = definitions;
  return out;
}

/** Calls `visit` on every direct subschema of a node. */
export function forEachSubschema(node: JsonSchema, visit: (child: JsonSchema) => void): void {
  mapSubschemas(node, (child) => {
    visit(child);
    return child;
  });
}

/** A shallow copy of a node with each direct subschema replaced by `map(subschema)`. */
function mapSubschemas(node: JsonSchema, map: (child: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  const isSchema = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const k of SUBSCHEMA_MAPS) {
    const m = node[k];
    if (isSchema(m)) out[k] = Object.fromEntries(Object.entries(m).map(([name, child]) => [name, isSchema(child) ? map(child) : child]));
  }
  for (const k of SUBSCHEMA) if (isSchema(node[k])) out[k] = map(node[k] as JsonSchema);
  for (const k of SUBSCHEMA_LISTS) {
    const list = node[k];
    if (Array.isArray(list)) out[k] = list.map((child) => (isSchema(child) ? map(child) : child));
  }
  return out;
}
