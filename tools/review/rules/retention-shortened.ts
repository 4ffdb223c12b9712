import { formatPath, keysOf, type Json, type Path } from '../paths';
import { show, type ResourceRule } from '../rule-support';
import { wordsOf } from '../../../lib/secrets';

/** Keys that hold a retention: `retentionPolicy`, `retention.ms`, `retention`, `ttl`, `logRetentionHours`, ... */
function isRetentionKey(key: string): boolean {
  const flat = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return flat.includes('retention') || flat === 'ttl' || flat === 'expirationdays' || flat === 'keepdays';
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  days: 86_400_000,
  w: 7 * 86_400_000,
  weeks: 7 * 86_400_000,
  mo: 30 * 86_400_000,
  months: 30 * 86_400_000,
  y: 365 * 86_400_000,
  years: 365 * 86_400_000,
};

/** An amount comparable with another of the same field: milliseconds, bytes, or a bare number. */
interface Amount {
  readonly unit: 'ms' | 'bytes' | 'number';
  /** `Infinity` for "keep forever" (Kafka's -1). */
  readonly value: number;
}

/** The unit a bare number has, from the field's name (`retention.ms`, `retentionDays`, `ttl`). */
function numberUnit(path: Path): { unit: Amount['unit']; factor: number } {
  const words = keysOf(path).flatMap(wordsOf);
  if (words.includes('bytes')) return { unit: 'bytes', factor: 1 };
  for (const w of [...words].reverse()) {
    if (w in UNIT_MS && w.length > 1) return { unit: 'ms', factor: UNIT_MS[w]! };
  }
  return { unit: 'number', factor: 1 };
}

/**
 * Parses a retention: numbers (unit from the field name; negative means forever, as Kafka's -1),
 * Go durations (`720h0m0s`), CloudNativePG policies (`30d`, `4w`, `3m` where m is months),
 * ISO 8601 periods (`P30D`).
 */
export function parseRetention(path: Path, value: Json | undefined): Amount | undefined {
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()))) {
    const n = Number(value);
    const { unit, factor } = numberUnit(path);
    return { unit, value: n < 0 ? Infinity : n * factor };
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const iso = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/i.exec(text);
  if (iso && text.length > 1) {
    const [, y, mo, w, d] = iso.map((x) => Number(x ?? 0));
    return { unit: 'ms', value: y! * UNIT_MS.y! + mo! * UNIT_MS.mo! + w! * UNIT_MS.w! + d! * UNIT_MS.d! };
  }
  const monthsForM = keysOf(path).some((k) => k.toLowerCase().replace(/[^a-z]/g, '') === 'retentionpolicy');
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|months?|mo|years?|y|weeks?|w|days?|d|hours?|h|minutes?|min|m|seconds?|sec|s)/gi)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('').replace(/\s/g, '') !== text.replace(/\s/g, '')) return undefined;
  let ms = 0;
  for (const [, n, rawUnit] of parts) {
    let unit = rawUnit!.toLowerCase();
    if (unit === 'm' && monthsForM) unit = 'mo';
    // Every unit the pattern takes is a key, or a singular whose plural is (day → days).
    const key = unit in UNIT_MS ? unit : `${unit}s`;
    ms += Number(n) * (UNIT_MS[key] ?? NaN);
  }
  return Number.isFinite(ms) ? { unit: 'ms', value: ms } : undefined;
}

/** A retention (time or size) is shorter than before, or removed so the default applies. */
export const rule: ResourceRule = {
  id: 'retention-shortened',
  scope: 'resource',
  severity: 'security',
  why: 'Shorter retention deletes backups, WAL or messages earlier than the records schedule requires, and cannot be undone for what is already deleted.',
  check(input) {
    if (input.action !== 'update' && input.action !== 'replace') return [];
    const out: string[] = [];
    for (const leaf of input.leaves) {
      if (leaf.afterUnknown || !keysOf(leaf.path).some(isRetentionKey) || leaf.before === undefined) continue;
      const where = `\`${formatPath(leaf.path)}\``;
      const before = show(input, leaf.path, leaf.before, 'before');
      const after = show(input, leaf.path, leaf.after, 'after');
      if (leaf.after === undefined || leaf.after === null) {
        out.push(`retention removed, so the operator's default applies: ${where}: ${before} → (absent).`);
        continue;
      }
      const a = parseRetention(leaf.path, leaf.before);
      const b = parseRetention(leaf.path, leaf.after);
      if (!a || !b || a.unit !== b.unit) {
        out.push(`retention changed and cannot be compared automatically; check it is not shorter: ${where}: ${before} → ${after}.`);
      } else if (b.value < a.value) {
        out.push(`retention shortened: ${where}: ${before} → ${after}.`);
      }
    }
    return out;
  },
};
