/**
 * A read-only view of one synthesized stack (`cdk.tf.json`) for the rules: its resources with
 * their construct path and source file, the Kubernetes objects inside them, the records the
 * project writes into `"//"` blocks (lib/markers.ts), and the zone of every namespace.
 *
 * Kubernetes objects come from three places, normalised to Kubernetes camelCase:
 * - `kubernetes_manifest.manifest` (already camelCase);
 * - typed resources such as `kubernetes_namespace_v1` or `kubernetes_network_policy_v1`
 *   (snake_case in the JSON; converted, except inside maps such as labels);
 * - the values of charts that create custom resources themselves (`rook-ceph-cluster`,
 *   `velero`), so a control holds whichever way a construct declares the object.
 * Typed resources may write a single block as a one-element list and name repeated blocks in the
 * singular (`port`, `container`): both are normalised to the Kubernetes form. Chart values are
 * what Helm computes: every `values` document, then `set`, `set_list` and `set_sensitive`.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import type { AgreementRecord as WrittenAgreement, BackupTierRecord, EnvironmentRecord, RestoreDrillRecord } from '../../lib/markers';

export type { BackupTierRecord, EnvironmentRecord, RestoreDrillRecord } from '../../lib/markers';

/**
 * A sharing agreement as the audit reads it: as lib/markers.ts writes it, except that provider
 * and consumer may be missing in artefacts older than them. The records are typed once, where
 * they are written (lib/markers.ts); the audit still checks every value it reads (see
 * parseEnvironment), so it reads any artefact, whatever wrote it.
 */
export type AgreementRecord = Omit<WrittenAgreement, 'provider' | 'consumer'> & Partial<Pick<WrittenAgreement, 'provider' | 'consumer'>>;

export type Json = Record<string, unknown>;

/** The construct class that created a resource and the file that declares it (`"//".source`). */
export interface SourceRef {
  readonly construct: string;
  readonly file: string;
}

/** One resource of the stack. */
export interface Resource {
  readonly stack: string;
  /** Terraform type, e.g. `kubernetes_manifest`. */
  readonly type: string;
  /** Terraform logical id. */
  readonly name: string;
  /** `type.name`, as Terraform names it in plans. */
  readonly address: string;
  /** Construct path from `"//".metadata.path`. */
  readonly path?: string;
  readonly source?: SourceRef;
  readonly body: Json;
  /** The resource's `"//"` block. */
  readonly comment: Json;
}

/** A Kubernetes object declared by a resource. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The whole object, camelCase. */
  readonly raw: Json;
  readonly spec: Json;
  readonly resource: Resource;
  /** Where the object came from: a manifest, a typed resource, or chart values. */
  readonly origin: 'manifest' | 'typed' | 'chart-values';
}

/** A suppression as written in a `"//".suppressions` marker (not yet validated). */
export interface SuppressionRecord {
  readonly rule?: unknown;
  readonly reason?: unknown;
  readonly owner?: unknown;
  readonly expires?: unknown;
}

export interface StackModel {
  readonly name: string;
  readonly json: Json;
  /** From the stack's `"//".environment` record; undefined when the build has none. */
  readonly environment?: EnvironmentRecord;
  readonly resources: readonly Resource[];
  readonly objects: readonly KubeObject[];
  readonly backupTiers: Readonly<Record<string, BackupTierRecord>>;
  readonly sharingAgreements: Readonly<Record<string, AgreementRecord>>;
  readonly restoreDrills: readonly RestoreDrillRecord[];
  /** Suppressions declared on the stack itself; they apply to every evaluation in it. */
  readonly stackSuppressions: readonly SuppressionRecord[];
  /** The zone of a namespace of this cluster, from the environment record or Namespace labels. */
  zoneOf(namespace: string | undefined): string | undefined;
  /** Objects of a kind, optionally of an API group (`postgresql.cnpg.io`). */
  objectsOf(kind: string, group?: string): KubeObject[];
}

