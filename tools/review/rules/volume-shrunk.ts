import { formatPath, keysOf, type Json, type Path } from '../paths';
import type { ResourceRule } from '../rule-support';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** Bytes of a Kubernetes quantity (`50Gi`, `500M`, `1.5Ti`, `1e9`); undefined when it is not one. */
export function quantityBytes(value: Json | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([KMGTPE]i|[kKMGTPEm]?)\s*$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (BINARY[m[2]!] ?? DECIMAL[m[2]!]!);
}

/**
 * Where a volume's size is written: a claim's `resources.requests.storage` (a PVC, a StatefulSet's
 * claim template), CloudNativePG's `storage.size` / `walStorage.size`, Strimzi's `storage.size`
 * and the sizes of its JBOD `storage.volumes[]`.
 */
function isVolumeSize(path: Path): boolean {
  const keys = keysOf(path).map((k) => k.toLowerCase());
  const last = keys[keys.length - 1];
  if (last === 'storage') return keys[keys.length - 2] === 'requests';
  if (last !== 'size') return false;
  // CloudNativePG tablespaces[].storage.size and Strimzi storage.volumes[].size pass through a storage key too.
  return keys.some((k) => k === 'storage' || k === 'walstorage');
}

/**
 * A volume gets smaller. Kubernetes only grows a claim; CloudNativePG and Strimzi refuse a smaller
 * size. The apply fails, or the volume has to be replaced with its data.
 */
export const rule: ResourceRule = {
  id: 'volume-shrunk',
  scope: 'resource',
  severity: 'caution',
  why: 'A volume cannot shrink in place: Kubernetes and the operators refuse it, so the apply fails; keeping the size or moving the data to a new volume are the only ways.',
  check(input) {
    if (input.action !== 'update' && input.action !== 'replace') return [];
    return input.leaves.flatMap((leaf) => {
      if (!isVolumeSize(leaf.path)) return [];
      const before = quantityBytes(leaf.before);
      const after = quantityBytes(leaf.after);
      if (before === undefined || after === undefined || after >= before) return [];
      return [`${formatPath(leaf.path)}: ${String(leaf.before)} → ${String(leaf.after)}: a volume cannot be made smaller in place; keep ${String(leaf.before)}, or migrate the data to a new volume.`];
    });
  },
};
