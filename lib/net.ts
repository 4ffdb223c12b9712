/**
 * IPv4 addresses and CIDR blocks, parsed in exactly one place, by Node's own parser (node:net
 * isIPv4 and BlockList): every octet 0-255, no leading zeros, a prefix of 0-32. Environment
 * schemas, constructs, the diff and the reachability model all use these; none parses an address
 * itself. Blocks as integer ranges give the reachability model (tools/reach) and the segmentation's
 * overlap check the arithmetic BlockList does not expose.
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

/** An inclusive range of IPv4 addresses as unsigned 32-bit integers. */
export interface AddressRange {
  readonly first: number;
  readonly last: number;
}

/** True when `text` is a well-formed IPv4 CIDR block. */
export function isCidr(text: unknown): text is string {
  return parseCidr(text) !== undefined;
}

/** The range of a CIDR block such as "10.1.0.0/24" (host bits below the prefix ignored); throws on anything else. */
export function cidrRange(cidr: string): AddressRange {
  const block = parseCidr(cidr.trim());
  if (!block) throw new Error(`not an IPv4 CIDR block: ${JSON.stringify(cidr)}`);
  const base = block.address.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - block.prefix);
  const first = Math.floor(base / size) * size;
  return { first, last: first + size - 1 };
}

/** The dotted-quad form of an address given as an unsigned 32-bit integer. */
export function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** True when `inner` lies wholly inside `outer`. */
export function rangeWithin(inner: AddressRange, outer: AddressRange): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

/** True when the two ranges share an address. */
export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** True when block `inner` lies wholly inside block `outer` (both CIDR strings; throws on anything else). */
export function cidrWithin(inner: string, outer: string): boolean {
  return rangeWithin(cidrRange(inner), cidrRange(outer));
}

/** The smallest list of CIDR blocks covering exactly `range`, e.g. ["10.0.0.8/29", "10.0.0.16/32"]. */
export function rangeToCidrs(range: AddressRange): string[] {
  const out: string[] = [];
  let at = range.first;
  while (at <= range.last) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 - 1 <= range.last && size < 2 ** 32) size *= 2;
    out.push(`${formatAddress(at)}/${32 - Math.log2(size)}`);
    at += size;
  }
  return out;
}
