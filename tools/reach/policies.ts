/**
 * Reads Kubernetes NetworkPolicies out of synthesized stacks, in both forms the estate may write:
 * `kubernetes_network_policy_v1` resources (the provider's snake_case blocks) and
 * `kubernetes_manifest` resources whose manifest is a `networking.k8s.io/v1` NetworkPolicy
 * (camelCase, as in the Kubernetes API). Both come out as one normalized shape.
 *
 * Defaulting follows the API server: `policyTypes` omitted means Ingress, plus Egress when the
 * policy has at least one egress rule; a rule without `from`/`to` (or with an empty list) matches
 * every peer; a rule without `ports` matches every port; a port entry without `protocol` is TCP.
 */
import { PortSet } from './ports';

type Json = Record<string, unknown>;

export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** A Kubernetes label selector; both parts empty selects everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelRequirement[];
}

export type PolicyPeer =
  | {
      readonly kind: 'pods';
      /** Absent: the policy's own namespace. */
      readonly namespaceSelector?: LabelSelector;
      /** Absent: every pod of the selected namespaces. */
      readonly podSelector?: LabelSelector;
    }
  | { readonly kind: 'ipBlock'; readonly cidr: string; readonly except: readonly string[] };

export interface PolicyRule {
  /** Undefined: every peer (the rule has no `from`/`to`, or an empty one). */
  readonly peers?: readonly PolicyPeer[];
  readonly ports: PortSet;
  /** The rule's ports as written, for reports. */
  readonly portText: string;
}

