/**
 * The one classifier of secrets, used wherever a value must not be printed or written: the
 * review masks what it flags (tools/review/sensitive.ts), the schema validator redacts it from
 * error messages (tools/validate/validator.ts), and audit rule SEC-001 fails a stack that holds
 * a literal value for it (policy/audit/rules/SEC-001-no-literal-secrets.ts).
 *
 * A key holds a secret when one of its words (`secretAccessKey` → secret, access, key) is
 * - a secret word: password, passwd, pwd, passphrase, secret(s), token(s), credential(s), creds,
 *   private, or a run-together word ending in one (`adminpassword`, `bootstraptoken`);
 * - `key` after a qualifier (`privateKey`, `accessKey`, `client_key`, `tls.key`, `apiKey`, ...);
 * - `data` after a certificate word (`client_certificate_data`, `certData`);
 * - or the key is a connection string (`conn_str`, `connectionString`, `dsn`) or an access key
 *   id (`accessKeyId`, `AWS_ACCESS_KEY_ID`: one half of a credential pair).
 *
 * Keys that describe or reference a secret rather than hold it are not secret: those whose last
 * word is one of name, ref, namespace, selector, file, path, ttl, algorithm, size, type, enabled,
 * mode, ... (`secretName`, `secretKeyRef`, `passwordFile`, `privateKey.algorithm`), and the
 * fields that take a Secret's name by convention (`existingSecret`, CloudNativePG's
 * `serverTLSSecret`, `serverCASecret`, `clientCASecret`, `replicationTLSSecret`, Helm's
 * `useSecret`, and every `existingSecret…` field), and the fields that name the key inside an
 * existing Secret (`passwordKey`, as Grafana's `admin.passwordKey`). A bare `key` is a key *name* in Kubernetes (tolerations, selectors,
 * `secretKeyRef.key`) and is not secret by itself.
 */

const SECRET_WORDS = new Set(['password', 'passwords', 'passwd', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'creds', 'private', 'privatekey', 'apikey', 'accesskey', 'secretkey', 'clientkey']);
/** Endings that make a run-together word (`adminpassword`, `bootstraptoken`) a secret word. */
const SECRET_ENDINGS = /(password|passwd|passphrase|secret|token|credentials?|privatekey|secretkey|accesskey|apikey|clientkey)$/;
/** Words that make a following `key` a secret key rather than a key name. */
const KEY_QUALIFIERS = new Set(['private', 'secret', 'access', 'api', 'client', 'signing', 'encryption', 'master', 'shared', 'ssh', 'tls', 'root', 'account', 'service', 'auth', 'session', 'hmac', 'psk', 'ca', 'server', 'crypt', 'sse', 'kms']);
const CERT_WORDS = new Set(['cert', 'certificate', 'crt']);
/** Last words of a key that describe or reference a secret instead of holding it. */
const DESCRIPTIVE_LAST_WORDS = new Set([
  'name', 'names', 'ref', 'refs', 'reference', 'namespace', 'selector', 'file', 'path', 'ttl', 'algorithm', 'size', 'type', 'kind',
  'enabled', 'enable', 'length', 'duration', 'expiry', 'expiration', 'lifetime', 'rotation', 'policy', 'version', 'count', 'format',
  'encoding', 'encryption', 'mode', 'url', 'endpoint', 'store', 'provider', 'id', 'template', 'usages', 'validation',
]);
/** Fields (normalised: lower case, no `-`, `_`, `.`) that take the name of a Secret object. */
const SECRET_NAME_FIELDS = new Set(['existingsecret', 'usesecret', 'servertlssecret', 'servercasecret', 'clientcasecret', 'replicationtlssecret']);
/** Fields (normalised) that name the key inside an existing Secret where the value is read from. */
const SECRET_KEY_NAME_FIELDS = new Set(['passwordkey']);

/** Splits a key into lower-case words: `secretKeyRef` → secret, key, ref; `tls.key` → tls, key. */
export function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** `accessKeyId`, `AWS_ACCESS_KEY_ID`: ends in `id`, yet names one half of a credential pair. */
function isAccessKeyId(words: readonly string[]): boolean {
  const n = words.length;
  return n >= 3 && words[n - 3] === 'access' && words[n - 2] === 'key' && words[n - 1] === 'id';
}

function describesWords(words: readonly string[]): boolean {
  if (words.length === 0 || isAccessKeyId(words)) return false;
  const joined = words.join('');
  return DESCRIPTIVE_LAST_WORDS.has(words[words.length - 1]!) || SECRET_NAME_FIELDS.has(joined) || SECRET_KEY_NAME_FIELDS.has(joined) || joined.startsWith('existingsecret');
}

/**
 * True when the key describes or references a secret instead of holding it (`secretName`,
 * `privateKey.algorithm`'s `algorithm`, `existingSecret`): its value may be shown even under a
 * secret-holding parent.
 */
export function describesSecret(key: string): boolean {
  return describesWords(wordsOf(key));
}

/** True when the key names something that holds a secret value (see the module comment). */
export function isSecretKey(key: string): boolean {
  const words = wordsOf(key);
  if (words.length === 0 || describesWords(words)) return false;
  // Connection strings carry a password: conn_str (the pg backend), connectionString, dsn.
  if (words.includes('dsn') || ((words.includes('conn') || words.includes('connection')) && (words.includes('str') || words.includes('string')))) return true;
  return words.some((w, i) => {
    if (SECRET_WORDS.has(w) || SECRET_ENDINGS.test(w)) return true;
    if (w === 'key' || w === 'keys') return i > 0 && KEY_QUALIFIERS.has(words[i - 1]!);
    if (w === 'data' && i > 0) return words.slice(0, i).some((x) => CERT_WORDS.has(x));
    return false;
  });
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const JWT = /^eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*$/;

/**
 * What secret key material the string is, if any: a PEM private key or a JSON web token
 * (certificates are public and not reported here; see {@link isKeyMaterial}).
 */
export function secretValueKind(value: unknown): 'a PEM private key' | 'a JSON web token' | undefined {
  if (typeof value !== 'string') return undefined;
  if (PEM_PRIVATE_KEY.test(value)) return 'a PEM private key';
  if (JWT.test(value.trim())) return 'a JSON web token';
  return undefined;
}

/** True when the string is key material of any kind, public or not: a PEM block or a JSON web token. */
export function isKeyMaterial(value: unknown): boolean {
  return typeof value === 'string' && (PEM.test(value) || JWT.test(value.trim()));
}

/**
 * An object that names a Secret and a key in it (`{secretName, password}` as Strimzi writes it,
 * `{name, key}` as a secretKeyRef), or an External Secrets item that maps a key of the target
 * Secret to a value in the store (`{secretKey, remoteRef}`): its own fields are names, not
 * values, whatever they are called. The audit (SEC-001) and the review's masking both read it.
 */
export function isSecretReference(value: Readonly<Record<string, unknown>>): boolean {
  const remoteRef = value.remoteRef;
  return typeof value.secretName === 'string' || (typeof value.name === 'string' && typeof value.key === 'string') || (typeof remoteRef === 'object' && remoteRef !== null && !Array.isArray(remoteRef));
}

const TEMPLATE_REFERENCE = /^\{\{\s*\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;

/**
 * True for an External Secrets template that only places a fetched value (`{{ .password }}`):
 * the value comes from the store at run time; the text holds its name only.
 */
export function isTemplateReference(value: unknown): boolean {
  return typeof value === 'string' && TEMPLATE_REFERENCE.test(value);
}
