/**
 * Secrets as code (issue #23): External Secrets Operator and trust-manager on every workload
 * cluster, a ClusterSecretStore per cluster pointing at the environment's OpenBao over TLS, and
 * every generated value (Postgres login roles, the Velero repository) produced from OpenBao.
 */
import { parse } from 'yaml';
import { loadEnvironments, parseEnvironment } from '../environments';
import { createApp } from '../lib/tf';
import { environmentView } from '../policy/deploy/view';
import { productsOf, referencesOf } from '../policy/deploy/references';
import { declaredPrerequisites } from '../policy/prerequisites';
import { buildEnvironment } from '../stacks/estate';
import { configOf, manifestsOf, resourcesOf, synthEstate } from './helpers';
import type { Json } from '../policy/audit/model';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GeneratedSecret } from '../constructs/secrets/generated-secret';
import { SecretRef } from '../constructs/secrets/secret-ref';
import { OpenBao, sealStanza } from '../constructs/secrets/openbao';

const estate = synthEstate();
const ENVIRONMENTS = ['dev', 'staging', 'prod', 'dr'];
const releases = (json: Json) => resourcesOf(json).filter(([type]) => type === 'helm_release').map(([, , body]) => body);
const release = (json: Json, chart: string) => releases(json).find((r) => r.chart === chart);
const values = (r: Json | undefined) => parse((r!.values as string[])[0]!) as Record<string, any>;
const policies = (json: Json) => resourcesOf(json).filter(([type]) => type === 'kubernetes_network_policy_v1').map(([, , body]) => body as any);
const MGMT_TOLERATION = { key: 'moit.gov.vn/zone', operator: 'Equal', value: 'mgmt', effect: 'NoSchedule' };

describe('External Secrets Operator and trust-manager', () => {
  it.each(ENVIRONMENTS)('GIVEN %s WHEN synthesized THEN every workload cluster installs ESO 2.9.0 in its own mgmt-zone namespace and trust-manager in cert-manager', (env) => {
    for (const name of estate.stackNames.filter((n) => n.startsWith(`${env}-`) && n.endsWith('-platform') && !n.includes('-mgmt-'))) {
      const json = estate.stack(name);
      const eso = release(json, 'external-secrets');
      expect(eso).toMatchObject({ version: '2.9.0', namespace: 'external-secrets', repository: 'https://charts.external-secrets.io' });
      const ns = resourcesOf(json).find(([type, , body]) => type === 'kubernetes_namespace_v1' && (body as any).metadata.name === 'external-secrets');
      expect((ns![2] as any).metadata.labels['moit.gov.vn/zone']).toBe('mgmt');
      expect(release(json, 'trust-manager')).toMatchObject({ version: 'v0.24.0', namespace: 'cert-manager' });
      expect(values(release(json, 'trust-manager')).defaultPackage).toEqual({ enabled: false });
    }
  });

  it('places every ESO workload on the mgmt pool of a Cluster API cluster (tolerating its moit.gov.vn/zone taint)', () => {
    const v = values(release(estate.stack('prod-core-platform'), 'external-secrets'));
    for (const part of [v, v.webhook, v.certController]) {
      expect(part.tolerations).toEqual([MGMT_TOLERATION]);
      expect(part.nodeSelector).toEqual({ 'moit.gov.vn/zone': 'mgmt' });
    }
    expect(values(release(estate.stack('prod-core-platform'), 'trust-manager')).tolerations).toEqual([MGMT_TOLERATION]);
  });

  it('declares its flows: ESO to OpenBao on 8200 at the declared address only, the API server to its webhook on 10250', () => {
    const all = policies(estate.stack('prod-core-platform'));
    const toBao = all.find((p) => p.metadata.namespace === 'external-secrets' && JSON.stringify(p.spec).includes('8200'));
    expect(toBao.spec.egress).toEqual([{ ports: [{ port: '8200', protocol: 'TCP' }], to: [{ ip_block: { cidr: '10.1.0.60/32' } }] }]);
    expect(toBao.spec.pod_selector.match_labels['app.kubernetes.io/name']).toBe('external-secrets');
    const webhook = all.find((p) => p.metadata.namespace === 'external-secrets' && JSON.stringify(p.spec).includes('10250'));
    // The API server calls the webhook from its control-plane block, not the whole node network.
    expect(webhook.spec.ingress[0].from).toEqual([{ ip_block: { cidr: '10.10.0.8/29' } }]);
    // Default deny still holds in the namespace.
    expect(all.some((p) => p.metadata.namespace === 'external-secrets' && p.metadata.name === 'default-deny')).toBe(true);
  });
});

