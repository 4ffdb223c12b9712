/**
 * The config diff (npm run diff) on synthesized folders: what it detects, what it warns
 * about, what it hides, and the size of the comment. No Terraform is involved.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffSynthesized } from '../tools/review/config-diff';
import { COMMENT_LIMIT, renderJson, renderMarkdown } from '../tools/review/markdown';
import { hasDestructive, type ReviewReport } from '../tools/review/model';
import { loadSynthesized } from '../tools/review/synthesized';
import { synthApp, tmp, type StackSpec } from './fixtures/review/apps';

function diff(base: StackSpec[], head: StackSpec[]): ReviewReport {
  const state = tmp('moit-diff-state-'); // the same backend on both sides
  return diffSynthesized(loadSynthesized(synthApp(base, state)), loadSynthesized(synthApp(head, state)), { baseLabel: 'base', headLabel: 'head' });
}
const rules = (r: ReviewReport): string[] => r.findings.map((f) => f.rule);
const stack = (name: string, ...resources: StackSpec['resources'][number][]): StackSpec => ({ name, resources });

const POLICY = {
  metadata: { name: 'postgres-ingress', namespace: 'data-orders' },
  spec: {
    pod_selector: { match_labels: { app: 'orders-db' } },
    policy_types: ['Ingress'],
    ingress: [{ from: [{ namespace_selector: { match_labels: { zone: 'app' } } }, { ip_block: { cidr: '10.20.0.0/24' } }], ports: [{ port: '5432', protocol: 'TCP' }] }],
  },
};
const policy = (spec: object) => ({ id: 'orders-db-ingress', type: 'kubernetes_network_policy_v1', body: { metadata: POLICY.metadata, spec } });

const kafka = (listener: object, config: object = { 'retention.ms': 604800000 }) => ({
  id: 'events',
  type: 'kubernetes_manifest',
  body: {
    manifest: {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'Kafka',
      metadata: { name: 'events', namespace: 'data-events' },
      spec: { kafka: { listeners: [{ name: 'tls', port: 9093, type: 'internal', ...listener }], config } },
    },
  },
});

describe('npm run diff: resource changes', () => {
  it('counts added, changed, replaced and removed resources per environment and stack', () => {
    const report = diff(
      [stack('prod-core-services', { id: 'a', body: { input: 1 } }, { id: 'b', body: { input: 'x' } }, { id: 'c', body: { triggers_replace: 'v1' } }), stack('dev-core-services', { id: 'a', body: { input: 1 } })],
      [stack('prod-core-services', { id: 'a', body: { input: 2 } }, { id: 'c', body: { triggers_replace: 'v2' } }, { id: 'd', body: { input: 'new' } }), stack('dev-core-services', { id: 'a', body: { input: 1 } })],
    );
    const prod = report.stacks.find((s) => s.name === 'prod-core-services')!;
    expect(prod.environment).toBe('prod');
    expect(prod.counts).toMatchObject({ add: 1, change: 1, replace: 1, remove: 1 });
    expect(report.stacks.find((s) => s.name === 'dev-core-services')!.status).toBe('unchanged');
    expect(prod.changes.find((c) => c.address === 'terraform_data.a')!.attributes).toEqual([expect.objectContaining({ path: 'input', before: 1, after: 2 })]);
    expect(prod.changes.find((c) => c.address === 'terraform_data.c')).toMatchObject({ action: 'replace', replacePaths: ['triggers_replace'] });

    const md = renderMarkdown(report).text;
    expect(md.indexOf('| prod | `prod-core-services` | 1 | 1 | 1 | 1 |')).toBeGreaterThan(0);
    expect(md).toContain('- `input`: `1` → `2`');
    expect(md).toContain('Unchanged: `dev-core-services`');
    // Summary first, details last.
    expect(md.indexOf('| environment |')).toBeLessThan(md.indexOf('<details>'));
  });

  it('reports a logical-id change under the same construct path as a replace (delete + create)', () => {
    const report = diff([stack('prod-x', { id: 'db', logicalId: 'db_OLD', body: { input: 1 } })], [stack('prod-x', { id: 'db', logicalId: 'db_NEW', body: { input: 1 } })]);
    const [change] = report.stacks[0]!.changes;
    expect(change).toMatchObject({ action: 'replace', address: 'terraform_data.db_NEW', previousAddress: 'terraform_data.db_OLD', constructPath: 'prod-x/db' });
    expect(change!.reason).toContain('construct path `prod-x/db` did not');
    expect(report.stacks[0]!.counts).toMatchObject({ add: 0, remove: 0, replace: 1 });
  });

  it('reports a rename with a moved block as a move, not a replace', () => {
    const report = diff([stack('prod-x', { id: 'old', body: { input: 1 } })], [stack('prod-x', { id: 'new', body: { input: 1 }, movedFrom: 'terraform_data.old' })]);
    expect(report.stacks[0]!.changes).toEqual([expect.objectContaining({ action: 'no-op', moved: true, previousAddress: 'terraform_data.old', address: 'terraform_data.new' })]);
    expect(report.stacks[0]!.counts).toMatchObject({ move: 1, replace: 0, add: 0, remove: 0 });
    expect(renderMarkdown(report).text).toContain('**move** `terraform_data.old` → `terraform_data.new`');
  });

  it('knows which kubernetes_manifest and helm_release fields force a replacement', () => {
    const manifest = (name: string, instances: number) => ({ id: 'db', type: 'kubernetes_manifest', body: { manifest: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name, namespace: 'data' }, spec: { instances } } } });
    const report = diff(
      [stack('prod-x', manifest('orders', 3), { id: 'chart', type: 'helm_release', body: { name: 'cnpg', namespace: 'cnpg-system', version: '1' } })],
      [stack('prod-x', manifest('orders-v2', 5), { id: 'chart', type: 'helm_release', body: { name: 'cnpg', namespace: 'cnpg-system', version: '2' } })],
    );
    const db = report.stacks[0]!.changes.find((c) => c.type === 'kubernetes_manifest')!;
    expect(db).toMatchObject({ action: 'replace', replacePaths: ['manifest.metadata.name'], label: 'Cluster data/orders-v2' });
    expect(db.attributes.find((a) => a.path === 'manifest.spec.instances')).toMatchObject({ before: 3, after: 5 });
    expect(report.stacks[0]!.changes.find((c) => c.type === 'helm_release')!.action).toBe('update');
    expect(renderMarkdown(report).text).toContain('- `manifest.metadata.name`: `"orders"` → `"orders-v2"` **(forces replacement)**');
  });

  it('compares Helm values field by field inside the YAML string', () => {
    const values = (keep: boolean) => `crds:\n  enabled: true\n  keep: ${keep}\nprometheus:\n  enabled: false\n`;
    const report = diff([stack('prod-x', { id: 'chart', type: 'helm_release', body: { name: 'c', values: [values(true)] } })], [stack('prod-x', { id: 'chart', type: 'helm_release', body: { name: 'c', values: [values(false)] } })]);
    expect(report.stacks[0]!.changes[0]!.attributes).toEqual([expect.objectContaining({ path: 'values[0]{yaml}.crds.keep', before: true, after: false })]);
  });
});

describe('npm run diff: destructive warnings', () => {
  it('warns and exits 2 when a stateful resource is deleted', () => {
    const report = diff([stack('prod-core-services', { id: 'orders-db', stateful: 'postgres', body: { input: 1 } })], [stack('prod-core-services')]);
    expect(rules(report)).toEqual(['stateful-destroyed']);
    expect(report.findings[0]).toMatchObject({ address: 'terraform_data.orders-db', message: 'stateful (postgres) is deleted: removed from the configuration.' });
    expect(hasDestructive(report)).toBe(true);
    const md = renderMarkdown(report).text;
    expect(md).toContain('> [!CAUTION]');
    expect(md.indexOf('[!CAUTION]')).toBeLessThan(md.indexOf('<details>'));
  });

  it('warns when prevent_destroy is removed from a resource that stays', () => {
    const report = diff([stack('prod-x', { id: 'bucket', stateful: 'bucket', body: { input: 1 } })], [stack('prod-x', { id: 'bucket', stateful: 'bucket', ephemeral: true, body: { input: 1 } })]);
    expect(rules(report)).toEqual(['prevent-destroy-removed']);
    expect(report.findings[0]!.message).toBe('`lifecycle.prevent_destroy` is no longer set.');
  });

  it('stays silent on a stateful resource that is only updated', () => {
    const report = diff([stack('prod-x', { id: 'db', stateful: 'postgres', body: { input: 1 } })], [stack('prod-x', { id: 'db', stateful: 'postgres', body: { input: 2 } })]);
    expect(report.findings).toEqual([]);
    expect(hasDestructive(report)).toBe(false);
  });
});

describe('npm run diff: security warnings', () => {
  it('warns when a NetworkPolicy that denies is removed: a default deny, or one isolating a direction it allows nothing in', () => {
    const deny = { pod_selector: {}, policy_types: ['Ingress', 'Egress'] };
    expect(rules(diff([stack('prod-x', policy(deny))], [stack('prod-x')]))).toEqual(['network-policy-removed']);
    const egressDenied = { ...POLICY.spec, policy_types: ['Ingress', 'Egress'] };
    expect(rules(diff([stack('prod-x', policy(egressDenied))], [stack('prod-x')]))).toEqual(['network-policy-removed']);
  });

  it('does not warn when allow-only NetworkPolicies are removed: that narrows access', () => {
    const egress = { id: 'orders-db-egress', type: 'kubernetes_manifest', body: { manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'egress', namespace: 'data-orders' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }] }] } } } };
    const report = diff([stack('prod-x', policy(POLICY.spec), egress)], [stack('prod-x')]);
    expect(report.findings).toEqual([]);
    expect(report.totals.remove).toBe(2);
  });

  it('warns when a NetworkPolicy is widened: a wider CIDR, all ports, a lost egress isolation', () => {
    const wider = structuredClone(POLICY.spec) as any;
    wider.ingress[0].from[1].ip_block.cidr = '10.0.0.0/8';
    wider.ingress[0].ports = [];
    const report = diff([stack('prod-x', policy(POLICY.spec))], [stack('prod-x', policy(wider))]);
    expect(rules(report)).toEqual(['network-policy-widened']);
    expect(report.findings[0]!.message).toContain('ingress now allows from namespaces {zone=app}, pods all; ipBlock 10.0.0.0/8 on all ports');

    const both = { ...POLICY.spec, policy_types: ['Ingress', 'Egress'], egress: [{ to: [{ namespace_selector: { match_labels: { zone: 'mgmt' } } }] }] };
    const noEgress = { ...both, policy_types: ['Ingress'] };
    expect(diff([stack('prod-x', policy(both))], [stack('prod-x', policy(noEgress))]).findings[0]!.message).toContain('no longer isolates egress');
  });

  it('stays silent when a NetworkPolicy is narrowed', () => {
    const narrower = structuredClone(POLICY.spec) as any;
    narrower.ingress[0].from[1].ip_block.cidr = '10.20.0.0/28';
    narrower.ingress[0].from[0].pod_selector = { match_labels: { app: 'orders-api' } };
    expect(diff([stack('prod-x', policy(POLICY.spec))], [stack('prod-x', policy(narrower))]).findings).toEqual([]);
  });

  it('warns when TLS or authentication is turned off, and when superuser access is turned on', () => {
    const before = kafka({ tls: true, authentication: { type: 'scram-sha-512' } });
    const after = kafka({ tls: false });
    const report = diff([stack('prod-x', before)], [stack('prod-x', after)]);
    expect(rules(report).sort()).toEqual(['authentication-disabled', 'tls-disabled']);
    expect(report.findings.find((f) => f.rule === 'tls-disabled')!.message).toContain('`manifest.spec.kafka.listeners[0].tls`: true → false');

    const pg = (hba: string, superuser: boolean) => ({ id: 'db', type: 'kubernetes_manifest', body: { manifest: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'orders', namespace: 'data' }, spec: { enableSuperuserAccess: superuser, postgresql: { pg_hba: [hba] } } } } });
    const pgReport = diff([stack('prod-x', pg('hostssl all all 10.0.0.0/8 scram-sha-256', false))], [stack('prod-x', pg('host all all 10.0.0.0/8 scram-sha-256', true))]);
    expect(pgReport.findings.map((f) => f.message).join('\n')).toMatch(/pg_hba accepts connections without TLS[\s\S]*superuser access turned on/);
  });

  it('stays silent when TLS settings change but stay on', () => {
    const report = diff([stack('prod-x', kafka({ tls: true, authentication: { type: 'tls' } }))], [stack('prod-x', kafka({ tls: true, authentication: { type: 'scram-sha-512' } }))]);
    expect(report.findings).toEqual([]);
  });

  it('warns when a retention is shortened, and not when it is lengthened', () => {
    const pg = (policy: string) => ({ id: 'db', type: 'kubernetes_manifest', body: { manifest: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'o', namespace: 'd' }, spec: { backup: { retentionPolicy: policy } } } } });
    expect(rules(diff([stack('prod-x', pg('30d'))], [stack('prod-x', pg('7d'))]))).toEqual(['retention-shortened']);
    expect(rules(diff([stack('prod-x', pg('30d'))], [stack('prod-x', pg('2m'))]))).toEqual([]); // m is months for CloudNativePG
    const topic = diff([stack('prod-x', kafka({ tls: true }, { 'retention.ms': 604800000 }))], [stack('prod-x', kafka({ tls: true }, { 'retention.ms': 86400000 }))]);
    expect(topic.findings[0]!.message).toContain('`manifest.spec.kafka.config["retention.ms"]`: 604800000 → 86400000');
    expect(rules(diff([stack('prod-x', kafka({ tls: true }, { 'retention.ms': -1 }))], [stack('prod-x', kafka({ tls: true }, { 'retention.ms': 86400000 }))]))).toEqual(['retention-shortened']);
    const velero = (ttl: string) => ({ id: 's', type: 'kubernetes_manifest', body: { manifest: { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'daily', namespace: 'velero' }, spec: { template: { ttl } } } } });
    expect(rules(diff([stack('prod-x', velero('720h0m0s'))], [stack('prod-x', velero('168h0m0s'))]))).toEqual(['retention-shortened']);
    expect(rules(diff([stack('prod-x', velero('168h0m0s'))], [stack('prod-x', velero('720h0m0s'))]))).toEqual([]);
  });

  it('warns about a new sharing grant, and not about an unchanged one', () => {
    const grant = (sharing: string[]) => ({ id: 'grant', body: { input: 'read orders' }, sharing });
    const added = diff([stack('prod-x')], [stack('prod-x', grant(['agr-2025-007']))]);
    expect(rules(added)).toEqual(['sharing-granted']);
    expect(added.findings[0]!.message).toContain('`agr-2025-007`');
    expect(rules(diff([stack('prod-x', grant(['agr-1']))], [stack('prod-x', grant(['agr-1', 'agr-2']))]))).toEqual(['sharing-granted']);
    expect(diff([stack('prod-x', grant(['agr-1']))], [stack('prod-x', grant(['agr-1']))]).findings).toEqual([]);
  });
});

describe('npm run diff: secrets and size', () => {
  it('never prints sensitive-looking values, in Markdown or JSON', () => {
    const report = diff(
      [stack('prod-x', { id: 's', body: { input: { password: 'hunter2-old', secretName: 'orders-app', token: 'tok-old', note: 'x' } } })],
      [stack('prod-x', { id: 's', body: { input: { password: 'hunter2-new', secretName: 'orders-app-v2', token: 'tok-new', note: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----' } } })],
    );
    const md = renderMarkdown(report, { limit: Infinity }).text + renderJson(report);
    for (const secret of ['hunter2', 'tok-old', 'tok-new', 'MIIE']) expect(md).not.toContain(secret);
    expect(md).toContain('- `input.password`: `(sensitive)` → `(sensitive)`');
    expect(md).toContain('`"orders-app"` → `"orders-app-v2"`'); // a reference to a secret stays readable
  });

  it('cuts a huge report under 65,000 characters, keeps warnings first and names the full report', () => {
    const many = (v: number) => stack('prod-big', ...Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, body: { input: { n: v, text: `value ${v} of a fairly long attribute ${i}` } } })));
    const report = diff([many(1), stack('prod-db', { id: 'db', stateful: 'postgres', body: { input: 1 } })], [many(2)]);
    const { text, truncated } = renderMarkdown(report, { fullReportPath: 'plans/diff.md' });
    expect(truncated).toBe(true);
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text).toContain('[!CAUTION]');
    expect(text).toContain('The full report is `plans/diff.md`');
    expect(text.match(/<details>/g)!.length).toBe(text.match(/<\/details>/g)!.length);
    const full = renderMarkdown(report, { limit: Infinity });
    expect(full.truncated).toBe(false);
    expect(full.text.length).toBeGreaterThan(COMMENT_LIMIT);
    expect(full.text).toContain('`terraform_data.r2999`');
  });
});

describe('npm run diff (CLI)', () => {
  it('compares two folders, writes the full report, exits 2 on destructive changes and 0 otherwise', () => {
    const base = synthApp([stack('dev-core-services', { id: 'db', stateful: 'postgres', ephemeral: true, body: { input: 1 } })]);
    const head = synthApp([stack('dev-core-services')]);
    const out = join(tmp('moit-diff-cli-'), 'diff.md');
    const run = (args: string[]) => {
      try {
        return { code: 0, stdout: execFileSync(process.execPath, ['dist/scripts/diff.js', ...args], { encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e: any) {
        return { code: e.status as number, stdout: e.stdout as string, stderr: e.stderr as string };
      }
    };
    const destructive = run(['--base', base, '--head', head, '--out', out]);
    expect(destructive.code).toBe(2);
    expect(destructive.stdout).toContain('stateful-destroyed');
    expect(readFileSync(out, 'utf8')).toBe(destructive.stdout);

    const json = run(['--base', head, '--head', base, '--format', 'json', '--out', join(tmp('moit-diff-cli-'), 'diff.json')]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'config-diff', totals: { add: 1 } });

    const bad = run(['--base', 'no-such-ref-or-folder']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--base: neither an existing folder nor a git commit, got "no-such-ref-or-folder"');
  });
});

describe('npm run diff: changes the target cannot apply in place', () => {
  const pvc = (size: string) => ({ id: 'data', type: 'kubernetes_persistent_volume_claim_v1', body: { metadata: { name: 'data', namespace: 'app-trade' }, spec: { access_modes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } } });
  const pg = (size: string, wal = '10Gi') => ({
    id: 'pg',
    type: 'kubernetes_manifest',
    body: { manifest: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'main', namespace: 'postgres' }, spec: { instances: 3, storage: { size }, walStorage: { size: wal } } } },
  });
  const pool = (sizes: string[]) => ({
    id: 'pool',
    type: 'kubernetes_manifest',
    body: { manifest: { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaNodePool', metadata: { name: 'brokers', namespace: 'kafka' }, spec: { replicas: 3, storage: { type: 'jbod', volumes: sizes.map((size, id) => ({ id, type: 'persistent-claim', size })) } } } },
  });

  it('warns when a claim, a Postgres volume or a Kafka volume gets smaller, naming the field and both sizes', () => {
    const report = diff([stack('prod-x', pvc('100Gi'), pg('200Gi'), pool(['1Ti', '500Gi']))], [stack('prod-x', pvc('50Gi'), pg('200Gi', '5Gi'), pool(['1Ti', '400G']))]);
    expect(report.findings.map((f) => [f.rule, f.severity, f.address, f.message])).toEqual([
      ['volume-shrunk', 'caution', 'kubernetes_manifest.pg', expect.stringMatching(/^manifest\.spec\.walStorage\.size: 10Gi → 5Gi: a volume cannot be made smaller in place/)],
      ['volume-shrunk', 'caution', 'kubernetes_manifest.pool', expect.stringMatching(/^manifest\.spec\.storage\.volumes\[1\]\.size: 500Gi → 400G:/)],
      ['volume-shrunk', 'caution', 'kubernetes_persistent_volume_claim_v1.data', expect.stringMatching(/^spec\.resources\.requests\.storage: 100Gi → 50Gi:/)],
    ]);
  });

  it('is silent when volumes grow or keep their size written another way', () => {
    const report = diff([stack('prod-x', pvc('100Gi'), pg('200Gi'), pool(['1Ti']))], [stack('prod-x', pvc('200Gi'), pg('0.25Ti'), pool(['1024Gi']))]);
    expect(rules(report)).toEqual([]);
  });
});
