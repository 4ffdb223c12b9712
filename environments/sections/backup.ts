/**
 * The `backup` section of an environment file: the tiers (defaults in policy/backup/tiers.ts,
 * overridable here), explicit tier assignments, the off-site target at the other site and the
 * receiving buckets this site keeps for others, the restore drills done, and the security-level
 * minimums when they are replaced by a cited source.
 *
 * Shapes are checked here; the checks that need the rest of the environment are in
 * {@link checkBackup}, which the schema's superRefine calls. Whether the tiers an environment
 * *uses* meet its level's minimums is checked at synth, when the services are known
 * (constructs/backup/coverage.ts).
 */
import { ipv4CidrSchema } from '../../lib/net';
import { z } from 'zod';
import { DRILL_KINDS, checkIsoDate } from '../../policy/backup/drills';
import { checkFiveFieldCron } from '../../lib/cron';
import { BACKUP_TIERS, checkDuration, resolveTiers, tierProblems, type BackupTierName } from '../../policy/backup/tiers';
import { gatewayEntry } from './gateway';

/** A zod string checked by a shared validator (its message says what is allowed). */
const checked = (check: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const message = check(value);
    if (message) ctx.addIssue({ code: 'custom', message, input: value });
  });

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const label = (what: string, max = 63) =>
  z
    .string()
    .max(max, { message: `${what} must be at most ${max} characters` })
    .regex(DNS_LABEL, { message: `${what} must be a lower-case DNS label: letters, digits and '-', starting with a letter` });

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name: 3-63 lower-case letters, digits and "-"' });
const httpsUrl = z.string().regex(/^https:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/.*)?$/i, { message: 'must be an https:// URL: backups never travel in clear' });
const cidr = ipv4CidrSchema('10.40.8.10/32').refine((c) => !c.endsWith('/0'), { message: "must name the other site's object store, not the whole Internet" });

/**
 * A service as the coverage table names it: `<cluster>/<namespace>` for a namespace,
 * `<cluster>/<namespace>/<name>` for a database cluster, broker cluster or bucket.
 */
export const SERVICE_ID = /^[a-z]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/;
const serviceId = z.string().regex(SERVICE_ID, {
  message: 'must name a service as the coverage table does: "<cluster>/<namespace>" for a namespace, "<cluster>/<namespace>/<name>" for a database, broker cluster or bucket (e.g. "core/postgres/main")',
});

/** Overrides of one tier; anything left out keeps the default of policy/backup/tiers.ts. */
const tierOverride = z.strictObject({
  description: z.string().min(10).optional(),
  /** Recovery point objective: "15m", "4h", "1d". */
  rpo: checked(checkDuration).optional(),
  /** Recovery time objective. */
  rto: checked(checkDuration).optional(),
  /** Five-field cron of Velero backups and off-site copies. */
  schedule: checked(checkFiveFieldCron).optional(),
  /** Five-field cron of database base backups. */
  baseBackupSchedule: checked(checkFiveFieldCron).optional(),
  retentionDays: z.number().int().min(1).max(3650).optional(),
  offsiteCopy: z.boolean().optional(),
  immutableCopy: z.boolean().optional(),
  drillEveryMonths: z.number().int().min(1).max(24).optional(),
});

/**
 * Where this environment's off-site copies go: the receiving bucket another site keeps for it
 * (declared there under `backup.receives`), reached over https at that site's S3 endpoint.
 */
