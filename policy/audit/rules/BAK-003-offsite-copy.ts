import { fail, keepsData, pass } from '../checks';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';
import { backupTierOf, statefulKindOf } from '../../../lib/markers';

export default defineRule(__filename, {
  severity: 'error',
  title: 'From security level 4, a backup tier in use declares no off-site copy.',
  why: 'Level 4 requires backups on infrastructure independent of production (TCVN 14423 6.11.2.4); a copy on the same site is lost with the site.',
  controls: ['ISO-8.13', 'NIST-CP-6', 'NIST-CP-9', 'VN-B2'],
  check(stack) {
    if (!keepsData(stack) || stack.environment!.securityLevel < 4) return [];
    const used = new Set(stack.resources.filter((r) => statefulKindOf(r.body)).map((r) => backupTierOf(r.body)).filter((t): t is string => !!t));
    const out: Evaluation[] = [];
    for (const tier of [...used].sort()) {
      const record = stack.backupTiers[tier];
      if (!record) continue; // BAK-001 reports it
      const offsite = typeof record.offsite === 'string' ? record.offsite.trim() : '';
      out.push(
        offsite
          ? pass(undefined, `backup tier "${tier}" copies off site to ${offsite} (security level ${stack.environment!.securityLevel})`)
          : fail(undefined, `backup tier "${tier}" is used here at security level ${stack.environment!.securityLevel} but its record names no off-site copy; set "offsite" in the tier (issue 9)`),
      );
    }
    return out;
  },
});
