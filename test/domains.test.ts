import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessMatrix } from '../environments/catalogue/access';
import { AGREEMENTS } from '../environments/catalogue/agreements';
import { loadCatalogue, type AgreementInput, type Catalogue } from '../environments/catalogue';
import { loadEnvironments } from '../environments';
import { App } from '../lib/tf';
import { buildEnvironment } from '../stacks/estate';
import { manifestsOf, resourcesOf, type Json } from './helpers';

const TODAY = '2026-11-27';

function buildProd(catalogue: Catalogue) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-domains-')) });
  const stacks = buildEnvironment(app, loadEnvironments(['prod'])[0]!, catalogue);
  app.synth();
  const json: Json = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'prod-core-services', 'cdk.tf.json'), 'utf8'));
  return { stacks, json, domains: stacks.clusters[0]!.services.domains! };
}

const kafkaUser = (json: Json, name: string) => manifestsOf(json, 'KafkaUser').find((m) => m.metadata.name === name);
const readTopics = (user: Json | undefined) =>
  (user?.spec.authorization.acls ?? []).filter((a: Json) => a.resource.type === 'topic' && a.operations.includes('Read')).map((a: Json) => a.resource.name).sort();
const managedRole = (json: Json, role: string) => manifestsOf(json, 'Cluster')[0]!.spec.managed.roles.find((r: Json) => r.name === role);
const flowPolicy = (json: Json, name: string) =>
  resourcesOf(json).find(([type, , body]) => type === 'kubernetes_network_policy_v1' && body.metadata.name === name)?.[2];

describe('data domains compiled into least-privilege access (prod)', () => {
  const full = buildProd(loadCatalogue({ today: TODAY }));

  it('gives every domain its own databases, topics and buckets, owned by the domain', () => {
    // Databases are declared on the Cluster (owner-creates) while the Database CRD is not pinned.
    const declared = JSON.parse(manifestsOf(full.json, 'Cluster')[0]!.metadata.annotations['moit.gov.vn/databases']) as Json[];
    expect(declared.find((d) => d.name === 'energy_stats')).toEqual({ name: 'energy_stats', owner: 'energy_statistics_owner', domain: 'energy-statistics', schemas: ['production', 'consumption'] });
    expect(declared.map((d) => d.name).sort()).toEqual(loadCatalogue({ today: TODAY }).domains.flatMap((d) => d.resources.databases.map((db) => db.name)).sort());
    const topic = manifestsOf(full.json, 'KafkaTopic').find((m) => m.metadata.name === 'energy-statistics.monthly-balance.v1')!;
    expect(topic.metadata.labels['moit.gov.vn/domain']).toBe('energy-statistics');
    expect(topic.spec.config['retention.ms']).toBe(14 * 86_400_000); // important data: 14 days in Kafka
    expect(readTopics(kafkaUser(full.json, 'energy-statistics'))).toEqual(['electricity-market.spot-prices.v1', 'energy-statistics.monthly-balance.v1']);
    const claims = manifestsOf(full.json, 'ObjectBucketClaim').map((m) => `${m.metadata.namespace}/${m.spec.bucketName}`);
    expect(claims).toEqual(expect.arrayContaining(['app-energy-statistics/energy-statistics-raw', 'app-import-export/import-export-documents']));
  });

  it('compiles SA-2026-001 into a Kafka ACL, a Postgres read grant and network flows, each marked with the agreement', () => {
    const grants = full.domains.grants.filter((g) => g.agreement === 'SA-2026-001');
    expect(grants.map((g) => `${g.service} ${g.resource} ${g.principal}`)).toEqual([
      'kafka energy-statistics.monthly-balance.v1 CN=electricity-market',
      'postgres energy_stats.production electricity_market_reader',
    ]);
    const user = resourcesOf(full.json).find(([type, , b]) => type === 'kubernetes_manifest' && b.manifest.kind === 'KafkaUser' && b.manifest.metadata.name === 'electricity-market')![2];
    expect(user['//'].sharing).toEqual(['SA-2026-001']);
    expect(readTopics(user.manifest)).toEqual(['electricity-market.dispatch.v1', 'electricity-market.spot-prices.v1', 'energy-statistics.monthly-balance.v1']);
    expect(managedRole(full.json, 'electricity_market_reader').inRoles).toEqual(['energy_stats_production_read']);
    const toPostgres = flowPolicy(full.json, 'flow-electricity-market-to-postgres-main-in')!;
    expect(toPostgres.metadata.annotations['moit.gov.vn/purpose']).toContain('SA-2026-001');
    expect(toPostgres.spec.ingress[0].from[0].namespace_selector.match_labels).toEqual({ 'kubernetes.io/metadata.name': 'app-electricity-market' });
  });

  it('compiles SA-2026-006 into a read-only bucket user for the outside organisation, through the exchange zone', () => {
    const grants = full.domains.grants.filter((g) => g.agreement === 'SA-2026-006');
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ service: 'object-storage', resource: 'industrial-production-open', reader: 'external:gso' });
    const user = manifestsOf(full.json, 'CephObjectStoreUser').find((m) => m.metadata.namespace === 'exchange' && m.metadata.name.includes('ext-gso'))!;
    expect(user).toBeDefined();
    expect(JSON.stringify(user.spec)).not.toMatch(/write/i);
    const egress = resourcesOf(full.json).find(([type, , b]) => type === 'kubernetes_network_policy_v1' && b.metadata.namespace === 'exchange' && JSON.stringify(b.spec.pod_selector).includes('gso'));
    expect(egress).toBeDefined();
  });

  it('grants nothing for the expired agreement SA-2025-014', () => {
    expect(full.domains.grants.filter((g) => g.agreement === 'SA-2025-014')).toEqual([]);
    expect(managedRole(full.json, 'e_commerce_reader')?.inRoles ?? []).not.toContain('surveillance_violations_read');
  });

  it('matches the access matrix for prod exactly', () => {
    const catalogue = loadCatalogue({ today: TODAY });
    const fromMatrix = accessMatrix(catalogue)
      .filter((r) => r.status === 'active')
      .map((r) => `${r.basis} ${r.reader} ${r.service} ${r.resource}`)
      .sort();
    const compiled = full.domains.grants.map((g) => `${g.agreement} ${g.reader} ${g.service} ${g.resource}`).sort();
    expect(compiled).toEqual(fromMatrix);
  });

  it('removes every grant derived from an agreement when the agreement is removed', () => {
    const without = buildProd(loadCatalogue({ today: TODAY, agreements: (structuredClone(AGREEMENTS) as AgreementInput[]).filter((a) => a.id !== 'SA-2026-001') }));
    expect(without.domains.grants.filter((g) => g.agreement === 'SA-2026-001')).toEqual([]);
    expect(readTopics(kafkaUser(without.json, 'electricity-market'))).not.toContain('energy-statistics.monthly-balance.v1');
    expect(managedRole(without.json, 'electricity_market_reader')).toBeUndefined();
    // electricity-market still reaches Postgres for its own databases, no longer for SA-2026-001.
    expect(flowPolicy(without.json, 'flow-electricity-market-to-postgres-main-in')!.metadata.annotations['moit.gov.vn/purpose']).toBe('electricity-market uses its own databases');
    // trade-remedies reads Kafka only under SA-2026-003: with that agreement gone, so is its flow.
    const noOrigin = buildProd(loadCatalogue({ today: TODAY, agreements: (structuredClone(AGREEMENTS) as AgreementInput[]).filter((a) => a.id !== 'SA-2026-003') }));
    expect(flowPolicy(full.json, 'flow-trade-remedies-to-events-brokers-in')).toBeDefined();
    expect(flowPolicy(noOrigin.json, 'flow-trade-remedies-to-events-brokers-in')).toBeUndefined();
    expect(kafkaUser(noOrigin.json, 'trade-remedies')).toBeUndefined();
    expect(JSON.stringify(without.json)).not.toContain('SA-2026-001');
    // Everything else stays.
    expect(without.domains.grants.length).toBe(full.domains.grants.length - 2);
  });
});

