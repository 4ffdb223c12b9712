/**
 * Accepted audit findings of an environment: each a rule of the pack (policy/audit/rules), a reason an
 * auditor can check, an owner and an expiry. They are written into the synthesized output and
 * listed in every audit report; an expired one suppresses nothing and is itself a finding.
 */
import { z } from 'zod';
import { RULE_IDS } from '../../policy/audit/rules';

export const auditSuppressionSchema = z.strictObject({
  /** Rule ID, e.g. "BAK-004". */
  rule: z.string().refine((id) => RULE_IDS.has(id), { message: `must be a rule ID of the pack (policy/audit/rules): ${[...RULE_IDS].sort().join(', ')}` }),
  reason: z.string().min(10, { message: 'must explain the accepted risk in at least 10 characters' }),
  /** Who answers for it: team/person. */
  owner: z.string().regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/, { message: 'must be team/person, e.g. "platform/backup-lead"' }),
  expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD' }),
  /**
   * The construct it applies to, as a path inside each stack (e.g. "access/platform-admins");
   * stacks without it are untouched. @default the whole stack
   */
  path: z.string().min(1).optional(),
});

/** @default [] */
export const auditSection = z.array(auditSuppressionSchema).default([]);
export type AuditSuppressionConfig = z.output<typeof auditSuppressionSchema>;