const offsite = z.strictObject({
  /** The environment at the other site, e.g. "dr". */
  environment: label('an environment name', 40),
  /** That site's name (its `site.name`), e.g. "hcm-1". */
  site: label('a site name', 40),
  /** Distance between the two sites, km. */
  distanceKm: z.number().min(0),
  /** The other site's S3 endpoint, as reachable from here. */
  endpoint: httpsUrl,
  /** Its address block: the copier's only egress outside this cluster (a declared backup target). */
  cidr,
  /** @default 443 */
  port: z.number().int().min(1).max(65535).default(443),
  /** The receiving bucket at that site. */
  bucket: bucketName,
  /**
   * The Secret, in the `velero` namespace, with that site's keys for the receiving bucket
   * (delivered by the secret-management process from the other site; never in code or state).
   */
  credentialsSecret: label('a Secret name', 253),
  /** The keys of that Secret. @default Rook's user Secret keys: AccessKey, SecretKey */
  credentialKeys: z
    .strictObject({ accessKeyId: z.string().min(1).default('AccessKey'), secretAccessKey: z.string().min(1).default('SecretKey') })
    .default({ accessKeyId: 'AccessKey', secretAccessKey: 'SecretKey' }),
  /**
   * The Secret (velero namespace) and key of the CA that signed the other endpoint's certificate.
   * @default the internal CA bundle (both sites' certificates come from the ministry's internal CA)
   */
  ca: z.strictObject({ secretName: label('a Secret name', 253), key: z.string().min(1).default('ca.crt') }).optional(),
  /**
   * The receiving bucket has object lock, so nothing holding this site's credentials can delete
   * or overwrite what was copied (checked against the other environment's file by the tests).
   */
  immutable: z.boolean(),
});

/** A receiving bucket this site keeps for another environment's off-site copies. */
const receive = z.strictObject({
  /** The environment whose copies arrive, e.g. "prod". */
  from: label('an environment name', 40),
  /** The bucket's name; the other environment's `backup.offsite.bucket`. */
  bucket: bucketName,
  /**
   * The pods the other site's copier arrives through (the exchange zone's gateway, TLS
   * passthrough): the only peers allowed to write into this bucket's object store for it.
   */
  gateway: z.strictObject({
    namespace: label('a namespace'),
    podSelector: z.record(z.string(), z.string()).refine((s) => Object.keys(s).length > 0, { message: 'must name at least one label' }),
    /**
     * Who reaches the gateway from the sending site, and on which port of its pods: the
     * declared entry path. @default none: nothing outside reaches the gateway
     */
    entry: gatewayEntry.optional(),
  }),
});

const drill = z.strictObject({
  service: serviceId,
  kind: z.enum(DRILL_KINDS),
  /** The day of the last successful restore. */
  lastSuccess: checked(checkIsoDate),
  /** The ticket or report that proves it, e.g. "OPS-2026-0412". */
  evidence: z.string().min(3).optional(),
  /** How long the restore took (minutes); compared with the tier's RTO. */
  restoreMinutes: z.number().int().min(1).optional(),
  /**
   * A drill is under way: for `postgres-recovery`, declares the scratch recovery cluster (it
   * costs the cluster's storage until this is set back to false and applied). @default false
   */
  inProgress: z.boolean().default(false),
});

const minimum = z.strictObject({
  rule321: z.boolean(),
  separateInfrastructure: z.boolean(),
  maxDrillIntervalMonths: z.number().int().min(1).max(24).optional(),
  minStandbyDistanceKm: z.number().min(0).optional(),
  /** The document and clause the replacement comes from. */
  source: z.string().min(10, { message: 'must cite the document and clause the minimum comes from (10 characters at least)' }),
});

const tierName = z.enum(BACKUP_TIERS);

