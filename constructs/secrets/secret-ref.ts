/**
 * A Secret a construct consumes, named by the construct that consumes it: one value object is
 * both what the consumer writes into its spec (`name`, `keys`) and what the producer (an
 * ExternalSecret) writes, so the two can never disagree.
 */
export class SecretRef {
  /** A Secret `name` in `namespace` whose data holds exactly `keys`. */
  static of(props: { readonly name: string; readonly namespace: string; readonly keys: readonly string[] }): SecretRef {
    const problems: string[] = [];
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(props.name)) problems.push(`name must be a DNS subdomain name, got ${JSON.stringify(props.name)}`);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) problems.push(`namespace must be a DNS label, got ${JSON.stringify(props.namespace)}`);
    if (props.keys.length === 0) problems.push('keys must name at least one key');
    for (const k of props.keys) if (!/^[-._a-zA-Z0-9]+$/.test(k)) problems.push(`key ${JSON.stringify(k)} is not a valid Secret data key (letters, digits, "-", "_", ".")`);
    if (problems.length > 0) throw new Error(`SecretRef.of(${props.namespace}/${props.name}): ${problems.join('; ')}`);
    return new SecretRef(props.name, props.namespace, [...props.keys]);
  }

  private constructor(
    readonly name: string,
    readonly namespace: string,
    readonly keys: readonly string[],
  ) {}

  toString(): string {
    return `${this.namespace}/${this.name}`;
  }
}