describe('domain owners', () => {
  it('administer their own tenant namespace through their group, and no other', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-owners-')) });
    buildEnvironment(app, loadEnvironments(['prod'])[0]!, loadCatalogue({ today: TODAY }));
    app.synth();
    const json: Json = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'prod-core-platform', 'cdk.tf.json'), 'utf8'));
    const bindings = resourcesOf(json).filter(([type]) => type === 'kubernetes_role_binding_v1').map(([, , b]) => b);
    const catalogue = loadCatalogue({ today: TODAY });
    for (const d of catalogue.domains) {
      const mine = bindings.filter((b) => b.subject.some((s: Json) => s.name === d.ownerGroup));
      expect(mine.map((b) => b.metadata.namespace)).toEqual([`app-${d.name}`]);
    }
  });
});

describe('the recovery site', () => {
  it('declares exactly the topics prod copies off-site, for MirrorMaker 2 to fill, and no grants', () => {
    const catalogue = loadCatalogue({ today: TODAY });
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-dr-')) });
    const [prod, dr] = loadEnvironments(['prod', 'dr']);
    buildEnvironment(app, prod!, catalogue);
    const drStacks = buildEnvironment(app, dr!, catalogue);
    app.synth();
    const read = (stack: string): Json => JSON.parse(readFileSync(join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    const prodJson = read('prod-core-services');
    const drJson = read('dr-core-services');
    const mirrorUser = manifestsOf(prodJson, 'KafkaUser').find((m) => m.metadata.name === 'mirror-dr')!;
    const copied = readTopics(mirrorUser).filter((t: string) => !t.startsWith('mm2-') && !t.includes('offset-syncs'));
    const drTopics = manifestsOf(drJson, 'KafkaTopic').map((m) => m.metadata.name).filter((t) => !t.startsWith('mm2-')).sort();
    expect(drTopics).toEqual(copied);
    expect(drTopics).toContain('energy-statistics.monthly-balance.v1');
    expect(drTopics).not.toContain('industrial-production.index.v1'); // bronze: not copied
    const pattern = new RegExp(`^(?:${manifestsOf(drJson, 'KafkaMirrorMaker2')[0]!.spec.mirrors[0].topicsPattern})$`);
    for (const t of drTopics) expect(pattern.test(t)).toBe(true);
    expect(drStacks.clusters[0]!.services.domains!.grants).toEqual([]);
    expect(manifestsOf(drJson, 'KafkaUser').map((m) => m.metadata.name)).not.toContain('energy-statistics');
  });
});
