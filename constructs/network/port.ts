/** A network port or port range, validated at construction: `Port.tcp(5432)`, `Port.udp(53)`, `Port.tcpRange(6800, 7568)`. */
export class Port {
  static tcp(port: number): Port {
    return new Port('TCP', port);
  }

  static udp(port: number): Port {
    return new Port('UDP', port);
  }

  /**
   * A contiguous range of TCP ports, rendered as one NetworkPolicy port with `endPort`
   * (Kubernetes 1.25+, enforced by the CNIs this estate uses). For daemons that bind in a
   * range, such as Ceph's messenger (6800-7568).
   */
  static tcpRange(from: number, to: number): Port {
    return new Port('TCP', from, to);
  }

  private constructor(
    readonly protocol: 'TCP' | 'UDP',
    readonly port: number,
    /** The last port of a range; undefined for a single port. */
    readonly endPort?: number,
  ) {
    for (const p of [port, endPort]) {
      if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > 65535)) {
        throw new Error(`Port.${protocol.toLowerCase()}: port must be a whole number from 1 to 65535, got ${JSON.stringify(p)}`);
      }
    }
    if (endPort !== undefined && endPort <= port) {
      throw new Error(`Port.${protocol.toLowerCase()}Range: the range must end after it starts, got ${port}-${endPort}; use Port.${protocol.toLowerCase()}(${port}) for one port`);
    }
  }

  /** `5432/TCP` or `6800-7568/TCP`, as shown in diagrams and reports. */
  toString(): string {
    return `${this.endPort !== undefined ? `${this.port}-${this.endPort}` : this.port}/${this.protocol}`;
  }

  equals(other: Port): boolean {
    return other.protocol === this.protocol && other.port === this.port && other.endPort === this.endPort;
  }

  /** The NetworkPolicy port entry (provider-struct casing). */
  policyPort(): { port: string; endPort?: number; protocol: 'TCP' | 'UDP' } {
    return { port: String(this.port), ...(this.endPort !== undefined ? { endPort: this.endPort } : {}), protocol: this.protocol };
  }
}

/** Union of port lists without duplicates, in a stable order. */
export function mergePorts(...lists: ReadonlyArray<readonly Port[]>): Port[] {
  const out: Port[] = [];
  for (const p of lists.flat()) if (!out.some((q) => q.equals(p))) out.push(p);
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol) || (a.endPort ?? 0) - (b.endPort ?? 0));
}
