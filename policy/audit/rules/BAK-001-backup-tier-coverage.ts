import { fail, keepsData, pass } from '../checks';
import { asString, isObject } from '../model';
import { PURPOSE_LABEL } from '../buckets';
import { defineRule } from '../rule';
import { backupTierOf, statefulKindOf } from '../../../lib/markers';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A stateful resource is covered by no backup tier defined in its stack.',
  why: 'Data that no backup tier covers has no schedule, retention, off-site copy or restore test; it is lost with the first mistake or failure.',
  controls: ['ISO-8.13', 'NIST-CP-9', 'VN-B1'],
  check(stack) {
    if (!keepsData(stack)) return [];
    return stack.resources
      .filter((r) => statefulKindOf(r.body))
      .map((r) => {
        const kind = statefulKindOf(r.body);
        const tier = backupTierOf(r.body);
        const name = asString(r.path) ?? r.address;
        const manifest = isObject(r.body.manifest) && isObject(r.body.manifest.metadata) ? r.body.manifest.metadata : {};
        const purpose = isObject(manifest.labels) ? manifest.labels[PURPOSE_LABEL] : undefined;
        if (kind === 'bucket' && purpose === 'backup') return pass(undefined, `${name} is a backup bucket: it is where a tier's copies go, protected by versioning and object lock (OBJ-001, OBJ-003)`, undefined, r);
        if (!tier) return fail(undefined, `${name} holds data (${kind}) but carries no "//".backupTier marker; give it a backup tier (markBackupTier, issue 9)`, r);
        if (!stack.backupTiers[tier]) return fail(undefined, `${name} names backup tier "${tier}", which this stack's "//".backupTiers record does not define (defined: ${Object.keys(stack.backupTiers).join(', ') || 'none'})`, r);
        return pass(undefined, `${name} (${kind}) is covered by backup tier "${tier}"`, undefined, r);
      });
  },
});
