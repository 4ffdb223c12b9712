import { describeObject, fail, pass } from '../checks';
import { bucketNameOf, configuratorOf, OBJECT_LOCK_EXCEPTION_ANNOTATION, PURPOSE_LABEL } from '../buckets';
import { defineRule } from '../rule';

const LOCKED_CLASSES = ['production', 'recovery'];
const LOCKED_PURPOSES = ['backup', 'archive'];

export default defineRule(__filename, {
  severity: 'error',
  title: 'A backup or archive bucket in production or recovery has no object lock (WORM) applied and verified, and no recorded exception.',
  why: 'An immutable copy is the one an attacker with the backup credentials cannot delete (3-2-1-1-0); object lock can only be added, never removed.',
  controls: ['ISO-8.13', 'NIST-CP-9', 'VN-B2', 'VN-E5'],
  check(stack) {
    const cls = stack.environment?.class;
    if (!cls || !LOCKED_CLASSES.includes(cls)) return [];
    return stack.objectsOf('ObjectBucketClaim', 'objectbucket.io')
      .filter((claim) => LOCKED_PURPOSES.includes(claim.labels[PURPOSE_LABEL] ?? ''))
      .map((claim) => {
        const bucket = bucketNameOf(claim);
        const what = `${describeObject(claim)} (${claim.labels[PURPOSE_LABEL]} bucket ${bucket}, ${cls})`;
        const reason = (claim.annotations[OBJECT_LOCK_EXCEPTION_ANNOTATION] ?? '').trim();
        const script = configuratorOf(stack, claim)?.script ?? '';
        const locks = script.includes('put-object-lock-configuration') && script.includes('ObjectLockEnabled') && script.includes('get-object-lock-configuration');
        if (locks) return pass(claim, `${what} is locked (WORM) by its configurator Job, which verifies the default retention`);
        if (reason.length >= 10) return pass(claim, `${what} is not locked by declared exception: ${reason}`, { kind: 'object-lock', reason });
        return fail(claim, `${what} has no object lock applied and verified by its configurator Job; keep the Bucket default (COMPLIANCE lock) or record objectLock: { disabled: true, reason }`);
      });
  },
});
