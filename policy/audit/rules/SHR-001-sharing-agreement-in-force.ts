import { fail, pass } from '../checks';
import { dayNumber } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';
import { sharingOf } from '../../../lib/markers';

export default defineRule(__filename, {
  severity: 'error',
  title: 'Access is granted under a sharing agreement that is expired, not yet in force, or not recorded in the stack.',
  why: 'Data may be shared only under a current, approved agreement (Decree 278/2025, Decree 194/2025 Art. 16); an expired agreement must grant nothing.',
  controls: ['ISO-5.14', 'NIST-AC-3', 'VN-SH'],
  check(stack, context) {
    const today = dayNumber(context.today)!;
    const out: Evaluation[] = [];
    for (const r of stack.resources) {
      const ids = sharingOf(r.body);
      if (ids.length === 0) continue;
      const problems: string[] = [];
      let onlyExpired = true;
      for (const id of ids) {
        const a = stack.sharingAgreements[id];
        const start = dayNumber(a?.start);
        const expiry = dayNumber(a?.expiry);
        if (!a || start === undefined || expiry === undefined) {
          problems.push(`${id} has no record with start and expiry in this stack's "//".sharingAgreements (recordAgreements, issue 10)`);
          onlyExpired = false;
        } else if (today > expiry) {
          problems.push(`${id} expired on ${a.expiry}`);
        } else if (today < start) {
          problems.push(`${id} starts on ${a.start}`);
          onlyExpired = false;
        }
      }
      const name = r.path ?? r.address;
      out.push(
        problems.length > 0
          ? { ...fail(undefined, `${name} grants access under ${problems.join('; ')}; renew the agreement or remove the access`, r), lapsed: onlyExpired }
          : pass(undefined, `${name} grants access under ${ids.map((id) => `${id} (until ${stack.sharingAgreements[id]!.expiry})`).join(', ')}`, undefined, r),
      );
    }
    return out;
  },
});
