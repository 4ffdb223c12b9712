/**
 * Which values must never be printed, in a PR comment, a report file or a JSON report.
 *
 * A value is shown as `(sensitive)` when any of these holds:
 * - Terraform marked it (`before_sensitive` / `after_sensitive` in plan JSON), or an ancestor;
 * - a key on its path names a secret, as lib/secrets.ts classifies keys (`password`, `tls.key`,
 *   `connectionString`, ...), unless the last key only describes or references it (so
 *   `secretName`, `secretKeyRef.name`, `privateKey.algorithm` stay readable), the value is a field
 *   of a reference object (lib/secrets.ts isSecretReference: an External Secrets `{secretKey,
 *   remoteRef}` item, a Strimzi `{secretName, password}`), or a template that only places a
 *   fetched value (`{{ .password }}`): those are names, and showing `(sensitive)` for them would
 *   hide what changed while protecting nothing;
 * - it is the data of a Kubernetes Secret (`kubernetes_secret_v1.data`, a `kubernetes_manifest`
 *   of kind Secret: `manifest.data`, `manifest.stringData`), `helm_release.set_sensitive`, or a
 *   write-only attribute (`*_wo`);
 * - the string itself looks like key material: a PEM block or a JSON web token;
 * - the string equals or contains a value that is sensitive elsewhere in the same resource
 *   (4 characters or more). Providers copy values into computed attributes without marking
 *   them: `terraform_data.output` repeats a sensitive `input` in clear text in plan JSON.
 */
import { parse as parseYaml } from 'yaml';
import { describesSecret, isKeyMaterial, isSecretKey, isSecretReference, isTemplateReference } from '../../lib/secrets';
import { DECODED_YAML, isObject, keysOf, type Json, type Path } from './paths';

export const MASK = '(sensitive)';

/** True when a key on the path names a secret, unless the last key only describes it. */
export function isSecretPath(path: Path): boolean {
  const keys = keysOf(path);
  if (keys.length === 0) return false;
  const last = keys[keys.length - 1]!;
  if (describesSecret(last)) return false;
  return keys.some(isSecretKey) || keys.some((k) => k.endsWith('_wo'));
}

/**
 * True when Terraform's sensitivity marks (`before_sensitive` / `after_sensitive`) cover the
 * path: the marks mirror the value, with `true` where a value (and everything under it) is
 * sensitive.
 */
export function isMarkedSensitive(marks: unknown, path: Path): boolean {
  let current: unknown = marks;
  for (const step of path) {
    if (current === true) return true;
    if (current === undefined || current === null || current === false) return false;
    if (typeof step === 'object') continue; // a decoded document inherits its string's mark
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = isObject(current) ? current[step] : undefined;
  }
  return current === true;
}

/** Paths under which a resource type keeps secret data, whatever the key names are. */
function secretDataPath(type: string, body: unknown, path: Path): boolean {
  const [first, second] = path;
  if (type === 'kubernetes_secret' || type === 'kubernetes_secret_v1') return first === 'data' || first === 'binary_data';
  if (type === 'helm_release') return first === 'set_sensitive';
  if (type === 'kubernetes_manifest' && first === 'manifest' && (second === 'data' || second === 'stringData')) {
    const manifest = isObject(body) ? body.manifest : undefined;
    const kind = Array.isArray(manifest) ? undefined : isObject(manifest) ? manifest.kind : undefined;
    return kind === 'Secret';
  }
  return false;
}

/** Decodes a string attribute holding a YAML or JSON document (Helm values), else undefined. */
export function decodeDocument(text: string): Json | undefined {
  const trimmed = text.trim();
  if (!text.includes('\n') && !trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    const parsed = parseYaml(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** One side of a resource for masking: its body and Terraform's sensitivity marks. */
export interface MaskSide {
  readonly body?: unknown;
  readonly marks?: unknown;
}

/**
 * Decides, for one resource, which values are sensitive and replaces them with {@link MASK}.
 * Every value that leaves the review library passes through `mask`.
 */
export class Masker {
  /** Sensitive string values found anywhere in the resource, masked wherever they appear. */
  private readonly secretValues: string[] = [];

  constructor(
    private readonly type: string,
    private readonly before: MaskSide = {},
    private readonly after: MaskSide = {},
  ) {
    for (const side of ['before', 'after'] as const) this.collect((side === 'before' ? before : after).body, [], side);
  }

  private collect(value: unknown, path: Path, side: 'before' | 'after', inReference = false): void {
    if (Array.isArray(value)) value.forEach((v, i) => this.collect(v, [...path, i], side));
    else if (isObject(value)) {
      const reference = isSecretReference(value);
      for (const [k, v] of Object.entries(value)) this.collect(v, [...path, k], side, reference);
    } else if (typeof value === 'string' && value.length >= 4 && (this.coveredWhole(path, side) || this.namedSecret(path, value, inReference))) this.secretValues.push(value);
  }

  /** Sensitive by the name of its key, unless it is a reference's field or a template reference. */
  private namedSecret(path: Path, value: unknown, inReference: boolean): boolean {
    return !inReference && !isTemplateReference(value) && isSecretPath(path);
  }

  private containsSecretValue(value: string): boolean {
    return this.secretValues.some((s) => value.includes(s));
  }

  /** True when the value at `path` (on the given side, or either) must not be printed. */
  isSensitive(path: Path, side?: 'before' | 'after'): boolean {
    return isSecretPath(path) || this.coveredWhole(path, side);
  }

  /** Marked by Terraform, or Secret data: everything under the path is sensitive. */
  private coveredWhole(path: Path, side?: 'before' | 'after'): boolean {
    const sides = side === undefined ? [this.before, this.after] : [side === 'before' ? this.before : this.after];
    return sides.some((s) => isMarkedSensitive(s.marks, path) || secretDataPath(this.type, s.body, path));
  }

  /**
   * The value at `path` ready to print: `(sensitive)` when the path or the value is sensitive.
   * Objects and arrays are masked leaf by leaf (so `privateKey.algorithm` stays readable while
   * `credentials.secretAccessKey` does not), unless Terraform marked them whole; a string
   * holding a YAML document with a sensitive field is masked as a whole.
   */
  mask(value: Json | undefined, path: Path, side: 'before' | 'after', inReference = false): Json | undefined {
    if (value === undefined) return undefined;
    if (this.coveredWhole(path, side) || isKeyMaterial(value)) return MASK;
    if (Array.isArray(value)) return value.map((v, i) => this.mask(v, [...path, i], side) as Json);
    if (isObject(value)) {
      const reference = isSecretReference(value);
      const out: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.mask(v, [...path, k], side, reference) as Json;
      return out;
    }
    if (this.namedSecret(path, value, inReference)) return MASK;
    if (typeof value === 'string') {
      // `{{ .password }}` names a fetched value (and would parse as a YAML mapping): shown as written.
      if (isTemplateReference(value)) return value;
      if (this.containsSecretValue(value)) return MASK;
      const doc = decodeDocument(value);
      if (doc !== undefined && JSON.stringify(this.mask(doc, [...path, DECODED_YAML], side)).includes(JSON.stringify(MASK))) return MASK;
    }
    return value;
  }
}
