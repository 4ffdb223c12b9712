/**
 * The chart-values check: every key the estate sets in a chart's values is one the pinned chart
 * reads. Two sources, both at the pinned version: the chart's values.schema.json (validated with
 * ajv, which also catches wrong types and values), and, for every chart, its values.yaml, whose
 * keys are walked: a key values.yaml does not list is unknown, except below free-form maps
 * (a default of `{}`, `[]` or null, the FREE_FORM_KEYS, the chart's `freeForm` paths) and the
 * cited `allow` entries of charts.ts.
 */
import Ajv, { type AnySchema, type ErrorObject } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { asString, chartValues, isObject, parseYaml, type Resource } from '../audit/model';
import { CHARTS, FREE_FORM_KEYS } from './charts';
import type { Finding } from './types';

/** The pinned files of one chart version, as read from CHART_VALUES_DIR or the fetch cache. */
export interface ChartFiles {
  readonly valuesYaml: string;
  /** Parsed values.schema.json; undefined when the chart ships none. */
  readonly schema?: AnySchema;
}

/** Finds the pinned files of a chart version; undefined when they are not available. */
export type ChartFilesLoader = (chart: string, version: string) => ChartFiles | undefined;

const validators = new Map<AnySchema, ReturnType<Ajv['compile']>>();

function validatorFor(schema: AnySchema) {
  let v = validators.get(schema);
  if (!v) {
    const uri = isObject(schema) ? asString(schema.$schema) ?? '' : '';
    const ajv = uri.includes('2020-12') ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
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
    const validate = validatorFor(files.schema);
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
