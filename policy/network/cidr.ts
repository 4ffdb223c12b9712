/**
 * IPv4 address blocks as integer ranges: enough arithmetic for the segmentation's overlap check
 * (constructs/network) and the reachability model (tools/reach). Pure, no dependencies.
 */

/** An inclusive range of IPv4 addresses as unsigned 32-bit integers. */
export interface AddressRange {
  readonly first: number;
  readonly last: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;

/** The range of a CIDR block such as "10.1.0.0/24"; host bits set below the prefix are ignored. */
export function parseCidr(cidr: string): AddressRange {
  const m = CIDR.exec(cidr.trim());
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255)) throw new Error(`not an IPv4 CIDR block: ${JSON.stringify(cidr)}`);
  const base = m.slice(1, 5).reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(m[5]));
  const first = Math.floor(base / size) * size;
  return { first, last: first + size - 1 };
}

/** True when `cidr` is a well-formed IPv4 block. */
export function isCidr(cidr: string): boolean {
  try {
    parseCidr(cidr);
    return true;
  } catch {
    return false;
  }
}

export function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** True when `inner` lies wholly inside `outer`. */
export function rangeWithin(inner: AddressRange, outer: AddressRange): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** True when block `inner` lies wholly inside block `outer` (both CIDR strings). */
export function cidrWithin(inner: string, outer: string): boolean {
  return rangeWithin(parseCidr(inner), parseCidr(outer));
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
