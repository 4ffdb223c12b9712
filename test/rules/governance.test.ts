import { auditStackJson } from '../../policy/audit/engine';
import { RULES } from '../../policy/audit/rules';
import { expectFires, expectOutcomes, expectSilent, manifests, run, stack, TODAY, type Json } from './fixture';
import { AUDIT_ARGS, controlPlane, pgCluster } from './objects';

describe('LOG-001 audit-log retention', () => {
  it('fires when audit logging is off, and when level 4 keeps logs under 180 days', () => {
    expectFires('LOG-001', stack(manifests(controlPlane([{ name: 'tls-min-version', value: 'VersionTLS12' }]))), /lack audit-log-path, audit-policy-file, audit-log-maxage/);
    expectFires('LOG-001', stack(manifests(controlPlane(AUDIT_ARGS('90')))), /keeps audit logs 90 days \(audit-log-maxage\); security level 4 requires at least 180/);
  });
  it('is silent with 180 days at level 4 and 90 at level 3, in list or map form', () => {
    expectSilent('LOG-001', stack(manifests(controlPlane(AUDIT_ARGS('180')))));
    const mapForm = controlPlane([]);
    mapForm.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs = { 'audit-log-path': '/var/log/a.log', 'audit-policy-file': '/etc/p.yaml', 'audit-log-maxage': '90' };
    expectSilent('LOG-001', stack(manifests(mapForm), { name: 'staging', class: 'staging', securityLevel: 3 }));
  });
});

