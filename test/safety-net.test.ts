/**
 * Tests that kill mutants which survived the suite (docs/mutation.md): the deploy guard's plain
 * delete, policy widening through except holes and port ranges, and the atomic swap of the
 * output folder when the failure happens during synthesis, not while loading the environments.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCES, type EnvironmentInput } from '../environments';
import { ConfigError } from '../lib/errors';
import { formatAllowances, formatRefusal, guardPlans, parseAllowances } from '../tools/review/guard';
import { widenings } from '../tools/review/network-policy';
import { quantityBytes, rule as volumeShrunk } from '../tools/review/rules/volume-shrunk';
import { synthesize } from '../scripts/synth';
import { configOf } from './helpers';

const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the deploy guard', () => {
  const plan = (actions: string[]) => ({ resource_changes: [{ address: 'kubernetes_manifest.pg', type: 'kubernetes_manifest', mode: 'managed', change: { actions, before: {}, after: null } }] }) as any;
  const stateful = { 'kubernetes_manifest.pg': { kind: 'postgres', source: 'marker' as const } };

  it('refuses a plain delete of a stateful resource, not only a replacement', () => {
    const deleted = guardPlans([{ stack: 'prod-core-services', plan: plan(['delete']), stateful }], []);
    expect(deleted.ok).toBe(false);
    expect(deleted.refused).toEqual([{ stack: 'prod-core-services', address: 'kubernetes_manifest.pg', action: 'delete', stateful: stateful['kubernetes_manifest.pg'] }]);
    expect(guardPlans([{ stack: 'prod-core-services', plan: plan(['delete', 'create']), stateful }], []).refused[0]!.action).toBe('replace');
    expect(guardPlans([{ stack: 'prod-core-services', plan: plan(['update']), stateful }], []).ok).toBe(true);
  });

  it('lets a named delete through, and only that one', () => {
    const allowed = guardPlans([{ stack: 'prod-core-services', plan: plan(['delete']), stateful }], parseAllowances(['prod-core-services:kubernetes_manifest.pg']));
    expect([allowed.ok, allowed.allowed.length, allowed.unused]).toEqual([true, 1, []]);
    const elsewhere = guardPlans([{ stack: 'prod-core-services', plan: plan(['delete']), stateful }], parseAllowances(['dr-core-services:kubernetes_manifest.pg']));
    expect(elsewhere.ok).toBe(false);
  });

  // Mutation review (issue 18): the guard's own edges, without Terraform.
  const change = (address: string, actions: string[], extra: object = {}) => ({ address, type: 'terraform_data', mode: 'managed', change: { actions, before: {}, after: null }, ...extra });
  const guard = (changes: object[], evidence: Record<string, unknown>, allow: string[] = []) =>
    guardPlans([{ stack: 'prod-data', plan: { resource_changes: changes } as any, stateful: evidence as any }], parseAllowances(allow));

  it('refuses every malformed allowance at once: no stack, a dotted stack, an address that is no resource address', () => {
    for (const bad of [':terraform_data.db', 'prod.data:terraform_data.db', 'prod-data:9x.db', 'prod-data:-x.db', 'prod-data:', 'terraform_data.']) {
      expect(() => parseAllowances([bad])).toThrow(`--allow-destroy ${JSON.stringify(bad)}: must be <stack>:<address>`);
    }
    expect(() => parseAllowances([':terraform_data.db', 'prod-data:db'])).toThrow(
      /^Invalid --allow-destroy: 2 problems\.\n {2}- --allow-destroy ":terraform_data\.db": must be .*A plain address is not accepted because the same address exists in several stacks; .*\n {2}- --allow-destroy "prod-data:db": /,
    );
    expect(() => parseAllowances(['x:terraform_data.db'], ['prod-data', 'prod-kafka'])).toThrow(/^Invalid --allow-destroy: 1 problem\.\n.*the plans are for: prod-data, prod-kafka\.$/);
    expect(parseAllowances(['prod-data:module.x.terraform_data.db'], ['prod-data'])).toEqual([{ stack: 'prod-data', address: 'module.x.terraform_data.db', text: 'prod-data:module.x.terraform_data.db' }]);
  });

  it('judges only managed resources with stateful evidence, and matches an allowance by stack and address', () => {
    const db = { 'terraform_data.db': { kind: 'postgres', source: 'marker' } };
    expect(guardPlans([{ stack: 'prod-data', plan: {} as any, stateful: {} }], [])).toEqual({ ok: true, refused: [], allowed: [], unused: [] });
    expect(guard([change('terraform_data.db', ['delete'], { mode: 'data' })], db).ok).toBe(true);
    expect(guard([change('terraform_data.cache', ['delete'])], db)).toEqual({ ok: true, refused: [], allowed: [], unused: [] });
    // A renamed resource keeps the evidence recorded under its previous address.
    expect(guard([change('terraform_data.db2', ['delete', 'create'], { previous_address: 'terraform_data.db' })], db).refused).toHaveLength(1);

    const other = guard([change('terraform_data.db', ['delete'])], db, ['prod-data:terraform_data.other']);
    expect(other.ok).toBe(false);
    expect(other.unused.map((a) => a.text)).toEqual(['prod-data:terraform_data.other']);
    const named = guard([change('terraform_data.db', ['delete'])], db, ['prod-data:terraform_data.db', 'prod-data:terraform_data.other']);
    expect(named.allowed).toEqual([{ stack: 'prod-data', address: 'terraform_data.db', action: 'delete', stateful: db['terraform_data.db'], allowedBy: 'prod-data:terraform_data.db' }]);
    expect(named.unused.map((a) => a.text)).toEqual(['prod-data:terraform_data.other']);
  });

  it('says what would be destroyed, by which evidence, and the exact allowances to pass', () => {
    const evidence = {
      'terraform_data.db': { kind: 'postgres', source: 'marker' },
      'terraform_data.topic': { kind: 'kafka', source: 'prevent_destroy' },
    };
    const result = guard([change('terraform_data.db', ['delete']), change('terraform_data.topic', ['delete', 'create'])], evidence);
    expect(formatRefusal(result)).toBe(
      [
        'Refused: 2 stateful resources would be destroyed. Nothing was applied.',
        '  - prod-data:terraform_data.db (stateful: postgres) would be deleted',
        '  - prod-data:terraform_data.topic (prevent_destroy) would be replaced',
        'Its data would be lost unless restored from a backup. If that is intended, run the deploy again with:',
        '  --allow-destroy prod-data:terraform_data.db --allow-destroy prod-data:terraform_data.topic',
        'Otherwise change the code so the plan keeps the resource (a moved block for a rename, or revert the change) and plan again.',
      ].join('\n'),
    );
    const pvc = { address: 'kubernetes_persistent_volume_claim_v1.data', type: 'kubernetes_persistent_volume_claim_v1', mode: 'managed', change: { actions: ['delete'], before: {}, after: null } };
    expect(formatRefusal(guard([pvc], {}))).toMatch(/^Refused: 1 stateful resource would be destroyed\. .*\n {2}- prod-data:kubernetes_persistent_volume_claim_v1\.data \(volume, by its kind\) would be deleted\n/);
    expect(formatAllowances(guard([pvc], {}, ['prod-data:kubernetes_persistent_volume_claim_v1.data', 'prod-data:terraform_data.gone']))).toEqual([
      'Allowed by --allow-destroy: prod-data:kubernetes_persistent_volume_claim_v1.data (volume, by its kind) would be deleted.',
      'Note: --allow-destroy prod-data:terraform_data.gone matched no stateful delete or replace in the saved plans.',
    ]);
  });
});

describe('NetworkPolicy widening', () => {
  const policy = (from: object, ports: object[] = [{ port: '5432', protocol: 'TCP' }]) => ({
    metadata: { name: 'p', namespace: 'postgres' },
    spec: { pod_selector: {}, policy_types: ['Ingress'], ingress: [{ from: [from], ports }] },
  });
  const widened = (before: object, after: object) => widenings('kubernetes_network_policy_v1', before, after);

  it('sees a hole of an ipBlock closed: the addresses it excluded are allowed now', () => {
    const holed = policy({ ip_block: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } });
    expect(widened(holed, policy({ ip_block: { cidr: '10.0.0.0/16', except: [] } }))).toEqual([expect.stringMatching(/^ingress now allows from ipBlock 10\.0\.0\.0\/16 on 5432\/TCP/)]);
    expect(widened(holed, policy({ ip_block: { cidr: '10.0.0.0/16', except: ['10.0.5.0/25'] } }))).toHaveLength(1);
    expect(widened(holed, policy({ ip_block: { cidr: '10.0.0.0/16', except: ['10.0.4.0/23'] } }))).toEqual([]);
    expect(widened(holed, policy({ ip_block: { cidr: '10.0.0.0/24' } }))).toEqual([]); // the hole lies outside the new block
  });

  it('sees a port range grow at either end, and a range replacing a single port', () => {
    const range = (port: string, endPort?: number) => policy({ ip_block: { cidr: '10.0.0.1/32' } }, [{ port, ...(endPort ? { end_port: endPort } : {}), protocol: 'TCP' }]);
    expect(widened(range('8000', 8010), range('8000', 8011))).toHaveLength(1);
    expect(widened(range('8000', 8010), range('7999', 8010))).toHaveLength(1);
    expect(widened(range('8000'), range('8000', 8001))).toHaveLength(1);
    expect(widened(range('8000', 8010), range('8002', 8005))).toEqual([]);
    expect(widened(range('8000', 8010), range('8010'))).toEqual([]);
    expect(widened(range('https'), range('8443'))).toHaveLength(1);
    expect(widened(range('8000', 8010), policy({ ip_block: { cidr: '10.0.0.1/32' } }, [{ port: '8005', protocol: 'UDP' }]))).toHaveLength(1);
  });
});

describe('the atomic swap of the output folder', () => {
  it('keeps the previous output when synthesis itself fails (after the environments loaded)', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'moit-swap-')), 'out');
    temp.push(join(target, '..'));
    synthesize(target, ['dev']);
    const marker = join(target, 'stacks', 'dev-core-platform', 'marker');
    writeFileSync(marker, 'previous output');
    // Valid configuration (it loads), but a tier assigned to no service fails at synth, once every stack is prepared.
    const broken = SOURCES.map((s) => {
      if (s.config.name !== 'dev') return s;
      const config = configOf('dev') as any;
      config.backup.assign['core/nowhere'] = 'gold';
      return { file: s.file, config: config as EnvironmentInput };
    });
    expect(() => synthesize(target, ['dev'], broken)).toThrow(ConfigError);
    expect(readFileSync(marker, 'utf8')).toBe('previous output');
    expect(readdirSync(join(target, '..'))).toEqual(['out']); // no staging or previous folder left behind
    expect(existsSync(join(target, 'manifest.json'))).toBe(true);
  });
});

describe('volume sizes (the volume-shrunk diff rule)', () => {
  it('reads Kubernetes quantities: binary and decimal suffixes, exponents, plain numbers', () => {
    expect(
      ['1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei', '1k', '1K', '1M', '1G', '1T', '1P', '1E', '1500m', '1e3', '2', '1.5Gi', 3, '1.25Gi', '25e-1', '1e12'].map((q) => quantityBytes(q as string)),
    ).toEqual([2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40, 2 ** 50, 2 ** 60, 1e3, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18, 1.5, 1000, 2, 1.5 * 2 ** 30, 3, 1.25 * 2 ** 30, 2.5, 1e12]);
    for (const bad of ['', 'Gi', '10 GB', '10gi', '-1Gi', 'x10Gi', undefined, null, true]) expect([bad, quantityBytes(bad as any)]).toEqual([bad, undefined]);
  });

  it('judges only volume sizes, on updates and replacements, and only when they shrink', () => {
    const check = (action: string, path: (string | number)[], before: unknown, after: unknown) => volumeShrunk.check({ action, leaves: [{ path, before, after }] } as any);
    expect(check('update', ['spec', 'resources', 'requests', 'storage'], '10Gi', '5Gi')).toHaveLength(1);
    expect(check('replace', ['manifest', 'spec', 'storage', 'size'], '10Gi', '5Gi')).toHaveLength(1);
    expect(check('update', ['manifest', 'spec', 'walStorage', 'size'], '10Gi', '5Gi')).toHaveLength(1);
    expect(check('update', ['manifest', 'spec', 'tablespaces', 0, 'storage', 'size'], '10Gi', '5Gi')).toHaveLength(1);
    expect(check('update', ['manifest', 'spec', 'storage', 'volumes', 0, 'size'], '10Gi', '5Gi')).toHaveLength(1);
    expect(check('delete', ['spec', 'resources', 'requests', 'storage'], '10Gi', '5Gi')).toEqual([]);
    expect(check('create', ['spec', 'resources', 'requests', 'storage'], '10Gi', '5Gi')).toEqual([]);
    expect(check('update', ['spec', 'resources', 'limits', 'storage'], '10Gi', '5Gi')).toEqual([]);
    expect(check('update', ['spec', 'resources', 'requests', 'memory'], '10Gi', '5Gi')).toEqual([]);
    expect(check('update', ['spec', 'cache', 'size'], '10Gi', '5Gi')).toEqual([]);
    expect(check('update', ['spec', 'storage', 'size'], '10Gi', '10Gi')).toEqual([]);
    expect(check('update', ['spec', 'storage', 'size'], '10Gi', 'big')).toEqual([]);
    expect(check('update', ['spec', 'storage', 'size'], 'big', '5Gi')).toEqual([]);
    expect(check('update', ['manifest', 'spec', 'storage', 'storageClass'], '10Gi', '5Gi')).toEqual([]);
    expect(check('update', ['spec', 'storage', 'size'], '10Gi', '9Gi')).toEqual(['spec.storage.size: 10Gi → 9Gi: a volume cannot be made smaller in place; keep 10Gi, or migrate the data to a new volume.']);
  });
});
