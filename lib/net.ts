/**
 * IPv4 addresses and CIDR blocks, parsed in exactly one place, by Node's own parser (node:net
 * isIPv4 and BlockList): every octet 0-255, no leading zeros, a prefix of 0-32. Environment
 * schemas, constructs and the diff all use these; none parses an address itself.
 */
import { BlockList, isIPv4 } from 'node:net';
import { z } from 'zod';

export interface Ipv4Block {
  readonly address: string;
  readonly prefix: number;
}

/** True for a dotted-quad IPv4 address ("10.0.5.20"). */
export function isIpv4(text: unknown): text is string {
  return typeof text === 'string' && isIPv4(text);
}

/** The block of an IPv4 CIDR ("10.0.0.0/24"); undefined when it is not one. */
export function parseCidr(text: unknown): Ipv4Block | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIPv4(m[1]!)) return undefined;
  const prefix = Number(m[2]);
  return prefix <= 32 && String(prefix) === m[2] ? { address: m[1]!, prefix } : undefined;
}

/**
 * Whether the block `outer` holds `inner` (an address or a block) entirely; undefined when either
 * is not IPv4 (callers decide what another notation means).
 */
export function cidrContains(outer: string, inner: string): boolean | undefined {
  const wide = parseCidr(outer);
  const narrow = isIpv4(inner) ? { address: inner, prefix: 32 } : parseCidr(inner);
  if (!wide || !narrow) return undefined;
  if (narrow.prefix < wide.prefix) return false;
  const list = new BlockList();
  list.addSubnet(wide.address, wide.prefix, 'ipv4');
  return list.check(narrow.address, 'ipv4');
}

/** A zod string that must be an IPv4 CIDR block; `example` is shown in the message. */
export function ipv4CidrSchema(example: string) {
  return z.string().refine((v) => parseCidr(v) !== undefined, {
    message: `must be an IPv4 CIDR block such as "${example}" (four numbers 0-255, then /0-32)`,
  });
}
