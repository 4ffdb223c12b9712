/**
 * Backup tiers: what "gold", "silver" and "bronze" promise (RPO, RTO, schedules, retention,
 * off-site and immutable copies, how often a restore is drilled) and how each promise is
 * written for the tools that keep it (CloudNativePG, Velero, the off-site copier).
 *
 * No cdktf import: environment files and the schema use this module, and loading them must
 * stay cheap.
 */
import { checkFiveFieldCron, cronIntervalMinutes, sixFieldSchedule } from '../../lib/cron';
/** The backup tiers, strictest first. */
export const BACKUP_TIERS = ['gold', 'silver', 'bronze'] as const;
export type BackupTierName = (typeof BACKUP_TIERS)[number];

/** One tier's promise. Every field is defaulted in {@link DEFAULT_TIERS} and overridable per environment. */
export interface BackupTier {
  readonly name: BackupTierName;
  /** What the tier is for, in words a data owner understands. */
  readonly description: string;
  /**
   * Recovery point objective: the most data, in time, a loss may cost ("15m", "4h", "1d").
   * Services without continuous protection must back up at least this often.
   */
  readonly rpo: string;
  /** Recovery time objective: how long a restore may take. A drill that took longer is reported. */
  readonly rto: string;
  /**
   * When snapshot-style backups run: Velero backups of namespaces and the off-site copies of
   * buckets. Five fields (minute hour day-of-month month day-of-week), as a Kubernetes CronJob.
   */
  readonly schedule: string;
  /**
   * When full database backups run (CloudNativePG base backups). Five fields; the six-field form
   * CloudNativePG wants is derived. WAL is archived continuously in between.
   */
  readonly baseBackupSchedule: string;
  /** Days every backup is kept, in every tool. */
  readonly retentionDays: number;
  /** A copy must exist at another site (3-2-1: the "1"). */
  readonly offsiteCopy: boolean;
  /** A copy must be immutable (object lock), out of reach of an attacker holding production credentials. */
  readonly immutableCopy: boolean;
  /** A restore of every service of this tier must be proven at least this often (months). */
  readonly drillEveryMonths: number;
}

/**
 * The defaults. Every tier keeps an off-site copy and drills at least every six months: the
 * environments are at security level 3 or 4, whose minimums (3-2-1, restore test every six
 * months; see minimums.ts) a looser tier would fail.
 */
export const DEFAULT_TIERS: Readonly<Record<BackupTierName, BackupTier>> = {
  gold: {
    name: 'gold',
    description: 'Core and important data: continuous WAL archiving, backups every 4 hours, an immutable off-site copy, a restore drill every quarter.',
    rpo: '4h',
    rto: '4h',
    schedule: '0 */4 * * *',
    baseBackupSchedule: '0 1 * * *',
    retentionDays: 90,
    offsiteCopy: true,
    immutableCopy: true,
    drillEveryMonths: 3,
  },
  silver: {
    name: 'silver',
    description: 'Business data that can be re-entered within a day: backups twice a day, an off-site copy, a restore drill every six months.',
    rpo: '12h',
    rto: '24h',
    schedule: '15 */12 * * *',
    baseBackupSchedule: '15 2 * * *',
    retentionDays: 35,
    offsiteCopy: true,
    immutableCopy: false,
    drillEveryMonths: 6,
  },
  bronze: {
    name: 'bronze',
    description: 'Reference and derived data that can be rebuilt: a daily backup, a weekly full database backup, an off-site copy, a restore drill every six months.',
    rpo: '24h',
    rto: '72h',
    schedule: '30 3 * * *',
    baseBackupSchedule: '30 3 * * 0',
    retentionDays: 14,
    offsiteCopy: true,
    immutableCopy: false,
    drillEveryMonths: 6,
  },
};

/** Rank of a tier: higher is stricter. */
export function tierRank(tier: BackupTierName): number {
  return BACKUP_TIERS.length - BACKUP_TIERS.indexOf(tier);
}

/** The strictest of some tiers (gold over silver over bronze); undefined for none. */
export function strictestTier(tiers: Iterable<BackupTierName>): BackupTierName | undefined {
  let best: BackupTierName | undefined;
  for (const t of tiers) if (!best || tierRank(t) > tierRank(best)) best = t;
  return best;
}

// ---------------------------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------------------------

const DURATION = /^([1-9][0-9]*)(m|h|d)$/;

