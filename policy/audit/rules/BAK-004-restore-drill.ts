import { fail, keepsData, pass } from '../checks';
import { dayNumber } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';
import { backupTierOf, statefulKindOf } from '../../../lib/markers';

/**
 * Longest gap between successful restore drills, by security level: level 3 yearly (ISO 27001
 * A.8.13 "regularly tested"; the project's choice), level 4 every 6 months (TCVN 14423
 * 6.11.2.5), level 5 quarterly (TCVN 14423 level 5), per governance.md 1.2.3 [R].
 */
export const DRILL_INTERVAL_DAYS: Readonly<Record<number, number>> = { 1: 365, 2: 365, 3: 365, 4: 183, 5: 92 };

export default defineRule(__filename, {
  severity: 'error',
  title: 'A backup tier in use has no successful restore drill recorded within the interval its security level requires.',
  why: 'A backup never restored is a hope, not a control: auditors ask for proof that restores work (ISO 27001 A.8.13, TCVN 14423 6.11.2.5).',
  controls: ['ISO-8.13', 'NIST-CP-9', 'VN-B2'],
  check(stack, context) {
    if (!keepsData(stack)) return [];
    const level = stack.environment!.securityLevel;
    const interval = DRILL_INTERVAL_DAYS[level] ?? 365;
    const today = dayNumber(context.today)!;
    const used = new Set(stack.resources.filter((r) => statefulKindOf(r.body)).map((r) => backupTierOf(r.body)).filter((t): t is string => !!t));
    const out: Evaluation[] = [];
    for (const tier of [...used].sort()) {
      const drills = stack.restoreDrills.filter((d) => d.tier === tier && dayNumber(d.lastSuccess) !== undefined);
      const last = drills.sort((a, b) => (a.lastSuccess < b.lastSuccess ? 1 : -1))[0];
      if (!last) {
        out.push(fail(undefined, `backup tier "${tier}" has never been restored: no "//".restoreDrills entry records a successful drill; run one and record it (issue 9)`));
        continue;
      }
      const age = today - dayNumber(last.lastSuccess)!;
      out.push(
        age > interval
          ? fail(undefined, `backup tier "${tier}": the last successful restore drill was on ${last.lastSuccess} (${age} days ago, evidence ${last.evidence}); security level ${level} requires one every ${interval} days`)
          : pass(undefined, `backup tier "${tier}" was restored on ${last.lastSuccess} (${age} days ago, evidence ${last.evidence}), within ${interval} days`),
      );
    }
    return out;
  },
});
