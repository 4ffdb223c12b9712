/**
 * The chart-values check: every key the estate sets in a chart's values is one the pinned chart
 * reads. Two sources, both at the pinned version: the chart's values.schema.json (validated with
 * ajv, which also catches wrong types and values), and, for every chart, its values.yaml, whose
 * keys are walked: a key values.yaml does not list is unknown, except below free-form maps
 * (a default of `{}`, `[]` or null, the FREE_FORM_KEYS, the chart's `freeForm` paths) and the
 * cited `allow` entries of charts.ts.
 */
import { createHash } from 'node:crypto';
import Ajv, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import * as runtimeEqual from 'ajv/dist/runtime/equal';
import * as runtimeUcs2length from 'ajv/dist/runtime/ucs2length';
import * as runtimeUri from 'ajv/dist/runtime/uri';
import * as runtimeValidationError from 'ajv/dist/runtime/validation_error';
import standaloneCode from 'ajv/dist/standalone';
import { asString, chartValues, isObject, parseYaml, type Resource } from '../audit/model';
import { CHARTS, FREE_FORM_KEYS } from './charts';
import type { Finding } from './types';

/** The pinned files of one chart version, as read from CHART_VALUES_DIR or the fetch cache. */
export interface ChartFiles {
  readonly valuesYaml: string;
  /** Parsed values.schema.json; undefined when the chart ships none. */
  readonly schema?: AnySchema;
  /** Where the compiled validator of `schema` may be kept between runs. @default none: compiled every run */
  readonly validatorCache?: ValidatorCache;
}

/**
 * A store of compiled validators (ajv's standalone code) by key. Compiling the schemas of the
 * pinned charts is most of the chart-values check (cilium's alone takes about a second); loading
 * the code ajv generated for it takes a few milliseconds. Reads and writes must not throw.
 */
export interface ValidatorCache {
  read(key: string): string | undefined;
  write(key: string, code: string): void;
}

/** Finds the pinned files of a chart version; undefined when they are not available. */
export type ChartFilesLoader = (chart: string, version: string) => ChartFiles | undefined;

const validators = new Map<AnySchema, ValidateFunction>();

/**
 * The runtime helpers ajv's standalone code of a JSON schema may require, imported here so the
 * synth bundle holds them (re2, parseJson, quote, timestamp serve options and JTD, not used here):
 * code requiring anything else is not loaded, and the schema is compiled instead.
 */
const AJV_RUNTIME: Record<string, unknown> = {
  'ajv/dist/runtime/equal': runtimeEqual,
  'ajv/dist/runtime/ucs2length': runtimeUcs2length,
  'ajv/dist/runtime/uri': runtimeUri,
  'ajv/dist/runtime/validation_error': runtimeValidationError,
};

/** The ajv options of the check; part of the cache key with ajv's version and the schema. */
const AJV_OPTIONS = { strict: false, allErrors: true } as const;
const AJV_VERSION = (require('ajv/package.json') as { version: string }).version;