export const backupSection = z
  .strictObject({
    /** Overrides of the default tiers. @default {} */
    tiers: z.strictObject({ gold: tierOverride.optional(), silver: tierOverride.optional(), bronze: tierOverride.optional() }).default({}),
    /**
     * Tiers of services that do not derive one (a tenant namespace takes its data domain's, a
     * bucket in it too, a database's backup bucket its cluster's): `{"core/postgres/main": "gold"}`.
     * @default {}
     */
    assign: z.record(serviceId, tierName).default({}),
    /**
     * The tier of the platform: the data-zone namespaces (postgres, kafka, rook-ceph), whose
     * Kubernetes objects, including the credentials the operators generate, Velero backs up;
     * and the infrastructure that holds every domain's data (Kubernetes clusters, the Ceph
     * cluster, the object store), whose own data is its services'.
     * @default "gold" (they serve every domain)
     */
    platform: tierName.default('gold'),
    /** Where off-site copies go. Required when a tier in use keeps one. */
    offsite: offsite.optional(),
    /** Receiving buckets for other environments' off-site copies. @default [] */
    receives: z.array(receive).default([]),
    /** Restore drills done. @default [] */
    drills: z.array(drill).default([]),
    /** Whether restore drills are required (reported when overdue). @default true for class "production" */
    requireDrills: z.boolean().optional(),
    /** Replacements of the security-level minimums, each citing its source. @default the defaults of policy/backup/minimums.ts */
    levelMinimums: z
      .strictObject({ '1': minimum.optional(), '2': minimum.optional(), '3': minimum.optional(), '4': minimum.optional(), '5': minimum.optional() })
      .default({}),
    /**
     * Development only: the security-level minimums are not applied (a workstation has no second
     * site). The reason is reported in the coverage table.
     */
    waiver: z.strictObject({ reason: z.string().min(20, { message: 'must say why, in 20 characters at least' }) }).optional(),
  })
  .default({ tiers: {}, assign: {}, platform: 'gold', receives: [], drills: [], levelMinimums: {} });

export type BackupSectionInput = z.input<typeof backupSection>;
export type BackupSection = z.output<typeof backupSection>;
export type OffsiteTarget = NonNullable<BackupSection['offsite']>;
export type ReceiveConfig = BackupSection['receives'][number];

/** The environment fields the cross-field checks read (structural, to avoid an import cycle). */
interface EnvironmentView {
  readonly name: string;
  readonly class: string;
  readonly site: { readonly name: string };
  readonly clusters: ReadonlyArray<{ readonly name: string }>;
  readonly backup: BackupSection;
}

type Report = (path: (string | number)[], message: string, input: unknown) => void;

/** Whether an environment must drill its restores. */
export function drillsRequired(env: { readonly class: string; readonly backup: Pick<BackupSection, 'requireDrills'> }): boolean {
  return env.backup.requireDrills ?? env.class === 'production';
}

/**
 * Cross-field checks: the resolved tiers are consistent (schedule within RPO, immutable needs
 * off-site), the off-site target is another environment, services named exist as clusters,
 * and only a development environment waives the minimums.
 */
export function checkBackup(env: EnvironmentView, report: Report): void {
  const b = env.backup;
  const tiers = resolveTiers(b.tiers);
  for (const name of BACKUP_TIERS) {
    // A malformed override is already reported by its field; check the tier once its fields are sound.
    const o = b.tiers[name] ?? {};
    const malformed = [o.rpo, o.rto].some((d) => d !== undefined && checkDuration(d)) || [o.schedule, o.baseBackupSchedule].some((s) => s !== undefined && checkFiveFieldCron(s));
    if (malformed) continue;
    for (const [field, message, received] of tierProblems(tiers[name])) report(['backup', 'tiers', name, field], message, received);
  }
  if (b.waiver && env.class !== 'development') {
    report(['backup', 'waiver'], `only a development environment may waive the backup minimums (class is "${env.class}")`, b.waiver.reason);
  }
  if (b.offsite && b.offsite.environment === env.name) {
    report(['backup', 'offsite', 'environment'], 'must be another environment: an off-site copy kept by the same environment is not off-site', b.offsite.environment);
  }
  const clusters = env.clusters.map((c) => c.name);
  const clusterOf = (service: string) => service.split('/')[0]!;
  for (const service of Object.keys(b.assign)) {
    if (SERVICE_ID.test(service) && !clusters.includes(clusterOf(service))) {
      report(['backup', 'assign', service], `names cluster "${clusterOf(service)}", which this environment does not declare; declared: ${clusters.join(', ')}`, service);
    }
  }
  b.drills.forEach((d, i) => {
    if (SERVICE_ID.test(d.service) && !clusters.includes(clusterOf(d.service))) {
      report(['backup', 'drills', i, 'service'], `names cluster "${clusterOf(d.service)}", which this environment does not declare; declared: ${clusters.join(', ')}`, d.service);
    }
    if (d.inProgress && d.kind !== 'postgres-recovery') {
      report(['backup', 'drills', i, 'inProgress'], `only a postgres-recovery drill declares something while in progress (a scratch recovery cluster); a ${d.kind} drill follows its runbook`, d.inProgress);
    }
  });
  const seen = new Set<string>();
  b.receives.forEach((r, i) => {
    if (r.from === env.name) report(['backup', 'receives', i, 'from'], 'must be another environment: this one sends its copies to backup.offsite', r.from);
    if (seen.has(r.bucket)) report(['backup', 'receives', i, 'bucket'], 'duplicate receiving bucket', r.bucket);
    seen.add(r.bucket);
  });
}

