/** How the object-storage constructs declare buckets, for the OBJ rules (constructs/storage/bucket.ts). */
import { asString, type KubeObject, type StackModel } from './model';

/** The label on a bucket's configurator Job: the Job applies what an ObjectBucketClaim cannot declare. */
export const CONFIGURATOR_LABEL = 'moit.gov.vn/bucket-configurator';
export const PURPOSE_LABEL = 'moit.gov.vn/bucket-purpose';
export const OBJECT_LOCK_EXCEPTION_ANNOTATION = 'moit.gov.vn/object-lock-exception';

/** The bucket a claim asks for. */
export function bucketNameOf(claim: KubeObject): string {
  return asString(claim.spec.bucketName) ?? claim.name;
}

/**
 * The configurator Job of a bucket (same namespace, labelled with the bucket name), as text:
 * Rook cannot declare versioning or object lock (rook/rook#17883), so the Job applies them with
 * the S3 API and verifies them; the rules read its script as the evidence.
 */
export function configuratorOf(stack: StackModel, claim: KubeObject): { job: KubeObject; script: string } | undefined {
  const bucket = bucketNameOf(claim);
  const job = stack.objectsOf('Job').find((j) => j.namespace === claim.namespace && j.labels[CONFIGURATOR_LABEL] === bucket);
  return job ? { job, script: JSON.stringify(job.spec) } : undefined;
}