/** Loads ajv standalone code; undefined when it does not load (then the schema is compiled). */
function loadStandalone(code: string): ValidateFunction | undefined {
  try {
    const module = { exports: {} as { default?: unknown } };
    const requireRuntime = (id: string): unknown => {
      if (!(id in AJV_RUNTIME)) throw new Error(`standalone validator requires ${id}`);
      return AJV_RUNTIME[id];
    };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code ajv generated for a pinned schema, as ajv itself evaluates it
    new Function('require', 'module', 'exports', code)(requireRuntime, module, module.exports);
    const v = module.exports.default ?? module.exports;
    return typeof v === 'function' ? (v as ValidateFunction) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The validator of a values.schema.json: ajv's compile (draft 2020-12 when the schema says so),
 * or, when a cache is given, the code ajv generated for the same schema, ajv version and options
 * on an earlier run (ajv's standalone code: the same code its compile evaluates).
 */
export function validatorFor(schema: AnySchema, cache?: ValidatorCache): ValidateFunction {
  let v = validators.get(schema);
  if (v) return v;
  const uri = isObject(schema) ? asString(schema.$schema) ?? '' : '';
  const draft2020 = uri.includes('2020-12');
  const key = cache ? createHash('sha256').update(`ajv ${AJV_VERSION} ${draft2020 ? '2020' : '07'} ${JSON.stringify(AJV_OPTIONS)}\0`).update(JSON.stringify(schema)).digest('hex') : '';
  const cached = cache?.read(key);
  v = cached === undefined ? undefined : loadStandalone(cached);
  if (!v) {
    const options = { ...AJV_OPTIONS, ...(cache ? { code: { source: true } } : {}) };
    const ajv = draft2020 ? new Ajv2020(options) : new Ajv(options);
    v = ajv.compile(schema);
    if (cache) {
      try {
        cache.write(key, standaloneCode(ajv, v));
      } catch {
        // A schema ajv cannot emit as standalone code is compiled on every run, as before.
      }
    }
  }
  validators.set(schema, v);
  return v;
}

/** A values path as the user reads it: `credentials.extraSecretRef`, `drivers.rbd`, `list[0].x`. */
function pathOf(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** `a.b[0].c` → `a.b[].c`, to compare with the `freeForm` patterns. */
const pattern = (segments: readonly (string | number)[]) => pathOf(segments).replace(/\[\d+\]/g, '[]');

/** Keys set in `values` that `defaults` (values.yaml) does not declare. */
export function unknownKeys(values: unknown, defaults: unknown, freeForm: readonly string[], allowed: readonly string[], at: (string | number)[] = []): Array<{ path: string; value: unknown }> {
  const out: Array<{ path: string; value: unknown }> = [];
  const here = pattern(at);
  if (at.length > 0 && (freeForm.includes(here) || allowed.includes(here))) return out;
  const last = at[at.length - 1];
  if (typeof last === 'string' && FREE_FORM_KEYS.has(last)) return out;
  if (defaults === null || defaults === undefined) return out; // declared without a default shape: free-form
  if (isObject(values)) {
    if (!isObject(defaults)) return out; // a map where a scalar or list is declared: left to the schema
    if (Object.keys(defaults).length === 0 && at.length > 0) return out; // `{}`: a map of the user's keys
    for (const [k, v] of Object.entries(values)) {
      const next = [...at, k];
      if (!(k in defaults)) {
        if (!allowed.includes(pattern(next)) && !freeForm.includes(pattern(next))) out.push({ path: pathOf(next), value: v });
        continue;
      }
      out.push(...unknownKeys(v, defaults[k], freeForm, allowed, next));
    }
  } else if (Array.isArray(values) && Array.isArray(defaults)) {
    const shapes = defaults.filter(isObject);
    if (shapes.length === 0) return out; // `[]` or a list of scalars: the items are the user's
    const union: Record<string, unknown> = {};
    for (const s of shapes) for (const [k, v] of Object.entries(s)) if (!(k in union) || union[k] === null) union[k] = v;
    values.forEach((item, i) => out.push(...unknownKeys(item, union, freeForm, allowed, [...at, i])));
  }
  return out;
}

function describeAjv(e: ErrorObject): { path: string; message: string } {
  const path = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('').replace(/^\./, '');
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty?: string }).additionalProperty);
    return { path: path ? `${path}.${extra}` : extra, message: `is not a key of this chart's values.schema.json` };
  }
  return { path, message: `does not match values.schema.json: ${e.message ?? e.keyword}` };
}

/**
 * The values Helm renders with: the chart's defaults coalesced with the release's values (maps
 * merge key by key, anything else replaces, null removes a default). Helm validates the schema
 * against exactly this.
 */
export function coalesce(defaults: unknown, values: unknown): unknown {
  if (!isObject(defaults) || !isObject(values)) return values === undefined ? defaults : values;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = coalesce(defaults[k], v);
  }
  return out;
}

/** Checks the values of one helm_release. */
export function checkReleaseValues(stack: string, resource: Resource, files: ChartFiles): Finding[] {
  const chart = asString(resource.body.chart) ?? '';
  const version = asString(resource.body.version) ?? '';
  const values = chartValues(resource);
  const facts = CHARTS[chart];
  const allowed = (facts?.allow ?? []).map((a) => a.path);
  const findings: Finding[] = [];
  const base = { check: 'chart-values' as const, stack, address: resource.address, constructPath: resource.path };
  const seen = new Set<string>();
  let defaults: unknown;
  try {
    defaults = parseYaml(files.valuesYaml);
  } catch (error) {
    return [{ ...base, field: 'chart', value: `${chart}@${version}`, message: `the pinned values.yaml does not parse: ${(error as Error).message.split('\n')[0]}`, fix: 'refetch the chart files (npm run schemas:fetch) or repair CHART_VALUES_DIR' }];
  }
  if (files.schema !== undefined) {
    const validate = validatorFor(files.schema, files.validatorCache);
    if (!validate(coalesce(defaults, values))) {
      for (const e of validate.errors ?? []) {
        const { path, message } = describeAjv(e);
        if (allowed.includes(path.replace(/\[\d+\]/g, '[]'))) continue;
        const key = `${path}|${message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        seen.add(path);
        findings.push({ ...base, field: `values.${path}`, value: path.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), values), message: `${chart} ${version}: ${path} ${message}`, fix: `use a key and value the pinned chart declares (its values.schema.json), or remove it; if a template reads it although the schema omits it, add it with a citation to CHARTS["${chart}"].allow in policy/deploy/charts.ts` });
      }
    }
  }
  for (const u of unknownKeys(values, defaults, facts?.freeForm ?? [], allowed)) {
    if (seen.has(u.path)) continue;
    findings.push({
      ...base,
      field: `values.${u.path}`,
      value: u.value,
      message: `${chart} ${version} has no key ${u.path} in its values.yaml, so the chart most likely ignores it`,
      fix: `use the key the chart reads (see its values.yaml at ${version}), or, if a template reads it although values.yaml omits it, add it with a citation to CHARTS["${chart}"].allow in policy/deploy/charts.ts`,
    });
  }
  return findings;
}
