import { asArray, asString, isObject, type KubeObject } from '../model';
import { describeObject, fail, pass } from '../checks';
import { defineRule } from '../rule';
import { tenantNamespace } from '../../layout';

const DOMAIN_MOUNT = /^domain-(.+)$/;

/** The namespaces a ClusterSecretStore's conditions admit, or undefined when any namespace may use it. */
function admitted(store: KubeObject): string[] | undefined {
  const conditions = asArray(store.spec.conditions).filter(isObject);
  if (conditions.length === 0) return undefined;
  const names: string[] = [];
  for (const c of conditions) {
    // A selector or a regex admits namespaces nobody can list here: treated as open.
    if (c.namespaceSelector !== undefined || c.namespaceRegexes !== undefined) return undefined;
    names.push(...asArray(c.namespaces).filter((n): n is string => typeof n === 'string'));
  }
  return names;
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'A secret store can be read from namespaces it does not serve: a ClusterSecretStore without namespace conditions, a data domain\'s store open to another namespace, or an ExternalSecret naming a store that does not admit its namespace.',
  why: 'A ClusterSecretStore reads OpenBao with ESO\'s own identity, so any namespace allowed to name it reads everything under its mount; a domain\'s values must be readable only by that domain\'s workloads.',
  controls: ['ISO-5.17', 'NIST-IA-5', 'NIST-SC-12', 'VN-A3'],
  check(stack) {
    const out = [];
    const stores = new Map<string, string[] | undefined>();
    for (const s of stack.objectsOf('ClusterSecretStore', 'external-secrets.io')) {
      const names = admitted(s);
      stores.set(s.name, names);
      const vault = isObject(s.spec.provider) && isObject(s.spec.provider.vault) ? s.spec.provider.vault : {};
      const domain = DOMAIN_MOUNT.exec(asString(vault.path) ?? '')?.[1];
      if (names === undefined) {
        out.push(fail(s, `${describeObject(s)} has no spec.conditions listing namespaces: every namespace may read its mount; list the namespaces that consume it`));
      } else if (domain && names.some((n) => n !== tenantNamespace(domain))) {
        out.push(fail(s, `${describeObject(s)} reads domain mount ${String(vault.path)} but admits ${names.filter((n) => n !== tenantNamespace(domain)).join(', ')}; only ${tenantNamespace(domain)} may read domain ${domain}'s values`));
      } else {
        out.push(pass(s, `${describeObject(s)} admits only ${names.join(', ') || 'no namespace'}`));
      }
    }
    for (const kind of ['ExternalSecret', 'PushSecret']) {
      for (const e of stack.objectsOf(kind, 'external-secrets.io')) {
        const refs = [e.spec.secretStoreRef, ...asArray(e.spec.secretStoreRefs)].filter(isObject).filter((r) => r.kind === 'ClusterSecretStore');
        for (const r of refs) {
          const name = asString(r.name) ?? '';
          const names = stores.get(name);
          if (!stores.has(name)) out.push(fail(e, `${describeObject(e)} names ClusterSecretStore ${name}, which this stack does not declare`));
          else if (names && !names.includes(e.namespace ?? '')) out.push(fail(e, `${describeObject(e)} names ClusterSecretStore ${name}, whose conditions do not admit namespace ${e.namespace}`));
          else out.push(pass(e, `${describeObject(e)} reads through ${name}, which admits its namespace`));
        }
      }
    }
    return out;
  },
});
