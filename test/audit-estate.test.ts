import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAudit } from '../scripts/audit';
import { synthEstate, type Json } from './helpers';
import { kafka, pgCluster } from './rules/objects';

const TODAY = '2026-11-27';
const { outdir } = synthEstate();
const key = (o: { rule: { id: string }; stack: string; resource?: { address: string } }) => `${o.rule.id} ${o.stack} ${o.resource?.address ?? ''}`;
const baseline = new Set(runAudit({ dir: outdir, today: TODAY }).report.environments.flatMap((e) => e.findings.map(key)));

/** Copies the real estate, applies `mutate` to one stack's JSON, and returns the new findings. */
function mutated(stackName: string, mutate: (json: Json) => void): string[] {
  const dir = join(mkdtempSync(join(tmpdir(), 'moit-mutant-')), 'cdktf.out');
  cpSync(outdir, dir, { recursive: true });
  const file = join(dir, 'stacks', stackName, 'cdk.tf.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  mutate(json);
  writeFileSync(file, JSON.stringify(json));
  return runAudit({ dir, today: TODAY }).report.environments.flatMap((e) => e.findings.map(key)).filter((k) => !baseline.has(k));
}

const byType = (json: Json, type: string) => Object.values(json.resource[type] ?? {}) as Json[];
const inject = (json: Json, object: Json, comment: Json = {}) => {
  json.resource.kubernetes_manifest ??= {};
  json.resource.kubernetes_manifest[`injected_${object.kind}`] = { '//': { metadata: { path: `prod-core-services/injected/${object.kind}` }, ...comment }, manifest: object };
};

describe('the standalone audit on the real estate', () => {
  it('finds nothing wrong in network isolation, Pod Security and secrets of the estate as built', () => {
    expect([...baseline].filter((k) => /^(NET-001|PSS-001|SEC-001|AUD-002) /.test(k))).toEqual([]);
  });

  it.each<[string, string, string, (json: Json) => void]>([
    ['a removed default deny', 'NET-001', 'prod-core-platform', (j) => {
      for (const [id, p] of Object.entries(j.resource.kubernetes_network_policy_v1 as Record<string, Json>)) if (p.metadata.name === 'default-deny' && p.metadata.namespace === 'postgres') delete j.resource.kubernetes_network_policy_v1[id];
    }],
    ['a LoadBalancer in the data zone', 'NET-002', 'prod-core-services', (j) => {
      j.resource.kubernetes_service_v1 = { lb: { metadata: { name: 'pg-public', namespace: 'postgres' }, spec: { type: 'LoadBalancer' } } };
    }],
    ['0.0.0.0/0 added to a policy', 'NET-003', 'prod-core-platform', (j) => {
      const dns = byType(j, 'kubernetes_network_policy_v1').find((p) => p.metadata.name === 'allow-dns')!;
      dns.spec.egress[0].to.push({ ip_block: { cidr: '0.0.0.0/0' } });
    }],
    ['privileged Pod Security without a reason', 'PSS-001', 'prod-core-platform', (j) => {
      byType(j, 'kubernetes_namespace_v1').find((n) => n.metadata.name === 'postgres')!.metadata.labels['pod-security.kubernetes.io/enforce'] = 'privileged';
    }],
    ['a password in chart values', 'SEC-001', 'prod-core-platform', (j) => {
      byType(j, 'helm_release')[0]!.values[0] += 'adminPassword: s3cr3t-value\n';
    }],
    ['a removed environment record', 'AUD-002', 'prod-core-services', (j) => {
      delete j['//'].environment;
    }],
    ['an expired suppression', 'AUD-001', 'prod-core-services', (j) => {
      byType(j, 'kubernetes_manifest')[0]!['//'].suppressions = [{ rule: 'PG-001', reason: 'temporary migration access', owner: 'data/le.c', expires: '2026-01-31' }];
    }],
    ['a database that is not retained', 'RET-001', 'prod-core-services', (j) => inject(j, pgCluster())],
    ['superuser access', 'PG-001', 'prod-core-services', (j) => inject(j, pgCluster({ enableSuperuserAccess: true }))],
    ['pg_hba that admits non-TLS', 'PG-002', 'prod-core-services', (j) => inject(j, pgCluster({ postgresql: { pg_hba: ['host all all 0.0.0.0/0 scram-sha-256'] } }))],
    ['a plaintext Kafka listener', 'KAF-001', 'prod-core-services', (j) => inject(j, kafka({ listeners: [{ name: 'plain', port: 9092, type: 'internal', tls: false, authentication: { type: 'tls' } }] }))],
    ['an unauthenticated Kafka listener', 'KAF-002', 'prod-core-services', (j) => inject(j, kafka({ listeners: [{ name: 'open', port: 9093, type: 'internal', tls: true }] }))],
    ['Kafka without authorization', 'KAF-003', 'prod-core-services', (j) => inject(j, kafka({ authorization: undefined }))],
    ['access under an expired agreement', 'SHR-001', 'prod-core-services', (j) => {
      j['//'].sharingAgreements = { 'SA-2025-001': { start: '2025-01-01', expiry: '2025-12-31', provider: 'a', consumer: 'b' } };
      byType(j, 'kubernetes_manifest')[0]!['//'].sharing = ['SA-2025-001'];
    }],
  ])('catches %s (%s)', (_what, rule, stackName, mutate) => {
    expect(mutated(stackName, mutate).filter((k) => k.startsWith(`${rule} `)).length).toBeGreaterThan(0);
  });
});

describe('npm run audit', () => {
  const fixture = (json: Json) => {
    const dir = mkdtempSync(join(tmpdir(), 'moit-audit-cli-'));
    cpSync(join(outdir, 'manifest.json'), join(dir, 'manifest.json'));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.stacks = { 'dev-core-platform': { ...manifest.stacks['dev-core-platform'], dependencies: [] } };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    cpSync(join(outdir, 'stacks', 'dev-core-platform'), join(dir, 'stacks', 'dev-core-platform'), { recursive: true });
    writeFileSync(join(dir, 'stacks', 'dev-core-platform', 'cdk.tf.json'), JSON.stringify(json));
    return dir;
  };
  const cli = (args: string[]) => {
    try {
      return { status: 0, stdout: execFileSync(process.execPath, ['dist/scripts/audit.js', ...args], { encoding: 'utf8', stdio: 'pipe' }), stderr: '' };
    } catch (e: any) {
      return { status: e.status as number, stdout: e.stdout as string, stderr: e.stderr as string };
    }
  };
  const clean = { '//': { environment: { name: 'dev', class: 'development', securityLevel: 3, ephemeral: true, site: 'local', cluster: 'core', layer: 'platform', namespaces: {} } }, resource: {} };

  it('exits 0 and writes the report to --out when nothing at or above the threshold remains', () => {
    const dir = fixture(clean);
    const out = join(dir, 'report.sarif');
    const r = cli(['--dir', dir, '--format', 'sarif', '--out', out, '--today', TODAY]);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).version).toBe('2.1.0');
  });

  it('exits 1 on a finding, names it, and honours --threshold and --env', () => {
    const dir = fixture({ ...clean, resource: { kubernetes_cluster_role_binding_v1: { b: { metadata: { name: 'admins' }, role_ref: { name: 'cluster-admin' } } } } });
    expect(cli(['--dir', dir, '--today', TODAY]).status).toBe(0); // a warning does not fail at the default threshold
    const r = cli(['--dir', dir, '--today', TODAY, '--threshold', 'warning', '--format', 'junit']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('<failure message="1 finding');
    expect(r.stderr).toMatch(/audit FAIL: 1 at or above warning/);
    expect(cli(['--dir', dir, '--env', 'prod']).stderr).toMatch(/--env: unknown environment "prod" in .*; known: dev/);
  });

  it('exits 2 when it cannot run', () => {
    expect(cli(['--dir', '/nonexistent']).status).toBe(2);
    expect(cli(['--dir', outdir, '--format', 'pdf']).stderr).toMatch(/--format: must be one of md, json, sarif, junit, got "pdf"/);
    expect(cli(['--dir', outdir, '--today', '2026-02-30']).status).toBe(2);
  });
});