describe('SEC-001 no literal secrets', () => {
  const release = (values: string): Json => ({ helm_release: { r: { chart: 'x', namespace: 'app-trade', values: [values] } } });
  it.each([
    ['a password in chart values', release('auth:\n  password: hunter2-hunter2\n'), /a literal value for "password" at values\[0\]\(yaml\).auth.password/],
    ['a token on a provider', { ...stack({}), provider: { kubernetes: [{ token: 'eyJhbGciOi' }] } }, /a literal value for "token" at provider.kubernetes\[0\].token/],
    ['a PEM private key', release('tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    MHcCAQEE\n'), /a PEM private key/],
    ['base64 data in a Secret, once', { kubernetes_secret_v1: { s: { metadata: { name: 's' }, data: { 'tls.key': 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk=' } } } }, /contains an encoded Secret value at data.tls.key; pass it/],
    ['stringData in a Secret manifest', manifests({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'kafka' }, stringData: { AWS_SECRET_ACCESS_KEY: 'abc' } }), /a literal Secret value at manifest.stringData.AWS_SECRET_ACCESS_KEY/],
    ['a JSON web token under any key', release('client:\n  bearer: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl\n'), /a JSON web token at values\[0\]\(yaml\).client.bearer/],
    ['an access key id in chart values', release('s3:\n  accessKeyId: AKIAIOSFODNN7EXAMPLE\n'), /a literal value for "accessKeyId"/],
    ['a TLS key in a ConfigMap', manifests({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kafka' }, data: { 'tls.key': 'abcd1234' } }), /a literal value for "tls.key"/],
    ['an access key in a manifest', manifests({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kafka' }, data: { secret_key: 'abcd1234' } }), /a literal value for "secret_key"/],
    ['a literal password in an ExternalSecret template', manifests({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'postgres' }, spec: { target: { template: { data: { password: 'hunter2-{{ .password }}' } } } } }), /a literal value for "password" at manifest.spec.target.template.data.password/],
  ])('fires for %s', (_n, resources, pattern) => {
    const json = 'resource' in resources ? resources : stack(resources);
    expectFires('SEC-001', json, pattern);
  });
  it('is silent for references: Secret names, {name, key} selectors, {secretName, password} and interpolations', () => {
    const refs = manifests(
      pgCluster({ certificates: { serverTLSSecret: 'pg-main-server-tls', serverCASecret: 'pg-main-server-tls' } }),
      { apiVersion: 'barmancloud.cnpg.io/v1', kind: 'ObjectStore', metadata: { name: 'o', namespace: 'postgres' }, spec: { configuration: { s3Credentials: { accessKeyId: { name: 'b', key: 'AWS_ACCESS_KEY_ID' }, secretAccessKey: { name: 'b', key: 'AWS_SECRET_ACCESS_KEY' } } } } },
      { apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', metadata: { name: 'u', namespace: 'kafka' }, spec: { authentication: { type: 'scram-sha-512', password: { valueFrom: { secretKeyRef: { name: 'u', key: 'password' } } } } } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'kafka' }, data: { password: '${var.db_password}' } },
      // ESO: a template that only places the fetched value, and {secretKey, remoteRef} items.
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace: 'postgres' }, spec: { target: { template: { data: { password: '{{ .password }}' } } }, data: [{ secretKey: 'password', remoteRef: { key: 'k', property: 'password' } }] } },
      { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'postgres' }, spec: { data: [{ match: { secretKey: 'password', remoteRef: { remoteKey: 'k', property: 'password' } } }] } },
    );
    const values = { helm_release: { r: { chart: 'velero', namespace: 'velero', values: ['credentials:\n  existingSecret: velero-s3\n  useSecret: true\n'] } } };
    expectSilent('SEC-001', { ...stack({ ...refs, ...values }), provider: { kubernetes: [{ config_path: '~/.kube/config', config_context: 'moit-prod-core' }] } });
  });
});

describe('SHR-001 sharing agreements in force', () => {
  const granted = (ids: string[]) => manifests([{ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', metadata: { name: 'electricity-market', namespace: 'kafka' }, spec: {} }, { sharing: ids }]);
  const agreements = { sharingAgreements: { 'SA-2026-001': { start: '2026-01-01', expiry: '2028-12-31', provider: 'energy-statistics', consumer: 'electricity-market' }, 'SA-2025-009': { start: '2025-01-01', expiry: '2026-06-30', provider: 'a', consumer: 'b' } } };
  it('fires for access under an expired, future or unrecorded agreement', () => {
    expectFires('SHR-001', stack(granted(['SA-2025-009']), {}, agreements), /grants access under SA-2025-009 expired on 2026-06-30/);
    expectFires('SHR-001', stack(granted(['SA-2026-001']), {}, agreements), /starts on 2026-01-01/, '2025-12-01');
    expectFires('SHR-001', stack(granted(['SA-2026-777']), {}, agreements), /SA-2026-777 has no record/);
  });
  it('is silent for access under a current agreement', () => expectSilent('SHR-001', stack(granted(['SA-2026-001']), {}, agreements)));
});

describe('RBAC-001 least privilege', () => {
  it('fires for wildcard rules and cluster-admin bindings', () => {
    expectFires('RBAC-001', stack({ kubernetes_cluster_role_v1: { r: { metadata: { name: 'ops' }, rule: [{ api_groups: ['*'], resources: ['*'], verbs: ['get'] }] } } }), /grants "\*" in rules\[0\].resources, rules\[0\].apiGroups/);
    expectFires('RBAC-001', stack({ kubernetes_cluster_role_binding_v1: { b: { metadata: { name: 'admins' }, role_ref: { kind: 'ClusterRole', name: 'cluster-admin' }, subject: [] } } }), /grants cluster-admin/);
  });
  it('is silent for named verbs and resources', () => {
    expectSilent('RBAC-001', stack({ kubernetes_cluster_role_v1: { r: { metadata: { name: 'reader' }, rule: [{ api_groups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } }, kubernetes_cluster_role_binding_v1: { b: { metadata: { name: 'readers' }, role_ref: { name: 'reader' } } } }));
  });
});

describe('AUD-001 suppressions are valid and current', () => {
  const suppressed = (s: Json) => manifests([pgCluster({ enableSuperuserAccess: true }), { suppressions: [s] }]);
  const good = { rule: 'PG-001', reason: 'Migration tool needs superuser until the cut-over', owner: 'data/le.c', expires: '2026-12-31' };
  it('fires for an expired suppression, which then suppresses nothing', () => {
    const json = stack(suppressed({ ...good, expires: '2026-11-26' }));
    expectFires('AUD-001', json, /suppression of PG-001 on .* expired on 2026-11-26/);
    expect(auditStackJson('s', json, { today: TODAY, rules: RULES.filter((r) => r.id === 'PG-001') }).outcomes.map((o) => o.status)).toEqual(['fail']);
  });
  it.each([
    ['an unknown rule', { ...good, rule: 'XYZ-999' }, /rule must be the ID of a rule in the pack/],
    ['a short reason', { ...good, reason: 'because' }, /reason must explain the exception in at least 10 characters/],
    ['an owner without a person', { ...good, owner: 'data' }, /owner must name a team and a person as "team\/person"/],
    ['an impossible date', { ...good, expires: '2026-02-30' }, /expires must be a real date/],
  ])('fires for %s', (_n, s, pattern) => expectFires('AUD-001', stack(suppressed(s)), pattern));
  it('is silent for a complete, current suppression (valid through its expiry day), which suppresses the finding', () => {
    expectSilent('AUD-001', stack(suppressed(good)), '2026-12-31');
    const outcomes = auditStackJson('s', stack(suppressed(good)), { today: TODAY, rules: RULES.filter((r) => r.id === 'PG-001') }).outcomes;
    expect(outcomes.map((o) => [o.status, o.suppression?.owner])).toEqual([['suppressed', 'data/le.c']]);
  });
  it('cannot itself be suppressed', () => {
    const json = stack(suppressed({ ...good, expires: '2020-01-01' }), {}, { suppressions: [{ ...good, rule: 'AUD-001' }] });
    expect(run('AUD-001', json).filter((o) => o.status === 'fail').length).toBeGreaterThan(0);
  });
});

describe('AUD-002 environment recorded', () => {
  it('fires when the stack has no environment record', () => {
    const json = stack({});
    delete json['//'].environment;
    expectFires('AUD-002', json, /has no complete "\/\/".environment record/);
  });
  it('fires for an incomplete record', () => {
    const json = stack({});
    delete json['//'].environment.securityLevel;
    expectFires('AUD-002', json, /has no complete/);
  });
  it('is silent with a complete record', () => expectSilent('AUD-002', stack({})));
});

describe('SEC-002 secret stores scoped to the namespaces they serve', () => {
  const store = (name: string, path: string, conditions?: unknown) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { ...(conditions ? { conditions } : {}), provider: { vault: { server: 'https://bao:8200', path } } } });
  const es = (namespace: string, storeName: string) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e', namespace }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: storeName } } });
  it('fires for a store without conditions, a domain store open to another namespace, and an ExternalSecret its store does not admit', () => {
    expectFires('SEC-002', stack(manifests(store('openbao', 'platform'))), /has no spec.conditions listing namespaces/);
    expectFires('SEC-002', stack(manifests(store('openbao-chemicals', 'domain-chemicals', [{ namespaces: ['app-chemicals', 'app-trade'] }]))), /admits app-trade; only app-chemicals may read domain chemicals/);
    expectFires('SEC-002', stack(manifests(store('openbao-chemicals', 'domain-chemicals', [{ namespaces: ['app-chemicals'] }]), es('app-trade', 'openbao-chemicals'))), /whose conditions do not admit namespace app-trade/);
    expectFires('SEC-002', stack(manifests(store('openbao', 'platform', [{ namespaceSelector: { matchLabels: {} } }]))), /has no spec.conditions listing namespaces/);
  });
  it('is silent for stores listing their namespaces and ExternalSecrets in them', () => {
    expectSilent('SEC-002', stack(manifests(store('openbao', 'platform', [{ namespaces: ['postgres', 'velero'] }]), store('openbao-chemicals', 'domain-chemicals', [{ namespaces: ['app-chemicals'] }]), es('postgres', 'openbao'), es('app-chemicals', 'openbao-chemicals'))));
  });
});

describe('SEC-003 no Secret consumed outside the secrets model', () => {
  const consumer = (...prerequisites: Json[]) => manifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'velero' } }, { prerequisites }]);
  const base = { kind: 'secret', name: 'hand-made', namespace: 'velero', providedBy: 'secret-management', purpose: 'A password someone types in.' };
  it('fires for a hand-made Secret that is not one of the bootstrap set', () => {
    expectFires('SEC-003', stack(consumer(base)), /Secret velero\/hand-made is consumed as a hand-made Secret but is not in the bootstrap set/);
  });
  it('is silent for a bootstrap Secret that says how it is rotated, and for values written into OpenBao', () => {
    expectSilent('SEC-003', stack(consumer({ ...base, rotation: 'Rotated yearly by the security officers.' }, { kind: 'openbao-value', name: 'platform/x', providedBy: 'peer-site', purpose: 'Credentials the other site issues.' })));
  });
});

describe('SEC-001: where a literal hides, and what is not one', () => {
  const configMap = (data: Json, comment: Json = {}) => manifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kafka' }, data }, comment]);
  const secretData = (type: string, field: string, data: Json) => stack({ [type]: { s: { metadata: { name: 's', namespace: 'kafka' }, [field]: data } } });
  it.each([
    ['kubernetes_secret', 'data'],
    ['kubernetes_secret_v1', 'binary_data'],
    // The provider's other form of a Secret's data (the data of a Secret made elsewhere).
    ['kubernetes_secret_v1_data', 'data'],
  ])('reads the data of %s.%s, whatever its keys are called', (type, field) => {
    expectFires('SEC-001', secretData(type, field, { config: 'abc' }), new RegExp(`contains a literal Secret value at ${field}\\.config;`));
  });
  it('reads the data of a Secret manifest, and knows encoded values even when wrapped over lines', () => {
    const wrapped = 'QUJDREVGR0hJSktMTU5PUFFSU1RV\nVldYWVphYmNkZWZnaGlqa2xtbm9w\n';
    expectFires('SEC-001', stack(manifests({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'kafka' }, data: { config: 'abc', 'ca.bundle': wrapped } })), /a literal Secret value at manifest\.data\.config; an encoded Secret value at manifest\.data\.ca\.bundle;/);
  });
  it('reads a values document that is a scalar, which Helm refuses but the output still holds', () => {
    expectFires('SEC-001', stack({ helm_release: { r: { chart: 'x', namespace: 'app-trade', values: ['"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"'] } } }), /contains a JSON web token at values\[0\]\(yaml\);/);
  });
  it('calls only a whole run of 40+ base64 or hex characters encoded', () => {
    const data = { a: 'f', b: '-'.repeat(40), c: `user:${'a'.repeat(40)}`, d: `${'a'.repeat(40)}!`, e: 'a'.repeat(40) };
    expectFires('SEC-001', secretData('kubernetes_secret_v1', 'data', data), /contains a literal Secret value at data\.a; a literal Secret value at data\.b; a literal Secret value at data\.c; a literal Secret value at data\.d; an encoded Secret value at data\.e;/);
  });
  it('fires for a number under a secret key, and lists every hit of a resource with its path', () => {
    expectOutcomes('SEC-001', stack(configMap({ password: 12345678, 'tls.key': 'abcd1234' })), [
      ['fail', 'prod-core-services/configmap-c/manifest contains a literal value for "password" at manifest.data.password; a literal value for "tls.key" at manifest.data.tls.key; pass it as a Secret reference or a sensitive variable, never a literal'],
      ['pass', 'stack prod-core-services: providers, backend, variables and outputs contain no literal secret'],
    ]);
  });
  it('names a resource by its address when it has no path, and says what it checked', () => {
    expectOutcomes('SEC-001', stack({ kubernetes_config_map_v1: { c: { metadata: { name: 'c' }, data: { mode: 'plain' } } } }), [
      ['pass', 'kubernetes_config_map_v1.c contains no literal secret'],
      ['pass', 'stack prod-core-services: providers, backend, variables and outputs contain no literal secret'],
    ]);
  });
  it('is silent for empty values, nulls, interpolations, the project\'s own "//" records and prose', () => {
    expectSilent('SEC-001', stack({
      ...configMap({ password: '', token: null, placeholder: '' }, { secretStore: { password: 'recorded-by-the-construct' } }),
      kubernetes_secret_v1: { s: { metadata: { name: 's', namespace: 'kafka' }, data: { password: '', ca: null } } },
      kubernetes_namespace_v1: { n: { metadata: { name: 'n', annotations: { description: 'Token: issued by the exchange gateway' } } } },
    }));
    // Invalid YAML is Helm's error to report, not a secret.
    expectSilent('SEC-001', stack({ helm_release: { r: { chart: 'x', namespace: 'app-trade', values: ['auth: [unclosed'] } } }));
    // A manifest written as an expression is not an object to read.
    expectSilent('SEC-001', stack({ kubernetes_manifest: { m: { manifest: '${yamldecode(file("x.yaml"))}' } } }));
  });
  it.each([
    ['terraform', { backend: { s3: { access_key: 'AKIAIOSFODNN7EXAMPLE' } } }, 'terraform.backend.s3.access_key'],
    ['variable', { db: { default: { password: 'hunter2-hunter2' } } }, 'variable.db.default.password'],
    ['output', { db: { value: { password: 'hunter2-hunter2' } } }, 'output.db.value.password'],
    ['locals', { password: 'hunter2-hunter2' }, 'locals.password'],
    ['data', { x: { y: { token: 'hunter2-hunter2' } } }, 'data.x.y.token'],
  ])('reads the %s section, and lists every hit there', (section, body, where) => {
    expectOutcomes('SEC-001', { ...stack({}), [section]: body, provider: { kubernetes: [{ token: 'abc' }] } }, [
      ['fail', `stack prod-core-services contains a literal value for "token" at provider.kubernetes[0].token; a literal value for "${where.split('.').pop()}" at ${where}; take credentials from the environment or a kubeconfig, never from code`],
    ]);
  });
});

describe('SEC-002: what a store admits', () => {
  const store = (name: string, path: string, conditions?: unknown, provider?: Json) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { ...(conditions ? { conditions } : {}), provider: provider ?? { vault: { server: 'https://bao:8200', path } } } });
  const es = (kind: string, namespace: string, ref: Json) => ({ apiVersion: 'external-secrets.io/v1', kind, metadata: { name: 'e', namespace }, spec: ref });
  it('treats namespace regexes as open, and names every namespace a domain store should not admit', () => {
    expectFires('SEC-002', stack(manifests(store('openbao', 'platform', [{ namespaceRegexes: ['app-.*'] }]))), /has no spec.conditions listing namespaces/);
    expectFires('SEC-002', stack(manifests(store('openbao-chemicals', 'domain-chemicals', [{ namespaces: ['app-trade', 'app-chemicals', 'postgres'] }]))), /admits app-trade, postgres; only app-chemicals may read/);
    // Only a mount named domain-<name> is a domain's.
    expectSilent('SEC-002', stack(manifests(store('shared', 'shared-domain-chemicals', [{ namespaces: ['app-trade'] }]))));
  });
  it('checks the stores a PushSecret names, and an ExternalSecret naming a store the stack does not declare', () => {
    expectFires('SEC-002', stack(manifests(store('openbao', 'platform', [{ namespaces: ['postgres'] }]), es('PushSecret', 'velero', { secretStoreRefs: [{ kind: 'ClusterSecretStore', name: 'openbao' }] }))), /PushSecret velero\/e names ClusterSecretStore openbao, whose conditions do not admit namespace velero/);
    expectFires('SEC-002', stack(manifests(store('openbao', 'platform', [{ namespaces: ['postgres'] }]), es('ExternalSecret', 'postgres', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'elsewhere' } }))), /ExternalSecret postgres\/e names ClusterSecretStore elsewhere, which this stack does not declare/);
    expectFires('SEC-002', stack(manifests(store('openbao', 'platform', [{ namespaces: ['postgres'] }]), es('ExternalSecret', 'postgres', { secretStoreRef: { kind: 'ClusterSecretStore' } }))), /ExternalSecret postgres\/e names ClusterSecretStore , which this stack does not declare/);
  });
  it('says what each store admits and which store each ExternalSecret reads through, and leaves namespaced stores alone', () => {
    expectOutcomes('SEC-002', stack(manifests(
      store('openbao', 'platform', [null, { namespaces: ['postgres', 42, 'velero'] }]),
      store('empty', 'platform', [{ namespaces: [] }]),
      store('kube', '', [{ namespaces: ['kafka'] }], { kubernetes: { remoteNamespace: 'x' } }),
      es('ExternalSecret', 'postgres', { secretStoreRef: { kind: 'ClusterSecretStore', name: 'openbao' } }),
      es('ExternalSecret', 'kafka', { secretStoreRef: { kind: 'SecretStore', name: 'local' } }),
    )), [
      ['pass', 'ClusterSecretStore openbao admits only postgres, velero'],
      ['pass', 'ClusterSecretStore empty admits only no namespace'],
      ['pass', 'ClusterSecretStore kube admits only kafka'],
      ['pass', 'ExternalSecret postgres/e reads through openbao, which admits its namespace'],
    ]);
  });
});

describe('SEC-003: the bootstrap set', () => {
  const consumer = (...prerequisites: Json[]) => manifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'velero' } }, { prerequisites }], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'velero' } });
  it('asks for a rotation of at least ten characters, and names a Secret without a namespace by its name', () => {
    expectOutcomes('SEC-003', stack(consumer({ kind: 'secret', name: 'ten', namespace: 'velero', rotation: 'Yearly, QA' }, { kind: 'secret', name: 'short', rotation: 'Yearly, Q' })), [
      ['pass', 'Secret velero/ten is one of the bootstrap set, rotated: Yearly, QA'],
      ['fail', 'Secret short is consumed as a hand-made Secret but is not in the bootstrap set; produce it with an ExternalSecret from OpenBao (constructs/secrets: GeneratedSecret or StoreSecret), or, if it must exist before OpenBao runs, declare how it is rotated'],
    ]);
  });
});

