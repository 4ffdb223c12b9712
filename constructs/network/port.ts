/** A network port, validated at construction: `Port.tcp(5432)`, `Port.udp(53)`. */
export class Port {
  static tcp(port: number): Port {
    return new Port('TCP', port);
  }

  static udp(port: number): Port {
    return new Port('UDP', port);
  }

  private constructor(
    readonly protocol: 'TCP' | 'UDP',
    readonly port: number,
  ) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`Port.${protocol.toLowerCase()}: port must be a whole number from 1 to 65535, got ${JSON.stringify(port)}`);
    }
  }

  /** `5432/TCP`, as shown in diagrams and reports. */
  toString(): string {
    return `${this.port}/${this.protocol}`;
  }

  equals(other: Port): boolean {
    return other.protocol === this.protocol && other.port === this.port;
  }
}

/** Union of port lists without duplicates, in a stable order. */
export function mergePorts(...lists: ReadonlyArray<readonly Port[]>): Port[] {
  const out: Port[] = [];
  for (const p of lists.flat()) if (!out.some((q) => q.equals(p))) out.push(p);
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}
