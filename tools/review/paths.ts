/**
 * JSON values and attribute paths shared by the config diff, the plan renderer and the rules.
 *
 * A path is the list of steps from a resource body to a value: object keys, array indexes, and
 * the marker {@link DECODED_YAML} where a string attribute holds a YAML or JSON document that was
 * decoded so it could be compared (and masked) field by field, as Helm `values` are.
 */

/** A JSON value as read from `cdk.tf.json` or `terraform show -json`. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Step into a string attribute that holds a YAML (or JSON) document. */
export const DECODED_YAML = Object.freeze({ decoded: 'yaml' as const });
export type PathStep = string | number | typeof DECODED_YAML;
export type Path = readonly PathStep[];

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Renders a path the way reviewers read it: `manifest.spec.instances`, `spec.ingress[0].from[1]`,
 * `manifest.spec.config["retention.ms"]`, `values[0]{yaml}.crds.enabled`.
 */
export function formatPath(path: Path): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'object') out += '{yaml}';
    else if (PLAIN_KEY.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out === '' ? '(whole resource)' : out;
}

/** The object keys of a path (indexes and decode markers left out). */
export function keysOf(path: Path): string[] {
  return path.filter((s): s is string => typeof s === 'string');
}

/** The value at `path` inside `value`, or undefined. Decode markers are followed by parsing. */
export function valueAt(value: unknown, path: Path, decode: (text: string) => Json | undefined): unknown {
  let current: unknown = value;
  for (const step of path) {
    if (current === undefined || current === null) return undefined;
    if (typeof step === 'object') current = typeof current === 'string' ? decode(current) : undefined;
    else if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = isObject(current) ? current[step] : undefined;
  }
  return current;
}

/** Structural equality of two JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The body without Terraform JSON comments (`"//"` keys), at every level. */
export function withoutComments(value: Json | undefined): Json | undefined {
  if (Array.isArray(value)) return value.map((v) => withoutComments(v) as Json);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (k !== '//') out[k] = withoutComments(v) as Json;
  return out;
}