/** Checks a duration ("15m", "4h", "1d"); undefined when fine. */
export function checkDuration(text: string): string | undefined {
  return DURATION.test(text) ? undefined : 'must be a positive whole number of minutes, hours or days, such as "15m", "4h" or "1d"';
}

/** A duration in minutes; throws on a malformed one (check it first). */
export function durationMinutes(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  return m[2] === 'm' ? n : m[2] === 'h' ? n * 60 : n * 1440;
}

/** Minutes as people read them: "45m", "4h", "1d 2h". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes}m`;
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean).join(' ');
}

// ---------------------------------------------------------------------------------------------
// What each tool is told
// ---------------------------------------------------------------------------------------------

/** Barman's retention policy: a recovery window in days ("90d"). */
export function barmanRetention(tier: Pick<BackupTier, 'retentionDays'>): string {
  return `${tier.retentionDays}d`;
}

/** Velero's time to live of a backup ("2160h0m0s"). */
export function veleroTtl(tier: Pick<BackupTier, 'retentionDays'>): string {
  return `${tier.retentionDays * 24}h0m0s`;
}

/** The typed backup props of a CloudNativePG cluster (constructs/postgres) for a tier. */
export interface PostgresBackupSettings {
  /** Barman recovery window, "90d". */
  readonly retention: string;
  /** Six fields, seconds first. */
  readonly schedule: string;
}

/** What a Postgres cluster of this tier is told: its retention and six-field base-backup schedule. */
export function postgresBackupOf(tier: Pick<BackupTier, 'retentionDays' | 'baseBackupSchedule'>): PostgresBackupSettings {
  return { retention: barmanRetention(tier), schedule: sixFieldSchedule(tier.baseBackupSchedule) };
}

/** Tier settings an environment may override; every field optional. */
export type BackupTierOverride = Partial<Omit<BackupTier, 'name'>>;

/** The tiers of an environment: the defaults with its overrides applied. */
export function resolveTiers(overrides: Partial<Record<BackupTierName, BackupTierOverride | undefined>> = {}): Record<BackupTierName, BackupTier> {
  const out = {} as Record<BackupTierName, BackupTier>;
  for (const name of BACKUP_TIERS) out[name] = { ...DEFAULT_TIERS[name], ...(overrides[name] ?? {}), name };
  return out;
}

/** Problems of one tier's own values (not against an environment), as [field, message, received]. */
export function tierProblems(tier: BackupTier): Array<[keyof BackupTier, string, unknown]> {
  const out: Array<[keyof BackupTier, string, unknown]> = [];
  for (const f of ['rpo', 'rto'] as const) {
    const m = checkDuration(tier[f]);
    if (m) out.push([f, m, tier[f]]);
  }
  for (const f of ['schedule', 'baseBackupSchedule'] as const) {
    const m = checkFiveFieldCron(tier[f]);
    if (m) out.push([f, m, tier[f]]);
  }
  if (!Number.isInteger(tier.retentionDays) || tier.retentionDays < 1 || tier.retentionDays > 3650) {
    out.push(['retentionDays', 'must be a whole number of days from 1 to 3650', tier.retentionDays]);
  }
  if (!Number.isInteger(tier.drillEveryMonths) || tier.drillEveryMonths < 1 || tier.drillEveryMonths > 24) {
    out.push(['drillEveryMonths', 'must be a whole number of months from 1 to 24', tier.drillEveryMonths]);
  }
  if (tier.immutableCopy && !tier.offsiteCopy) {
    out.push(['immutableCopy', 'an immutable copy is kept off-site (a locked bucket at the other site), so it needs offsiteCopy: true', tier.immutableCopy]);
  }
  if (out.some(([f]) => f === 'rpo' || f === 'schedule')) return out;
  const interval = cronIntervalMinutes(tier.schedule);
  if (interval !== undefined && interval > durationMinutes(tier.rpo)) {
    out.push(['schedule', `runs only every ${formatMinutes(interval)} at the longest, more than the tier's RPO of ${tier.rpo}: a loss just before a run would lose more than promised; run it more often or raise the RPO`, tier.schedule]);
  }
  return out;
}

/**
 * The `backup` of a Postgres cluster in an environment file, from its tier (and the
 * environment's tier overrides): `backup: postgresBackupFor('gold')`. Synth checks that a
 * cluster's backups are at least as strict as its tier's.
 */
export function postgresBackupFor(tier: BackupTierName, overrides: Partial<Record<BackupTierName, BackupTierOverride | undefined>> = {}): PostgresBackupSettings {
  return postgresBackupOf(resolveTiers(overrides)[tier]);
}