describe('ClusterSecretStores', () => {
  const services = estate.stack('prod-core-services');
  const stores = manifestsOf(services, 'ClusterSecretStore') as any[];

  it('point at the environment\'s OpenBao over TLS, verified with the internal CA that trust-manager distributes', () => {
    const platform = stores.find((s) => s.metadata.name === 'openbao');
    expect(platform.spec.provider.vault).toMatchObject({
      server: 'https://openbao.prod.dc.moit.gov.vn:8200',
      path: 'platform',
      version: 'v2',
      caProvider: { type: 'ConfigMap', name: 'dc-internal-ca', key: 'ca.crt', namespace: 'external-secrets' },
      auth: { kubernetes: { mountPath: 'k8s-prod-core', role: 'eso-platform', serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } },
    });
    const bundle = manifestsOf(services, 'Bundle')[0] as any;
    expect(bundle.metadata.name).toBe('dc-internal-ca');
    expect(bundle.spec.sources).toEqual([{ secret: { name: 'dc-intermediate-ca-keypair', key: 'ca.crt' } }]);
    expect(bundle.spec.target.namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'external-secrets' });
  });

  it('limit the platform store to the namespaces whose ExternalSecrets name it, and each domain store to that domain\'s namespace and mount', () => {
    expect(stores.find((s) => s.metadata.name === 'openbao').spec.conditions).toEqual([{ namespaces: ['postgres', 'velero'] }]);
    // dr also reads the other site's Kafka credentials (MirrorMaker 2) through the platform store.
    expect((manifestsOf(estate.stack('dr-core-services'), 'ClusterSecretStore') as any[]).find((s) => s.metadata.name === 'openbao').spec.conditions).toEqual([{ namespaces: ['kafka', 'postgres', 'velero'] }]);
    const chemicals = stores.find((s) => s.metadata.name === 'openbao-chemicals');
    expect(chemicals.spec.conditions).toEqual([{ namespaces: ['app-chemicals'] }]);
    expect(chemicals.spec.provider.vault.path).toBe('domain-chemicals');
    expect(chemicals.spec.provider.vault.auth.kubernetes.role).toBe('eso-domain-chemicals');
    for (const s of stores) expect(s.spec.conditions.length).toBeGreaterThan(0);
  });
});

