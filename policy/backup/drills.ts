/**
 * Restore drills as data. A backup nobody has restored is a hope: every tiered service of an
 * environment that requires drills must have a recorded successful restore no older than its
 * tier allows. Drills are recorded in the environment file (`backup.drills`), written into the
 * synthesized services stacks (the `backup` record, see record.ts), and checked against a day
 * by {@link overdueDrills}, which the coverage table and the audit call. Synthesis itself never
 * depends on the date, so the same code always synthesizes the same output.
 *
 * No cdktf import: the environment schema and the standalone audit use this module.
 */
import { calendarDateProblem } from '../../lib/dates';
import type { BackupTier, BackupTierName } from './tiers';
import { durationMinutes, formatMinutes } from './tiers';

/**
 * How a service's restore is proven:
 * - `postgres-recovery`: a scratch CloudNativePG cluster bootstrapped from the object store
 *   (base backup and WAL), queried, then removed (`inProgress` declares it);
 * - `velero-restore`: a Velero restore of the namespace into a scratch namespace (runbook from
 *   `npm run backups -- --runbook <service>`);
 * - `bucket-restore`: objects restored from the off-site copy (or earlier versions) into a
 *   scratch prefix and compared;
 * - `kafka-mirror`: the off-site MirrorMaker 2 copy consumed at the other site and compared.
 */
export const DRILL_KINDS = ['postgres-recovery', 'velero-restore', 'bucket-restore', 'kafka-mirror', 'raft-restore'] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];

/**
 * What kind of service a tiered resource is, for the coverage table and its drill. A
 * `backup-store` (Velero's bucket, a receiving bucket) holds other services' backups: their
 * drills prove it. `other` is infrastructure holding other services' data. `secret-store` is
 * OpenBao, restored from a Raft snapshot.
 */
export type ServiceKind = 'postgres' | 'kafka' | 'bucket' | 'namespace' | 'backup-store' | 'secret-store' | 'other';

/** The drill that proves a restore of a kind of service. */
export function drillKindFor(kind: ServiceKind): DrillKind | undefined {
  switch (kind) {
    case 'postgres':
      return 'postgres-recovery';
    case 'kafka':
      return 'kafka-mirror';
    case 'bucket':
      return 'bucket-restore';
    case 'namespace':
      return 'velero-restore';
    case 'secret-store':
      return 'raft-restore';
    default:
      return undefined;
  }
}

/** One recorded drill (`backup.drills[]` of an environment file). */
export interface DrillRecord {
  /** The service restored, as in the coverage table: `core/postgres/main`, `core/app-trade`. */
  readonly service: string;
  readonly kind: DrillKind;
  /** The day of the last successful restore, YYYY-MM-DD. */
  readonly lastSuccess: string;
  /** The ticket or report that proves it. */
  readonly evidence?: string;
  /** How long that restore took, in minutes; compared with the tier's RTO. */
  readonly restoreMinutes?: number;
  /** A drill is under way: for `postgres-recovery`, the scratch recovery cluster is declared. */
  readonly inProgress?: boolean;
}

/** A service that must be drilled, as the synthesized record lists it. */
export interface DrillRequirement {
  readonly service: string;
  readonly kind: DrillKind;
  readonly tier: BackupTierName;
  /** Months between drills (the tier's, capped by the security level's minimum). */
  readonly everyMonths: number;
  /** The tier's RTO. */
  readonly rto: string;
}

/** What {@link overdueDrills} reads: the `drills` part of a synthesized backup record. */
export interface DrillPlan {
  readonly environment: string;
  /** Whether this environment must drill its restores (production by default). */
  readonly requireDrills: boolean;
  readonly required: readonly DrillRequirement[];
  readonly drills: readonly DrillRecord[];
}

export type DrillFindingReason = 'never' | 'overdue' | 'slower-than-rto';

