/**
 * Markers written into synthesized resources as Terraform JSON comments (`"//"` keys, which
 * Terraform ignores at any level). The diff, the deploy guard and the standalone audit read
 * them from `cdk.tf.json`, so they work on any build artefact without running our code.
 *
 *   "//": { "stateful": "postgres" }        the resource holds data (see `retain`)
 *   "//": { "sharing": ["agr-001", ...] }   the resource exists because of these sharing agreements
 */
import type { TerraformResource, TerraformStack } from './tf';

/** Kinds of stateful resource the deploy guard and the audit know about. */
export type StatefulKind = 'postgres' | 'kafka' | 'kafka-topic' | 'bucket' | 'object-store' | 'ceph-cluster' | 'volume' | 'cluster';

/**
 * Marks a resource as holding data. Outside ephemeral environments it gets Terraform's
 * `prevent_destroy`, so no plan can delete or replace it; in every environment it carries the
 * `stateful` marker.
 */
export function retain(resource: TerraformResource, kind: StatefulKind, ephemeral: boolean): void {
  resource.addOverride('//.stateful', kind);
  if (!ephemeral) resource.addOverride('lifecycle.prevent_destroy', true);
  retained.set(resource, kind);
}

/** Resources passed to `retain`, so synth can check each has a backup tier (constructs/backup/coverage.ts). */
const retained = new WeakMap<TerraformResource, StatefulKind>();

/** The stateful kind `retain` gave a resource in this process, if any. */
export function retainedKindOf(resource: TerraformResource): StatefulKind | undefined {
  return retained.get(resource);
}

/** Records the sharing agreements a resource (a grant, a user, a policy) derives from. */
export function markSharing(resource: TerraformResource, agreementIds: readonly string[]): void {
  resource.addOverride('//.sharing', [...agreementIds].sort());
}

function comment(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const c = (body as Record<string, unknown>)['//'];
  return c && typeof c === 'object' ? (c as Record<string, unknown>) : undefined;
}

/** The `stateful` marker of a synthesized resource body, if any. */
export function statefulKindOf(body: unknown): StatefulKind | undefined {
  const kind = comment(body)?.stateful;
  return typeof kind === 'string' ? (kind as StatefulKind) : undefined;
}

