/**
 * The backup record each stack with tiered services carries in its top-level `"//"` block
 * (`"//": { "backup": BackupRecord }`), next to the audit's `backupTiers` and `restoreDrills`
 * records (lib/markers.ts). The coverage table (`npm run backups`) and the standalone audit read
 * it from `cdk.tf.json`; nothing here needs cdktf.
 */
import type { DrillPlan, DrillRecord, DrillRequirement, ServiceKind } from './drills';
import type { LevelMinimum } from './minimums';
import type { BackupTier, BackupTierName } from './tiers';

/** One way a service's data is kept (the "how" of the coverage table). */
export interface BackupMechanism {
  /** A short name: `base-backup`, `wal-archiving`, `velero`, `offsite-copy`, `versioning`, `mirror-maker`. */
  readonly kind: string;
  /** When it runs (five-field cron), or "continuous". */
  readonly schedule: string;
  /** Days its copies are kept, when it keeps any. */
  readonly retentionDays?: number;
  /** Where its copies go, e.g. `bucket velero-prod-core` or `dr (hcm-1): bucket offsite-prod`. */
  readonly target?: string;
  /** The copy cannot be deleted or overwritten by production's credentials (object lock). */
  readonly immutable?: boolean;
  /** The copy is at another site. */
  readonly offsite?: boolean;
  /** One sentence for people. */
  readonly description: string;
  /**
   * The metric labels that single out what does it (`{ schedule: "app-trade" }` for a Velero
   * Schedule, `{ namespace: "velero", cronjob: "offsite-copy-gold" }` for a copier): its RPO
   * alert (policy/monitoring/alerts.ts) selects on them. Absent for what no metric watches.
   */
  readonly watch?: Readonly<Record<string, string>>;
}

/** A tiered service of a stack, with the resources that make it up and how it is kept. */
export interface BackupServiceRecord {
  /** `<cluster>/<namespace>[/<name>]`. */
  readonly service: string;
  readonly kind: ServiceKind;
  readonly tier: BackupTierName;
  /** Construct paths of the stateful resources (or the Velero Schedule) that make up the service. */
  readonly resources: readonly string[];
  readonly mechanisms: readonly BackupMechanism[];
}

export interface BackupRecord extends DrillPlan {
  readonly environment: string;
  readonly class: string;
  readonly securityLevel: number;
  readonly site: string;
  readonly cluster: string;
  readonly tiers: Readonly<Record<BackupTierName, BackupTier>>;
  /** The minimums applied (the level's), or the development waiver's reason. */
  readonly minimums: LevelMinimum;
  readonly waiver?: string;
  readonly offsite?: { readonly environment: string; readonly site: string; readonly distanceKm: number; readonly bucket: string; readonly immutable: boolean };
  readonly services: readonly BackupServiceRecord[];
  readonly requireDrills: boolean;
  readonly required: readonly DrillRequirement[];
  readonly drills: readonly DrillRecord[];
}

/** The backup record of a synthesized stack, if it has one. */
export function backupRecordOf(stackJson: unknown): BackupRecord | undefined {
  if (!stackJson || typeof stackJson !== 'object') return undefined;
  const top = (stackJson as Record<string, unknown>)['//'];
  if (!top || typeof top !== 'object') return undefined;
  const record = (top as Record<string, unknown>).backup;
  return record && typeof record === 'object' ? (record as BackupRecord) : undefined;
}
