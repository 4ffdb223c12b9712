import { isSecretKey, isSecretReference, isTemplateReference, secretValueKind } from '../../../lib/secrets';
import { fail, pass } from '../checks';
import { chartSetValues, isInterpolation, isObject, parseYaml, type Resource } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

/** Long runs of base64 or hex: key material, tokens, encoded credentials. */
const OPAQUE_BLOB = /^(?:[A-Za-z0-9+/]{40,}={0,2}|[A-Fa-f0-9]{40,})$/;

interface Hit {
  readonly where: string;
  readonly what: string;
}

function scan(value: unknown, path: string, key: string, hits: Hit[], inReference = false): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => scan(v, `${path}[${i}]`, key, hits));
    return;
  }
  if (isObject(value)) {
    const reference = isSecretReference(value);
    for (const [k, v] of Object.entries(value)) {
      if (k === '//') continue; // our own comments and markers
      scan(v, path ? `${path}.${k}` : k, k, hits, reference);
    }
    return;
  }
  if (typeof value === 'string') {
    const kind = secretValueKind(value);
    if (kind !== undefined) hits.push({ where: path, what: kind });
    // Chart values documents: the items of a `values` list keep the list's key (see above).
    else if (key === 'values') scanYaml(value, path, hits);
  }
  if ((typeof value !== 'string' && typeof value !== 'number') || inReference) return;
  if (!isSecretKey(key)) return;
  if (typeof value === 'string' && (value === '' || isInterpolation(value) || isTemplateReference(value))) return;
  hits.push({ where: path, what: `a literal value for "${key}"` });
}

/** A chart values document, read as what it parses to: a map, a list, or (in a document Helm would refuse) a scalar. */
function scanYaml(text: string, path: string, hits: Hit[]): void {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    // Invalid YAML is Helm's error to report; nothing was parsed to read.
  }
  scan(parsed, `${path}(yaml)`, '', hits);
}

/** Secret data: every literal value of a Secret's data/stringData is a secret in the output. */
function secretData(resource: Resource, hits: Hit[]): void {
  const body = resource.body;
  const manifest = isObject(body.manifest) ? body.manifest : undefined;
  const holders: Array<[string, unknown]> =
    resource.type === 'kubernetes_manifest'
      ? manifest?.kind === 'Secret'
        ? [['manifest.data', manifest.data], ['manifest.stringData', manifest.stringData]]
        : []
      : /^kubernetes_secret(_v\d+)?(_data)?$/.test(resource.type)
        ? [['data', body.data], ['binary_data', body.binary_data]]
        : [];
  for (const [where, data] of holders) {
    if (!isObject(data)) continue;
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string' || v === '' || isInterpolation(v)) continue;
      hits.push({ where: `${where}.${k}`, what: OPAQUE_BLOB.test(v.replace(/\s/g, '')) ? 'an encoded Secret value' : 'a literal Secret value' });
    }
  }
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'The synthesized output contains a literal secret: a password, token or key value, a PEM private key, or Secret data.',
  why: 'cdk.tf.json is read by CI, reviewers and plan bots and kept in artefacts; a secret written there is disclosed to all of them and outlives its rotation.',
  controls: ['CIS-5.4.1', 'ISO-5.17', 'NIST-IA-5', 'VN-A3'],
  check(stack) {
    const out: Evaluation[] = [];
    for (const r of stack.resources) {
      const found: Hit[] = [];
      secretData(r, found);
      scan(r.body, '', '', found);
      // Chart values given through set, set_list or set_sensitive, read as the values they become.
      if (r.type === 'helm_release') scan(chartSetValues(r), 'set', '', found);
      // Secret data is reported once, as Secret data, even when its key also names a secret.
      const hits = found.filter((h, i) => found.findIndex((o) => o.where === h.where) === i);
      out.push(
        hits.length > 0
          ? fail(undefined, `${r.path ?? r.address} contains ${hits.map((h) => `${h.what} at ${h.where}`).join('; ')}; pass it as a Secret reference or a sensitive variable, never a literal`, r)
          : pass(undefined, `${r.path ?? r.address} contains no literal secret`, undefined, r),
      );
    }
    // Providers, backend, variables and outputs live outside resources.
    const rest: Hit[] = [];
    for (const section of ['provider', 'terraform', 'variable', 'output', 'locals', 'data']) {
      if (stack.json[section] !== undefined) scan(stack.json[section], section, section, rest);
    }
    out.push(rest.length > 0 ? fail(undefined, `stack ${stack.name} contains ${rest.map((h) => `${h.what} at ${h.where}`).join('; ')}; take credentials from the environment or a kubeconfig, never from code`) : pass(undefined, `stack ${stack.name}: providers, backend, variables and outputs contain no literal secret`));
    return out;
  },
});
