/**
 * The secrets model (issue #23): which secret store a namespace reads, where in OpenBao a value
 * lives, and how often ESO re-reads it. Pure data shared by the constructs that produce Secrets
 * (constructs/secrets), the audit rules that check them and the docs (docs/secrets.md).
 */
import { OPERATORS } from '../lib/versions';
import { DOMAIN_LABEL, NS } from './layout';

/** The ClusterSecretStore of the platform namespaces (operators' credentials, generated passwords). */
export const PLATFORM_STORE = 'openbao';
/** The KV v2 mount of the platform's values in the environment's OpenBao. */
export const PLATFORM_MOUNT = 'platform';

/** The ClusterSecretStore only a data domain's namespaces may use. */
export const domainStoreName = (domain: string): string => `openbao-${domain}`;
/** The KV v2 mount of one data domain: its owners' policy covers it and nothing else. */
export const domainMount = (domain: string): string => `domain-${domain}`;

/** The Kubernetes auth mount of one cluster in OpenBao (each cluster's API server reviews its own tokens). */
export const kubernetesAuthMount = (environment: string, cluster: string): string => `k8s-${environment}-${cluster}`;

/** The label every object of the secrets model carries, naming the store it reads or writes. */
export const STORE_LABEL = 'moit.gov.vn/secret-store';
export { DOMAIN_LABEL };

/**
 * How sensitive a value is, which sets how soon a change in OpenBao reaches the cluster
 * (`refreshInterval`). `generated`: a value nobody knows, written once (passwords of roles and
 * repositories), re-read hourly so a restore or a rotation in OpenBao lands within the hour;
 * `credential`: a credential issued by a person or another system, re-read every 15 minutes so
 * a revoked one is replaced quickly; `key-material`: keys and CA material, re-read every 5 minutes.
 */
