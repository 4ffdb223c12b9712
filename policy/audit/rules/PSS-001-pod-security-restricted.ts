import { describeObject, fail, pass } from '../checks';
import { defineRule } from '../rule';

export const POD_SECURITY_EXCEPTION_ANNOTATION = 'moit.gov.vn/pod-security-exception';
/** Optional annotations a construct may add to an exception: who answers for it, and until when. */
export const EXCEPTION_OWNER_ANNOTATION = 'moit.gov.vn/exception-owner';
export const EXCEPTION_EXPIRES_ANNOTATION = 'moit.gov.vn/exception-expires';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A namespace does not enforce the Pod Security "restricted" level and records no reason for the exception.',
  why: 'Below restricted, pods may run as root, escalate privileges or mount host paths; each relaxation must be a visible, justified exception.',
  controls: ['CIS-5.2', 'ISO-8.9', 'NIST-CM-6', 'NIST-AC-6'],
  check(stack) {
    return stack.objectsOf('Namespace').map((ns) => {
      const level = ns.labels['pod-security.kubernetes.io/enforce'];
      if (level === 'restricted') return pass(ns, `${describeObject(ns)} enforces Pod Security "restricted"`);
      const reason = (ns.annotations[POD_SECURITY_EXCEPTION_ANNOTATION] ?? '').trim();
      if (!level) return fail(ns, `${describeObject(ns)} has no pod-security.kubernetes.io/enforce label, so nothing is enforced; create it with ZonedNamespace`);
      if (reason.length < 10) return fail(ns, `${describeObject(ns)} enforces "${level}" without a reason; set podSecurityException.reason (10+ characters) or use restricted`);
      const owner = ns.annotations[EXCEPTION_OWNER_ANNOTATION];
      const expires = ns.annotations[EXCEPTION_EXPIRES_ANNOTATION];
      return pass(ns, `${describeObject(ns)} enforces "${level}" by declared exception: ${reason}`, {
        kind: 'pod-security',
        reason: `${level}: ${reason}`,
        ...(owner ? { owner } : {}),
        ...(expires ? { expires } : {}),
      });
    });
  },
});
