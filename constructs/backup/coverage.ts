/**
 * Every stateful resource is covered by a backup tier, or synth fails naming it.
 *
 * `retain()` (lib/markers.ts) registers each stateful resource. When a stack is prepared for
 * synthesis, {@link prepareBackups} (called by EnvironmentStack.prepareStack) finds each one's
 * tier, writes the markers the audit and the coverage table read, checks the tiers in use
 * against the environment's security-level minimums, and records the stack's backup plan:
 *
 *   resource:  "//": { "stateful": "postgres", "backupTier": "gold", "backupService": "core/postgres/main" }
 *   stack:     "//": { "backupTiers": {...}, "restoreDrills": [...], "backup": BackupRecord }
 *
 * A resource's tier comes from, in order:
 * 1. {@link assignBackupTier} on the resource or a construct above it (nearest wins);
 * 2. the environment's `backup.assign["<cluster>/<namespace>/<name>"]`, by the service the
 *    resource belongs to (a Database belongs to its Cluster, a topic or node pool to its Kafka);
 * 3. the `moit.gov.vn/backup-tier` label of its namespace in the cluster layout (a tenant
 *    namespace carries its data domain's tier);
 * 4. for infrastructure that only holds other services' data (Kubernetes clusters, the Ceph
 *    cluster, the object store), the environment's `backup.platform` tier.
 */
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import type { Environment } from '../../environments/schema';
import { drillsRequired } from '../../environments/sections/backup';
import { UserError } from '../../lib/errors';
import { markBackupTier, recordBackupTiers, recordRestoreDrills, retainedKindOf, type StatefulKind } from '../../lib/markers';
import { TerraformResource, type TerraformStack } from '../../lib/tf';
import { BACKUP_TIER_LABEL, DOMAIN_LABEL, tenantNamespace, type NamespacePlan } from '../../policy/layout';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { drillRequirement, type DrillRequirement, type ServiceKind } from '../../policy/backup/drills';
import { minimumProblems, minimumsFor, type TierInUse } from '../../policy/backup/minimums';
import type { BackupMechanism, BackupRecord, BackupServiceRecord } from '../../policy/backup/record';
import { BACKUP_TIERS, resolveTiers, tierRank, type BackupTier, type BackupTierName } from '../../policy/backup/tiers';

/** What {@link assignBackupTier} records on a construct. */
export interface BackupAssignment {
  readonly tier: BackupTierName;
  /** The service the resources under the construct belong to. @default derived from each resource */
  readonly service?: string;
  /**
   * The kind of service. Given on a resource itself, it also makes that resource a service when
   * it is not stateful (a Velero Schedule is the coverage of a namespace).
   * @default from the stateful kind of each resource
   */
  readonly kind?: ServiceKind;
}

const assignments = new WeakMap<IConstruct, BackupAssignment>();

/**
 * Gives a resource, or every stateful resource under a construct, a backup tier. The nearest
 * assignment above a resource wins over the environment's `backup.assign` and namespace labels.
 */
export function assignBackupTier(target: IConstruct, tier: BackupTierName, options: { readonly service?: string; readonly kind?: ServiceKind } = {}): void {
  if (!BACKUP_TIERS.includes(tier)) throw new Error(`${target.node.path}: backup tier must be one of ${BACKUP_TIERS.join(', ')}, got ${JSON.stringify(tier)}`);
  assignments.set(target, { tier, ...options });
}

/** The assignment on a construct or the nearest one above it. */
export function backupAssignmentOf(c: IConstruct): BackupAssignment | undefined {
  for (let node: IConstruct | undefined = c; node; node = node.node.scope) {
    const a = assignments.get(node);
    if (a) return a;
  }
  return undefined;
}

const scratch = new WeakMap<IConstruct, string>();

/**
 * Declares a construct scratch: its stateful resources (a restore drill's recovered cluster)
 * hold only a copy made to be thrown away. At synth they lose `prevent_destroy` and the
 * `stateful` marker (so removing the drill is an ordinary plan), carry `"//".scratch` with the
 * reason instead, and need no backup tier.
 */
export function markScratch(target: IConstruct, reason: string): void {
  if (reason.trim().length < 10) throw new Error(`${target.node.path}: a scratch construct needs a reason of at least 10 characters, got ${JSON.stringify(reason)}`);
  scratch.set(target, reason);
}

function scratchReasonOf(c: IConstruct): string | undefined {
  for (let node: IConstruct | undefined = c; node; node = node.node.scope) {
    const r = scratch.get(node);
    if (r) return r;
  }
  return undefined;
}