export interface OverdueDrill {
  readonly environment: string;
  readonly service: string;
  readonly kind: DrillKind;
  readonly tier: BackupTierName;
  readonly reason: DrillFindingReason;
  /** The last success, if any. */
  readonly lastSuccess?: string;
  /** The day the next drill was due. */
  readonly dueBy?: string;
  readonly evidence?: string;
  /** One sentence: what is wrong and what to do. */
  readonly message: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a YYYY-MM-DD date; undefined when fine (lib/dates.ts). */
export const checkIsoDate = calendarDateProblem;

/** `date` plus whole months, clamped to the month's last day (2026-08-31 + 6 months = 2027-02-28). */
export function addMonths(date: string, months: number): string {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not a date: ${JSON.stringify(date)}`);
  const year = Number(m[1]);
  const month = Number(m[2]) - 1 + months;
  const y = year + Math.floor(month / 12);
  const mo = ((month % 12) + 12) % 12;
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  const day = Math.min(Number(m[3]), last);
  return `${String(y).padStart(4, '0')}-${String(mo + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The most recent recorded drill of a service and kind, on `today`: a drill dated after it has
 * not happened and is no evidence (the environment schema refuses one at synth; a report run
 * with an earlier --today ignores it).
 */
export function lastDrill(drills: readonly DrillRecord[], service: string, kind: DrillKind, today: string): DrillRecord | undefined {
  return drills.filter((d) => d.service === service && d.kind === kind && d.lastSuccess <= today).sort((a, b) => b.lastSuccess.localeCompare(a.lastSuccess))[0];
}

/** The drill requirement of a service of a tier (`everyMonths` capped by the level's minimum). */
export function drillRequirement(service: string, kind: ServiceKind, tier: BackupTier, maxMonths?: number): DrillRequirement | undefined {
  const drill = drillKindFor(kind);
  if (!drill) return undefined;
  const everyMonths = maxMonths === undefined ? tier.drillEveryMonths : Math.min(tier.drillEveryMonths, maxMonths);
  return { service, kind: drill, tier: tier.name, everyMonths, rto: tier.rto };
}

/**
 * The drills of an environment that are missing, overdue on `today` (YYYY-MM-DD), or whose
 * last restore took longer than the tier's RTO. Empty when the environment does not require
 * drills. Sorted by service, then kind.
 */
export function overdueDrills(plan: DrillPlan, today: string): OverdueDrill[] {
  const bad = checkIsoDate(today);
  if (bad) throw new Error(`today ${bad}, got ${JSON.stringify(today)}`);
  if (!plan.requireDrills) return [];
  const out: OverdueDrill[] = [];
  const base = (r: DrillRequirement) => ({ environment: plan.environment, service: r.service, kind: r.kind, tier: r.tier });
  for (const r of [...plan.required].sort((a, b) => a.service.localeCompare(b.service) || a.kind.localeCompare(b.kind))) {
    const last = lastDrill(plan.drills, r.service, r.kind, today);
    if (!last) {
      out.push({
        ...base(r),
        reason: 'never',
        message: `${plan.environment}: ${r.service} (tier ${r.tier}) has no recorded ${r.kind} drill; its tier requires one every ${r.everyMonths} months. Run one and record it in backup.drills`,
      });
      continue;
    }
    const dueBy = addMonths(last.lastSuccess, r.everyMonths);
    const evidence = last.evidence ? { evidence: last.evidence } : {};
    if (today > dueBy) {
      out.push({
        ...base(r),
        ...evidence,
        reason: 'overdue',
        lastSuccess: last.lastSuccess,
        dueBy,
        message: `${plan.environment}: the ${r.kind} drill of ${r.service} (tier ${r.tier}, every ${r.everyMonths} months) was due by ${dueBy}; the last success was ${last.lastSuccess}${last.evidence ? ` (${last.evidence})` : ''}`,
      });
    }
    if (last.restoreMinutes !== undefined && last.restoreMinutes > durationMinutes(r.rto)) {
      out.push({
        ...base(r),
        ...evidence,
        reason: 'slower-than-rto',
        lastSuccess: last.lastSuccess,
        dueBy,
        message: `${plan.environment}: the last ${r.kind} drill of ${r.service} took ${formatMinutes(last.restoreMinutes)}, more than tier ${r.tier}'s RTO of ${r.rto}; speed the restore up or move the service to a tier whose RTO it meets`,
      });
    }
  }
  return out;
}