const ZONE_LABEL = 'moit.gov.vn/zone';

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The API group of an apiVersion (`postgresql.cnpg.io/v1` → `postgresql.cnpg.io`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

// Typed provider resources: snake_case keys, except inside these maps, whose keys are data.
const MAP_FIELDS = new Set(['labels', 'annotations', 'match_labels', 'data', 'string_data', 'binary_data', 'selector', 'node_selector', 'parameters', 'hard', 'limits', 'requests']);
const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Blocks the provider allows once, which Terraform JSON may also write as a one-element list. */
const SINGLE_BLOCKS = new Set(['metadata', 'spec', 'template', 'pod_selector', 'namespace_selector', 'ip_block', 'security_context', 'role_ref', 'job_template', 'strategy', 'resources', 'selector', 'aggregation_rule']);
/** Repeated blocks the provider names in the singular, where Kubernetes uses the plural. */
const PLURAL_OF: Record<string, string> = {
  port: 'ports',
  container: 'containers',
  init_container: 'initContainers',
  volume: 'volumes',
  volume_mount: 'volumeMounts',
  toleration: 'tolerations',
  subject: 'subjects',
  rule: 'rules',
  limit: 'limits',
};

function camelize(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    if (SINGLE_BLOCKS.has(key) && value.length === 1 && isObject(value[0])) return camelize(value[0], key);
    return value.map((v) => camelize(v));
  }
  if (!isObject(value)) return value;
  if (MAP_FIELDS.has(key)) return { ...value };
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    // `port` is a number in a NetworkPolicy or Service port, a list of blocks in a Service spec or container.
    const name = PLURAL_OF[k] && Array.isArray(v) && v.every(isObject) ? PLURAL_OF[k]! : camel(k);
    out[name] = camelize(v, k);
  }
  return out;
}

const TYPED = /^kubernetes_([a-z_]+?)(_v\d+)?$/;
const API_VERSION_OF_KIND: Record<string, string> = {
  NetworkPolicy: 'networking.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  StorageClass: 'storage.k8s.io/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
};

function typedObject(resource: Resource): KubeObject | undefined {
  const match = TYPED.exec(resource.type);
  if (!match || resource.type === 'kubernetes_manifest') return undefined;
  const kind = match[1]!.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
  const { '//': _comment, provider: _p, depends_on: _d, lifecycle: _l, ...fields } = resource.body;
  const raw = camelize(fields) as Json;
  return makeObject(resource, { apiVersion: API_VERSION_OF_KIND[kind] ?? 'v1', kind, ...raw }, 'typed');
}

function makeObject(resource: Resource, raw: Json, origin: KubeObject['origin']): KubeObject {
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  return {
    apiVersion: asString(raw.apiVersion) ?? '',
    kind: asString(raw.kind) ?? '',
    name: asString(metadata.name) ?? '',
    namespace: asString(metadata.namespace),
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    raw,
    spec: isObject(raw.spec) ? raw.spec : {},
    resource,
    origin,
  };
}

const parsedYaml = new Map<string, unknown>();

/**
 * Parses a YAML document (YAML 1.2 core types, as Helm reads values), once per distinct text:
 * several rules read the same chart values. Throws on invalid YAML, like the parser.
 */
export function parseYaml(text: string): unknown {
  if (!parsedYaml.has(text)) parsedYaml.set(text, load(text, { schema: CORE_SCHEMA }));
  return parsedYaml.get(text);
}

/**
 * The values of a helm_release as Helm computes them: every `values` document merged in order
 * (later ones win, maps merged deeply), then `set`, `set_list` and `set_sensitive` applied, so
 * a value written any of those ways is read the same.
 */
export function chartValues(resource: Resource): Json {
  return applySets(documentValues(resource), resource);
}

/** Only what `set`, `set_list` and `set_sensitive` write, applied in that order as the Helm provider does (rules that read the documents themselves add these). */
export function chartSetValues(resource: Resource): Json {
  return applySets({}, resource);
}

