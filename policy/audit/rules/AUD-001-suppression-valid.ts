import { fail, pass } from '../checks';
import { suppressionsOf, type SuppressionRecord } from '../model';
import { defineRule } from '../rule';
import { formatProblems, isExpired } from '../suppression-format';
import type { Evaluation } from '../types';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A suppression is expired or incomplete (rule ID, reason of 10+ characters, owner as team/person, expiry date); it suppresses nothing.',
  why: 'An exception without an owner and an end date becomes permanent and unowned; auditors must see each one reviewed on time.',
  controls: ['ISO-8.9', 'NIST-CM-6'],
  suppressible: false,
  check(stack, context) {
    const out: Evaluation[] = [];
    const judge = (records: readonly SuppressionRecord[], where: string, resource?: Parameters<typeof pass>[3]) => {
      for (const s of records) {
        const what = `suppression of ${String(s.rule)} on ${where} (owner ${String(s.owner)})`;
        const problems = formatProblems(s, context.ruleIds);
        if (problems.length > 0) out.push(fail(undefined, `${what} is invalid: ${problems.join('; ')}`, resource));
        else if (isExpired(s, context.today)) out.push({ ...fail(undefined, `${what} expired on ${String(s.expires)}; fix the finding, or renew the suppression with a new review`, resource), lapsed: true });
        else out.push(pass(undefined, `${what} is valid until ${String(s.expires)}`, undefined, resource));
      }
    };
    judge(stack.stackSuppressions, `stack ${stack.name}`);
    for (const r of stack.resources) judge(suppressionsOf(r), r.path ?? r.address, r);
    return out;
  },
});
