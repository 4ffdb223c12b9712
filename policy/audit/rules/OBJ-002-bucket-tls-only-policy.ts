import { describeObject, fail, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';

const isWildcardPrincipal = (p: unknown): boolean => p === '*' || (isObject(p) && (p.AWS === '*' || asArray(p.AWS).includes('*')));

/** Why a bucket policy does not deny non-TLS requests or allows the public, or undefined. */
export function policyProblem(policyText: string | undefined): string | undefined {
  if (!policyText) return 'has no bucketPolicy in spec.additionalConfig';
  let policy: unknown;
  try {
    policy = JSON.parse(policyText);
  } catch {
    return 'has a bucketPolicy that is not JSON';
  }
  const statements = asArray(isObject(policy) ? policy.Statement : undefined).filter(isObject);
  const denyInsecure = statements.some((s) => {
    if (s.Effect !== 'Deny' || !isWildcardPrincipal(s.Principal)) return false;
    const actions = typeof s.Action === 'string' ? [s.Action] : asArray(s.Action);
    if (!actions.includes('s3:*')) return false;
    const condition = isObject(s.Condition) ? s.Condition : {};
    return ['Bool', 'BoolIfExists'].some((op) => isObject(condition[op]) && String((condition[op] as Record<string, unknown>)['aws:SecureTransport']).toLowerCase() === 'false');
  });
  if (!denyInsecure) return 'has a bucketPolicy without a statement denying s3:* to every principal when aws:SecureTransport is false';
  const publicAllow = statements.find((s) => s.Effect === 'Allow' && isWildcardPrincipal(s.Principal));
  if (publicAllow) return `allows every principal (statement ${asString(publicAllow.Sid) ?? '?'}): public access`;
  return undefined;
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'A bucket policy does not deny requests made without TLS, or allows every principal.',
  why: 'S3 over plain HTTP exposes data and request signatures on the network; a wildcard principal makes the bucket public.',
  controls: ['ISO-8.24', 'NIST-SC-8', 'ISO-8.3', 'VN-E1'],
  check(stack) {
    return stack.objectsOf('ObjectBucketClaim', 'objectbucket.io').map((claim) => {
      const config = isObject(claim.spec.additionalConfig) ? claim.spec.additionalConfig : {};
      const problem = policyProblem(asString(config.bucketPolicy));
      return problem
        ? fail(claim, `${describeObject(claim)} ${problem}; use bucketPolicy() from constructs/storage/policy.ts`)
        : pass(claim, `${describeObject(claim)} denies every request not made over TLS and names each principal`);
    });
  },
});