describe('AUD-001, AUD-002, RBAC-001: evidence and each form', () => {
  const good = { rule: 'PG-001', reason: 'Migration tool needs superuser until the cut-over', owner: 'data/le.c', expires: '2026-12-31' };
  it('AUD-001 judges stack and resource suppressions, says until when each holds, and lists every problem', () => {
    const json = stack({
      ...manifests([pgCluster({ enableSuperuserAccess: true }), { suppressions: [good, { ...good, reason: 'short', owner: 'data' }] }]),
      kubernetes_config_map_v1: { c: { '//': { suppressions: [{ ...good, expires: '2026-11-26' }] }, metadata: { name: 'c' } } },
    }, {}, { suppressions: [{ ...good, rule: 'NET-001' }] });
    const out = run('AUD-001', json);
    expect(out.map((o) => [o.status, o.message, o.lapsed])).toEqual([
      ['pass', 'suppression of NET-001 on stack prod-core-services (owner data/le.c) is valid until 2026-12-31', undefined],
      ['pass', 'suppression of PG-001 on prod-core-services/cluster-main/manifest (owner data/le.c) is valid until 2026-12-31', undefined],
      ['fail', 'suppression of PG-001 on prod-core-services/cluster-main/manifest (owner data) is invalid: reason must explain the exception in at least 10 characters, got "short"; owner must name a team and a person as "team/person", got "data"', undefined],
      ['fail', 'suppression of PG-001 on kubernetes_config_map_v1.c (owner data/le.c) expired on 2026-11-26; fix the finding, or renew the suppression with a new review', true],
    ]);
  });
  it('AUD-002 says which environment the stack records', () => {
    expectOutcomes('AUD-002', stack({}), [['pass', 'stack prod-core-services records environment prod (production, security level 4)']]);
    expectOutcomes('AUD-002', stack({}, { name: 'dev', class: 'development', securityLevel: 3, ephemeral: true }), [['pass', 'stack prod-core-services records environment dev (development, security level 3, ephemeral)']]);
  });
  it('RBAC-001 reads Roles and RoleBindings as well, in typed and manifest form, and names what each grants', () => {
    expectOutcomes('RBAC-001', stack({
      ...manifests(
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'app-trade' }, rules: [null, { apiGroups: [''], resources: ['pods'], verbs: ['*'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'app-trade' }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } },
      ),
      kubernetes_cluster_role_v1: { r: { metadata: { name: 'reader' }, rule: [{ api_groups: [''], resources: ['pods'], verbs: ['get'] }] } },
      kubernetes_cluster_role_binding_v1: { b: { metadata: { name: 'readers' }, role_ref: { name: 'reader' } }, c: { metadata: { name: 'odd' } } },
    }), [
      ['pass', 'ClusterRole reader names its verbs, resources and API groups'],
      ['fail', 'Role app-trade/r grants "*" in rules[1].verbs; list the verbs and resources it needs'],
      ['pass', 'ClusterRoleBinding readers binds reader'],
      ['pass', 'ClusterRoleBinding odd binds ?'],
      ['fail', 'RoleBinding app-trade/b grants cluster-admin; bind a role with only the permissions needed'],
    ]);
  });
});