function documentValues(resource: Resource): Json {
  let values: Json = {};
  for (const doc of asArray(resource.body.values)) {
    if (typeof doc !== 'string') continue;
    try {
      const parsed = parseYaml(doc);
      if (isObject(parsed)) values = mergeValues(values, parsed);
    } catch {
      // An invalid document is Helm's error to report; the others still count.
    }
  }
  return values;
}

function applySets(base: Json, resource: Resource): Json {
  const values = structuredClone(base);
  for (const entry of setEntries(resource.body.set)) setValue(values, entry.name, entry.type === 'string' ? String(entry.value) : helmScalar(entry.value));
  for (const entry of setEntries(resource.body.set_list)) setValue(values, entry.name, asArray(entry.value).map(helmScalar));
  for (const entry of setEntries(resource.body.set_sensitive)) setValue(values, entry.name, entry.type === 'string' ? String(entry.value) : helmScalar(entry.value));
  return values;
}

function mergeValues(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? mergeValues(out[k] as Json, v) : v;
  return out;
}

/** `set` blocks, as a list (Terraform JSON) or a single object. */
function setEntries(value: unknown): Array<{ name: string; value: unknown; type?: string }> {
  const list = Array.isArray(value) ? value : isObject(value) ? [value] : [];
  return list.filter(isObject).flatMap((e) => (typeof e.name === 'string' ? [{ name: e.name, value: e.value, type: asString(e.type) }] : []));
}

/** Helm's --set typing: true/false/null and integers become those, anything else a string. */
function helmScalar(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 'null') return null;
  if (/^-?(0|[1-9]\d*)$/.test(value)) return Number(value);
  return value;
}

/** Sets `a.b[1].c` (dots escaped as `\.`) in `values`, creating maps and lists on the way. */
function setValue(values: Json, name: string, value: unknown): void {
  const keys: Array<string | number> = [];
  for (const part of name.split(/(?<!\\)\./)) {
    const m = /^(.*?)((?:\[\d+\])*)$/.exec(part)!;
    if (m[1]) keys.push(m[1].replace(/\\\./g, '.'));
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  let node: any = values;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    if (last) {
      node[key] = value;
      return;
    }
    const next = keys[i + 1];
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = typeof next === 'number' ? [] : {};
    node = node[key];
  });
}

/** Custom resources that charts create from their values (operators.md g (b)). */
function chartObjects(resource: Resource): KubeObject[] {
  const chart = asString(resource.body.chart);
  const namespace = asString(resource.body.namespace);
  const values = chartValues(resource);
  const out: KubeObject[] = [];
  const add = (apiVersion: string, kind: string, name: string, spec: unknown, ns = namespace) =>
    out.push(makeObject(resource, { apiVersion, kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec: isObject(spec) ? spec : {} }, 'chart-values'));
  if (chart === 'rook-ceph-cluster') {
    if (isObject(values.cephClusterSpec)) add('ceph.rook.io/v1', 'CephCluster', asString(resource.body.name) ?? chart, values.cephClusterSpec);
    for (const store of asArray(values.cephObjectStores)) {
      if (isObject(store)) add('ceph.rook.io/v1', 'CephObjectStore', asString(store.name) ?? '', store.spec);
    }
  }
  if (chart === 'velero' && isObject(values.configuration)) {
    for (const bsl of asArray(values.configuration.backupStorageLocation)) {
      if (isObject(bsl)) add('velero.io/v1', 'BackupStorageLocation', asString(bsl.name) ?? '', bsl);
    }
  }
  if (chart === 'velero' && isObject(values.schedules)) {
    for (const [name, schedule] of Object.entries(values.schedules)) add('velero.io/v1', 'Schedule', name, schedule);
  }
  return out;
}