export const CLASSIFICATIONS = ['generated', 'credential', 'key-material'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const REFRESH_INTERVAL: Readonly<Record<Classification, string>> = {
  generated: '1h',
  credential: '15m',
  'key-material': '5m',
};

/** Password generator settings for values nobody needs to know: long, letters and digits only (safe in connection strings). */
export const GENERATED_PASSWORD = { length: 40, digits: 8, symbols: 0, noUpper: false, allowRepeat: true } as const;

/** Where a Postgres login role's password lives in the platform mount. */
export const postgresRoleKey = (cluster: string, pgCluster: string, role: string): string => `${cluster}/postgres/${pgCluster}/${role}`;
/** Where a cluster's Velero repository password lives in the platform mount. */
export const veleroRepositoryKey = (cluster: string): string => `${cluster}/velero/repository`;
/** Where credentials another site issues for a consumer live in the platform mount. */
export const peerCredentialKey = (cluster: string, namespace: string, secret: string): string => `${cluster}/peer/${namespace}/${secret}`;

// ---------------------------------------------------------------------------------------------
// OpenBao's side of the stores (issue #23): the one plan both the ClusterSecretStores
// (constructs/secrets/store.ts) and OpenBao's configuration (constructs/secrets/openbao-config.ts)
// are built from, so a store can never name a mount, role or auth path OpenBao does not have.
// ---------------------------------------------------------------------------------------------

/** The service account ESO authenticates with (its chart's release name, in its namespace). */
export const ESO_SERVICE_ACCOUNT: { readonly name: string; readonly namespace: string } = { name: OPERATORS.externalSecrets.chart, namespace: NS.externalSecrets };

/** What one ClusterSecretStore of one cluster needs in OpenBao. */
export interface StoreAccess {
  /** The ClusterSecretStore's name. */
  readonly store: string;
  /** The KV v2 mount the store reads (`spec.provider.vault.path`). */
  readonly mount: string;
  /** The cluster's Kubernetes auth mount (`auth.kubernetes.mountPath`). */
  readonly authMount: string;
  /** The role ESO logs in as (`auth.kubernetes.role`). */
  readonly role: string;
  /** The service account the role is bound to (`auth.kubernetes.serviceAccountRef`). */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
  /** The OpenBao policy of the role. */
  readonly policy: string;
  /**
   * The paths under the mount the store may use, as KV v2 path prefixes (no trailing slash):
   * the platform store only its own cluster's `<cluster>`, a domain store its whole mount (`''`).
   */
  readonly prefix: string;
  /** Whether the store writes (PushSecrets of generated values): only the platform store. */
  readonly write: boolean;
  /** The data domain, for a domain store. */
  readonly domain?: string;
}

/** The role ESO uses for a mount. */
export const storeRole = (mount: string): string => `eso-${mount}`;
/** The OpenBao policy of a store's role: one per cluster and mount. */
export const storePolicyName = (authMount: string, mount: string): string => `${authMount}-${storeRole(mount)}`;
/** The OpenBao policy of a data domain's owners: write and read their own mount, nothing else. */
export const domainOwnerPolicyName = (domain: string): string => `${domainMount(domain)}-owner`;

/** The stores of one cluster: the platform store, and one per data domain hosted there. */
export function storesOf(environment: string, cluster: string, domains: readonly string[]): StoreAccess[] {
  const authMount = kubernetesAuthMount(environment, cluster);
  const access = (store: string, mount: string, prefix: string, write: boolean, domain?: string): StoreAccess => ({
    store,
    mount,
    authMount,
    role: storeRole(mount),
    serviceAccount: ESO_SERVICE_ACCOUNT,
    policy: storePolicyName(authMount, mount),
    prefix,
    write,
    ...(domain ? { domain } : {}),
  });
  return [access(PLATFORM_STORE, PLATFORM_MOUNT, cluster, true), ...[...domains].sort().map((d) => access(domainStoreName(d), domainMount(d), '', false, d))];
}

/** One rule of an OpenBao ACL policy. */
export interface PolicyRule {
  readonly path: string;
  readonly capabilities: readonly string[];
}

/**
 * The rules of a store's policy. KV v2 keeps values under `<mount>/data/` and their versions and
 * custom metadata under `<mount>/metadata/`; ESO reads `data/`, and its PushSecret (platform store
 * only) creates and updates both, reading the metadata to find its `managed-by` tag.
 */
export function storePolicyRules(s: StoreAccess): PolicyRule[] {
  const under = (kind: 'data' | 'metadata') => (s.prefix === '' ? `${s.mount}/${kind}/*` : `${s.mount}/${kind}/${s.prefix}/*`);
  return s.write
    ? [
        { path: under('data'), capabilities: ['create', 'read', 'update'] },
        { path: under('metadata'), capabilities: ['create', 'read', 'update'] },
      ]
    : [{ path: under('data'), capabilities: ['read'] }];
}

/** The rules of a data domain's owners' policy: their own mount, fully, and nothing else. */
export function domainOwnerRules(domain: string): PolicyRule[] {
  const mount = domainMount(domain);
  return [
    { path: `${mount}/data/*`, capabilities: ['create', 'read', 'update', 'delete'] },
    { path: `${mount}/metadata/*`, capabilities: ['read', 'list', 'delete'] },
    { path: `${mount}/delete/*`, capabilities: ['update'] },
    { path: `${mount}/undelete/*`, capabilities: ['update'] },
  ];
}

/** An ACL policy in OpenBao's HCL. */
export function policyHcl(comment: string, rules: readonly PolicyRule[]): string {
  const body = rules.map((r) => `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(', ')}]\n}\n`).join('\n');
  return `# ${comment}\n${body}`;
}

/** Parses the rules back out of a policy written by `policyHcl` (tests and audits read the synthesized text). */
export function parsePolicyHcl(hcl: string): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const m of hcl.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)) {
    rules.push({ path: m[1]!, capabilities: [...m[2]!.matchAll(/"([^"]+)"/g)].map((c) => c[1]!) });
  }
  return rules;
}

/**
 * Whether an ACL path pattern matches a concrete path: OpenBao's `*` is a prefix match at the
 * end only, `+` matches one segment.
 */
export function policyPathMatches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const p = glob ? pattern.slice(0, -1) : pattern;
  const pSegs = p.split('/');
  const segs = path.split('/');
  for (let i = 0; i < pSegs.length; i++) {
    const last = i === pSegs.length - 1;
    if (last && glob) return segs.slice(i).join('/').startsWith(pSegs[i]!) && segs.length >= pSegs.length;
    if (segs[i] === undefined) return false;
    if (pSegs[i] !== '+' && pSegs[i] !== segs[i]) return false;
  }
  return segs.length === pSegs.length;
}

