import { describeGroup, firstPerPrefix, prefixThrough, showChange, turnedOff, turnedOn, type ResourceRule } from '../rule-support';
import type { LeafChange } from '../value-diff';

const AUTH_WORDS = new Set(['authentication', 'authn', 'auth', 'authorization', 'authz']);
const isAuthKey = (words: string[]): boolean => words.some((w) => AUTH_WORDS.has(w));
const isSuperuserAccess = (words: string[]): boolean => words.includes('superuser') && words.includes('access');
const isAnonymous = (words: string[]): boolean => words.includes('anonymous');
const isHbaKey = (words: string[]): boolean => words.includes('hba');

const TRUST = /^\s*\S+\s.*\btrust\s*$/;

function hbaTrusts(leaf: LeafChange): boolean {
  return typeof leaf.after === 'string' && TRUST.test(leaf.after) && !(typeof leaf.before === 'string' && TRUST.test(leaf.before));
}

/** Authentication or authorization turned off, superuser access or anonymous access turned on, a `trust` pg_hba rule. */
export const rule: ResourceRule = {
  id: 'authentication-disabled',
  scope: 'resource',
  severity: 'security',
  why: 'Every service authenticates its clients; without it anyone who can reach the port can read or change the data.',
  check(input) {
    if (input.action === 'delete' || input.action === 'forget') return [];
    const off = firstPerPrefix(input.leaves, (leaf) => (turnedOff(leaf) ? prefixThrough(leaf.path, isAuthKey) : undefined));
    const superuser = input.leaves.filter((leaf) => prefixThrough(leaf.path, isSuperuserAccess) && turnedOn(leaf));
    const anonymous = input.leaves.filter((leaf) => prefixThrough(leaf.path, isAnonymous) && turnedOn(leaf));
    const trust = input.leaves.filter((leaf) => prefixThrough(leaf.path, isHbaKey) && hbaTrusts(leaf));
    return [
      ...off.map((g) => `authentication or authorization turned off: ${describeGroup(input, g)}.`),
      ...superuser.map((leaf) => `superuser access turned on: ${showChange(input, leaf)}.`),
      ...anonymous.map((leaf) => `anonymous access turned on: ${showChange(input, leaf)}.`),
      ...trust.map((leaf) => `pg_hba trusts connections without a password: ${showChange(input, leaf)}.`),
    ];
  },
};
