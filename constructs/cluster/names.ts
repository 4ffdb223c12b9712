import { sha256, stableJson } from '../../lib/hash';

/** First 8 hex digits of the sha256 of a spec. */
export function specHash(spec: unknown): string {
  return sha256(stableJson(spec)).slice(0, 8);
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