/** The tier names, re-exported for environment files. */
export type { BackupTierName };

/** The fields of environments the off-site consistency check reads. */
interface OffsiteView {
  readonly name: string;
  readonly class: string;
  readonly site: { readonly name: string; readonly distanceFromPrimaryKm?: number };
  readonly backup: Pick<BackupSection, 'offsite' | 'receives'>;
}

/**
 * Across environments: each off-site target names an environment that declares a receiving
 * bucket of that name for it, at the site named, as far away as that environment's file says;
 * a target declared immutable is locked there (backup buckets are locked by default in
 * production and recovery); and every receiving bucket has a sender. Returns one message per
 * problem, each naming the file and the field.
 */
export function offsiteConsistencyProblems(envs: readonly OffsiteView[]): string[] {
  const out: string[] = [];
  const byName = new Map(envs.map((e) => [e.name, e]));
  for (const e of envs) {
    const o = e.backup.offsite;
    if (!o) continue;
    const at = `environments/${e.name}.ts: backup.offsite`;
    const other = byName.get(o.environment);
    if (!other) {
      out.push(`${at}.environment: names "${o.environment}", which is not among the environments loaded (${[...byName.keys()].join(', ')})`);
      continue;
    }
    if (other.site.name !== o.site) out.push(`${at}.site: is "${o.site}", but environment "${other.name}" is at site "${other.site.name}"`);
    const distance = other.site.distanceFromPrimaryKm ?? e.site.distanceFromPrimaryKm;
    if (distance !== undefined && distance !== o.distanceKm) out.push(`${at}.distanceKm: is ${o.distanceKm}, but the environment files put the sites ${distance} km apart`);
    const receive = other.backup.receives.find((r) => r.from === e.name);
    if (!receive) out.push(`${at}: environment "${other.name}" keeps no receiving bucket for "${e.name}"; add { from: '${e.name}', bucket: '${o.bucket}', gateway } to its backup.receives`);
    else if (receive.bucket !== o.bucket) out.push(`${at}.bucket: is "${o.bucket}", but environment "${other.name}" receives "${e.name}" in bucket "${receive.bucket}"`);
    if (o.immutable && other.class !== 'production' && other.class !== 'recovery') {
      out.push(`${at}.immutable: is true, but environment "${other.name}" (class "${other.class}") does not lock backup buckets by default`);
    }
  }
  for (const e of envs) {
    for (const r of e.backup.receives) {
      const sender = byName.get(r.from);
      if (sender && sender.backup.offsite?.environment !== e.name) out.push(`environments/${e.name}.ts: backup.receives: keeps bucket "${r.bucket}" for "${r.from}", whose backup.offsite does not point here`);
    }
  }
  return out;
}
