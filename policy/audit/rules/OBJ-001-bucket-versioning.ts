import { describeObject, fail, pass } from '../checks';
import { bucketNameOf, configuratorOf } from '../buckets';
import { defineRule } from '../rule';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A bucket does not have versioning turned on and verified.',
  why: 'Without versioning an overwrite or delete, by mistake or by ransomware, destroys the only copy of an object; object lock also requires it.',
  controls: ['ISO-8.13', 'NIST-CP-9', 'VN-B1'],
  check(stack) {
    return stack.objectsOf('ObjectBucketClaim', 'objectbucket.io').map((claim) => {
      const configurator = configuratorOf(stack, claim);
      const bucket = bucketNameOf(claim);
      if (!configurator) return fail(claim, `${describeObject(claim)} (bucket ${bucket}) has no configurator Job in this stack; an ObjectBucketClaim cannot turn versioning on, so declare the bucket with the Bucket construct (constructs/storage/bucket.ts)`);
      const { job, script } = configurator;
      const enables = script.includes('put-bucket-versioning') && script.includes('Status=Enabled');
      const verifies = script.includes('get-bucket-versioning');
      return enables && verifies
        ? pass(claim, `${describeObject(claim)} (bucket ${bucket}): Job ${job.name} enables versioning and verifies it`)
        : fail(claim, `${describeObject(claim)} (bucket ${bucket}): Job ${job.name} does not both enable (put-bucket-versioning Status=Enabled) and verify (get-bucket-versioning) versioning`);
    });
  },
});