export interface NetworkPolicy {
  /** Where it was synthesized: `<stack>/<terraform address>`. */
  readonly source: string;
  readonly form: 'typed' | 'manifest';
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly ingressIsolation: boolean;
  readonly egressIsolation: boolean;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** A policy-like object the model does not interpret (e.g. a CNI's own policy kinds). */
export interface UnmodelledPolicy {
  readonly source: string;
  readonly kind: string;
}

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
/** The same field in camelCase (manifest) or snake_case (typed resource). */
const field = (o: unknown, camel: string): unknown => {
  if (!isObject(o)) return undefined;
  if (camel in o) return o[camel];
  return o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
};
const strings = (v: unknown): Record<string, string> => (isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {});

export const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

function selector(v: unknown): LabelSelector {
  // The typed provider writes a block as an object (or a one-element list in older syntheses).
  const o = Array.isArray(v) ? v[0] : v;
  return {
    matchLabels: strings(field(o, 'matchLabels')),
    matchExpressions: list(field(o, 'matchExpressions')).map((e) => ({
      key: String(field(e, 'key')),
      operator: String(field(e, 'operator')) as LabelRequirement['operator'],
      values: list(field(e, 'values')).map(String),
    })),
  };
}

function peer(v: unknown): PolicyPeer {
  const ip = field(v, 'ipBlock');
  if (ip !== undefined) {
    const block = Array.isArray(ip) ? ip[0] : ip;
    return { kind: 'ipBlock', cidr: String(field(block, 'cidr')), except: list(field(block, 'except')).map(String) };
  }
  const ns = field(v, 'namespaceSelector');
  const pods = field(v, 'podSelector');
  return { kind: 'pods', ...(ns !== undefined ? { namespaceSelector: selector(ns) } : {}), ...(pods !== undefined ? { podSelector: selector(pods) } : {}) };
}

function rule(v: unknown, direction: 'from' | 'to'): PolicyRule {
  const peers = list(field(v, direction));
  const entries = list(field(v, 'ports'));
  const ports = entries.length === 0 ? PortSet.ALL : entries.reduce<PortSet>((acc, p) => {
    const port = field(p, 'port');
    const endPort = field(p, 'endPort');
    return acc.union(PortSet.of({ protocol: field(p, 'protocol') as string | undefined, port: port as string | number | undefined, endPort: endPort === undefined ? undefined : Number(endPort) }));
  }, PortSet.NONE);
  return { ...(peers.length > 0 ? { peers: peers.map(peer) } : {}), ports, portText: ports.toString() };
}

function normalize(source: string, form: NetworkPolicy['form'], metadata: unknown, spec: unknown): NetworkPolicy {
  const meta = Array.isArray(metadata) ? metadata[0] : metadata;
  const s = Array.isArray(spec) ? spec[0] : spec;
  const ingress = list(field(s, 'ingress')).map((r) => rule(r, 'from'));
  const egress = list(field(s, 'egress')).map((r) => rule(r, 'to'));
  const types = field(s, 'policyTypes');
  const declared = Array.isArray(types) ? types.map(String) : undefined;
  return {
    source,
    form,
    name: String(field(meta, 'name') ?? field(meta, 'generateName') ?? '?'),
    namespace: String(field(meta, 'namespace') ?? 'default'),
    podSelector: selector(field(s, 'podSelector')),
    ingressIsolation: declared ? declared.includes('Ingress') : true,
    egressIsolation: declared ? declared.includes('Egress') : egress.length > 0,
    ingress,
    egress,
    annotations: strings(field(meta, 'annotations')),
    labels: strings(field(meta, 'labels')),
  };
}

/** The NetworkPolicies of one synthesized stack (its parsed `cdk.tf.json`). */
export function policiesOfStack(stackName: string, stackJson: unknown): { policies: NetworkPolicy[]; unmodelled: UnmodelledPolicy[] } {
  const resources = isObject(stackJson) && isObject(stackJson.resource) ? stackJson.resource : {};
  const policies: NetworkPolicy[] = [];
  const unmodelled: UnmodelledPolicy[] = [];
  for (const [type, byName] of Object.entries(resources)) {
    if (!isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      const source = `${stackName}/${type}.${name}`;
      if (type === 'kubernetes_network_policy_v1' || type === 'kubernetes_network_policy') {
        policies.push(normalize(source, 'typed', field(body, 'metadata'), field(body, 'spec')));
      } else if (type === 'kubernetes_manifest') {
        const m = field(body, 'manifest');
        const kind = String(field(m, 'kind') ?? '');
        const api = String(field(m, 'apiVersion') ?? '');
        if (kind === 'NetworkPolicy' && api.startsWith('networking.k8s.io/')) policies.push(normalize(source, 'manifest', field(m, 'metadata'), field(m, 'spec')));
        else if (/NetworkPolicy$/.test(kind)) unmodelled.push({ source, kind: `${api}/${kind}` });
      }
    }
  }
  return { policies, unmodelled };
}

/** Namespaces a stack creates, with their labels (typed `kubernetes_namespace_v1` or a Namespace manifest). */
export function namespacesOfStack(stackJson: unknown): Array<{ name: string; labels: Record<string, string> }> {
  const resources = isObject(stackJson) && isObject(stackJson.resource) ? stackJson.resource : {};
  const out: Array<{ name: string; labels: Record<string, string> }> = [];
  for (const [type, byName] of Object.entries(resources)) {
    if (!isObject(byName)) continue;
    for (const body of Object.values(byName)) {
      let meta: unknown;
      if (type === 'kubernetes_namespace_v1' || type === 'kubernetes_namespace') meta = field(body, 'metadata');
      else if (type === 'kubernetes_manifest' && field(field(body, 'manifest'), 'kind') === 'Namespace') meta = field(field(body, 'manifest'), 'metadata');
      else continue;
      const m = Array.isArray(meta) ? meta[0] : meta;
      const name = field(m, 'name');
      if (typeof name === 'string') out.push({ name, labels: strings(field(m, 'labels')) });
    }
  }
  return out;
}

/** True when `labels` satisfy `sel` (Kubernetes label-selector semantics). */
export function selects(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && e.values.includes(value!))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(value!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** A label set that `sel` selects, as a pod group named by the selector; undefined if none can. */
export function representative(sel: LabelSelector): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...sel.matchLabels };
  for (const e of sel.matchExpressions) {
    if (e.operator === 'In' && !(e.key in labels) && e.values[0] !== undefined) labels[e.key] = e.values[0];
    if (e.operator === 'Exists' && !(e.key in labels)) labels[e.key] = '*';
  }
  return selects(sel, labels) ? labels : undefined;
}

/** `{}` or `{a=1,b=2}`, keys sorted: a stable name of a label set. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '*' : keys.map((k) => `${k}=${labels[k]}`).join(',');
}

export function formatSelector(sel: LabelSelector): string {
  const parts = [
    ...Object.keys(sel.matchLabels)
      .sort()
      .map((k) => `${k}=${sel.matchLabels[k]}`),
    ...sel.matchExpressions.map((e) => `${e.key} ${e.operator}${e.values.length ? ` (${e.values.join(',')})` : ''}`),
  ];
  return parts.length === 0 ? '*' : parts.join(',');
}
