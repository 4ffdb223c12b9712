/**
 * The operational prerequisites: what must exist before (or while) the estate is applied but is
 * made outside this repository, and who makes it. Constructs declare the ones they consume with
 * `declarePrerequisite` (lib/markers.ts); the deployability check counts them as provided, and
 * `npm run prereqs` lists them per environment (tools/prereqs/).
 */
import { asString, isObject, type Resource, type StackModel } from './audit/model';
import { REFERENCE_KINDS, type RefKind } from './deploy/operators';

/** Who provides a prerequisite: the teams and processes of the data centre. */
export const PROVIDERS = {
  'secret-management': 'the bootstrap procedure of the secret-management team (docs/secrets.md), which creates the few Secrets that must exist before OpenBao and ESO run; keys never pass through this repository',
  'pki-team': 'the PKI team, which issues the data centre intermediate CA and hands over its keypair',
  'vsphere-admins': 'the vSphere administrators, who create the vCenter service account Cluster API uses',
  'peer-site': 'the operators of the other site, who issue credentials for their side of a copy or mirror',
  'registry-team': 'the team running the internal OCI registry that mirrors upstream images and charts',
  'identity-team': 'the team running the ministry identity provider (groups, issuer, client)',
  'network-team': 'the network team, which publishes DNS names and opens the routes',
  'security-officers': "the ministry's security officers, who hold the secret store's unseal material and the HSM",
} as const;
export type Provider = keyof typeof PROVIDERS;

/** Kinds of prerequisite. Kubernetes objects use their kind's name, lower case. */
/**
 * `secret`: a Kubernetes Secret that must exist before the secret store runs (the bootstrap set,
 * docs/secrets.md); `openbao-value`: an entry someone writes into OpenBao, which ESO then turns
 * into the Secret its consumer reads; `unseal-material`: what unseals OpenBao itself.
 */
export const PREREQUISITE_KINDS = ['secret', 'openbao-value', 'unseal-material', 'configmap', 'registry', 'identity-provider', 'dns-name'] as const;
export type PrerequisiteKind = (typeof PREREQUISITE_KINDS)[number];

/** One prerequisite, as declared. */
export interface Prerequisite {
  readonly kind: PrerequisiteKind;
  readonly name: string;
  readonly namespace?: string;
  readonly providedBy: Provider;
  readonly purpose: string;
  readonly keys: readonly string[];
  /** How it is rotated (every `secret` says so). */
  readonly rotation?: string;
}

/** A prerequisite where it was declared: the stack and resource that consume it. */
export interface DeclaredPrerequisite extends Prerequisite {
  readonly stack: string;
  readonly cluster: string;
  readonly resource: Resource;
}

/** The Kubernetes kind a prerequisite provides, if it is an object the reference check follows. */
export function referenceKindOf(kind: PrerequisiteKind): RefKind | undefined {
  const found = REFERENCE_KINDS.find((k) => k.toLowerCase() === kind);
  return found;
}

/** Checks one `"//".prerequisites` entry; returns the problems (empty when valid). */
export function prerequisiteProblems(value: unknown): string[] {
  if (!isObject(value)) return ['must be an object {kind, name, providedBy, purpose}'];
  const problems: string[] = [];
  if (!(PREREQUISITE_KINDS as readonly string[]).includes(String(value.kind))) problems.push(`kind must be one of ${PREREQUISITE_KINDS.join(', ')}, got ${JSON.stringify(value.kind)}`);
  if (typeof value.name !== 'string' || value.name === '') problems.push('name must be a non-empty string');
  if (!(String(value.providedBy) in PROVIDERS)) problems.push(`providedBy must be one of ${Object.keys(PROVIDERS).join(', ')}, got ${JSON.stringify(value.providedBy)}`);
  if (typeof value.purpose !== 'string' || value.purpose.length < 10) problems.push('purpose must say in a sentence why it is needed');
  // A Secret made by hand is one of the bootstrap set: it must say how it is rotated.
  if (value.kind === 'secret' && (typeof value.rotation !== 'string' || value.rotation.length < 10)) problems.push('rotation must say in a sentence how and by whom this bootstrap Secret is rotated');
  return problems;
}

/** The valid prerequisites declared on the resources of one stack. */
export function declaredPrerequisites(model: StackModel): DeclaredPrerequisite[] {
  const out: DeclaredPrerequisite[] = [];
  const cluster = model.environment?.cluster ?? model.name;
  for (const resource of model.resources) {
    const list = resource.comment.prerequisites;
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      if (prerequisiteProblems(p).length > 0 || !isObject(p)) continue;
      out.push({
        kind: p.kind as PrerequisiteKind,
        name: String(p.name),
        ...(asString(p.namespace) ? { namespace: asString(p.namespace) } : {}),
        providedBy: p.providedBy as Provider,
        purpose: String(p.purpose),
        keys: Array.isArray(p.keys) ? p.keys.filter((k): k is string => typeof k === 'string') : [],
        ...(typeof p.rotation === 'string' ? { rotation: p.rotation } : {}),
        stack: model.name,
        cluster,
        resource,
      });
    }
  }
  return out;
}
