/**
 * Which values must never be printed, in a PR comment, a report file or a JSON report.
 *
 * A value is shown as `(sensitive)` when any of these holds:
 * - Terraform marked it (`before_sensitive` / `after_sensitive` in plan JSON), or an ancestor;
 * - a key on its path names a secret: password, passwd, pwd, passphrase, secret(s), token(s),
 *   credential(s), creds, private, a qualified key (`privateKey`, `accessKey`, `client_key`,
 *   `tls.key`, `apiKey`, ...), certificate data (`client_certificate_data`, `certData`), or a
 *   connection string (`conn_str`, `connectionString`, `dsn`).
 *   Keys that describe or reference a secret rather than hold it are not masked when they are
 *   the last key of the path: names ending in name, ref, namespace, selector, file, path, ttl,
 *   algorithm, size, type, enabled, ... (so `secretName`, `secretKeyRef.name`,
 *   `privateKey.algorithm` stay readable). A bare `key` is a key *name* in Kubernetes
 *   (tolerations, selectors, `secretKeyRef.key`) and is not masked by itself;
 * - it is the data of a Kubernetes Secret (`kubernetes_secret_v1.data`, a `kubernetes_manifest`
 *   of kind Secret: `manifest.data`, `manifest.stringData`), `helm_release.set_sensitive`, or a
 *   write-only attribute (`*_wo`);
 * - the string itself looks like key material: a PEM block or a JSON web token;
 * - the string equals or contains a value that is sensitive elsewhere in the same resource
 *   (4 characters or more). Providers copy values into computed attributes without marking
 *   them: `terraform_data.output` repeats a sensitive `input` in clear text in plan JSON.
 */
import { parse as parseYaml } from 'yaml';
import { DECODED_YAML, isObject, keysOf, type Json, type Path } from './paths';

export const MASK = '(sensitive)';

const SECRET_WORDS = new Set(['password', 'passwords', 'passwd', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'creds', 'private', 'privatekey', 'apikey', 'accesskey', 'secretkey']);
/** Words that make a following `key` a secret key rather than a key name. */
const KEY_QUALIFIERS = new Set(['private', 'secret', 'access', 'api', 'client', 'signing', 'encryption', 'master', 'shared', 'ssh', 'tls', 'root', 'account', 'service', 'auth', 'session', 'hmac', 'psk', 'ca', 'server', 'crypt', 'sse', 'kms']);
const CERT_WORDS = new Set(['cert', 'certificate', 'crt']);
/** Last words of a key that describe or reference a secret instead of holding it. */
const DESCRIPTIVE_LAST_WORDS = new Set([
  'name', 'names', 'ref', 'refs', 'reference', 'namespace', 'selector', 'file', 'path', 'ttl', 'algorithm', 'size', 'type', 'kind',
  'enabled', 'enable', 'length', 'duration', 'expiry', 'expiration', 'lifetime', 'rotation', 'policy', 'version', 'count', 'format',
  'encoding', 'mode', 'url', 'endpoint', 'store', 'provider', 'id', 'template', 'usages',
]);

/** Splits a key into lower-case words: `secretKeyRef` → secret, key, ref; `tls.key` → tls, key. */
export function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True when the key names something that holds a secret value (see the module comment). */
export function isSecretKey(key: string): boolean {
  const words = wordsOf(key);
  if (words.length === 0 || DESCRIPTIVE_LAST_WORDS.has(words[words.length - 1]!)) return false;
  // Connection strings carry a password: conn_str (the pg backend), connectionString, dsn.
  if (words.includes('dsn') || ((words.includes('conn') || words.includes('connection')) && (words.includes('str') || words.includes('string')))) return true;
  return words.some((w, i) => {
    if (SECRET_WORDS.has(w)) return true;
    if (w === 'key' || w === 'keys') return i > 0 && KEY_QUALIFIERS.has(words[i - 1]!);
    if (w === 'data' && i > 0) return CERT_WORDS.has(words[i - 1]!) || words.slice(0, i).some((x) => CERT_WORDS.has(x));
    return false;
  });
}

function describesSecret(key: string): boolean {
  const words = wordsOf(key);
  return words.length > 0 && DESCRIPTIVE_LAST_WORDS.has(words[words.length - 1]!);
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const JWT = /^eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*$/;

/** True when the string itself is key material (a PEM block or a JSON web token). */
export function looksLikeSecretValue(value: unknown): boolean {
  return typeof value === 'string' && (PEM.test(value) || JWT.test(value.trim()));
}

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

  private collect(value: unknown, path: Path, side: 'before' | 'after'): void {
    if (Array.isArray(value)) value.forEach((v, i) => this.collect(v, [...path, i], side));
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) this.collect(v, [...path, k], side);
    else if (typeof value === 'string' && value.length >= 4 && this.isSensitive(path, side)) this.secretValues.push(value);
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
  mask(value: Json | undefined, path: Path, side: 'before' | 'after'): Json | undefined {
    if (value === undefined) return undefined;
    if (this.coveredWhole(path, side) || looksLikeSecretValue(value)) return MASK;
    if (Array.isArray(value)) return value.map((v, i) => this.mask(v, [...path, i], side) as Json);
    if (isObject(value)) {
      const out: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.mask(v, [...path, k], side) as Json;
      return out;
    }
    if (isSecretPath(path)) return MASK;
    if (typeof value === 'string') {
      if (this.containsSecretValue(value)) return MASK;
      const doc = decodeDocument(value);
      if (doc !== undefined && JSON.stringify(this.mask(doc, [...path, DECODED_YAML], side)).includes(JSON.stringify(MASK))) return MASK;
    }
    return value;
  }
}