/**
 * Whether a policy's rules stay inside one mount prefix (`<mount>/data/<prefix>/`,
 * `<mount>/metadata/<prefix>/`...): the paths outside it, empty when it is contained. A rule whose
 * path pattern could match anything outside (a wildcard before the prefix ends, another mount,
 * `sys/`) is outside.
 */
export function rulesOutside(rules: readonly PolicyRule[], mount: string, prefix: string): string[] {
  const kinds = ['data', 'metadata', 'delete', 'undelete', 'destroy'];
  return rules
    .filter((r) => {
      const segs = r.path.split('/');
      if (segs[0] !== mount || !kinds.includes(segs[1] ?? '')) return true;
      const rest = segs.slice(2).join('/');
      if (prefix === '') return false;
      // Inside only if the pattern starts with "<prefix>/" literally (no wildcard before it ends).
      return !rest.startsWith(`${prefix}/`) || rest.slice(0, prefix.length + 1).includes('*') || rest.slice(0, prefix.length + 1).includes('+');
    })
    .map((r) => r.path);
}

/** What a ClusterSecretStore asks of OpenBao, as read from its synthesized object. */
export interface StoreUse {
  readonly cluster: string;
  readonly store: string;
  readonly mount: string;
  readonly authMount: string;
  readonly role: string;
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
  /** The remote keys the cluster's ExternalSecrets read (`read`) and PushSecrets write (`write`) through it. */
  readonly keys: ReadonlyArray<{ readonly key: string; readonly write: boolean }>;
  /** The data domain, for a domain store (label `moit.gov.vn/domain` or name). */
  readonly domain?: string;
}

/** OpenBao's configuration as read back from the synthesized ConfigMap: the script and the policy files. */
export interface AppliedConfiguration {
  readonly mounts: ReadonlySet<string>;
  readonly authMounts: ReadonlySet<string>;
  readonly roles: ReadonlyArray<{ readonly authMount: string; readonly role: string; readonly serviceAccountNames: string; readonly serviceAccountNamespaces: string; readonly policies: string }>;
  /** Policy name → its rules, from the file the script writes it from. */
  readonly policies: ReadonlyMap<string, readonly PolicyRule[]>;
  /** Every OpenBao path the script writes or reads (configuration only). */
  readonly operations: readonly string[];
  readonly configurator: readonly PolicyRule[];
}

/** Reads the ConfigMap data the configurator runs from (constructs/secrets/openbao-config.ts). */
export function readAppliedConfiguration(data: Readonly<Record<string, string>>): AppliedConfiguration {
  const script = data['configure.sh'] ?? '';
  const mounts = new Set([...script.matchAll(/^ensure_kv '([^']+)'/gm)].map((m) => m[1]!));
  const authMounts = new Set([...script.matchAll(/^ensure_auth '([^']+)'/gm)].map((m) => m[1]!));
  const roles = [...script.matchAll(/^bao write 'auth\/([^']+)\/role\/([^']+)' bound_service_account_names='([^']+)' bound_service_account_namespaces='([^']+)' token_policies='([^']+)'/gm)].map((m) => ({
    authMount: m[1]!,
    role: m[2]!,
    serviceAccountNames: m[3]!,
    serviceAccountNamespaces: m[4]!,
    policies: m[5]!,
  }));
  const policies = new Map<string, PolicyRule[]>();
  for (const m of script.matchAll(/^bao policy write '([^']+)' '[^']*\/([^'/]+)'/gm)) policies.set(m[1]!, parsePolicyHcl(data[m[2]!] ?? ''));
  const operations = [
    ...[...mounts].map((m) => `sys/mounts/${m}`),
    ...[...authMounts].map((a) => `sys/auth/${a}`),
    ...[...policies.keys()].map((p) => `sys/policies/acl/${p}`),
    ...[...script.matchAll(/^bao write '([^']+)'/gm)].map((m) => m[1]!),
  ];
  return { mounts, authMounts, roles, policies, operations, configurator: parsePolicyHcl(data['configurator-policy.hcl'] ?? '') };
}

