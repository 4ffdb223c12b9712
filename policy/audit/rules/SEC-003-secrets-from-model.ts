import { isObject } from '../model';
import { fail, pass } from '../checks';
import { defineRule } from '../rule';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Secret the estate consumes is made by hand outside the secrets model: declared as a prerequisite without being one of the bootstrap set (which says how it is rotated).',
  why: 'A hand-made Secret can be forgotten, leaked in a chat, never rotated or differ between sites; everything but the few Secrets needed before OpenBao runs must come from OpenBao through ESO (docs/secrets.md).',
  controls: ['ISO-5.17', 'ISO-8.24', 'NIST-IA-5', 'VN-A3'],
  check(stack) {
    const out = [];
    for (const r of stack.resources) {
      const list = r.comment.prerequisites;
      if (!Array.isArray(list)) continue;
      for (const p of list) {
        if (!isObject(p) || p.kind !== 'secret') continue;
        const where = `Secret ${typeof p.namespace === 'string' ? `${p.namespace}/` : ''}${String(p.name)}`;
        if (typeof p.rotation === 'string' && p.rotation.length >= 10) out.push(pass(undefined, `${where} is one of the bootstrap set, rotated: ${p.rotation}`, undefined, r));
        else out.push(fail(undefined, `${where} is consumed as a hand-made Secret but is not in the bootstrap set; produce it with an ExternalSecret from OpenBao (constructs/secrets: GeneratedSecret or StoreSecret), or, if it must exist before OpenBao runs, declare how it is rotated`, r));
      }
    }
    return out;
  },
});
