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
import { cidrContains, isAllowOnly, isNetworkPolicy, readPolicy, widenings } from '../tools/review/network-policy';
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

describe('NetworkPolicy reading and comparison (mutation review)', () => {
  const NP = 'kubernetes_network_policy_v1';
  const manifest = (spec: object, extra: object = {}) => ({ manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec, ...extra } });
  const rule = (from: object[], ports: object[] = []) => ({ from, ports });
  const spec = (ingress: object[], more: object = {}) => ({ spec: { pod_selector: {}, policy_types: ['Ingress'], ingress, ...more } });

  it('knows both shapes of a NetworkPolicy, and nothing else', () => {
    expect([isNetworkPolicy('kubernetes_network_policy', undefined), isNetworkPolicy(NP, {}), isNetworkPolicy('kubernetes_manifest', manifest({}))]).toEqual([true, true, true]);
    expect(isNetworkPolicy('kubernetes_manifest', { manifest: [manifest({}).manifest] })).toBe(true);
    for (const other of [
      { manifest: { ...manifest({}).manifest, kind: 'CiliumNetworkPolicy' } },
      { manifest: { ...manifest({}).manifest, apiVersion: 'cilium.io/v2' } },
      { manifest: { ...manifest({}).manifest, apiVersion: 'x.networking.k8s.io/v1' } },
      { manifest: { kind: 'NetworkPolicy' } },
      {},
    ]) {
      expect([other, isNetworkPolicy('kubernetes_manifest', other)]).toEqual([other, false]);
    }
    expect(isNetworkPolicy('kubernetes_namespace_v1', manifest({}))).toBe(false);
  });

  it('reads camelCase manifests and snake_case plan values (blocks as one-element lists) to one shape', () => {
    const camel = manifest({
      podSelector: { matchLabels: { app: 'db', tier: 1 }, matchExpressions: [{ key: 'k', operator: 'Exists' }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { zone: 'app' } }, podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } }], ports: [{ port: 5432 }, { port: 'https', protocol: 'udp' }, { port: '', endPort: '' }] }],
      egress: [{ to: [], ports: [{ port: '8000', endPort: '8010', protocol: 'TCP' }, { port: null, endPort: 9 }] }],
    });
    const snake = {
      spec: [
        {
          pod_selector: [{ match_labels: { app: 'db', tier: '1' }, match_expressions: [{ key: 'k', operator: 'Exists' }] }],
          policy_types: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespace_selector: [{ match_labels: { zone: 'app' } }], pod_selector: [{}] }, { ip_block: [{ cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] }] }], ports: [{ port: '5432' }, { port: 'https', protocol: 'UDP' }, { port: '' }] }],
          egress: [{ to: [], ports: [{ port: '8000', end_port: 8010, protocol: 'TCP' }, { end_port: 9 }] }],
        },
      ],
    };
    const expected = {
      podSelector: { matchLabels: { app: 'db', tier: '1' }, matchExpressions: [{ key: 'k', operator: 'Exists' }] },
      types: new Set(['ingress', 'egress']),
      ingress: [
        {
          peers: [
            { podSelector: { matchLabels: {}, matchExpressions: [] }, namespaceSelector: { matchLabels: { zone: 'app' }, matchExpressions: [] }, ipBlock: undefined },
            { podSelector: undefined, namespaceSelector: undefined, ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } },
          ],
          ports: [
            { protocol: 'TCP', port: '5432', endPort: undefined },
            { protocol: 'UDP', port: 'https', endPort: undefined },
            { protocol: 'TCP', port: undefined, endPort: undefined },
          ],
        },
      ],
      egress: [{ peers: [], ports: [{ protocol: 'TCP', port: '8000', endPort: 8010 }, { protocol: 'TCP', port: undefined, endPort: 9 }] }],
    };
    expect(readPolicy('kubernetes_manifest', camel)).toEqual(expected);
    expect(readPolicy(NP, snake)).toEqual(expected);
    // Two elements are no block; no spec is no policy.
    expect(readPolicy(NP, { spec: [{}, {}] })).toBeUndefined();
    expect(readPolicy(NP, { metadata: {} })).toBeUndefined();
    expect(readPolicy(NP, 'spec')).toBeUndefined();
    expect(readPolicy(NP, { spec: { pod_selector: [{}, {}] } })!.podSelector).toEqual({ matchLabels: {}, matchExpressions: [] });
    expect(readPolicy(NP, { spec: { pod_selector: { match_labels: 'app=db' } } })!.podSelector).toEqual({ matchLabels: {}, matchExpressions: [] });
    expect(readPolicy(NP, { spec: { ingress: [{ from: [{ ip_block: { cidr: 10 } }, 'x'] }] } })!.ingress[0]!.peers).toEqual([
      { podSelector: undefined, namespaceSelector: undefined, ipBlock: undefined },
      { podSelector: undefined, namespaceSelector: undefined, ipBlock: undefined },
    ]);
    // Kubernetes' default policy types: Ingress, plus Egress when there are egress rules; unknown types are dropped.
    expect([...readPolicy(NP, { spec: { egress: [{}] } })!.types]).toEqual(['ingress', 'egress']);
    expect([...readPolicy(NP, { spec: { ingress: [{}] } })!.types]).toEqual(['ingress']);
    expect([...readPolicy(NP, { spec: { policy_types: ['Egress', 'Sideways'] } })!.types]).toEqual(['egress']);
  });

  it('calls a policy allow-only when every direction it isolates has a rule', () => {
    expect(isAllowOnly(NP, spec([rule([])]))).toBe(true);
    expect(isAllowOnly(NP, spec([rule([])], { policy_types: ['Ingress', 'Egress'] }))).toBe(false);
    expect(isAllowOnly(NP, spec([]))).toBe(false);
    expect(isAllowOnly(NP, spec([rule([])], { policy_types: ['Sideways'] }))).toBe(false); // isolates nothing it knows: not a plain allow
    expect(isAllowOnly(NP, { metadata: {} })).toBe(false);
  });

  it('compares CIDRs as IPv4 blocks, other notations as trimmed text', () => {
    expect([cidrContains(' 10.0.0.0/8 ', '10.1.0.0/16 '), cidrContains('fd00::/8 ', ' fd00::/8'), cidrContains('10.0.0.0/8', '11.0.0.0/8'), cidrContains('fd00::/8', 'fd00::/16')]).toEqual([true, true, false, false]);
  });

  it('names each widening: pod selector, lost isolation, and every new rule, peer and port in words', () => {
    const widened = (before: object, after: object) => widenings(NP, before, after);
    const pods = (labels: object, expressions: object[] = []) => ({ pod_selector: { match_labels: labels, match_expressions: expressions } });
    expect(widened(spec([]), { spec: { pod_selector: { match_labels: { app: 'db' } }, policy_types: ['Ingress'] } })).toEqual([
      'selects different pods (pod selector all → {app=db}): pods it no longer selects lose its isolation',
    ]);
    expect(widened(spec([], { policy_types: ['Ingress', 'Egress'] }), spec([], { policy_types: ['Sideways'] }))).toEqual([
      'no longer isolates ingress (policy types ingress, egress → none)',
      'no longer isolates egress (policy types ingress, egress → none)',
    ]);
    // Egress was not isolated before: an egress rule now only narrows.
    expect(widened(spec([]), spec([], { policy_types: ['Ingress', 'Egress'], egress: [{ to: [] }] }))).toEqual([]);
    expect(widened(spec([], { policy_types: ['Egress'] }), spec([], { policy_types: ['Egress'], egress: [{}] }))).toEqual(['egress now allows to any destination on all ports, which no previous rule allowed']);
    expect(widened(spec([]), spec([rule([])]))).toEqual(['ingress now allows from any source on all ports, which no previous rule allowed']);

    const app = { namespace_selector: { match_labels: { zone: 'app' } } };
    const old = spec([rule([app, pods({ app: 'api' }, [{ key: 'k', operator: 'Exists' }])], [{ port: '8000', end_port: 8010 }])]);
    // Covered: the same peers, a narrower pod selector, a port inside the range, a matching expression kept.
    expect(widened(old, spec([rule([{ ...app, ...pods({ app: 'x' }) }, pods({ app: 'api', v: '2' }, [{ key: 'k', operator: 'Exists' }, { key: 'j', operator: 'Exists' }])], [{ port: '8005' }])]))).toEqual([]);
    expect(widened(old, spec([rule([pods({ app: 'api' })], [{ port: '8005' }])]))).toEqual([
      'ingress now allows from pods {app=api} of its namespace on 8005/TCP, which no previous rule allowed',
    ]);
    expect(widened(old, spec([rule([pods({})], [{ port: '8005' }])]))).toHaveLength(1);
    expect(widened(old, spec([rule([{ namespace_selector: {} }], [{ port: '8005' }])]))).toEqual([
      'ingress now allows from namespaces all, pods all on 8005/TCP, which no previous rule allowed',
    ]);
    expect(widened(old, spec([rule([{ namespace_selector: { match_labels: { zone: 'dmz' } } }], [{ port: '8005' }])]))).toHaveLength(1);
    expect(widened(old, spec([rule([pods({ app: 'api' }, [{ key: 'k', operator: 'Exists' }])], [{ port: '8005' }])]))).toEqual([]);
    expect(widened(old, spec([rule([pods({ app: 'api' }, [{ key: 'k', operator: 'Exists' }])], [{ port: '8005', end_port: 8011 }])]))).toEqual([
      'ingress now allows from pods {app=api, {"key":"k","operator":"Exists"}} of its namespace on 8005-8011/TCP, which no previous rule allowed',
    ]);
    // A rule with no peers, or no ports, allows all of them: wider than any rule that lists some.
    expect(widened(old, spec([rule([], [{ port: '8005' }])]))).toEqual(['ingress now allows from any source on 8005/TCP, which no previous rule allowed']);
    expect(widened(old, spec([rule([app])]))).toEqual(['ingress now allows from namespaces {zone=app}, pods all on all ports, which no previous rule allowed']);
    expect(widened(old, spec([rule([app], [{ protocol: 'UDP' }])]))).toEqual(['ingress now allows from namespaces {zone=app}, pods all on all/UDP, which no previous rule allowed']);
    expect(widened(spec([rule([app], [{ protocol: 'UDP' }])]), spec([rule([app], [{ port: '53', protocol: 'UDP' }])]))).toEqual([]);
    expect(widened(spec([rule([app], [{ port: 'dns', protocol: 'UDP' }])]), spec([rule([app], [{ port: 'dns', protocol: 'UDP' }])]))).toEqual([]);
    expect(widened(spec([rule([app], [{ port: '53', protocol: 'UDP' }])]), spec([rule([app], [{ protocol: 'UDP' }])]))).toHaveLength(1);
    expect(widened(spec([rule([app], [{ port: '53' }])]), spec([rule([app], [{ port: '53', end_port: 53 }])]))).toEqual([]);
    // An ipBlock is covered only by an ipBlock.
    const block = { ip_block: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } };
    expect(widened(spec([rule([app])]), spec([rule([block])]))).toEqual(['ingress now allows from ipBlock 10.0.0.0/16 except 10.0.5.0/24 on all ports, which no previous rule allowed']);
    expect(widened(spec([rule([block])]), spec([rule([app])]))).toHaveLength(1);
    expect(widened(spec([rule([block])]), spec([rule([{ ip_block: { cidr: '10.0.6.0/24' } }])]))).toEqual([]);
    expect(widened(spec([rule([block])]), spec([rule([{ ip_block: { cidr: '10.0.5.128/25' } }])]))).toHaveLength(1);
    expect(widened(spec([rule([block])]), spec([rule([{ ip_block: { cidr: '10.1.0.0/24' } }])]))).toHaveLength(1);
    // Either side missing or unreadable: nothing (removal and creation are other rules).
    expect([widened({}, spec([rule([])])), widened(spec([]), {})]).toEqual([[], []]);
    expect(readPolicy('kubernetes_manifest', {})).toBeUndefined();
    expect(readPolicy(NP, { spec: { egress: [{ to: [{ ip_block: { cidr: '10.0.0.0/8' } }] }] } })!.egress[0]!.peers).toEqual([{ ipBlock: { cidr: '10.0.0.0/8', except: [] } }]);
  });

  it('covers a new rule only when every peer and every port is inside one old rule (mutation review, second run)', () => {
    const widened = (before: object, after: object) => widenings(NP, before, after);
    const app = { namespace_selector: { match_labels: { zone: 'app' } } };
    const block = { ip_block: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24', '10.0.7.0/24'] } };
    const allPods = { pod_selector: {} };
    // An ipBlock and a pod selector never cover each other, even "all pods of the namespace".
    expect(widened(spec([rule([allPods])]), spec([rule([{ ip_block: { cidr: '0.0.0.0/0' } }])]))).toHaveLength(1);
    expect(widened(spec([rule([block])]), spec([rule([allPods])]))).toEqual(['ingress now allows from pods all of its namespace on all ports, which no previous rule allowed']);
    // Pods of its own namespace do not cover the same pods in other namespaces.
    expect(widened(spec([rule([{ pod_selector: { match_labels: { app: 'api' } } }])]), spec([rule([{ ...app, pod_selector: { match_labels: { app: 'api' } } }])]))).toHaveLength(1);
    // A rule without peers covers any peers; one peer outside is enough to widen.
    expect(widened(spec([rule([], [{ port: '5432' }])]), spec([rule([app], [{ port: '5432' }])]))).toEqual([]);
    expect(widened(spec([rule([app])]), spec([rule([app, block])]))).toEqual([
      'ingress now allows from namespaces {zone=app}, pods all; ipBlock 10.0.0.0/16 except 10.0.5.0/24, 10.0.7.0/24 on all ports, which no previous rule allowed',
    ]);
    // Every new port must be inside some old port; one old port is enough.
    expect(widened(spec([rule([app], [{ port: '5432' }, { port: '6432' }])]), spec([rule([app], [{ port: '5432' }])]))).toEqual([]);
    expect(widened(spec([rule([app], [{ port: '8000', end_port: 8010 }])]), spec([rule([app], [{ port: '8005' }, { port: '9000', protocol: 'UDP' }])]))).toEqual([
      'ingress now allows from namespaces {zone=app}, pods all on 8005/TCP, 9000/UDP, which no previous rule allowed',
    ]);
    // A port the API would refuse (not a whole number) is never taken as inside a range.
    expect(widened(spec([rule([app], [{ port: '8000', end_port: 8010 }])]), spec([rule([app], [{ port: '8000.5' }])]))).toHaveLength(1);
    expect(widened(spec([rule([app], [{ port: '8000.5' }])]), spec([rule([app], [{ port: '8000' }])]))).toHaveLength(1);
    // One direction lost, the other kept.
    expect(widened(spec([rule([app])], { policy_types: ['Ingress', 'Egress'], egress: [{}] }), spec([rule([app])]))).toEqual(['no longer isolates egress (policy types ingress, egress → ingress)']);
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
