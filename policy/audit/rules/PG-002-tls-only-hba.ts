import { describeObject, fail, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';

const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'];

/**
 * Why a non-TLS TCP connection is not refused by these pg_hba lines, or undefined when it is.
 * pg_hba is first-match; CloudNativePG adds its default `host all all all scram-sha-256` after
 * the user's lines, so a non-TLS connection must meet a `reject` covering every address first.
 */
export function nonTlsGap(lines: readonly string[]): string | undefined {
  const parsed = lines.map((l) => l.trim().split(/\s+/)).filter((f) => f.length > 0 && !f[0]!.startsWith('#'));
  const trust = parsed.find((f) => f.includes('trust'));
  if (trust) return `"${trust.join(' ')}" admits connections without authentication`;
  for (const family of ['IPv4', 'IPv6'] as const) {
    const everything = family === 'IPv4' ? '0.0.0.0/0' : '::/0';
    let covered = false;
    for (const f of parsed) {
      const [type, db, user, address] = f;
      if (!['host', 'hostnossl', 'hostnogssenc'].includes(type ?? '')) continue;
      const method = f[f.length - 1];
      // `all`, a host name or a keyword (no "/") matches both families; a CIDR matches its own.
      const familyMatches = !address?.includes('/') || (family === 'IPv4' ? !address.includes(':') : address.includes(':'));
      if (!familyMatches) continue;
      if (method !== 'reject') return `"${f.join(' ')}" accepts ${family} connections without TLS`;
      if (db === 'all' && user === 'all' && (address === 'all' || address === everything)) {
        covered = true;
        break;
      }
    }
    if (!covered) return `no "host all all ${everything} reject" (or hostnossl) line refuses ${family} connections without TLS before the operator's default "host all all all scram-sha-256"`;
  }
  return undefined;
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Postgres cluster accepts connections without TLS, without authentication, or with TLS older than 1.2.',
  why: 'Database sessions carry important data and credentials; every TCP connection must be encrypted and authenticated.',
  controls: ['ISO-8.24', 'NIST-SC-8', 'NIST-IA-5', 'VN-E1'],
  check(stack) {
    return stack.objectsOf('Cluster', 'postgresql.cnpg.io').map((c) => {
      const postgresql = isObject(c.spec.postgresql) ? c.spec.postgresql : {};
      const hba = asArray(postgresql.pg_hba).filter((l): l is string => typeof l === 'string');
      const params = isObject(postgresql.parameters) ? postgresql.parameters : {};
      const min = asString(params.ssl_min_protocol_version);
      if (min && !TLS_VERSIONS.includes(min)) return fail(c, `${describeObject(c)} lowers ssl_min_protocol_version to ${min}; remove it (the operator sets TLSv1.3) or use ${TLS_VERSIONS.join('/')}`);
      const gap = nonTlsGap(hba);
      return gap
        ? fail(c, `${describeObject(c)}: spec.postgresql.pg_hba: ${gap}; admit TCP only with hostssl lines and end with "host all all 0.0.0.0/0 reject" and "host all all ::/0 reject"`)
        : pass(c, `${describeObject(c)} refuses every TCP connection without TLS (pg_hba: ${hba.join(' | ')})`);
    });
  },
});
