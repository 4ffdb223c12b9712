/**
 * The format of the data-domain catalogue and of sharing agreements (Law on Data 2024,
 * Art. 13: every dataset of a state body is classified by sharing character — shared, private,
 * open — and by importance — core, important, other). Validated with zod at load time, like
 * the environment files; cross-references and the sharing rules live in rules.ts.
 */
import { z } from 'zod';
import { BACKUP_TIERS, type BackupTierName } from '../../policy/backup/tiers';

const name = (what: string) =>
  z
    .string()
    .max(40, { message: `${what} must be at most 40 characters (it becomes part of Kubernetes names)` })
    .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, { message: `${what} must be a lower-case DNS label such as "energy-statistics"` });
const sqlName = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, { message: 'must be a lower-case SQL identifier such as "energy_stats"' });

export { BACKUP_TIERS, type BackupTierName };

const topicName = z.string().regex(/^[a-z][a-z0-9.-]{2,120}$/, { message: 'must be a Kafka topic name of lower-case letters, digits, "." and "-"' });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD' });

export const CLASSIFICATIONS = ['other', 'important', 'core'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
export const ACCESS_MODES = ['shared', 'private', 'open'] as const;

/** Rank of a classification: higher is more protected. */
export const classificationRank = (c: Classification): number => CLASSIFICATIONS.indexOf(c);

export const domainSchema = z.strictObject({
  name: name('a domain name'),
  /** Human title, Vietnamese first. */
  title: z.string().min(3),
  /** The ministry unit that owns the data and answers for it. */
  ownerUnit: z.string().min(3),
  /** The identity-provider group of the owner unit's data stewards (Kubernetes RBAC subject). */
  ownerGroup: z.string().min(3),
  classification: z.enum(CLASSIFICATIONS),
  /**
   * The item of Decision 20/2025/QĐ-TTg this domain is classified under; required for core
   * and important data, whose list that decision is the legal definition of.
   */
  decision20Item: z.string().min(3).optional(),
  accessMode: z.enum(ACCESS_MODES),
  /** Personal data held (Law 91/2025): none, basic, or sensitive. */
  personalData: z.enum(['none', 'basic', 'sensitive']),
  /**
   * State-secret level. This data centre is networked, and state secrets may only be processed
   * on air-gapped systems (Law 117/2025, Law 29/2018 Art. 5), so only "none" is accepted here.
   */
  stateSecret: z.enum(['none', 'mat', 'toi-mat', 'tuyet-mat']),
  /** How long the data is kept, in years. */
  retentionYears: z.number().int().min(1).max(100),
  /** Information-system security level required for this data (TCVN 14423:2026). */
  securityLevel: z.number().int().min(1).max(5),
  backupTier: z.enum(BACKUP_TIERS),
  /** A classification lowered from an earlier one must record why and who approved it. */
  reclassification: z
    .strictObject({ from: z.enum(CLASSIFICATIONS), reason: z.string(), approvalRef: z.string(), date: isoDate })
    .optional(),
  resources: z.strictObject({
    databases: z.array(z.strictObject({ name: sqlName, schemas: z.array(sqlName).min(1) })).default([]),
    topics: z.array(z.strictObject({ name: topicName, partitions: z.number().int().min(1).max(240).default(6) })).default([]),
    buckets: z.array(z.strictObject({ name: name('a bucket name'), purpose: z.enum(['data', 'archive']).default('data') })).default([]),
  }),
});

const domainConsumer = z.strictObject({ kind: z.literal('domain'), domain: name('a domain name') });
const externalConsumer = z.strictObject({
  kind: z.literal('external'),
  /** Short name of the other ministry or agency, e.g. "mof-customs". */
  organisation: name('an organisation name'),
  /** Full name, for people. */
  title: z.string().min(3),
  /** The zone its traffic enters through; only "exchange" is allowed (checked in rules.ts). */
  zone: z.enum(['dmz', 'app', 'data', 'mgmt', 'exchange']),
});

export const agreementSchema = z.strictObject({
  /** The agreement's reference, e.g. "SA-2026-004". */
  id: z.string().regex(/^SA-\d{4}-\d{3}$/, { message: 'must look like "SA-2026-004"' }),
  provider: name('a domain name'),
  consumer: z.discriminatedUnion('kind', [domainConsumer, externalConsumer]),
  shares: z.strictObject({
    topics: z.array(topicName).default([]),
    schemas: z.array(z.strictObject({ database: sqlName, schema: sqlName })).default([]),
    buckets: z.array(name('a bucket name')).default([]),
  }),
  /** Agreements grant reading only; writing into another unit's data is not shared, it is owned. */
  access: z.literal('read'),
  purpose: z.string().min(10, { message: 'must state the purpose in at least 10 characters' }),
  legalBasis: z.string().min(5),
  /** The approval document, e.g. "QĐ 1234/QĐ-BCT". */
  approvalRef: z.string().min(3),
  start: isoDate,
  expiry: isoDate,
  /** Explicit consent to share core data outside the ministry (with approvalRef). @default false */
  allowCoreDataOutsideMinistry: z.boolean().default(false),
  /** For a provider holding personal data: why the consumer needs it (Law 91/2025). */
  personalDataPurpose: z.string().optional(),
  /** Why a consumer classified lower than the provider may hold this data. */
  classificationReason: z.string().optional(),
});

export type DomainInput = z.input<typeof domainSchema>;
export type Domain = z.output<typeof domainSchema>;
export type AgreementInput = z.input<typeof agreementSchema>;
export type Agreement = z.output<typeof agreementSchema>;
