/**
 * A leaner walk for cdktf's token resolution, installed by lib/tf.ts.
 *
 * cdktf resolves every stack body value by value; for each value it builds a fresh resolution
 * context (two closures, a copy of the options, a copy of the key path) and runs three regular
 * expressions on each string. The bodies here are mostly large plain data (Kubernetes
 * manifests, Helm values, policies) with a few tokens in them, and on the real estate that walk
 * was about a third of the synth. This walk handles the plain parts (plain objects, arrays
 * without list tokens, strings and numbers that hold no token) itself, with no allocation beyond
 * the result, and hands everything else (a token, an encoded string/list/map/number token, a
 * Date, a construct, anything that would raise an error) to cdktf's own `resolve` with exactly
 * the options and key path cdktf would have passed it, so the result is the same value.
 *
 * The equivalence, case by case, with cdktf 0.21 `lib/tokens/private/resolve.js`:
 * - `undefined`, `null`, booleans: returned as they are (cdktf: the same).
 * - a string with no `TfToken[` marker, not one of the two map-token sentinels, and no match of
 *   the number-token pattern that decodes to a token: returned as it is (cdktf: its string test
 *   finds no token; its number pass keeps every match that is not a token as text).
 * - a number that is not an encoded token: returned (cdktf: `lookupNumberToken` is undefined).
 * - an array with no list-token element: each element resolved under its index, `undefined`
 *   dropped (cdktf: the same map and filter).
 * - a plain object (prototype Object or null) with no map-token key, no `resolve` method and
 *   not a construct: each key (a plain string) and value resolved, `undefined` values dropped,
 *   in `Object.keys` order (cdktf: the same loop).
 * The depth limit (200 path segments) is kept: deeper values go to cdktf, which raises its error.
 */
import tokenResolve = require('cdktf/lib/tokens/private/resolve');
import encoding = require('cdktf/lib/tokens/private/encoding');
import { Token } from 'cdktf';

type Options = { prefix?: string[]; [key: string]: unknown };
type Resolve = (obj: unknown, options: Options) => unknown;

const original = tokenResolve.resolve as unknown as Resolve;
/** cdktf's NUMBER_TOKEN_REGEX: once to test, once (global) to look at each match. */
const NUMBER_TOKEN = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;
const NUMBER_TOKENS = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/g;
const MAX_DEPTH = 200;

/** A decimal digit: every number cdktf encodes a token as has one (see plainString). */
const DIGIT = /\d/;

/**
 * True when a string is plain: cdktf would return it unchanged. Names such as `app-e-commerce`
 * match cdktf's number-token pattern (`-e-`); cdktf then parses each match and keeps it as
 * text unless it decodes to a token, which is what is checked here. A string without a digit
 * is plain at once: a match without one parses to NaN, which is no token (a token is a double
 * whose top sixteen bits are cdktf's marker; NaN's are not).
 */
function plainString(s: string): boolean {
  if (s.includes('TfToken[') || s === Token.STRING_MAP_TOKEN_VALUE || s === Token.ANY_MAP_TOKEN_VALUE) return false;
  if (!DIGIT.test(s) || !NUMBER_TOKEN.test(s)) return true;
  for (const m of s.matchAll(NUMBER_TOKENS)) if (encoding.extractTokenDouble(parseFloat(m[0]), false) !== undefined) return false;
  return true;
}

function plainNumber(n: number): boolean {
  return n !== Token.NUMBER_MAP_TOKEN_VALUE && encoding.extractTokenDouble(n, false) === undefined;
}

function isPlainObject(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  return (proto === Object.prototype || proto === null) && typeof (o as { resolve?: unknown }).resolve !== 'function' && !('_children' in o && '_metadata' in o);
}

/** cdktf's own resolve of `obj` at key path `base` + `keys`, with the options cdktf would pass. */
function handOver(obj: unknown, options: Options, base: readonly string[], keys: readonly string[]): unknown {
  return original(obj, { ...options, prefix: base.concat(keys) });
}

/**
 * `keys` is the key path below `base`, one stack pushed and popped as the walk goes down and
 * back up (copied only when a value is handed over), so plain values cost no allocation.
 */
function walk(obj: unknown, options: Options, base: readonly string[], keys: string[]): unknown {
  if (base.length + keys.length > MAX_DEPTH) return handOver(obj, options, base, keys);
  if (obj === undefined || obj === null) return obj;
  switch (typeof obj) {
    case 'string':
      return plainString(obj) ? obj : handOver(obj, options, base, keys);
    case 'number':
      return plainNumber(obj) ? obj : handOver(obj, options, base, keys);
    case 'boolean':
      return obj;
    case 'object':
      break;
    default:
      return handOver(obj, options, base, keys);
  }
  const o = obj as object;
  if (Array.isArray(o)) {
    for (const x of o) {
      if (typeof x === 'string' ? x.includes('#{TfToken[') : typeof x === 'number' && encoding.extractTokenDouble(x, true) !== undefined) return handOver(obj, options, base, keys);
    }
    const out: unknown[] = [];
    for (let i = 0; i < o.length; i++) {
      keys.push(`${i}`);
      const v = walk(o[i], options, base, keys);
      keys.pop();
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  if (!isPlainObject(o)) return handOver(obj, options, base, keys);
  const names = Object.keys(o);
  for (const k of names) if (!plainString(k)) return handOver(obj, options, base, keys);
  const out: Record<string, unknown> = {};
  for (const k of names) {
    keys.push(k);
    const v = walk((o as Record<string, unknown>)[k], options, base, keys);
    keys.pop();
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** cdktf's `resolve` with the plain parts walked here (see the module comment). */
export function leanResolve(obj: unknown, options: Options): unknown {
  return walk(obj, options, options.prefix ?? [], []);
}

/** Installs the lean walk in place of cdktf's (once); returns a function that restores cdktf's own. */
export function installLeanResolve(): () => void {
  (tokenResolve as unknown as { resolve: Resolve }).resolve = leanResolve;
  return () => {
    (tokenResolve as unknown as { resolve: Resolve }).resolve = original;
  };
}

/** cdktf's own resolve, for comparing the two. */
export const cdktfResolve: Resolve = original;
