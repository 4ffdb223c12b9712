/**
 * Suppressions and sharing agreements of the new version that expire within 30 days
 * (policy/audit/engine.ts expiringSoon), as cautions of the diff report: a reviewer sees the date
 * coming before the audit starts failing on it.
 */
import { expiringSoon, EXPIRY_WARNING_DAYS } from '../../policy/audit/engine';
import { loadSynthesized } from '../audit/load';
import type { Finding } from './model';

/** One caution per suppression or agreement of `dir` expiring within 30 days of `today`. */
export function expiryFindings(dir: string, today: string): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const stack of loadSynthesized(dir)) {
    for (const n of expiringSoon(stack.model, today)) {
      if (seen.has(n.message)) continue;
      seen.add(n.message);
      out.push({
        rule: 'expiring-soon',
        severity: 'caution',
        stack: n.stack,
        message: n.message,
        why: `Within ${EXPIRY_WARNING_DAYS} days of its end date: when it passes, the audit fails (and the synth of every environment but development) with no change to the code.`,
      });
    }
  }
  return out;
}