/** Builds the view of one synthesized stack. */
export function stackModel(name: string, json: Json): StackModel {
  const top = isObject(json['//']) ? json['//'] : {};
  const environment = parseEnvironment(top.environment);
  const resources: Resource[] = [];
  for (const [type, byName] of Object.entries(isObject(json.resource) ? json.resource : {})) {
    if (!isObject(byName)) continue;
    for (const [logical, body] of Object.entries(byName)) {
      if (!isObject(body)) continue;
      const comment = isObject(body['//']) ? body['//'] : {};
      const metadata = isObject(comment.metadata) ? comment.metadata : {};
      const source = isObject(comment.source) && typeof comment.source.file === 'string' ? { construct: String(comment.source.construct ?? ''), file: comment.source.file } : undefined;
      resources.push({ stack: name, type, name: logical, address: `${type}.${logical}`, path: asString(metadata.path), source, body, comment });
    }
  }
  const objects: KubeObject[] = [];
  for (const r of resources) {
    if (r.type === 'kubernetes_manifest' && isObject(r.body.manifest)) objects.push(makeObject(r, r.body.manifest, 'manifest'));
    else if (r.type === 'helm_release') objects.push(...chartObjects(r));
    else {
      const typed = typedObject(r);
      if (typed) objects.push(typed);
    }
  }
  const zones = new Map<string, string>(Object.entries(environment?.namespaces ?? {}));
  for (const o of objects) {
    if (o.kind === 'Namespace' && o.labels[ZONE_LABEL] && !zones.has(o.name)) zones.set(o.name, o.labels[ZONE_LABEL]);
  }
  return {
    name,
    json,
    environment,
    resources,
    objects,
    backupTiers: isObject(top.backupTiers) ? (top.backupTiers as Record<string, BackupTierRecord>) : {},
    sharingAgreements: isObject(top.sharingAgreements) ? (top.sharingAgreements as Record<string, AgreementRecord>) : {},
    restoreDrills: asArray(top.restoreDrills).filter(isObject) as unknown as RestoreDrillRecord[],
    stackSuppressions: asArray(top.suppressions).filter(isObject) as SuppressionRecord[],
    zoneOf: (namespace) => (namespace ? zones.get(namespace) : undefined),
    objectsOf: (kind, group) => objects.filter((o) => o.kind === kind && (group === undefined || groupOf(o.apiVersion) === group)),
  };
}

const CLASSES = ['development', 'staging', 'production', 'recovery'];

/** The environment record, if it is complete; an incomplete one counts as missing (AUD-002). */
export function parseEnvironment(value: unknown): EnvironmentRecord | undefined {
  if (!isObject(value)) return undefined;
  const { name, securityLevel, ephemeral, site, cluster, layer, namespaces } = value;
  const cls = value.class;
  if (typeof name !== 'string' || typeof cls !== 'string' || !CLASSES.includes(cls)) return undefined;
  if (typeof securityLevel !== 'number' || securityLevel < 1 || securityLevel > 5 || typeof ephemeral !== 'boolean') return undefined;
  return {
    name,
    class: cls,
    securityLevel,
    ephemeral,
    site: typeof site === 'string' ? site : '',
    cluster: typeof cluster === 'string' ? cluster : '',
    layer: typeof layer === 'string' ? layer : '',
    namespaces: stringMap(namespaces),
  };
}

/** The suppressions written on a resource (`"//".suppressions`). */
export function suppressionsOf(resource: Resource): SuppressionRecord[] {
  return asArray(resource.comment.suppressions).filter(isObject) as SuppressionRecord[];
}

/** True for a Terraform interpolation (`${var.x}`, `${data.y.z}`): a reference, not a literal. */
export function isInterpolation(value: string): boolean {
  return /^\$\{[\s\S]*\}$/.test(value.trim());
}

/** Days since the epoch of a YYYY-MM-DD date, or undefined if it is not a real calendar date. */
export function dayNumber(date: unknown): number | undefined {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return undefined;
  return Math.round(ms / 86_400_000);
}