/** The sharing agreements a synthesized resource body derives from. */
export function sharingOf(body: unknown): string[] {
  const ids = comment(body)?.sharing;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

/** The construct path cdktf records for a synthesized resource body. */
export function constructPathOf(body: unknown): string | undefined {
  const meta = comment(body)?.metadata as Record<string, unknown> | undefined;
  return typeof meta?.path === 'string' ? meta.path : undefined;
}

// ---------------------------------------------------------------------------------------------
// Audit markers (audit/, issue 11). Stack-level records sit in the stack's own top-level "//"
// block; per-resource markers in the resource's "//" block. The standalone audit reads them.
//
//   "//": { "environment": { "name": "prod", "class": "production", ... } }    stack level
//   "//": { "backupTiers": { "gold": { "retentionDays": 35, "offsite": "dr" } } } stack level
//   "//": { "sharingAgreements": { "SA-2026-001": { "start": ..., "expiry": ... } } } stack level
//   "//": { "restoreDrills": [ { "tier": "gold", "lastSuccess": "2026-09-30", ... } ] } stack level
//   "//": { "backupTier": "gold" }                                              resource
//   "//": { "suppressions": [ { "rule", "reason", "owner", "expires" } ] }       resource or stack
// ---------------------------------------------------------------------------------------------

/** What the audit needs to know about the stack's environment and cluster. */
export interface EnvironmentRecord {
  readonly name: string;
  /** development | staging | production | recovery */
  readonly class: string;
  /** Information-system security level (TCVN 14423:2026), 1-5. */
  readonly securityLevel: number;
  /** May stateful resources be destroyed here? */
  readonly ephemeral: boolean;
  readonly site: string;
  readonly cluster: string;
  readonly layer: string;
  /** The cluster's namespaces and their zones, so rules in any stack know a namespace's zone. */
  readonly namespaces: Readonly<Record<string, string>>;
}

/** Records the environment, cluster and namespace zones of a stack (stacks/base.ts calls it). */
export function recordEnvironment(stack: TerraformStack, record: EnvironmentRecord): void {
  stack.addOverride('//.environment', record);
}

/** A backup tier's promises, as the audit checks them. */
export interface BackupTierRecord {
  /** Backups are kept at least this many days (CNPG retentionPolicy, Velero ttl). */
  readonly retentionDays: number;
  /** Where the off-site copy goes (e.g. "dr: s3://pg-backups-dr"); required from security level 4. @default none */
  readonly offsite?: string;
}

/** Records the backup tiers the stateful resources of a stack use (issue 9). */
export function recordBackupTiers(stack: TerraformStack, tiers: Readonly<Record<string, BackupTierRecord>>): void {
  stack.addOverride('//.backupTiers', tiers);
}

/** Marks a stateful resource with the backup tier that covers it (issue 9). */
export function markBackupTier(resource: TerraformResource, tier: string): void {
  resource.addOverride('//.backupTier', tier);
}

/** The `backupTier` marker of a synthesized resource body, if any. */
export function backupTierOf(body: unknown): string | undefined {
  const tier = comment(body)?.backupTier;
  return typeof tier === 'string' ? tier : undefined;
}

/** A sharing agreement as the audit checks it: in force between start and expiry (inclusive). */
export interface AgreementRecord {
  readonly start: string;
  readonly expiry: string;
  readonly provider: string;
  readonly consumer: string;
}

/** Records the agreements the resources of a stack derive from (issue 10, with `markSharing`). */
export function recordAgreements(stack: TerraformStack, agreements: Readonly<Record<string, AgreementRecord>>): void {
  stack.addOverride('//.sharingAgreements', agreements);
}

/** A restore drill that succeeded: the evidence that backups of a tier can be restored. */
export interface RestoreDrillRecord {
  readonly tier: string;
  /** YYYY-MM-DD of the last successful restore. */
  readonly lastSuccess: string;
  /** Where the proof is (ticket, report). */
  readonly evidence: string;
  /** What was restored (a construct path or service name). @default the whole tier */
  readonly target?: string;
}

/** Records the restore drills of the tiers a stack uses (issue 9). */
export function recordRestoreDrills(stack: TerraformStack, drills: readonly RestoreDrillRecord[]): void {
  stack.addOverride('//.restoreDrills', drills);
}

/** The top-level `"//"` block of a synthesized stack. */
export function stackCommentOf(stackJson: unknown): Record<string, unknown> {
  return comment(stackJson) ?? {};
}

// ---------------------------------------------------------------------------------------------
// Operational prerequisites (issue 17). A construct that consumes something made outside
// Terraform (a Secret the secret-management process creates, a CA keypair the PKI team issues)
// says so on the resource that consumes it; the deployability check counts it as provided, and
// `npm run prereqs` lists it with who provides it (policy/prerequisites.ts).
//
//   "//": { "prerequisites": [ { "kind": "secret", "name": "...", "namespace": "...", ... } ] } resource
// ---------------------------------------------------------------------------------------------

/** Something a resource needs that is made outside this repository, and who makes it. */
export interface PrerequisiteRecord {
  /** `secret`, `configmap`, ... (policy/prerequisites.ts PREREQUISITE_KINDS). */
  readonly kind: string;
  readonly name: string;
  /** The namespace, for namespaced objects. @default cluster-scoped */
  readonly namespace?: string;
  /** Who provides it (policy/prerequisites.ts PROVIDERS), e.g. `secret-management`. */
  readonly providedBy: string;
  /** Why it is needed, in one sentence. */
  readonly purpose: string;
  /** The keys it must hold (never their values). @default [] */
  readonly keys?: readonly string[];
  /** How it is rotated, and by whom (required for a `secret`: the bootstrap set says how each is renewed). */
  readonly rotation?: string;
}

const prerequisites = new WeakMap<TerraformResource, PrerequisiteRecord[]>();

/**
 * Declares that `resource` consumes something made outside Terraform. Calls add up: each
 * rewrites the whole `"//".prerequisites` list of the resource.
 */
export function declarePrerequisite(resource: TerraformResource, record: PrerequisiteRecord): void {
  // Declared again (a construct re-rendering), the same object replaces its earlier entry.
  const list = (prerequisites.get(resource) ?? []).filter((r) => !(r.kind === record.kind && r.name === record.name && r.namespace === record.namespace));
  list.push({ ...record, ...(record.keys ? { keys: [...record.keys] } : {}) });
  prerequisites.set(resource, list);
  resource.addOverride('//.prerequisites', list.map((r) => ({ ...r })));
}

/** The prerequisites recorded on a synthesized resource body (not validated). */
export function prerequisitesOf(body: unknown): unknown[] {
  const list = comment(body)?.prerequisites;
  return Array.isArray(list) ? list : [];
}

// ---------------------------------------------------------------------------------------------
// Declared network flows (issue 24). Each stack records the flows declared in it, so tools can
// compare what the NetworkPolicies enforce with what was declared, from the synthesized output:
//
//   "//": { "flows": [ { "from": {...}, "to": {...}, "ports": ["5432/TCP"], "purpose": ... } ] }
// ---------------------------------------------------------------------------------------------

/** One end of a declared flow: pods by labels, every pod of a namespace, or an address block. */
export type FlowEndRecord =
  | { readonly kind: 'pods'; readonly name: string; readonly namespace: string; readonly selector: Readonly<Record<string, string>> }
  | { readonly kind: 'namespace'; readonly name: string; readonly namespace: string }
  | {
      readonly kind: 'addresses';
      readonly name: string;
      readonly cidr: string;
      readonly controlPlane?: boolean;
      /** A declared wildcard (the whole Internet, with an exception): it covers every narrower block on purpose. */
      readonly wildcard?: boolean;
      /** Narrower declared blocks inside this one that it covers on purpose (a declared overlap). */
      readonly encloses?: ReadonlyArray<{ readonly name: string; readonly cidr: string; readonly reason: string }>;
    };

export interface FlowRecord {
  readonly from: FlowEndRecord;
  readonly to: FlowEndRecord;
  /** "5432/TCP", "6800-7568/TCP". */
  readonly ports: readonly string[];
  readonly purpose: string;
  /** The construct path that declared it. */
  readonly declaredBy: string;
  /** The reason of a declared exception (a wildcard, the Internet), if any. */
  readonly exception?: string;
  /** What writes its policies: the flow registry, or the namespace baseline (DNS). */
  readonly renderedBy: 'segmentation' | 'namespace-baseline';
}

/** Records the flows declared in a stack (constructs/network/segmentation.ts calls it). */
export function recordFlows(stack: TerraformStack, flows: readonly FlowRecord[]): void {
  stack.addOverride('//.flows', flows);
}

/** The declared flows recorded in a synthesized stack. */
export function flowsOf(stackJson: unknown): FlowRecord[] {
  const flows = stackCommentOf(stackJson).flows;
  return Array.isArray(flows) ? (flows as FlowRecord[]) : [];
}
