/**
 * References across environments and sections are checked with every other problem at once:
 * replicas, readers, off-site copies and receiving buckets name environments that exist; a tier
 * is assigned to a service that exists; addresses are real IPv4 (lib/net.ts, node:net); a restore
 * drill dated after today is no evidence.
 */
import { SOURCES, loadEnvironments, type EnvironmentInput } from '../environments';
import { ConfigError } from '../lib/errors';
import { cidrContains, isIpv4, parseCidr } from '../lib/net';
import { lastDrill } from '../policy/backup/drills';
import { Peer } from '../constructs/network/peer';
import { cidrContains as policyCidrContains } from '../tools/review/network-policy';
import { configOf, synthEnvironment } from './helpers';

/** The problems of loading `selection` after `mutate` changed copies of the environment files. */
function problemsOf(selection: string[], mutate: Record<string, (config: any) => void>): string[] {
  const sources = SOURCES.map((s) => {
    const config = configOf(s.config.name) as any;
    mutate[s.config.name]?.(config);
    return { file: s.file, config: config as EnvironmentInput };
  });
  try {
    loadEnvironments(selection, sources);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.source}: ${p.path}: ${p.message}${'received' in p ? ` (got ${JSON.stringify(p.received)})` : ''}`);
  }
}

describe('references across environments', () => {
  it('the shipped environments have none broken', () => {
    expect(problemsOf(['dev', 'staging', 'prod', 'dr'], {})).toEqual([]);
  });

  it('refuses a replica following an unknown environment, or a cluster or Postgres cluster the origin does not have', () => {
    expect(problemsOf(['dr'], { dr: (c) => (c.postgres[0].replicaOf.environment = 'prdo') })).toEqual([
      'environments/dr.ts: postgres[0].replicaOf.environment: names an environment that does not exist; known environments: dev, staging, prod, dr (got "prdo")',
    ]);
    expect(problemsOf(['dr'], { dr: (c) => (c.postgres[0].replicaOf.cluster = 'edge') })).toEqual([
      'environments/dr.ts: postgres[0].replicaOf.cluster: is not a cluster of environment "prod"; its clusters: core (got "edge")',
    ]);
    expect(problemsOf(['dr'], { dr: (c) => (c.postgres[0].replicaOf.postgres = 'orders') })).toEqual([
      'environments/dr.ts: postgres[0].replicaOf.postgres: is not a Postgres cluster of environment "prod" on cluster "core"; there: main (got "orders")',
    ]);
  });

  it('refuses an off-site copy to an unknown environment, a receiving bucket from one, and a reader that does not exist', () => {
    expect(problemsOf(['prod'], { prod: (c) => (c.backup.offsite.environment = 'drr') })).toEqual([
      'environments/prod.ts: backup.offsite.environment: names an environment that does not exist; known environments: dev, staging, prod, dr (got "drr")',
    ]);
    expect(problemsOf(['dr'], { dr: (c) => (c.backup.receives[0].from = 'qa') })).toEqual([
      'environments/dr.ts: backup.receives[0].from: names an environment that does not exist; known environments: dev, staging, prod, dr (got "qa")',
    ]);
    expect(problemsOf(['prod'], { prod: (c) => (c.postgres[0].readableBy[0].environment = 'qa') })).toEqual([
      'environments/prod.ts: postgres[0].readableBy[0].environment: names an environment that does not exist; known environments: dev, staging, prod, dr (got "qa")',
    ]);
  });

  it('reports every problem at once: references, addresses and dates of several files together', () => {
    const problems = problemsOf(['prod', 'dr'], {
      prod: (c) => {
        c.backup.offsite.environment = 'drr';
        c.clusters[0].network.pods = '10.999.0.0/16';
      },
      dr: (c) => {
        c.postgres[0].replicaOf.environment = 'prdo';
        c.backup.drills = [{ service: 'core/postgres/main', kind: 'postgres-recovery', lastSuccess: '2099-01-01' }];
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^environments\/prod\.ts: clusters\[0\]\.network\.pods: must be an IPv4 CIDR block/),
      expect.stringMatching(/^environments\/prod\.ts: backup\.offsite\.environment: names an environment that does not exist/),
      expect.stringMatching(/^environments\/dr\.ts: postgres\[0\]\.replicaOf\.environment: names an environment that does not exist/),
      expect.stringMatching(/^environments\/dr\.ts: backup\.drills\[0\]\.lastSuccess: is after today \(2026-11-27\): a restore that has not happened yet is no evidence/),
    ]);
  });
});

describe('a tier assigned to a service that does not exist', () => {
  it('is an error naming the file, the entry and the services there are', () => {
    expect(() => synthEnvironment('prod', { mutate: (c) => (c.backup.assign['core/postgres/mian'] = 'gold') })).toThrow(
      /environments\/prod\.ts: backup\.assign\["core\/postgres\/mian"\]: names no service of this environment, so the tier would protect nothing; services in core\/postgres: core\/postgres\/main/,
    );
    expect(() => synthEnvironment('dev', { mutate: (c) => (c.backup.assign['core/nowhere'] = 'gold') })).toThrow(/backup\.assign\["core\/nowhere"\]: names no service .*; namespaces: .*core\/postgres/);
  });
});

describe('IPv4 addresses and blocks (lib/net.ts)', () => {
  it('accept real addresses and blocks only: every octet 0-255, no leading zeros, a prefix of 0-32', () => {
    expect(parseCidr('10.40.0.0/22')).toEqual({ address: '10.40.0.0', prefix: 22 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ address: '0.0.0.0', prefix: 0 });
    for (const bad of ['999.1.1.1/32', '10.0.0.256/32', '10.0.0.1/33', '10.0.0.1/08', '010.0.0.1/8', '10.0.0/8', '10.0.0.1', '10.0.0.1/', 'a.b.c.d/8', ' 10.0.0.1/8', 42]) {
      expect([bad, parseCidr(bad)]).toEqual([bad, undefined]);
    }
    expect(isIpv4('10.0.5.20')).toBe(true);
    expect(isIpv4('10.0.5.300')).toBe(false);
  });

  it('tell whether a block holds an address or another block', () => {
    expect(cidrContains('10.0.0.0/24', '10.0.0.255')).toBe(true);
    expect(cidrContains('10.0.0.0/24', '10.0.1.0')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.0.4.0/22')).toBe(true);
    expect(cidrContains('10.0.4.0/22', '10.0.0.0/16')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '192.168.1.1/32')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '999.0.0.0/8')).toBeUndefined();
    // The diff falls back to comparing other notations as text.
    expect(policyCidrContains('10.0.0.0/8', '999.0.0.0/8')).toBe(false);
    expect(policyCidrContains('fd00::/8', 'fd00::/8')).toBe(true);
  });

  it('are refused with the file and field in every section that takes one, and by Peer.external', () => {
    const problems = problemsOf(['prod', 'dr'], {
      prod: (c) => {
        c.clusters[0].nodeCidr = '10.10.999.0/24';
        c.backup.offsite.cidr = '10.40.8.300/32';
        c.management.registry.cidr = '1000.1.0.50/32';
      },
      dr: (c) => {
        c.postgres[0].replicaOf.cidr = '10.10.8.10/40';
        // The sections that once had a pattern of their own: any three digits passed.
        c.monitoring.receivers[0].cidr = '10.40.8.999/32';
        c.backup.receives[0].gateway.entry.cidr = '10.10.0.256/22';
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^environments\/prod\.ts: management\.registry\.cidr: must be an IPv4 CIDR block such as "10\.0\.5\.20\/32" \(four numbers 0-255, then \/0-32\) \(got "1000\.1\.0\.50\/32"\)$/),
      expect.stringMatching(/^environments\/prod\.ts: clusters\[0\]\.nodeCidr: must be an IPv4 CIDR block .*\(got "10\.10\.999\.0\/24"\)$/),
      expect.stringMatching(/^environments\/prod\.ts: backup\.offsite\.cidr: must be an IPv4 CIDR block/),
      expect.stringMatching(/^environments\/dr\.ts: postgres\[0\]\.replicaOf\.cidr: must be an IPv4 CIDR block/),
      expect.stringMatching(/^environments\/dr\.ts: backup\.receives\[0\]\.gateway\.entry\.cidr: must be an IPv4 CIDR block such as "10\.40\.0\.0\/22" .*\(got "10\.10\.0\.256\/22"\)$/),
      expect.stringMatching(/^environments\/dr\.ts: monitoring\.receivers\[0\]\.cidr: must be an IPv4 CIDR block such as "10\.1\.0\.25\/32" .*\(got "10\.40\.8\.999\/32"\)$/),
    ]);
    expect(() => Peer.external({ name: 'x', cidr: '10.0.0.999/32' })).toThrow(/cidr must be an IPv4 CIDR block/);
  });
});

describe('restore drills dated in the future', () => {
  const drills = [
    { service: 's', kind: 'postgres-recovery' as const, lastSuccess: '2026-10-01' },
    { service: 's', kind: 'postgres-recovery' as const, lastSuccess: '2026-12-24' },
  ];
  it('are no evidence in a report run on an earlier day', () => {
    expect(lastDrill(drills, 's', 'postgres-recovery', '2026-12-01')?.lastSuccess).toBe('2026-10-01');
    expect(lastDrill(drills, 's', 'postgres-recovery', '2026-12-24')?.lastSuccess).toBe('2026-12-24');
    expect(lastDrill(drills, 's', 'postgres-recovery', '2026-09-30')).toBeUndefined();
  });
});