describe('Generated values (Password generator + PushSecret IfNotExists + ExternalSecret)', () => {
  const services = estate.stack('prod-core-services');
  const named = (kind: string, name: string) => (manifestsOf(services, kind) as any[]).find((m) => m.metadata.name === name);

  it('produces each Postgres login role\'s basic-auth Secret from OpenBao, with the name and keys the Cluster reads', () => {
    const cluster = named('Cluster', 'main');
    const role = cluster.spec.managed.roles.find((r: any) => r.name === 'chemicals_owner');
    expect(role.passwordSecret).toEqual({ name: 'main-chemicals-owner-credentials' });
    const push = named('PushSecret', 'main-chemicals-owner-credentials');
    expect(push.spec).toMatchObject({
      updatePolicy: 'IfNotExists',
      deletionPolicy: 'None',
      selector: { generatorRef: { kind: 'Password', name: 'main-chemicals-owner-credentials' } },
      data: [{ match: { secretKey: 'password', remoteRef: { remoteKey: 'core/postgres/main/chemicals_owner', property: 'password' } } }],
    });
    const es = named('ExternalSecret', 'main-chemicals-owner-credentials');
    expect(es.metadata.namespace).toBe('postgres');
    expect(es.spec.refreshInterval).toBe('1h');
    expect(es.spec.target).toMatchObject({ name: 'main-chemicals-owner-credentials', creationPolicy: 'Owner', deletionPolicy: 'Retain' });
    // The password goes straight to its key; the template (merged with it) holds only the type, labels and user name.
    expect(es.spec.target.template).toEqual({ type: 'kubernetes.io/basic-auth', mergePolicy: 'Merge', metadata: { labels: { 'cnpg.io/reload': 'true' } }, data: { username: 'chemicals_owner' } });
    expect(es.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'core/postgres/main/chemicals_owner', property: 'password' } }]);
    expect(named('Password', 'main-chemicals-owner-credentials').spec).toMatchObject({ length: 40, symbols: 0 });
  });

  it('produces Velero\'s repository password before Velero can fall back to its published default', () => {
    const es = named('ExternalSecret', 'velero-repo-credentials');
    expect(es.metadata.namespace).toBe('velero');
    expect(es.spec.target.template).toEqual({ type: 'Opaque', mergePolicy: 'Merge' });
    expect(es.spec.data).toEqual([{ secretKey: 'repository-password', remoteRef: { key: 'core/velero/repository', property: 'password' } }]);
    expect(named('PushSecret', 'velero-repo-credentials').spec.data[0].match.remoteRef.remoteKey).toBe('core/velero/repository');
    // Terraform waits for ESO to sync it, and the backup location (so the repository) waits for that.
    const bodies = resourcesOf(services).filter(([type]) => type === 'kubernetes_manifest');
    const [, esId, esBody] = bodies.find(([, , b]) => (b as any).manifest.kind === 'ExternalSecret' && (b as any).manifest.metadata.name === 'velero-repo-credentials')!;
    expect((esBody as any).wait).toEqual({ condition: [{ type: 'Ready', status: 'True' }] });
    const [, , bsl] = bodies.find(([, , b]) => (b as any).manifest.kind === 'BackupStorageLocation')!;
    expect((bsl as any).depends_on).toContain(`kubernetes_manifest.${esId}`);
  });

  it('refuses a value and plain strings that do not fill exactly the consumer\'s keys, each once', () => {
    const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'moit-secrets-')) });
    const stacks = buildEnvironment(app, loadEnvironments(['dev'])[0]!);
    const secret = SecretRef.of({ name: 'x', namespace: 'velero', keys: ['username', 'password'] });
    const services = stacks.clusters[0]!.services;
    expect(() => new GeneratedSecret(services, 'bad', { secret, remoteKey: 'x', valueKey: 'password' })).toThrow(/fill keys \[password\], but velero\/x must hold \[password, username\]/);
    expect(() => new GeneratedSecret(services, 'twice', { secret, remoteKey: 'x', valueKey: 'password', plain: { password: 'p', username: 'u' } })).toThrow(/fill keys \[password, password, username\].*each once/);
    expect(() => SecretRef.of({ name: 'Bad_Name', namespace: 'velero', keys: [] })).toThrow(/name must be a DNS subdomain name.*keys must name at least one key/);
  });
});

