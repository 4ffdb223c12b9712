/**
 * Sets of ports per protocol, as NetworkPolicy rules allow them: single ports, `port`–`endPort`
 * ranges, whole protocols (a rule entry with a protocol and no port) and named ports.
 *
 * Named ports (`port: "https"`) name a container port by its name in the pod spec, which the
 * synthesized policies do not carry. They are kept symbolic: `https/TCP` is a port of its own,
 * contained in "every TCP port" and in the same name, and in no numbered port or range. So an
 * egress rule to 443/TCP and an ingress rule for `https/TCP` do not meet in this model, where a
 * cluster might let them meet if the server names its 443 "https"; the report prints named ports
 * so a reader can see them.
 */

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

type Interval = readonly [number, number];

const MAX_PORT = 65535;

function normalize(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function intersectIntervals(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a, b] of x) for (const [c, d] of y) if (Math.max(a, c) <= Math.min(b, d)) out.push([Math.max(a, c), Math.min(b, d)]);
  return normalize(out);
}

function subtractIntervals(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  let rest: Interval[] = [...x];
  for (const [c, d] of y) {
    rest = rest.flatMap(([a, b]): Interval[] => {
      if (d < a || c > b) return [[a, b]];
      const parts: Interval[] = [];
      if (a < c) parts.push([a, c - 1]);
      if (d < b) parts.push([d + 1, b]);
      return parts;
    });
  }
  return normalize(rest);
}

const full = (i: readonly Interval[]) => i.length === 1 && i[0]![0] === 1 && i[0]![1] === MAX_PORT;

/** An immutable set of ports. Build one with the static factories. */
export class PortSet {
  static readonly NONE = new PortSet(new Map(), new Set());
  static readonly ALL = new PortSet(new Map(PROTOCOLS.map((p) => [p, [[1, MAX_PORT] as Interval]])), new Set());

  /** One rule entry: `protocol` (default TCP), `port` (number, numeric string or name; absent: all), `endPort`. */
  static of(entry: { readonly protocol?: string; readonly port?: number | string; readonly endPort?: number }): PortSet {
    const protocol = (entry.protocol ?? 'TCP').toUpperCase() as Protocol;
    if (!PROTOCOLS.includes(protocol)) throw new Error(`unknown protocol ${JSON.stringify(entry.protocol)}; NetworkPolicy knows ${PROTOCOLS.join(', ')}`);
    if (entry.port === undefined || entry.port === '') return new PortSet(new Map([[protocol, [[1, MAX_PORT]]]]), new Set());
    const numeric = typeof entry.port === 'number' ? entry.port : /^\d+$/.test(entry.port) ? Number(entry.port) : undefined;
    if (numeric === undefined) return new PortSet(new Map(), new Set([`${entry.port}/${protocol}`]));
    const end = entry.endPort !== undefined && entry.endPort >= numeric ? entry.endPort : numeric;
    return new PortSet(new Map([[protocol, [[numeric, end]]]]), new Set());
  }

  /** Parses "5432/TCP", "6800-7568/TCP", "all/UDP", "https/TCP" or "all" (lists joined by ", "). */
  static parse(text: string): PortSet {
    return text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
      .reduce((acc, item) => {
        if (item === 'all') return PortSet.ALL;
        const [port, protocol] = item.split('/');
        if (port === 'all') return acc.union(PortSet.of({ protocol }));
        const range = /^(\d+)-(\d+)$/.exec(port!);
        return acc.union(range ? PortSet.of({ protocol, port: Number(range[1]), endPort: Number(range[2]) }) : PortSet.of({ protocol, port }));
      }, PortSet.NONE);
  }

  private constructor(
    private readonly ranges: ReadonlyMap<Protocol, readonly Interval[]>,
    private readonly named: ReadonlySet<string>,
  ) {}

  isEmpty(): boolean {
    return this.named.size === 0 && [...this.ranges.values()].every((r) => r.length === 0);
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => full(this.ranges.get(p) ?? []));
  }

  union(other: PortSet): PortSet {
    const ranges = new Map<Protocol, Interval[]>();
    for (const p of PROTOCOLS) ranges.set(p, normalize([...(this.ranges.get(p) ?? []), ...(other.ranges.get(p) ?? [])]));
    return new PortSet(ranges, new Set([...this.named, ...other.named]));
  }

  intersect(other: PortSet): PortSet {
    const ranges = new Map<Protocol, Interval[]>();
    for (const p of PROTOCOLS) ranges.set(p, intersectIntervals(this.ranges.get(p) ?? [], other.ranges.get(p) ?? []));
    const named = new Set<string>();
    for (const [a, b] of [
      [this, other],
      [other, this],
    ] as const) {
      for (const n of a.named) if (b.named.has(n) || full(b.ranges.get(n.split('/')[1] as Protocol) ?? [])) named.add(n);
    }
    return new PortSet(ranges, named);
  }

  subtract(other: PortSet): PortSet {
    const ranges = new Map<Protocol, Interval[]>();
    for (const p of PROTOCOLS) ranges.set(p, subtractIntervals(this.ranges.get(p) ?? [], other.ranges.get(p) ?? []));
    const named = new Set([...this.named].filter((n) => !other.named.has(n) && !full(other.ranges.get(n.split('/')[1] as Protocol) ?? [])));
    return new PortSet(ranges, named);
  }

  equals(other: PortSet): boolean {
    return this.subtract(other).isEmpty() && other.subtract(this).isEmpty();
  }

  /** True when every port of `other` is in this set. */
  covers(other: PortSet): boolean {
    return other.subtract(this).isEmpty();
  }

  /** Items such as "443/TCP", "6800-7568/TCP", "all/UDP", "https/TCP", or "all"; sorted. */
  items(): string[] {
    if (this.isAll() && this.named.size === 0) return ['all'];
    const out: string[] = [];
    for (const p of PROTOCOLS) {
      for (const [a, b] of this.ranges.get(p) ?? []) out.push(a === 1 && b === MAX_PORT ? `all/${p}` : a === b ? `${a}/${p}` : `${a}-${b}/${p}`);
    }
    return [...out, ...[...this.named].sort()];
  }

  toString(): string {
    return this.items().join(', ') || 'none';
  }
}
