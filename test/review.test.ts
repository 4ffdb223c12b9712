/**
 * Building blocks of the review tooling: masking, attribute diffs, the rule registry, stack
 * order, the Terraform runner's errors, and the git-worktree side of `npm run diff`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatPath, DECODED_YAML } from '../tools/review/paths';
import { RULES } from '../tools/review/rules';
import { rule as admissionWeakened } from '../tools/review/rules/admission-weakened';
import { rule as authenticationDisabled } from '../tools/review/rules/authentication-disabled';
import { rule as backendChanged } from '../tools/review/rules/backend-changed';
import { rule as networkPolicyRemoved } from '../tools/review/rules/network-policy-removed';
import { rule as networkPolicyWidened } from '../tools/review/rules/network-policy-widened';
import { rule as preventDestroyRemoved } from '../tools/review/rules/prevent-destroy-removed';
import { parseRetention, rule as retentionShortened } from '../tools/review/rules/retention-shortened';
import { rule as sharingGranted } from '../tools/review/rules/sharing-granted';
import { rule as stackRemoved } from '../tools/review/rules/stack-removed';
import { rule as statefulDestroyed } from '../tools/review/rules/stateful-destroyed';
import { rule as tlsDisabled } from '../tools/review/rules/tls-disabled';
import type { RuleInput } from '../tools/review/rule-support';
import { Masker, MASK, type MaskSide } from '../tools/review/sensitive';
import { Sources } from '../tools/review/sources';
import { dependencyOrder, loadSynthesized } from '../tools/review/synthesized';
import { runTerraform } from '../tools/review/terraform';
import { diffValues, type LeafChange } from '../tools/review/value-diff';
import { tmp } from './fixtures/review/apps';

describe('masking', () => {
  it("masks what Terraform marks sensitive, Secret data, and key material, wherever it is", () => {
    const m = new Masker('kubernetes_manifest', { body: { manifest: { kind: 'Secret' } }, marks: { input: { db: true } } }, {});
    expect(m.mask({ db: { host: 'h', port: 5432 } }, ['input'], 'before')).toEqual({ db: MASK });
    expect(m.mask({ username: 'app' }, ['manifest', 'stringData'], 'before')).toBe(MASK);
    expect(m.mask('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', ['note'], 'after')).toBe(MASK);
    expect(m.mask('crds:\n  enabled: true\nadmin:\n  password: x\n', ['values', 0], 'after')).toBe(MASK);
    expect(m.mask({ privateKey: { algorithm: 'ECDSA', size: 256 } }, ['spec'], 'after')).toEqual({ privateKey: { algorithm: 'ECDSA', size: 256 } });
  });

  it('shows (sensitive) only for values that are sensitive: names in references and template placeholders stay readable', () => {
    // An External Secrets item names a key of the target Secret and a property in the store; its template places it.
    const externalSecret = {
      manifest: {
        kind: 'ExternalSecret',
        spec: {
          data: [{ secretKey: 'password', remoteRef: { key: 'postgres/core/main/app', property: 'password' } }],
          target: { template: { data: { username: 'app', password: '{{ .password }}' } } },
        },
      },
    };
    const es = new Masker('kubernetes_manifest', { body: externalSecret }, { body: externalSecret });
    expect(es.mask(externalSecret, [], 'after')).toEqual(externalSecret);
    // A Strimzi password source names a Secret and the key in it.
    const user = { spec: { authentication: { password: { valueFrom: { secretKeyRef: { name: 'mirror', key: 'password' } } } }, passwordSecret: { secretName: 'mm2', password: 'password' } } };
    expect(new Masker('kubernetes_manifest', { body: user }, { body: user }).mask(user, [], 'after')).toEqual(user);
    // A command that mentions no secret value is shown as written.
    const job = { command: ['sh', '-c', 'bao write auth/kubernetes/role/eso policies=postgres password_policy=strong'] };
    expect(new Masker('kubernetes_job_v1', { body: job }, { body: job }).mask(job, [], 'after')).toEqual(job);
    // Literal secrets are still masked, also beside a reference and wherever they are repeated.
    const literal = { password: 'hunter2-secret', template: 'user=app password=hunter2-secret', ref: { secretKey: 'password', remoteRef: { key: 'k' } } };
    const masked = new Masker('kubernetes_manifest', { body: literal }, { body: literal }).mask(literal, [], 'after');
    expect(masked).toEqual({ password: MASK, template: MASK, ref: { secretKey: 'password', remoteRef: { key: 'k' } } });
  });
});

describe('attribute diff', () => {
  it('reports leaves with readable paths, and known-after-apply values', () => {
    const leaves = diffValues({ manifest: { spec: { instances: 3, config: { 'retention.ms': 1 } } }, id: 'a' }, { manifest: { spec: { instances: 5, config: { 'retention.ms': 2 } } } }, { afterUnknown: { id: true } });
    expect(leaves.map((l) => formatPath(l.path))).toEqual(['id', 'manifest.spec.config["retention.ms"]', 'manifest.spec.instances']);
    expect(leaves[0]).toMatchObject({ before: 'a', afterUnknown: true });
  });

  it('aligns lists whose length changed, so one inserted rule is one change', () => {
    const a = [{ port: 1 }, { port: 2 }, { port: 3 }];
    const b = [{ port: 1 }, { port: 9 }, { port: 2 }, { port: 3 }];
    expect(diffValues({ ports: a }, { ports: b })).toEqual([{ path: ['ports', 1, 'port'], after: 9 }]);
  });

  it('decodes YAML documents held in strings', () => {
    expect(diffValues({ v: 'a: 1\nb: 2\n' }, { v: 'a: 1\nb: 3\n' })).toEqual([{ path: ['v', DECODED_YAML, 'b'], before: 2, after: 3 }]);
  });
});

describe('rules', () => {
  it('names each rule after its file, and registers every rule file', () => {
    const files = readdirSync(join(__dirname, '..', 'tools', 'review', 'rules')).filter((f) => f !== 'index.ts').map((f) => basename(f, '.ts'));
    expect(RULES.map((r) => r.id).sort()).toEqual(files.sort());
    for (const r of RULES) expect(r.why).toMatch(/^[A-Z].*\.$/);
  });
});

describe('each rule on its own (mutation review)', () => {
  const input = (over: Record<string, unknown>): RuleInput =>
    ({ source: 'config', stack: 'prod-x', address: 'kubernetes_manifest.x', type: 'kubernetes_manifest', action: 'update', leaves: [], sharingBefore: [], sharingAfter: [], masker: new Masker('kubernetes_manifest'), ...over }) as RuleInput;
  const leaf = (path: (string | number)[], before: unknown, after: unknown, afterUnknown?: boolean) => ({ path, before, after, ...(afterUnknown ? { afterUnknown } : {}) }) as LeafChange;

  it('gives each rule its severity: destructive ones make diff and plan exit 2', () => {
    expect(Object.fromEntries(RULES.map((r) => [r.id, r.severity]))).toEqual({
      'admission-weakened': 'security',
      'authentication-disabled': 'security',
      'backend-changed': 'caution',
      'network-policy-removed': 'security',
      'network-policy-widened': 'security',
      'prevent-destroy-removed': 'destructive',
      'reachability-changed': 'security',
      'retention-shortened': 'security',
      'sharing-granted': 'security',
      'stack-removed': 'caution',
      'stateful-destroyed': 'destructive',
      'tls-disabled': 'security',
      'volume-shrunk': 'caution',
    });
    // The scope decides which input a rule gets, and whether the diff runs it at all.
    expect(RULES.filter((r) => r.scope === 'stack').map((r) => r.id).sort()).toEqual(['backend-changed', 'stack-removed']);
    expect(RULES.filter((r) => r.scope === 'estate').map((r) => r.id)).toEqual(['reachability-changed']);
    expect(RULES.filter((r) => r.scope === 'resource')).toHaveLength(10);
  });

  it('network-policy-removed and -widened: only deletes, only updates and replacements, in either shape', () => {
    const NP = 'kubernetes_network_policy_v1';
    const deny = { spec: { pod_selector: {}, policy_types: ['Ingress'] } };
    const allow = { spec: { pod_selector: {}, policy_types: ['Ingress'], ingress: [{ from: [{ ip_block: { cidr: '10.0.0.1/32' } }] }] } };
    const removed = (action: string, type: string, before: unknown) => networkPolicyRemoved.check(input({ action, type, before }));
    expect(removed('delete', NP, deny)).toEqual(['the NetworkPolicy is deleted; it isolated pods without allowing everything to them, so what it denied is open once it is gone.']);
    expect([removed('update', NP, deny), removed('replace', NP, deny), removed('delete', NP, allow), removed('delete', 'kubernetes_config_map_v1', deny)]).toEqual([[], [], [], []]);

    const wide = { spec: { pod_selector: {}, policy_types: ['Ingress'], ingress: [{ from: [{ ip_block: { cidr: '10.0.0.0/8' } }] }] } };
    const widened = (action: string, before: unknown, after: unknown, type = NP) => networkPolicyWidened.check(input({ action, type, before, after }));
    const finding = ['ingress now allows from ipBlock 10.0.0.0/8 on all ports, which no previous rule allowed.'];
    expect([widened('update', allow, wide), widened('replace', allow, wide)]).toEqual([finding, finding]);
    for (const action of ['create', 'delete', 'forget', 'read', 'no-op']) expect([action, widened(action, allow, wide)]).toEqual([action, []]);
    // A manifest is judged by what it is after the change: a policy replaced by another kind widens nothing here.
    const manifest = (kind: string, spec: object) => ({ manifest: { apiVersion: kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'v1', kind, metadata: { name: 'p' }, spec } });
    const selective = { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] };
    expect(widened('replace', manifest('NetworkPolicy', selective), manifest('Service', {}), 'kubernetes_manifest')).toEqual([]);
    expect(widened('update', manifest('NetworkPolicy', selective), manifest('NetworkPolicy', { ...selective, podSelector: {} }), 'kubernetes_manifest')).toHaveLength(1);
  });

  it('admission-weakened: a Deny binding removed or turned to warnings, in config and plan shapes', () => {
    const binding = (actions: unknown, key = 'manifest', name: unknown = 'no-privileged') => ({ [key]: { kind: 'ValidatingAdmissionPolicyBinding', spec: { policyName: name, validationActions: actions } } });
    const check = (before: unknown, after: unknown, action = 'update') => admissionWeakened.check(input({ action, before, after }));
    expect(check(binding(['Deny', 'Audit']), binding(['Warn', 'Audit']))).toEqual(['admission policy no-privileged no longer refuses requests: validationActions Deny, Audit → Warn, Audit.']);
    expect(check(binding(['Deny'], 'object'), binding([], 'object'))).toEqual(['admission policy no-privileged no longer refuses requests: validationActions Deny → (none).']);
    expect(check(binding(['Deny']), binding(undefined, 'manifest', null))).toEqual(['admission policy ? no longer refuses requests: validationActions Deny → (none).']);
    expect(check(binding(['Deny']), undefined, 'delete')).toEqual(['the binding of admission policy no-privileged is removed: it refused requests (Deny).']);
    expect(check(binding(['Deny', 'Audit'], 'object'), undefined, 'forget')).toEqual(['the binding of admission policy no-privileged is removed: it refused requests (Deny, Audit).']);
    expect(check(binding(['Deny']), binding(['Deny', 'Warn']))).toEqual([]);
    expect(check(binding(['Warn']), binding([]))).toEqual([]);
    expect(check(binding(['Warn']), undefined, 'delete')).toEqual([]);
    expect(check(binding(['Deny']), { manifest: { kind: 'ValidatingAdmissionPolicy', spec: {} } })).toEqual([]);
    expect(check({ manifest: { kind: 'ValidatingAdmissionPolicy', spec: { validationActions: ['Deny'] } } }, undefined, 'delete')).toEqual([]);
    expect(check([binding(['Deny'])], undefined, 'delete')).toEqual([]);
    expect(check({ manifest: 'ValidatingAdmissionPolicyBinding' }, undefined, 'delete')).toEqual([]);
    expect(check({ manifest: { kind: 'ValidatingAdmissionPolicyBinding' } }, undefined, 'delete')).toEqual([]);
    expect(check(binding(['Deny']), { manifest: { kind: 'ValidatingAdmissionPolicyBinding' } })).toEqual(['admission policy ? no longer refuses requests: validationActions Deny → (none).']);
  });

  it('authentication-disabled: every authentication word, superuser and anonymous access, pg_hba trust', () => {
    const check = (...leaves: LeafChange[]) => authenticationDisabled.check(input({ leaves }));
    for (const word of ['authentication', 'authn', 'auth', 'authorization', 'authz']) {
      expect(check(leaf(['spec', word, 'enabled'], true, false))).toEqual([`authentication or authorization turned off: \`spec.${word}.enabled\`: true → false.`]);
    }
    expect(check(leaf(['spec', 'authentication', 'type'], 'scram-sha-512', undefined), leaf(['spec', 'authentication', 'user'], 'app', undefined))).toEqual([
      'authentication or authorization turned off: `spec.authentication` (2 fields, e.g. `spec.authentication.type`: "scram-sha-512" → (absent)).',
    ]);
    expect(check(leaf(['spec', 'authEnabled'], true, false))).toEqual(['authentication or authorization turned off: `spec.authEnabled`: true → false.']);
    expect(check(leaf(['spec', 'postgresql', 'pg_hba', 0], undefined, ' local all all trust'))).toHaveLength(1);
    expect(check(leaf(['spec', 'enableSuperuserAccess'], false, true))).toEqual(['superuser access turned on: `spec.enableSuperuserAccess`: false → true.']);
    expect(check(leaf(['spec', 'superuserSecret'], undefined, 'root'), leaf(['spec', 'accessModes'], undefined, 'rw'))).toEqual([]);
    expect(check(leaf(['spec', 'anonymous', 'enabled'], false, true))).toEqual(['anonymous access turned on: `spec.anonymous.enabled`: false → true.']);
    expect(check(leaf(['spec', 'postgresql', 'pg_hba', 0], 'hostssl all all all scram-sha-256', 'hostssl all all all trust'))).toEqual([
      'pg_hba trusts connections without a password: `spec.postgresql.pg_hba[0]`: "hostssl all all all scram-sha-256" → "hostssl all all all trust".',
    ]);
    expect(check(leaf(['spec', 'postgresql', 'pg_hba', 0], undefined, 'local all all trust '))).toHaveLength(1);
    for (const [before, after] of [
      ['local all all trust', 'host all all all trust'],
      [undefined, 'host all all all scram-sha-256 # trust me'],
      [undefined, 'trust'],
      [undefined, 'host all all all trusted'],
      [undefined, 'host:trust'],
      [undefined, 42],
    ]) {
      expect([after, check(leaf(['spec', 'postgresql', 'pg_hba', 0], before, after))]).toEqual([after, []]);
    }
    expect(check(leaf(['spec', 'trust'], undefined, 'host all all all trust'))).toEqual([]);
    expect(authenticationDisabled.check(input({ action: 'delete', leaves: [leaf(['spec', 'auth'], true, undefined)] }))).toEqual([]);
    expect(authenticationDisabled.check(input({ action: 'forget', leaves: [leaf(['spec', 'auth'], true, undefined)] }))).toEqual([]);
  });

  it('tls-disabled: every TLS word, verification bypasses, pg_hba without TLS', () => {
    const check = (...leaves: LeafChange[]) => tlsDisabled.check(input({ leaves }));
    for (const word of ['tls', 'ssl', 'mtls', 'https', 'sslmode', 'starttls']) {
      expect(check(leaf(['spec', word], 'require', 'disable'))).toEqual([`TLS turned off: \`spec.${word}\`: "require" → "disable".`]);
    }
    expect(check(leaf(['spec', 'tls', 'enabled'], true, false), leaf(['spec', 'tls', 'secret'], 's', undefined))).toEqual([
      'TLS turned off: `spec.tls` (2 fields, e.g. `spec.tls.enabled`: true → false).',
    ]);
    expect(check(leaf(['spec', 'tlsEnabled'], true, false))).toEqual(['TLS turned off: `spec.tlsEnabled`: true → false.']);
    expect(check(leaf(['spec', 'pg_hba', 0], ' hostssl all all all md5', 'host all all all md5'))).toHaveLength(1);
    expect(check(leaf(['spec', 'tlsInsecureSkipVerify'], false, true))).toHaveLength(1); // tls is a word of the key, and the bypass
    expect(check(leaf(['spec', 'insecure'], false, true))).toEqual(['certificate verification turned off: `spec.insecure`: false → true.']);
    expect(check(leaf(['spec', 'skipVerification'], undefined, true))).toEqual(['certificate verification turned off: `spec.skipVerification`: (absent) → true.']);
    expect(check(leaf(['spec', 'skipCrds'], false, true), leaf(['spec', 'verifyImages'], false, true))).toEqual([]);
    expect(check(leaf(['spec', 'pg_hba', 1], 'hostssl all all all scram-sha-256', 'host all all all scram-sha-256'))).toEqual([
      'pg_hba accepts connections without TLS (`host`/`hostnossl` instead of `hostssl`): `spec.pg_hba[1]`: "hostssl all all all scram-sha-256" → "host all all all scram-sha-256".',
    ]);
    expect(check(leaf(['spec', 'pg_hba', 1], undefined, ' hostnossl all all all md5'))).toHaveLength(1);
    for (const [before, after] of [
      ['host all all all md5', 'host all all all scram-sha-256'],
      ['host all all all md5 # not hostssl yet', 'host all all all scram-sha-256'],
      [undefined, 'hostssl all all all md5'],
      [undefined, 'hostx all all all md5'],
      [undefined, 'local host all md5'],
      [1, 'host all all all md5'],
      [undefined, 42],
    ]) {
      expect([after, check(leaf(['spec', 'pg_hba', 0], before, after))]).toEqual([after, []]);
    }
    expect(check(leaf(['spec', 'rules', 0], undefined, 'host all all all md5'))).toEqual([]);
    expect(tlsDisabled.check(input({ action: 'delete', leaves: [leaf(['spec', 'tls'], true, undefined)] }))).toEqual([]);
    expect(tlsDisabled.check(input({ action: 'forget', leaves: [leaf(['spec', 'tls'], true, undefined)] }))).toEqual([]);
  });

  it('stateful-destroyed, prevent-destroy-removed and sharing-granted: each case and each wording', () => {
    const destroyed = (action: string, kind: string, source: string, reason?: string) => statefulDestroyed.check(input({ action, stateful: { kind, source }, ...(reason ? { reason } : {}) }));
    expect(destroyed('delete', 'postgres', 'marker', 'removed from the configuration')).toEqual(['stateful (postgres) is deleted: removed from the configuration.']);
    expect(destroyed('replace', 'kafka', 'prevent_destroy')).toEqual(['protected by prevent_destroy, which goes with it, is replaced (destroyed, then created empty).']);
    expect(destroyed('delete', 'volume', 'resource kind')).toEqual(['a volume by its kind, is deleted.']);
    expect([destroyed('update', 'postgres', 'marker'), statefulDestroyed.check(input({ action: 'delete' }))]).toEqual([[], []]);

    const protection = (over: Record<string, unknown>) => preventDestroyRemoved.check(input({ preventDestroyBefore: true, preventDestroyAfter: false, ...over }));
    expect(protection({})).toEqual(['`lifecycle.prevent_destroy` is no longer set.']);
    expect(protection({ preventDestroyAfter: undefined, action: 'replace' })).toHaveLength(1);
    for (const over of [{ preventDestroyAfter: true }, { preventDestroyBefore: undefined }, { source: 'plan' }, { action: 'delete' }, { action: 'forget' }]) expect([over, protection(over)]).toEqual([over, []]);

    const sharing = (action: string, before: string[], after: string[]) => sharingGranted.check(input({ action, sharingBefore: before, sharingAfter: after }));
    expect(sharing('create', [], ['AG-1'])).toEqual(['a new sharing grant under agreement `AG-1`.']);
    expect(sharing('update', ['AG-1'], ['AG-1', 'AG-2', 'AG-3'])).toEqual(['now also grants access under agreements `AG-2`, `AG-3`.']);
    expect([sharing('update', ['AG-1', 'AG-2'], ['AG-2']), sharing('delete', [], ['AG-1']), sharing('forget', [], ['AG-1'])]).toEqual([[], [], []]);
  });

  it('backend-changed and stack-removed: stack-level changes', () => {
    const stackInput = (status: string, settings: LeafChange[] = [], resourceCount = 0) => ({ source: 'config', stack: 'prod-x', status, settings, resourceCount }) as any;
    const backend = [leaf(['terraform', 'backend', 's3', 'key'], 'a', 'b'), leaf(['terraform', 'backend', 's3', 'bucket'], 'a', 'b')];
    expect(backendChanged.check(stackInput('changed', backend))).toEqual(['the state backend of `prod-x` changes (`terraform.backend.s3.key`, `terraform.backend.s3.bucket`).']);
    expect(backendChanged.check(stackInput('added', backend))).toEqual([]);
    expect(backendChanged.check(stackInput('changed', [leaf(['terraform', 'required_providers', 'x'], 'a', 'b'), leaf(['provider', 'backend'], 'a', 'b')]))).toEqual([]);
    expect(stackRemoved.check(stackInput('removed', [], 1))).toEqual(['stack `prod-x` (1 resource) is no longer synthesized.']);
    expect(stackRemoved.check(stackInput('removed', [], 3))).toEqual(['stack `prod-x` (3 resources) is no longer synthesized.']);
    expect(stackRemoved.check(stackInput('changed', [], 3))).toEqual([]);
  });

  it('retention-shortened: parses numbers by field name, ISO periods, Go durations and CloudNativePG policies', () => {
    const DAY = 86_400_000;
    const ms = (value: number) => ({ unit: 'ms', value });
    expect(parseRetention(['config', 'retention.ms'], 604800000)).toEqual(ms(604800000));
    expect(parseRetention(['retentionDays'], ' 7 ')).toEqual(ms(7 * DAY));
    expect([parseRetention(['retentionDays'], '30'), parseRetention(['retentionDays'], '1.25'), parseRetention(['retention'], ' P30D ')]).toEqual([ms(30 * DAY), ms(1.25 * DAY), ms(30 * DAY)]);
    expect(['P10Y', 'P12M', 'P10W', '1.25h', '1 month', '1 week', '1 hour', '1 minute', '1 second'].map((v) => parseRetention(['retention'], v)!.value)).toEqual([
      3650 * DAY, 360 * DAY, 70 * DAY, 4_500_000, 30 * DAY, 7 * DAY, 3_600_000, 60_000, 1000,
    ]);
    expect(parseRetention(['logRetentionHours'], '1.5')).toEqual(ms(1.5 * 3_600_000));
    expect(parseRetention(['hours', 'retentionDays'], 1)).toEqual(ms(DAY)); // the last unit word counts
    expect(parseRetention(['retention_d'], 3)).toEqual({ unit: 'number', value: 3 }); // one-letter words are no unit
    expect(parseRetention(['retention.bytes'], 1024)).toEqual({ unit: 'bytes', value: 1024 });
    expect(parseRetention(['ttl'], 30)).toEqual({ unit: 'number', value: 30 });
    expect([parseRetention(['retention.ms'], -1), parseRetention(['retention.ms'], '-1'), parseRetention(['retention.ms'], 0)]).toEqual([ms(Infinity), ms(Infinity), ms(0)]);
    expect(['P30D', 'p1y2m3w4d', 'P1Y', 'P2M', 'P1W'].map((v) => parseRetention(['retention'], v))).toEqual([ms(30 * DAY), ms((365 + 60 + 21 + 4) * DAY), ms(365 * DAY), ms(60 * DAY), ms(7 * DAY)]);
    expect(['720h0m0s', '1h 30m', '30d', '4w', '2D', '90s', '250ms', '5min', '1 year', '2 months', '3 weeks', '1 day', '2 hours', '10 minutes', '30 seconds', '1sec', '1mo', '1y', '1.5h'].map((v) => parseRetention(['ttl'], v)!.value)).toEqual([
      720 * 3_600_000, 5_400_000, 30 * DAY, 28 * DAY, 2 * DAY, 90_000, 250, 300_000, 365 * DAY, 60 * DAY, 21 * DAY, DAY, 7_200_000, 600_000, 30_000, 1000, 30 * DAY, 365 * DAY, 5_400_000,
    ]);
    expect([parseRetention(['spec', 'backup', 'retentionPolicy'], '3m'), parseRetention(['retention_policy'], '1M'), parseRetention(['retention'], '3m')]).toEqual([ms(90 * DAY), ms(30 * DAY), ms(180_000)]);
    for (const bad of ['P', '', 'forever', '30x', '30dx', 'x30d', 'x7', 'xP30D', 'P30Dx', `${'9'.repeat(400)}d`, true, null, undefined, { days: 3 }]) expect([bad, parseRetention(['retention'], bad as any)]).toEqual([bad, undefined]);
  });

  it('retention-shortened: which fields, which actions, and what it says', () => {
    const check = (action: string, ...leaves: LeafChange[]) => retentionShortened.check(input({ action, leaves }));
    expect(check('update', leaf(['spec', 'backup', 'retentionPolicy'], '30d', '7d'))).toEqual(['retention shortened: `spec.backup.retentionPolicy`: "30d" → "7d".']);
    expect(check('replace', leaf(['spec', 'ttl'], '720h0m0s', '168h0m0s'))).toHaveLength(1);
    for (const key of ['TTL', 'expirationDays', 'keep_days', 'logRetentionHours']) expect([key, check('update', leaf(['spec', key], 10, 5))]).toEqual([key, [expect.stringMatching(/^retention shortened: /)]]);
    for (const key of ['ttlSeconds', 'size', 'keep']) expect([key, check('update', leaf(['spec', key], 10, 5))]).toEqual([key, []]);
    expect(check('update', leaf(['spec', 'retentionPolicy'], '30d', undefined))).toEqual(['retention removed, so the operator\'s default applies: `spec.retentionPolicy`: "30d" → (absent).']);
    expect(check('update', leaf(['spec', 'retentionPolicy'], '30d', null))).toEqual(['retention removed, so the operator\'s default applies: `spec.retentionPolicy`: "30d" → (absent).']);
    expect(check('update', leaf(['spec', 'retentionPolicy'], '30d', 'forever'))).toEqual(['retention changed and cannot be compared automatically; check it is not shorter: `spec.retentionPolicy`: "30d" → "forever".']);
    expect(check('update', leaf(['spec', 'retentionPolicy'], 'forever', '30d'))).toHaveLength(1);
    expect(check('update', leaf(['spec', 'retention', 'bytes'], 10, '7d'))).toEqual([expect.stringMatching(/^retention changed and cannot be compared/)]);
    for (const same of [leaf(['spec', 'retentionPolicy'], '30d', '30d'), leaf(['spec', 'retentionPolicy'], '7d', '30d'), leaf(['spec', 'retentionPolicy'], undefined, '7d'), leaf(['spec', 'retentionPolicy'], '30d', undefined, true)]) {
      expect([same, check('update', same)]).toEqual([same, []]);
    }
    for (const action of ['create', 'delete', 'forget']) expect(check(action, leaf(['spec', 'retentionPolicy'], '30d', '7d'))).toEqual([]);
    expect(check('update', leaf(['spec', 'retentionPolicy'], '30d', '7d'), leaf(['spec', 'ttl'], 10, 5))).toHaveLength(2);
  });

  it('retention-shortened: masks a retention Terraform marks sensitive, on the side it is marked only', () => {
    const marks = { spec: { retentionPolicy: true } };
    const check = (before: MaskSide, after: MaskSide) =>
      retentionShortened.check(input({ leaves: [leaf(['spec', 'retentionPolicy'], '30d', '7d')], masker: new Masker('kubernetes_manifest', before, after) }));
    expect(check({ marks }, {})).toEqual(['retention shortened: `spec.retentionPolicy`: "(sensitive)" → "7d".']);
    expect(check({}, { marks })).toEqual(['retention shortened: `spec.retentionPolicy`: "30d" → "(sensitive)".']);
  });
});

describe('stack order', () => {
  it('puts each stack after its dependencies and reports a cycle by name', () => {
    const order = dependencyOrder([
      { name: 'a-services', dependencies: ['a-platform'] },
      { name: 'a-platform', dependencies: ['a-clusters'] },
      { name: 'a-clusters', dependencies: [] },
    ]);
    expect(order.map((s) => s.name)).toEqual(['a-clusters', 'a-platform', 'a-services']);
    expect(() => dependencyOrder([{ name: 'x', dependencies: ['y'] }, { name: 'y', dependencies: ['x'] }])).toThrow('cycle among x, y');
  });
});

describe('terraform runner', () => {
  it('says which binary was not found and how to choose another', async () => {
    await expect(runTerraform(['version'], tmp('moit-tf-'), { binary: 'no-such-tofu-binary' })).rejects.toThrow(
      'TF_BINARY=no-such-tofu-binary: the Terraform binary was not found on PATH. Install Terraform >= 1.10 or OpenTofu, or set TF_BINARY',
    );
  });
});

describe('npm run diff: git refs', () => {
  /** A repository whose "synth" writes one stack with the input in version.txt. */
  function repo(): { root: string; commit: (version: string) => void } {
    const root = tmp('moit-git-');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe', encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.invalid');
    git('config', 'user.name', 'test');
    mkdirSync(join(root, 'scripts'));
    mkdirSync(join(root, 'node_modules'));
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    writeFileSync(join(root, '.gitignore'), 'node_modules/\ndist/\n');
    // The "build" writes dist/scripts/synth.js, like the real one (esbuild) does.
    writeFileSync(
      join(root, 'scripts', 'build.mjs'),
      `import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
       mkdirSync('dist/scripts', { recursive: true });
       const v = readFileSync('version.txt', 'utf8').trim();
       writeFileSync('dist/scripts/synth.js', \`
         const fs = require('node:fs'); const out = process.argv[process.argv.indexOf('--out') + 1];
         fs.mkdirSync(out + '/stacks/dev-s', { recursive: true });
         fs.writeFileSync(out + '/manifest.json', JSON.stringify({ stacks: { 'dev-s': { dependencies: [] } } }));
         fs.writeFileSync(out + '/stacks/dev-s/cdk.tf.json', JSON.stringify({ resource: { terraform_data: { a: { input: '\${v}' } } } }));\`);`,
    );
    return {
      root,
      commit: (version) => {
        writeFileSync(join(root, 'version.txt'), version);
        git('add', '.');
        git('commit', '-q', '-m', version);
      },
    };
  }

  it('synthesizes each ref in a temporary worktree with the main node_modules, and removes it afterwards', async () => {
    const { root, commit } = repo();
    commit('one');
    commit('two');
    const sources = new Sources({ repoRoot: root });
    try {
      const base = await sources.resolve('HEAD~1', '--base');
      const head = await sources.resolve('main', '--head');
      expect(base.label).toMatch(/^HEAD~1 \([0-9a-f]{7}\)$/);
      const input = (dir: string) => loadSynthesized(dir).stacks.get('dev-s')!.resources.get('terraform_data.a')!.body.input;
      expect([input(base.dir), input(head.dir)]).toEqual(['one', 'two']);
    } finally {
      await sources.cleanup();
    }
    expect(execFileSync('git', ['worktree', 'list'], { cwd: root, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(root, 'node_modules'))).toBe(true);
  });
});
