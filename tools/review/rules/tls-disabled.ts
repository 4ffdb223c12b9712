import { describeGroup, firstPerPrefix, prefixThrough, showChange, turnedOff, turnedOn, type ResourceRule } from '../rule-support';
import type { LeafChange } from '../value-diff';

const TLS_WORDS = new Set(['tls', 'ssl', 'mtls', 'https', 'sslmode', 'starttls']);
const isTlsKey = (words: string[]): boolean => words.some((w) => TLS_WORDS.has(w));
const isVerifyBypass = (words: string[]): boolean => words.includes('insecure') || (words.includes('skip') && words.some((w) => w.startsWith('verif')));
const isHbaKey = (words: string[]): boolean => words.some((w) => w === 'hba');

const HOSTSSL = /^\s*hostssl\s/;
const PLAIN_HOST = /^\s*(host|hostnossl)\s/;

function hbaWeakened(leaf: LeafChange): boolean {
  if (typeof leaf.after !== 'string' || !PLAIN_HOST.test(leaf.after)) return false;
  return leaf.before === undefined || (typeof leaf.before === 'string' && HOSTSSL.test(leaf.before));
}

/** TLS turned off: a `tls`/`ssl` switch or block off or removed, a verify bypass on, a non-TLS pg_hba rule. */
export const rule: ResourceRule = {
  id: 'tls-disabled',
  scope: 'resource',
  severity: 'security',
  why: 'Every listener in the data centre uses TLS; without it credentials and data cross the network in clear text.',
  check(input) {
    if (input.action === 'delete' || input.action === 'forget') return [];
    const off = firstPerPrefix(input.leaves, (leaf) => (turnedOff(leaf) ? prefixThrough(leaf.path, isTlsKey) : undefined));
    const bypass = input.leaves.filter((leaf) => prefixThrough(leaf.path, isVerifyBypass) && turnedOn(leaf));
    const hba = input.leaves.filter((leaf) => prefixThrough(leaf.path, isHbaKey) && hbaWeakened(leaf));
    return [
      ...off.map((g) => `TLS turned off: ${describeGroup(input, g)}.`),
      ...bypass.map((leaf) => `certificate verification turned off: ${showChange(input, leaf)}.`),
      ...hba.map((leaf) => `pg_hba accepts connections without TLS (\`host\`/\`hostnossl\` instead of \`hostssl\`): ${showChange(input, leaf)}.`),
    ];
  },
};

