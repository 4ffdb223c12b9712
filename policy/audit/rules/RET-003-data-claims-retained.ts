import { describeObject, fail, pass } from '../checks';
import { asString } from '../model';
import { defineRule } from '../rule';
import { STORAGE_CLASSES } from '../../layout';

/** StorageClasses that retain volumes and buckets when their claim is deleted (policy/layout.ts). */
export const RETAINING_CLASSES: readonly string[] = Object.values(STORAGE_CLASSES);
/** Zones whose claims hold the ministry's data. */
export const RETAINED_ZONES = ['data'] as const;

export default defineRule(__filename, {
  severity: 'error',
  title: 'A volume or bucket claim in the data zone names a StorageClass that does not retain its data.',
  why: 'With a deleting class, removing the claim (by hand, by an operator, by a failed upgrade) destroys the volume or bucket and the data with it.',
  controls: ['ISO-8.13', 'NIST-CP-9'],
  check(stack) {
    return [...stack.objectsOf('PersistentVolumeClaim'), ...stack.objectsOf('ObjectBucketClaim', 'objectbucket.io')].flatMap((claim) => {
      const zone = stack.zoneOf(claim.namespace);
      if (!zone || !(RETAINED_ZONES as readonly string[]).includes(zone)) return [];
      const cls = asString(claim.spec.storageClassName);
      return cls && RETAINING_CLASSES.includes(cls)
        ? [pass(claim, `${describeObject(claim)} uses the retaining class ${cls}`)]
        : [fail(claim, `${describeObject(claim)} in zone ${zone} uses ${cls ? `StorageClass "${cls}"` : 'the default StorageClass'}; name one of ${RETAINING_CLASSES.join(', ')}`)];
    });
  },
});