describe('LOG-001 and SHR-001: boundaries and evidence', () => {
  const cp = (args: Json[]) => stack(manifests(controlPlane(args)));
  it('LOG-001 lists each missing argument (an empty one is missing), and needs a recorded level', () => {
    expectFires('LOG-001', cp([...AUDIT_ARGS('180').slice(0, 2), { name: 'audit-log-maxage', value: '' }]), /^KubeadmControlPlane capi-prod\/core-cp apiServer extraArgs lack audit-log-maxage; audit logging must be on with a policy and a retention$/);
    expectFires('LOG-001', stack(manifests({ ...controlPlane([]), spec: {} })), /lack audit-log-path, audit-policy-file, audit-log-maxage;/);
    const json = cp(AUDIT_ARGS('180'));
    delete json['//'].environment;
    expectFires('LOG-001', json, /^KubeadmControlPlane capi-prod\/core-cp: the stack records no security level, so the required audit-log retention is unknown$/);
    expectFires('LOG-001', cp(AUDIT_ARGS('forever')), /keeps audit logs forever days \(audit-log-maxage\); security level 4 requires at least 180/);
  });
  it('LOG-001 accepts exactly the days of each level, and says where the logs go', () => {
    expectOutcomes('LOG-001', cp(AUDIT_ARGS('180')), [['pass', 'KubeadmControlPlane capi-prod/core-cp writes audit logs to /var/log/kubernetes/audit/audit.log and keeps them 180 days (level 4 requires 180)']]);
    expectFires('LOG-001', cp(AUDIT_ARGS('179')), /keeps audit logs 179 days/);
    expectFires('LOG-001', stack(manifests(controlPlane(AUDIT_ARGS('364'))), { securityLevel: 5 }), /security level 5 requires at least 365/);
    expectSilent('LOG-001', stack(manifests(controlPlane(AUDIT_ARGS('365'))), { securityLevel: 5 }));
  });
  const grant = (ids: string[]) => [{ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaUser', metadata: { name: 'u', namespace: 'kafka' }, spec: {} }, { sharing: ids }] as [Json, Json];
  const agreements = { sharingAgreements: { 'SA-1': { start: '2026-01-01', expiry: '2026-11-27' }, 'SA-2': { start: '2026-11-27', expiry: '2027-12-31' }, 'SA-OLD': { start: '2025-01-01', expiry: '2026-11-26' }, 'SA-NEW': { start: '2026-11-28', expiry: '2027-12-31' }, 'SA-HALF': { start: '2026-01-01' }, 'SA-NOSTART': { expiry: '2027-12-31' } } };
  it('SHR-001 counts the first and the last day, lists every agreement, and marks a finding lapsed only when every problem is an expiry', () => {
    const json = stack({ ...manifests(grant(['SA-1', 'SA-2']), grant(['SA-OLD'])), kubernetes_config_map_v1: { c: { '//': { sharing: ['SA-OLD', 'SA-NEW', 'SA-HALF'] }, metadata: { name: 'c' } }, d: { metadata: { name: 'd' } } } }, {}, agreements);
    expect(run('SHR-001', json).map((o) => [o.status, o.message, o.lapsed])).toEqual([
      ['pass', 'prod-core-services/kafkauser-u/manifest grants access under SA-1 (until 2026-11-27), SA-2 (until 2027-12-31)', undefined],
      ['fail', 'prod-core-services/kafkauser-u/manifest grants access under SA-OLD expired on 2026-11-26; renew the agreement or remove the access', true],
      ['fail', 'kubernetes_config_map_v1.c grants access under SA-OLD expired on 2026-11-26; SA-NEW starts on 2026-11-28; SA-HALF has no record with start and expiry in this stack\'s "//".sharingAgreements (recordAgreements, issue 10); renew the agreement or remove the access', undefined],
    ]);
    for (const id of ['SA-NEW', 'SA-HALF', 'SA-NOSTART']) {
      expect(run('SHR-001', stack(manifests(grant([id])), {}, agreements)).map((o) => [o.status, o.lapsed])).toEqual([['fail', undefined]]);
    }
    expectFires('SHR-001', stack(manifests(grant(['SA-NOSTART'])), {}, agreements), /SA-NOSTART has no record with start and expiry/);
  });
});
