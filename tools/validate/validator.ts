/**
 * Checks every `kubernetes_manifest` of a synthesized cdktf output folder against the schema of
 * its apiVersion + kind (crd-schemas.ts), and returns structured findings: stack, resource
 * address, construct path, JSON path inside the manifest, and what the schema expects.
 *
 * A manifest whose kind has no schema is a finding, never a silent pass. Terraform
 * interpolations (`${...}`) pass where a scalar is expected; the fields around them are checked.
 */
import { resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { describeValue } from '../../lib/errors';
import { isSecretKey } from '../../lib/secrets';
import { constructPathOf } from '../../lib/markers';
import { readSynthesized } from '../../lib/synthesized';
import { checkCelRules, summarize, type CelSummary } from './cel';
import { CrdSchemaRegistry, schemaRegistry, type KindSchema } from './crd-registry';
import type { JsonSchema } from './openapi';

/** One problem of one manifest. */
export interface ManifestProblem {
  /** JSON path inside the manifest, e.g. `spec.kafka.listeners[0].authentication.type`; empty for the manifest itself. */
  readonly path: string;
  /** What the schema expects, and the value received. */
  readonly message: string;
}

/** One problem, located in the synthesized estate. */
export interface Finding extends ManifestProblem {
  readonly stack: string;
  /** Terraform address, `kubernetes_manifest.<logical id>`. */
  readonly address: string;
  /** The construct path recorded by cdktf (`"//".metadata.path`), or `(unknown)`. */
  readonly constructPath: string;
  /** The manifest's apiVersion and kind when they are strings. */
  readonly apiVersion?: string;
  readonly kind?: string;
}

/** What `validateSynthesized` checked and found. */
export interface ValidationReport {
  /** The synthesized folder (absolute). */
  readonly dir: string;
  /** The CRD root the schemas came from (absolute). */
  readonly schemaRoot: string;
  readonly stacks: number;
  /** Number of kubernetes_manifest resources checked. */
  readonly manifests: number;
  /** The `apiVersion kind` pairs that had a schema, sorted. */
  readonly kinds: string[];
  /** Constraints of those schemas that were not checked (patterns JS cannot run). */
  readonly unchecked: string[];
  readonly findings: Finding[];
  /** The CEL rules (x-kubernetes-validations) of those kinds: how many ran, which were skipped and why (cel.ts). */
  readonly cel: CelSummary;
  /** CEL rules that could not be evaluated on one manifest (a Terraform interpolation, an evaluation error): `message` says why. */
  readonly celSkipped: Finding[];
  /** Wall time of the call, schema loading and compiling included. */
  readonly durationMs: number;
}

export interface ValidateOptions {
  /** The schemas to use. @default the shared registry of `schemaDir` */
  readonly registry?: CrdSchemaRegistry;
  /** The CRD root. @default CRD_SCHEMA_DIR, else `.schema-cache/` (see resolveSchemaRoot) */
  readonly schemaDir?: string;
}

/**
 * Validates every kubernetes_manifest of every stack listed in `<dir>/manifest.json`.
 * Throws {@link SchemaSourceError} when there are no schemas, {@link SynthesizedOutputError}
 * (lib/synthesized.ts) when the folder is not a cdktf output; every manifest problem is a finding.
 */
export function validateSynthesized(dir: string, options: ValidateOptions = {}): ValidationReport {
  const started = process.hrtime.bigint();
  const root = resolve(dir);
  const registry = options.registry ?? schemaRegistry(options.schemaDir);
  const stacks = [...readSynthesized(dir).stacks].sort((a, b) => (a.name < b.name ? -1 : 1));

  const findings: Finding[] = [];
  const celSkipped: Finding[] = [];
  const ran = new Map<string, number>();
  const kinds = new Map<string, KindSchema>();
  let manifests = 0;
  for (const { name: stack, json } of stacks) {
    const resources = (json as { resource?: { kubernetes_manifest?: Record<string, Record<string, unknown>> } }).resource?.kubernetes_manifest ?? {};
    for (const id of Object.keys(resources).sort()) {
      manifests++;
      const body = resources[id]!;
      const object = body.manifest;
      const located = {
        stack,
        address: `kubernetes_manifest.${id}`,
        constructPath: constructPathOf(body) ?? '(unknown)',
        ...(isObject(object) && typeof object.apiVersion === 'string' ? { apiVersion: object.apiVersion } : {}),
        ...(isObject(object) && typeof object.kind === 'string' ? { kind: object.kind } : {}),
      };
      const { problems, schema, skipped } = checkManifest(object, registry, ran);
      if (schema) kinds.set(`${schema.apiVersion} ${schema.kind}`, schema);
      for (const p of problems) findings.push({ ...located, ...p });
      for (const p of skipped) celSkipped.push({ ...located, ...p });
    }
  }

  const unchecked: string[] = [];
  for (const [name, schema] of [...kinds].sort(([a], [b]) => a.localeCompare(b))) {
    for (const p of schema.notes.droppedPatterns) unchecked.push(`${name}: pattern JavaScript cannot compile at ${p}`);
  }
  return {
    dir: root,
    schemaRoot: registry.root,
    stacks: stacks.length,
    manifests,
    kinds: [...kinds.keys()].sort(),
    unchecked,
    findings,
    cel: summarize(
      [...kinds].filter(([, s]) => s.cel).sort(([a], [b]) => a.localeCompare(b)).map(([name, s]) => [name, celKey(s), s.cel!] as const),
      ran,
    ),
    celSkipped,
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

/** Validates one manifest object (the `manifest` attribute of a kubernetes_manifest). */
export function validateManifest(object: unknown, registry: CrdSchemaRegistry = schemaRegistry()): ManifestProblem[] {
  return checkManifest(object, registry).problems;
}

/** The compile-cache key of a kind's CEL rules: its CRD file and apiVersion. */
function celKey(schema: KindSchema): string {
  return `${schema.file}\u0000${schema.apiVersion}`;
}

interface Checked {
  problems: ManifestProblem[];
  schema?: KindSchema;
  /** CEL rules not evaluated on this manifest, and why. */
  skipped: ManifestProblem[];
}

function checkManifest(object: unknown, registry: CrdSchemaRegistry, ran = new Map<string, number>()): Checked {
  if (!isObject(object)) {
    const what = typeof object === 'string' && object.includes('${') ? 'a Terraform expression' : describeValue(object);
    return {
      problems: [{ path: '', message: `manifest must be an object literal so it can be checked against its schema, got ${what}: declare the object in code` }],
      skipped: [],
    };
  }
  const header: ManifestProblem[] = [];
  for (const field of ['apiVersion', 'kind'] as const) {
    const value = object[field];
    if (typeof value !== 'string' || value === '') header.push({ path: field, message: `must be a non-empty string, got ${describeValue(value)}` });
    else if (value.includes('${')) header.push({ path: field, message: `must be a literal, not a Terraform interpolation: the schema depends on it, got ${describeValue(value)}` });
  }
  if (header.length > 0) return { problems: header, skipped: [] };

  const found = registry.lookup(object.apiVersion as string, object.kind as string);
  if (!found.ok) return { problems: [{ path: found.field, message: found.message }], skipped: [] };
  const schema = found.schema;
  const problems: ManifestProblem[] = [];
  const skipped: ManifestProblem[] = [];
  if (!schema.validate(object)) {
    problems.push(...describeErrors(schema.validate.errors ?? [], object));
  } else if (schema.cel) {
    // Like the API server, CEL rules see only objects of the schema's shape: on a manifest with
    // schema errors their verdicts (and errors) would be noise, so they run once those are fixed.
    const cel = checkCelRules(celKey(schema), schema.cel, object, ran);
    for (const f of cel.failures) problems.push({ path: jsonPath(f.segments, object), message: `${f.message} (x-kubernetes-validations rule at ${f.schemaPath || '.'}: ${f.rule})` });
    for (const s of cel.skipped) skipped.push({ path: jsonPath(s.segments, object), message: `CEL rule not evaluated: ${s.rule}: ${s.reason}` });
  }

  const metadata = isObject(object.metadata) ? object.metadata : undefined;
  if (metadata && schema.scope === 'Cluster' && metadata.namespace !== undefined) {
    problems.push({ path: 'metadata.namespace', message: `must not be set: ${schema.kind} is cluster-scoped, got ${describeValue(metadata.namespace)}` });
  }
  if (metadata && schema.scope === 'Namespaced' && metadata.namespace === undefined) {
    problems.push({
      path: 'metadata.namespace',
      message: `required field "namespace" is missing: ${schema.kind} is namespaced, and the kubernetes provider refuses a namespaced object without one`,
    });
  }
  // By path, so a manifest's problems read top to bottom (stable: same-path order is ajv's).
  return { problems: dedupe(problems).sort((a, b) => a.path.localeCompare(b.path)), schema, skipped };
}

/** Turns ajv's errors into problems in the user's terms, at the exact field. */
export function describeErrors(errors: readonly ErrorObject[], data: unknown): ManifestProblem[] {
  const out: ManifestProblem[] = [];
  // A value of the wrong type also fails its enum or pattern: the type error says it all.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of errors) {
    // `if` reports that its `else` failed: the else branch's own error says why.
    if (e.keyword === 'if') continue;
    if (e.keyword !== 'type' && wrongType.has(e.instancePath)) continue;
    // Branches of oneOf/anyOf/not report for every branch; the junction's own error summarizes.
    if (/\/(oneOf|anyOf)\/\d+\/|\/not\//.test(e.schemaPath)) continue;
    const segments = pointerSegments(e.instancePath);
    const at = jsonPath(segments, data);
    const value = redacted(segments, valueAt(segments, data));
    const params = e.params as Record<string, any>;
    switch (e.keyword) {
      case 'required':
        out.push({ path: jsonPath([...segments, params.missingProperty], data), message: `required field "${params.missingProperty}" is missing` });
        break;
      case 'additionalProperties': {
        const field = String(params.additionalProperty);
        const allowed = Object.keys(((e.parentSchema as JsonSchema | undefined)?.properties as object | undefined) ?? {});
        const message =
          allowed.length === 0
            ? `unknown field "${field}": this object allows no fields (the API server would drop it)`
            : `unknown field "${field}"; allowed: ${listAllowed(field, allowed)}`;
        out.push({ path: jsonPath([...segments, field], data), message });
        break;
      }
      case 'enum':
        out.push({ path: at, message: `must be one of: ${(params.allowedValues as unknown[]).map(showEnumValue).join(', ')}; got ${describeValue(value)}` });
        break;
      case 'type': {
        const types = Array.isArray(params.type) ? params.type : String(params.type).split(',');
        out.push({ path: at, message: `must be ${types.join(' or ')}, got ${describeValue(value)}` });
        break;
      }
      case 'pattern':
        out.push({ path: at, message: `must match the pattern ${params.pattern}, got ${describeValue(value)}` });
        break;
      case 'format':
        out.push({ path: at, message: `must be a valid ${params.format}, got ${describeValue(value)}` });
        break;
      case 'minLength':
      case 'maxLength':
        out.push({ path: at, message: `must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${params.limit} characters long, got ${describeValue(value)}` });
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        out.push({ path: at, message: `must be ${params.comparison} ${params.limit}, got ${describeValue(value)}` });
        break;
      case 'multipleOf':
        out.push({ path: at, message: `must be a multiple of ${params.multipleOf}, got ${describeValue(value)}` });
        break;
      case 'minItems':
      case 'maxItems':
        out.push({ path: at, message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${params.limit} item${params.limit === 1 ? '' : 's'}, got ${Array.isArray(value) ? value.length : 0}` });
        break;
      case 'uniqueItems':
        out.push({ path: at, message: `must not repeat an item: items ${Math.min(params.i, params.j)} and ${Math.max(params.i, params.j)} are equal` });
        break;
      case 'minProperties':
      case 'maxProperties':
        out.push({
          path: at,
          message: `must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${params.limit} field${params.limit === 1 ? '' : 's'}, got ${isObject(value) ? Object.keys(value).length : 0}`,
        });
        break;
      case 'oneOf':
        out.push({ path: at, message: describeOneOf(e, value) });
        break;
      case 'anyOf':
        out.push({ path: at, message: `must match at least one of the ${(e.schema as unknown[]).length} allowed shapes (anyOf), got ${describeValue(value)}` });
        break;
      case 'not':
        out.push({ path: at, message: `must not match the excluded shape (not), got ${describeValue(value)}` });
        break;
      default:
        out.push({ path: at, message: `${e.message ?? e.keyword}, got ${describeValue(value)}` });
    }
  }
  return dedupe(out);
}

/** The value to show in a message: a secret field's value (lib/secrets.ts) is replaced by its length. */
function redacted(segments: readonly string[], value: unknown): unknown {
  const field = segments[segments.length - 1];
  if (field === undefined || !isSecretKey(field) || value === null || typeof value === 'object') return value;
  return `<redacted: ${String(value).length} characters>`;
}

/** oneOf: Strimzi-style "exactly one of these fields" gets named; other shapes get a generic message. */
function describeOneOf(e: ErrorObject, value: unknown): string {
  const branches = (e.schema as JsonSchema[]) ?? [];
  const fieldSets = branches.map((b) => (Array.isArray(b.required) ? (b.required as string[]) : undefined));
  const passing = (e.params as { passingSchemas: number[] | null }).passingSchemas;
  if (fieldSets.every((f) => f && f.length === 1)) {
    const names = fieldSets.map((f) => f![0]!);
    const set = isObject(value) ? names.filter((n) => n in value) : [];
    return `must set exactly one of: ${names.join(', ')}; ${set.length === 0 ? 'none is set' : `got ${set.join(' and ')}`}`;
  }
  return passing ? `must match exactly one of the ${branches.length} allowed shapes (oneOf), but matches ${passing.length}` : `must match exactly one of the ${branches.length} allowed shapes (oneOf), but matches none`;
}

/** Allowed field names, closest to the misspelt one first, then alphabetical; at most 20. */
function listAllowed(field: string, allowed: string[]): string {
  const lower = field.toLowerCase();
  const scored = allowed.map((name) => {
    const n = name.toLowerCase();
    const d = n.startsWith(lower) || lower.startsWith(n) ? Math.min(1, editDistance(n, lower)) : editDistance(n, lower);
    return { name, close: d <= Math.max(2, Math.floor(field.length / 3)), d };
  });
  scored.sort((a, b) => (a.close === b.close ? (a.close ? a.d - b.d : 0) || a.name.localeCompare(b.name) : a.close ? -1 : 1));
  const names = scored.map((s) => s.name);
  return names.length > 20 ? `${names.slice(0, 20).join(', ')}, ... (${names.length - 20} more)` : names.join(', ');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function showEnumValue(v: unknown): string {
  return typeof v === 'string' && v !== '' && !/[\s,]/.test(v) ? v : JSON.stringify(v);
}

/** `/spec/listeners/0/type` → ['spec', 'listeners', '0', 'type'] (RFC 6901 unescaped). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(segments: readonly string[], data: unknown): unknown {
  let node = data;
  for (const s of segments) node = Array.isArray(node) ? node[Number(s)] : isObject(node) ? node[s] : undefined;
  return node;
}

/**
 * A readable path: `spec.kafka.listeners[0].authentication.type`; keys that are not plain
 * identifiers are quoted, `metadata.labels["app.kubernetes.io/name"]`.
 */
export function jsonPath(segments: readonly string[], data: unknown): string {
  let out = '';
  let node = data;
  for (const s of segments) {
    if (Array.isArray(node)) {
      out += `[${s}]`;
      node = node[Number(s)];
    } else {
      out += /^[A-Za-z_$][\w$-]*$/.test(s) ? `${out ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`;
      node = isObject(node) ? node[s] : undefined;
    }
  }
  return out;
}

/** One line per finding: stack, address, construct path, kind, JSON path, message. */
export function formatFinding(f: Finding): string {
  const kind = f.apiVersion && f.kind ? ` ${f.apiVersion} ${f.kind}` : '';
  return `${f.stack}: ${f.address} (${f.constructPath})${kind}: ${f.path ? `${f.path}: ` : ''}${f.message}`;
}

function dedupe(problems: ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
