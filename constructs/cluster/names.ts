import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal specs always hash the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 8 hex digits of the sha256 of a spec. */
export function specHash(spec: unknown): string {
  return createHash('sha256').update(stableJson(spec)).digest('hex').slice(0, 8);
}

/**
 * The name of an immutable template: `<base>-<hash of its spec>`. Cluster API never updates
 * machines from an edited template; a changed spec gets a new name, the MachineDeployment or
 * control plane is repointed to it, and that rolls the machines. At most 63 characters.
 */
export function versionedName(base: string, spec: unknown): string {
  const hash = specHash(spec);
  return `${base.slice(0, 63 - hash.length - 1).replace(/-$/, '')}-${hash}`;
}