describe('Every Secret reference is produced', () => {
  it.each(ENVIRONMENTS)('GIVEN %s THEN every Secret any stack references is produced by the estate (an ExternalSecret, a generator, an operator) or is a declared prerequisite', (env) => {
    const names = estate.stackNames.filter((n) => n.startsWith(`${env}-`));
    const manifest = JSON.parse(readFileSync(join(estate.outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
    const view = environmentView(names.map((name) => ({ name, json: estate.stack(name), dependsOn: manifest.stacks[name]?.dependencies ?? [] })));
    const produced = new Set<string>();
    for (const s of view.stacks) {
      for (const p of productsOf(s)) if (p.kind === 'Secret') produced.add(`${s.cluster}/${p.namespace}/${p.name}`);
      for (const p of declaredPrerequisites(s.model)) if (p.kind === 'secret') produced.add(`${s.cluster}/${p.namespace}/${p.name}`);
    }
    const missing = view.stacks.flatMap((s) => referencesOf(s, view).filter((r) => r.kind === 'Secret' && !produced.has(`${s.cluster}/${r.namespace}/${r.name}`)).map((r) => `${s.name}: ${r.namespace}/${r.name} (${r.field})`));
    expect(missing).toEqual([]);
  });
});

describe('environment section `secrets`', () => {
  it('refuses a production or recovery environment that unseals by hand, and a threshold above the shares', () => {
    const prod = configOf('prod') as any;
    prod.secrets.unseal = { method: 'shamir', shares: 3, threshold: 5 };
    expect(() => parseEnvironment(prod, 'environments/prod.ts')).toThrow(/secrets\.unseal\.threshold: must be <= shares \(3\)[\s\S]*secrets\.unseal\.method: a production environment unseals automatically/);
    const dev = configOf('dev') as any;
    expect(() => parseEnvironment(dev, 'environments/dev.ts')).not.toThrow();
  });
});

describe('OpenBao on the management cluster', () => {
  const json = estate.stack('prod-mgmt-clusters');
  const bao = release(json, 'openbao');
  const v = values(bao);
  const config: string = v.server.ha.raft.config;

  it('runs in HA with integrated Raft (3 pods), TLS from the internal CA on the API and between pods, and no injector', () => {
    expect(bao).toMatchObject({ version: '0.29.2', namespace: 'openbao', wait: false });
    expect(v.global.tlsDisable).toBe(false);
    expect(v.injector.enabled).toBe(false);
    expect(v.server.ha).toMatchObject({ enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true } });
    expect(config).toMatch(/tls_cert_file = "\/openbao\/tls\/tls.crt"/);
    expect(config).not.toMatch(/tls_disable/);
    expect(config.match(/retry_join \{/g)).toHaveLength(3);
    const cert = (manifestsOf(json, 'Certificate') as any[]).find((c) => c.metadata.name === 'openbao-tls');
    expect(cert.spec.dnsNames).toContain('openbao.prod.dc.moit.gov.vn');
    expect(cert.spec.issuerRef.name).toBe('dc-internal-ca');
    // The chart waits for its certificate and its namespace.
    expect((bao!.depends_on as string[]).some((d) => d.startsWith('kubernetes_manifest.openbao_certificate'))).toBe(true);
  });

  it('declares its file audit device in the configuration, on its own volume', () => {
    expect(config).toMatch(/audit "file" "file" \{\s*options \{\s*file_path = "\/openbao\/audit\/audit.log"/);
    expect(v.server.auditStorage.enabled).toBe(true);
  });

  it('unseals as each environment says: an HSM for prod, a transit engine for staging, Shamir (no seal stanza) for dev-like environments', () => {
    expect(config).toMatch(/seal "pkcs11" \{\s*slot = "0"\s*key_label = "openbao-prod-unseal"/);
    expect(values(release(estate.stack('staging-mgmt-clusters'), 'openbao')).server.ha.raft.config).toMatch(/seal "transit" \{\s*address = "https:\/\/openbao-unseal.dc.moit.gov.vn:8200"\s*key_name = "openbao-staging"/);
    expect(sealStanza({ method: 'shamir', shares: 3, threshold: 2 })).toBe('');
    // Never a secret in the configuration: the PIN and the transit token come from the environment.
    expect(config).not.toMatch(/pin|token/i);
  });

  it('admits ESO of every workload cluster on 8200 and reaches each cluster\'s API server for token reviews; default deny holds', () => {
    const all = policies(json).filter((p) => p.metadata.namespace === 'openbao');
    expect(all.some((p) => p.metadata.name === 'default-deny')).toBe(true);
    const ingress = all.find((p) => JSON.stringify(p.spec.ingress ?? []).includes('10.10.0.0/22'));
    expect(ingress.spec.ingress[0].ports).toEqual([{ port: '8200', protocol: 'TCP' }]);
  });

  it('refuses an even or too small Raft cluster', () => {
    const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'moit-secrets-')) });
    const stacks = buildEnvironment(app, loadEnvironments(['prod'])[0]!);
    expect(() => new OpenBao(stacks.management!.clusters, 'bao2', { host: 'x.dc.moit.gov.vn', unseal: { method: 'static' }, issuerName: 'dc-internal-ca', replicas: 4 })).toThrow(/replicas must be an odd number >= 3 .*got 4/);
  });
});