/** Thrown at synth when a stateful resource has no tier or the tiers in use fail the minimums. */
export class BackupCoverageError extends UserError {
  constructor(
    readonly stackName: string,
    readonly problems: readonly string[],
  ) {
    super(`Backups (${stackName}): ${problems.length} problem${problems.length === 1 ? '' : 's'}. Nothing was synthesized.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BackupCoverageError';
  }
}

/**
 * Per stack: the mechanisms each service is kept by, late wiring that runs when the stack is
 * prepared (after every service exists), and consistency problems found by that wiring.
 */
export class BackupLedger extends Construct {
  static readonly ID = 'backup-ledger';

  /** The ledger of the stack `scope` belongs to (created on first use). */
  static of(scope: IConstruct): BackupLedger {
    const stack = stackOf(scope);
    return (stack.node.tryFindChild(BackupLedger.ID) as BackupLedger | undefined) ?? new BackupLedger(stack, BackupLedger.ID);
  }

  private readonly mechanisms = new Map<string, BackupMechanism[]>();
  private readonly finalizers: Array<() => void> = [];
  private readonly extra: string[] = [];
  private finalized = false;

  /** Records how a service is kept (shown in the coverage table). */
  addMechanism(service: string, mechanism: BackupMechanism): void {
    const list = this.mechanisms.get(service) ?? [];
    list.push(mechanism);
    this.mechanisms.set(service, list);
  }

  mechanismsOf(service: string): BackupMechanism[] {
    return [...(this.mechanisms.get(service) ?? [])];
  }

  /** Runs `fn` when the stack is prepared, once every service of the stack exists. */
  onPrepare(fn: () => void): void {
    if (this.finalized) throw new Error(`${this.node.path}: registered after the stack was prepared`);
    this.finalizers.push(fn);
  }

  /** A problem to report with the coverage check's. */
  reportProblem(message: string): void {
    this.extra.push(message);
  }

  /** @internal */
  runFinalizers(): void {
    if (this.finalized) return;
    this.finalized = true;
    for (const fn of this.finalizers) fn();
  }

  /** @internal */
  get problems(): readonly string[] {
    return this.extra;
  }
}

/** The stack a backup ledger belongs to: its cluster context, and a Terraform stack to walk. */
export type BackupStackView = ClusterContext & TerraformStack;

function stackOf(scope: IConstruct): BackupStackView {
  return ClusterContext.of(scope) as BackupStackView;
}

/** Stateful kinds that only hold other services' data: they take the environment's platform tier. */
export const CONTAINER_KINDS: ReadonlyArray<StatefulKind> = ['cluster', 'ceph-cluster', 'object-store'];

/** How infrastructure that only holds other services' data is covered. */
export const CONTAINER_MECHANISM: BackupMechanism = {
  kind: 'contents',
  schedule: 'per service',
  description: "holds other services' data, each backed up on its own tier (see their rows); the resource itself is re-created from this code",
};

/** The service kind of a stateful kind. */
export function serviceKindOf(kind: StatefulKind | undefined): ServiceKind {
  switch (kind) {
    case 'postgres':
      return 'postgres';
    case 'kafka':
    case 'kafka-topic':
      return 'kafka';
    case 'bucket':
      return 'bucket';
    default:
      return 'other';
  }
}

/** Kubernetes coordinates of a resource: for a custom resource its object, for a Helm release its name. */
function coordinatesOf(resource: TerraformResource): { namespace?: string; name?: string; object?: CustomResource['object'] } {
  const parent = resource.node.scope;
  if (parent instanceof CustomResource) {
    return { namespace: parent.object.metadata.namespace, name: parent.object.metadata.name, object: parent.object };
  }
  const r = resource as unknown as { nameInput?: unknown; namespaceInput?: unknown };
  return { namespace: typeof r.namespaceInput === 'string' ? r.namespaceInput : undefined, name: typeof r.nameInput === 'string' ? r.nameInput : undefined };
}

/**
 * The service a stateful resource belongs to, `<cluster>/<namespace>/<name>`: a Database
 * belongs to its Cluster, a Kafka node pool or topic to its Kafka, anything else is its own.
 */
export function serviceOf(cluster: string, resource: TerraformResource): string {
  const { namespace, name, object } = coordinatesOf(resource);
  if (!namespace || !name) return `${cluster}/${resource.node.scope?.node.id ?? resource.node.id}`;
  const group = object?.apiVersion.split('/')[0];
  const spec = (object?.spec ?? {}) as Record<string, unknown>;
  if (group === 'postgresql.cnpg.io' && object?.kind === 'Database') {
    const owner = (spec.cluster as { name?: unknown } | undefined)?.name;
    if (typeof owner === 'string') return `${cluster}/${namespace}/${owner}`;
  }
  if (group === 'kafka.strimzi.io' && object?.kind !== 'Kafka') {
    const owner = object?.metadata.labels?.['strimzi.io/cluster'];
    if (owner) return `${cluster}/${namespace}/${owner}`;
  }
  return `${cluster}/${namespace}/${name}`;
}

/** The tier of a namespace from the cluster layout's label, if it has one. */
export function namespaceTier(plan: readonly NamespacePlan[], namespace: string | undefined): BackupTierName | undefined {
  const label = plan.find((n) => n.name === namespace)?.labels?.[BACKUP_TIER_LABEL];
  return label && (BACKUP_TIERS as readonly string[]).includes(label) ? (label as BackupTierName) : undefined;
}

export interface Resolved {
  readonly service: string;
  readonly kind: ServiceKind;
  readonly tier?: BackupTierName;
  /** Where the tier came from, for messages. */
  readonly source?: string;
}

/** The tier, service and kind a resource resolves to now (late wiring uses it before the check). */
export function resolveBackupTier(resource: TerraformResource): Resolved {
  return resolve(stackOf(resource), resource, retainedKindOf(resource));
}

function resolve(stack: BackupStackView, resource: TerraformResource, stateful: StatefulKind | undefined): Resolved {
  const assigned = backupAssignmentOf(resource);
  const service = assigned?.service ?? serviceOf(stack.cluster, resource);
  const kind = assigned?.kind ?? serviceKindOf(stateful);
  if (assigned) return { service, kind, tier: assigned.tier, source: 'assignBackupTier' };
  const byConfig = stack.environment.backup.assign[service];
  if (byConfig) return { service, kind, tier: byConfig, source: 'backup.assign' };
  const byNamespace = namespaceTier(stack.namespaces, coordinatesOf(resource).namespace);
  if (byNamespace) return { service, kind, tier: byNamespace, source: `namespace label ${BACKUP_TIER_LABEL}` };
  if (stateful && CONTAINER_KINDS.includes(stateful)) return { service, kind, tier: stack.environment.backup.platform, source: 'backup.platform' };
  return { service, kind };
}

function environmentFile(env: Environment): string {
  return `environments/${env.name}.ts`;
}

/**
 * Resolves, checks and records the backups of a stack. Called once by
 * EnvironmentStack.prepareStack, before the network flows are rendered (late wiring may add
 * flows). Throws a {@link BackupCoverageError} listing every untiered stateful resource and
 * every level minimum the tiers in use fail.
 */
const SERVICES = new WeakMap<IConstruct, readonly string[]>();

/** The services (and namespaces) a prepared stack holds, as backup.assign names them. */
export function backupServicesOf(stack: IConstruct): readonly string[] {
  return SERVICES.get(stack) ?? [];
}

export function prepareBackups(stack: BackupStackView): BackupRecord | undefined {
  if (prepared.has(stack)) return prepared.get(stack);
  const record = prepare(stack);
  prepared.set(stack, record);
  return record;
}

const prepared = new WeakMap<BackupStackView, BackupRecord | undefined>();

/** The backup record {@link prepareBackups} wrote for a stack, once it has run; undefined before or when the stack has no tiered service. */
export function preparedBackupRecord(stack: BackupStackView): BackupRecord | undefined {
  return prepared.get(stack);
}

function prepare(stack: BackupStackView): BackupRecord | undefined {
  const ledger = stack.node.tryFindChild(BackupLedger.ID) as BackupLedger | undefined;
  ledger?.runFinalizers();
  const env = stack.environment;
  const tiers = resolveTiers(env.backup.tiers);
  const problems: string[] = [];
  const services = new Map<string, { kind: ServiceKind; tier: BackupTierName; resources: string[] }>();

  for (const c of stack.node.findAll()) {
    if (!(c instanceof TerraformResource)) continue;
    const stateful = retainedKindOf(c);
    const own = assignments.get(c);
    if (!stateful && !own?.kind) continue;
    const scratchReason = scratchReasonOf(c);
    if (scratchReason) {
      c.addOverride('//.stateful', undefined);
      c.addOverride('lifecycle.prevent_destroy', undefined);
      c.addOverride('//.scratch', scratchReason);
      continue;
    }
    const r = resolve(stack, c, stateful);
    if (!r.tier) {
      problems.push(
        `${c.node.path} holds data (${stateful}, service ${r.service}) but has no backup tier; assign one in ${environmentFile(env)} (backup.assign["${r.service}"]: "gold" | "silver" | "bronze"), or call assignBackupTier on it where it is declared`,
      );
      continue;
    }
    // A service holding a data domain's data is at least as strict as that domain's tier.
    const domain = coordinatesOf(c).object?.metadata.labels?.[DOMAIN_LABEL];
    const domainTier = domain ? namespaceTier(stack.namespaces, tenantNamespace(domain)) : undefined;
    if (domainTier && tierRank(domainTier) > tierRank(r.tier)) {
      problems.push(
        `${c.node.path}: service ${r.service} is tier "${r.tier}" (${r.source}) but holds data of domain "${domain}", whose tier is "${domainTier}"; a service takes the strictest tier of the domains whose data it holds: make it "${domainTier}" (backup.assign["${r.service}"] in ${environmentFile(env)})`,
      );
      continue;
    }
    markBackupTier(c, r.tier);
    c.addOverride('//.backupService', r.service);
    const entry = services.get(r.service);
    if (entry && entry.tier !== r.tier) {
      problems.push(`service ${r.service} is given two tiers: "${entry.tier}" (${entry.resources[0]}) and "${r.tier}" (${c.node.path}); one service has one tier`);
      continue;
    }
    const kind = entry && entry.kind !== 'other' ? entry.kind : r.kind;
    services.set(r.service, { kind, tier: r.tier, resources: [...(entry?.resources ?? []), c.node.path] });
  }

  problems.push(...(ledger?.problems ?? []));
  SERVICES.set(stack, [...services.keys(), ...stack.namespaces.map((n) => `${stack.cluster}/${n.name}`)]);
  const minimum = minimumsFor(env.securityLevel, env.backup.levelMinimums);
  if (!env.backup.waiver) {
    const byTier = new Map<BackupTierName, string[]>();
    for (const [service, s] of [...services.entries()].sort(([a], [b]) => a.localeCompare(b))) byTier.set(s.tier, [...(byTier.get(s.tier) ?? []), service]);
    const used: TierInUse[] = BACKUP_TIERS.filter((t) => byTier.has(t)).map((t) => ({ tier: tiers[t], services: byTier.get(t)! }));
    const offsite = env.backup.offsite;
    problems.push(
      ...minimumProblems(
        { name: env.name, securityLevel: env.securityLevel, site: env.site, offsite: offsite ? { site: offsite.site, distanceKm: offsite.distanceKm, immutable: offsite.immutable } : undefined },
        used,
        minimum,
      ).map((p) => `${environmentFile(env)}: ${p}`),
    );
  }
  if (problems.length > 0) throw new BackupCoverageError(stack.node.id, problems);
  if (services.size === 0) return undefined;
  return writeRecords(stack, tiers, minimum, services, ledger);
}

function offsiteLabel(env: Environment): string | undefined {
  const o = env.backup.offsite;
  return o ? `${o.environment} (${o.site}, ${o.distanceKm} km): bucket ${o.bucket}${o.immutable ? ' with object lock' : ''}` : undefined;
}

function writeRecords(
  stack: BackupStackView,
  tiers: Record<BackupTierName, BackupTier>,
  minimum: ReturnType<typeof minimumsFor>,
  services: Map<string, { kind: ServiceKind; tier: BackupTierName; resources: string[] }>,
  ledger: BackupLedger | undefined,
): BackupRecord {
  const env = stack.environment;
  const offsite = offsiteLabel(env);
  recordBackupTiers(
    stack,
    Object.fromEntries(BACKUP_TIERS.map((t) => [t, { retentionDays: tiers[t].retentionDays, ...(tiers[t].offsiteCopy && offsite ? { offsite } : {}) }])),
  );
  const list: BackupServiceRecord[] = [...services.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, s]) => {
      const own = ledger?.mechanismsOf(service) ?? [];
      return { service, kind: s.kind, tier: s.tier, resources: s.resources, mechanisms: own.length === 0 && s.kind === 'other' ? [CONTAINER_MECHANISM] : own };
    });
  const required: DrillRequirement[] = list
    .map((s) => drillRequirement(s.service, s.kind, tiers[s.tier], minimum.maxDrillIntervalMonths))
    .filter((r): r is DrillRequirement => r !== undefined);
  const inStack = new Set(list.map((s) => s.service));
  const drills = env.backup.drills.filter((d) => inStack.has(d.service));
  recordRestoreDrills(
    stack,
    drills.map((d) => ({ tier: services.get(d.service)!.tier, lastSuccess: d.lastSuccess, evidence: d.evidence ?? 'not recorded', target: d.service, kind: d.kind })),
  );
  const o = env.backup.offsite;
  const record: BackupRecord = {
    environment: env.name,
    class: env.class,
    securityLevel: env.securityLevel,
    site: env.site.name,
    cluster: stack.cluster,
    tiers,
    minimums: minimum,
    ...(env.backup.waiver ? { waiver: env.backup.waiver.reason } : {}),
    ...(o ? { offsite: { environment: o.environment, site: o.site, distanceKm: o.distanceKm, bucket: o.bucket, immutable: o.immutable } } : {}),
    services: list,
    requireDrills: drillsRequired(env),
    required,
    drills: drills.map((d) => ({ ...d })),
  };
  stack.addOverride('//.backup', record);
  return record;
}