const allows = (rules: readonly PolicyRule[], path: string, capability: string) => rules.some((r) => policyPathMatches(r.path, path) && r.capabilities.includes(capability));

/**
 * Whether OpenBao's configuration serves every store exactly: each store's KV mount, auth mount
 * and role exist, the role is bound to the store's service account and carries a policy that
 * allows each key the store's users read (and PushSecrets write), and grants nothing outside the
 * store's own mount (a domain store) or its cluster's prefix (the platform store). A domain
 * owners' policy stays inside its mount; the configurator's own policy allows every operation of
 * the script and no KV path at all. Returns the problems, empty when it holds.
 */
export function storeConfigProblems(stores: readonly StoreUse[], applied: AppliedConfiguration): string[] {
  const problems: string[] = [];
  for (const s of stores) {
    const where = `store ${s.store} of cluster ${s.cluster}`;
    if (!applied.mounts.has(s.mount)) problems.push(`${where}: KV mount ${s.mount} is not created`);
    if (!applied.authMounts.has(s.authMount)) problems.push(`${where}: Kubernetes auth mount ${s.authMount} is not created`);
    const role = applied.roles.find((r) => r.authMount === s.authMount && r.role === s.role);
    if (!role) {
      problems.push(`${where}: role ${s.role} of ${s.authMount} is not created`);
      continue;
    }
    if (role.serviceAccountNames !== s.serviceAccount.name || role.serviceAccountNamespaces !== s.serviceAccount.namespace) {
      problems.push(`${where}: role ${s.role} is bound to ${role.serviceAccountNamespaces}/${role.serviceAccountNames}, the store uses ${s.serviceAccount.namespace}/${s.serviceAccount.name}`);
    }
    const rules = role.policies.split(',').flatMap((p) => {
      const found = applied.policies.get(p);
      if (!found) problems.push(`${where}: policy ${p} of role ${s.role} is not written`);
      return found ?? [];
    });
    for (const k of s.keys) {
      if (!allows(rules, `${s.mount}/data/${k.key}`, 'read')) problems.push(`${where}: its policy does not allow reading ${s.mount}/data/${k.key}`);
      if (k.write && !(allows(rules, `${s.mount}/data/${k.key}`, 'create') && allows(rules, `${s.mount}/metadata/${k.key}`, 'update'))) problems.push(`${where}: its policy does not allow pushing ${s.mount}/data/${k.key}`);
    }
    const prefix = s.domain !== undefined ? '' : s.cluster;
    for (const p of rulesOutside(rules, s.mount, prefix)) problems.push(`${where}: its policy grants ${p}, outside ${s.mount}/${prefix === '' ? '' : `${prefix}/`}`);
  }
  for (const [name, rules] of applied.policies) {
    const m = /^(domain-.+)-owner$/.exec(name);
    if (m) for (const p of rulesOutside(rules, m[1]!, '')) problems.push(`policy ${name}: grants ${p}, outside its domain's mount ${m[1]}/`);
  }
  for (const op of applied.operations) {
    if (!applied.configurator.some((r) => policyPathMatches(r.path, op))) problems.push(`configurator policy: does not allow ${op}, which the script writes`);
  }
  for (const r of applied.configurator) {
    if ([...applied.mounts].some((m) => r.path === '*' || r.path.startsWith(`${m}/`) || policyPathMatches(r.path, `${m}/data/x`))) problems.push(`configurator policy: grants ${r.path}, a path of a KV mount`);
  }
  return problems;
}
