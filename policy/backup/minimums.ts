/**
 * The backup minimums of each information-system security level (1-5, TCVN 14423:2026 as
 * paraphrased by ../shared/reference/governance.md section 4, controls B1 and B2), and the
 * check that the tiers an environment uses meet its level's.
 *
 * These rest on one unofficial source (an open-source toolkit paraphrasing the standard,
 * tagged [R], confidence M): each minimum carries its `source`, and an environment can replace
 * a level's minimums with a cited one (`backup.levelMinimums`) once the official text is read.
 *
 * No cdktf import: the environment schema uses this module.
 */
import type { BackupTier, BackupTierName } from './tiers';

export type SecurityLevel = 1 | 2 | 3 | 4 | 5;

/** What a security level requires of every backup. */
export interface LevelMinimum {
  /**
   * The 3-2-1 rule: three copies (the data and two backups), on two kinds of media, one of them
   * off-site. Here: every tier used keeps an off-site copy, and the environment declares an
   * off-site target (`backup.offsite`) at another site.
   */
  readonly rule321: boolean;
  /**
   * Backups on infrastructure independent of production: the off-site copy lives in another
   * site's object store, which production's credentials cannot delete from (a receiving bucket
   * with object lock, or a write-only user).
   */
  readonly separateInfrastructure: boolean;
  /** A restore of every service proven at least this often (months). @default no minimum */
  readonly maxDrillIntervalMonths?: number;
  /** The standby (off-site) site at least this far from this one (km). @default no minimum */
  readonly minStandbyDistanceKm?: number;
  /** Where the minimum comes from, for the auditor. */
  readonly source: string;
}

const R = 'governance.md section 4, from the unofficial toolkit ldphuong-vn/vn-cyber-compliance paraphrasing TCVN 14423:2026 ([R], confidence M)';

/** The defaults, from governance.md section 4 (B1, B2). */
export const DEFAULT_LEVEL_MINIMUMS: Readonly<Record<SecurityLevel, LevelMinimum>> = {
  1: { rule321: false, separateInfrastructure: false, source: 'no backup minimum found for level 1' },
  2: { rule321: false, separateInfrastructure: false, source: 'no backup minimum found for level 2' },
  3: { rule321: true, separateInfrastructure: false, source: `B1: 3-2-1 rule, automated central backup (L3 5.11); ${R}` },
  4: {
    rule321: true,
    separateInfrastructure: true,
    maxDrillIntervalMonths: 6,
    source: `B2: backups on independent infrastructure separated from production (6.11.2.4), restore test every 6 months (6.11.2.5); ${R}`,
  },
  5: {
    rule321: true,
    separateInfrastructure: true,
    maxDrillIntervalMonths: 3,
    minStandbyDistanceKm: 30,
    source: `B2: geographically separate backup, restore test quarterly, standby site at least 30 km away (7.12.2.2 a); ${R}`,
  },
};

/** The minimums in force for an environment: the defaults, with its cited replacements. */
export function minimumsFor(level: number, overrides: Partial<Record<string, LevelMinimum>> = {}): LevelMinimum {
  const l = Math.min(5, Math.max(1, Math.round(level))) as SecurityLevel;
  return overrides[String(l)] ?? DEFAULT_LEVEL_MINIMUMS[l];
}

/** The parts of an environment the minimums are checked against. */
export interface MinimumsInput {
  readonly name: string;
  readonly securityLevel: number;
  readonly site: { readonly name: string };
  readonly offsite?: { readonly site: string; readonly distanceKm: number; readonly immutable: boolean };
}

/** A tier in use, with the services that use it (named in messages). */
export interface TierInUse {
  readonly tier: BackupTier;
  readonly services: readonly string[];
}

function servicesOf(t: TierInUse): string {
  const shown = t.services.slice(0, 3).join(', ');
  return t.services.length > 3 ? `${shown} and ${t.services.length - 3} more` : shown;
}

/**
 * Every way the tiers used in an environment fall short of its level's minimums, each one
 * sentence naming the tier, the services using it, the rule and its source, and the fix.
 * Empty when they comply.
 */
export function minimumProblems(env: MinimumsInput, used: readonly TierInUse[], minimum: LevelMinimum): string[] {
  const out: string[] = [];
  const level = `security level ${env.securityLevel}`;
  const cite = `(${minimum.source})`;
  if (used.length === 0) return out;
  for (const u of used) {
    const t = u.tier;
    const who = `tier "${t.name}" (used by ${servicesOf(u)})`;
    if (minimum.rule321 && !t.offsiteCopy) {
      out.push(`${who} keeps no off-site copy, but ${level} requires the 3-2-1 rule ${cite}; set backup.tiers.${t.name}.offsiteCopy to true, or move those services to a tier that has one`);
    }
    if (minimum.maxDrillIntervalMonths !== undefined && t.drillEveryMonths > minimum.maxDrillIntervalMonths) {
      out.push(
        `${who} drills a restore every ${t.drillEveryMonths} months, but ${level} requires one at least every ${minimum.maxDrillIntervalMonths} months ${cite}; set backup.tiers.${t.name}.drillEveryMonths to ${minimum.maxDrillIntervalMonths} or less`,
      );
    }
  }
  const offsiteUsed = used.filter((u) => u.tier.offsiteCopy);
  if (offsiteUsed.length > 0) {
    const tiers = offsiteUsed.map((u) => `"${u.tier.name}"`).join(', ');
    if (!env.offsite) {
      out.push(`tier${offsiteUsed.length === 1 ? '' : 's'} ${tiers} keep${offsiteUsed.length === 1 ? 's' : ''} an off-site copy, but environment "${env.name}" declares no off-site target; add backup.offsite (the other site's object store and receiving bucket)`);
    } else {
      if (minimum.rule321 && env.offsite.site === env.site.name) {
        out.push(`the off-site target is at site "${env.offsite.site}", this environment's own site, but ${level} requires a copy at another site (3-2-1) ${cite}; point backup.offsite at the other site`);
      }
      if (minimum.separateInfrastructure && !env.offsite.immutable) {
        out.push(
          `the off-site target is not declared immutable, but ${level} requires backups on infrastructure independent of production ${cite}: production's credentials must not be able to delete them; use a receiving bucket with object lock and set backup.offsite.immutable to true`,
        );
      }
      if (minimum.minStandbyDistanceKm !== undefined && env.offsite.distanceKm < minimum.minStandbyDistanceKm) {
        out.push(`the off-site site "${env.offsite.site}" is ${env.offsite.distanceKm} km away, but ${level} requires a standby site at least ${minimum.minStandbyDistanceKm} km away ${cite}`);
      }
    }
  }
  const immutableUsed = used.filter((u) => u.tier.immutableCopy);
  if (immutableUsed.length > 0 && env.offsite && !env.offsite.immutable) {
    out.push(
      `tier${immutableUsed.length === 1 ? '' : 's'} ${immutableUsed.map((u) => `"${u.tier.name}"`).join(', ')} require${immutableUsed.length === 1 ? 's' : ''} an immutable copy, but the off-site target is not declared immutable; use a receiving bucket with object lock (backup.receives at the other site) and set backup.offsite.immutable to true`,
    );
  }
  return out;
}

/** The tier names in a list of tiers in use, for messages. */
export function tierNames(used: readonly TierInUse[]): BackupTierName[] {
  return used.map((u) => u.tier.name);
}
