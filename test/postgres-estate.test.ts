/**
 * Postgres across the estate: the operator in every platform stack, the clusters every
 * environment file declares, their backup buckets, and the recovery site following prod.
 */
import { loadEnvironments } from '../environments';
import { validateSynthesized } from '../tools/validate';
import { itWithSchemas } from './schemas';
import { OPERATORS } from '../lib/versions';
import { manifestsOf, resourcesOf, synthEstate, type Json } from './helpers';

const estate = synthEstate();
const stack = estate.stack;

const manifest = (json: Json, kind: string, name: string): Json => {
  const found = manifestsOf(json, kind).find((m) => m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const bodyOf = (json: Json, kind: string, name: string): Json =>
  resourcesOf(json).find(([type, , b]) => type === 'kubernetes_manifest' && b.manifest.kind === kind && b.manifest.metadata.name === name)![2];
const policies = (json: Json): Json[] => resourcesOf(json).filter(([type]) => type === 'kubernetes_network_policy_v1').map(([, , b]) => b);
const releases = (json: Json): Json[] => Object.values(json.resource?.helm_release ?? {}) as Json[];

describe('the CloudNativePG operator in every platform stack', () => {
  const platforms = estate.stackNames.filter((s) => /-core-platform$/.test(s));

  it.each(platforms)('%s: installs the operator and the Barman Cloud plugin at the pinned versions in cnpg-system', (name) => {
    const json = stack(name);
    const operator = releases(json).find((r) => r.chart === 'cloudnative-pg')!;
    const plugin = releases(json).find((r) => r.chart === 'plugin-barman-cloud')!;
    expect(operator).toMatchObject({ version: OPERATORS.cloudnativePg.chartVersion, repository: OPERATORS.cloudnativePg.repository, namespace: 'cnpg-system', atomic: true });
    expect(plugin).toMatchObject({ version: OPERATORS.barmanCloudPlugin.chartVersion, namespace: 'cnpg-system' });
    // The plugin's chart creates cert-manager objects: cert-manager and the operator come first.
    const certManager = Object.keys(json.resource.helm_release).find((k) => k.startsWith('cert-manager'))!;
    expect(plugin.depends_on).toEqual(expect.arrayContaining([`helm_release.${certManager}`]));
    expect(plugin.depends_on.some((d: string) => d.startsWith('helm_release.cloudnative-pg_operator'))).toBe(true);
  });

  it('runs two operator replicas on separate mgmt-zone hosts in production, one in development', () => {
    const values = (name: string) => releases(stack(name)).find((r) => r.chart === 'cloudnative-pg')!.values[0] as string;
    expect(values('prod-core-platform')).toMatch(/replicaCount: 2/);
    expect(values('prod-core-platform')).toMatch(/nodeSelector:\n {2}moit.gov.vn\/zone: mgmt/);
    expect(values('prod-core-platform')).toMatch(/topologyKey: kubernetes.io\/hostname/);
    expect(values('dev-core-platform')).toMatch(/replicaCount: 1/);
  });

  it('lets the API server call the webhook on 9443 from the control-plane nodes only, and the operator reach the API server and the plugin', () => {
    const json = stack('prod-core-platform');
    const named = (n: string) => policies(json).find((p) => p.metadata.name === n)!;
    expect(named('flow-kube-apiserver-to-cnpg-operator-in').spec.ingress).toEqual([{ from: [{ ip_block: { cidr: '10.10.0.8/29' } }], ports: [{ port: '9443', protocol: 'TCP' }] }]);
    expect(named('flow-cnpg-operator-to-kube-apiserver-out').spec.egress[0].ports).toEqual([
      { port: '443', protocol: 'TCP' },
      { port: '6443', protocol: 'TCP' },
    ]);
    expect(named('flow-cnpg-operator-to-barman-cloud-plugin-in').spec.ingress[0].ports).toEqual([{ port: '9090', protocol: 'TCP' }]);
    expect(named('flow-barman-cloud-plugin-to-kube-apiserver-out')).toBeDefined();
    // Nothing else reaches the operator's namespace.
    const into = policies(json).filter((p) => p.metadata.namespace === 'cnpg-system' && p.spec.policy_types.includes('Ingress') && p.metadata.name !== 'default-deny');
    expect(into.map((p) => p.metadata.name).sort()).toEqual(['flow-cnpg-operator-to-barman-cloud-plugin-in', 'flow-kube-apiserver-to-cnpg-operator-in', 'flow-prometheus-to-cnpg-operator-in']);
  });
});

describe('the Postgres clusters of the environment files', () => {
  it('exposes them on the services stack by name, for the data domains to add databases and grants', () => {
    for (const env of estate.estate) {
      const services = env.clusters[0]!.services;
      expect([...services.postgres.keys()]).toEqual(['main']);
      expect(services.postgres.get('main')!.namespace).toBe('postgres');
    }
  });

  it('runs dev on one asynchronous instance that may be destroyed, and prod on three with required durability, retained', () => {
    const dev = manifest(stack('dev-core-services'), 'Cluster', 'main').spec;
    expect(dev.instances).toBe(1);
    expect(dev.postgresql.synchronous).toBeUndefined();
    expect(bodyOf(stack('dev-core-services'), 'Cluster', 'main').lifecycle).toBeUndefined();

    const prod = manifest(stack('prod-core-services'), 'Cluster', 'main').spec;
    expect(prod.instances).toBe(3);
    expect(prod.postgresql.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'required' });
    expect(prod.postgresql.parameters).toMatchObject({ max_connections: '400', shared_buffers: '3GB', password_encryption: 'scram-sha-256' });
    expect(bodyOf(stack('prod-core-services'), 'Cluster', 'main').lifecycle).toEqual({ prevent_destroy: true });
    expect(manifest(stack('staging-core-services'), 'Cluster', 'main').spec.postgresql.synchronous.dataDurability).toBe('preferred');
  });

  it.each(['staging', 'prod', 'dr'])('%s: keeps every Postgres cluster retained and its pooler at two or more pods', (env) => {
    const json = stack(`${env}-core-services`);
    for (const m of manifestsOf(json, 'Cluster')) expect(bodyOf(json, 'Cluster', m.metadata.name).lifecycle).toEqual({ prevent_destroy: true });
    for (const p of manifestsOf(json, 'Pooler')) expect(p.spec.instances).toBeGreaterThanOrEqual(2);
  });

  it('gives each cluster its own backup bucket, owned in the postgres namespace, written only by its pods', () => {
    const json = stack('prod-core-services');
    const claim = manifest(json, 'ObjectBucketClaim', 'pg-prod-core-main');
    expect(claim.metadata.namespace).toBe('postgres');
    const store = manifest(json, 'ObjectStore', 'main-backup').spec.configuration;
    expect(store.destinationPath).toBe('s3://pg-prod-core-main/');
    expect(store.endpointURL).toMatch(/^https:\/\//);
    expect(store.endpointCA).toEqual({ name: 'dc-internal-ca-bundle', key: 'ca.crt' });
    // One writer in the postgres namespace: the cluster's own user, whose generated Secret the store reads.
    const writers = manifestsOf(json, 'CephObjectStoreUser').filter((u) => u.metadata.namespace === 'postgres' && u.spec.opMask.includes('write'));
    expect(writers.length).toBe(1);
    expect(store.s3Credentials.accessKeyId.name).toMatch(new RegExp(`^rook-ceph-object-user-.*${writers[0]!.metadata.name}$`));
    const into = policies(json).find((p) => p.metadata.name === 'flow-postgres-main-to-rgw-dc-objectstore-in')!;
    expect(into.spec.ingress[0].from).toEqual([{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'postgres' } }, pod_selector: { match_labels: { 'cnpg.io/cluster': 'main', 'cnpg.io/podRole': 'instance' } } }]);
  });

  it('writes no credential value anywhere: only Secret references', () => {
    for (const name of estate.stackNames.filter((s) => s.endsWith('-services'))) {
      const json = stack(name);
      for (const m of manifestsOf(json).filter((x) => ['Cluster', 'Pooler', 'ObjectStore'].includes(x.kind))) {
        expect(JSON.stringify(m)).not.toMatch(/"(password|stringData|data)"\s*:\s*"/);
      }
    }
  });

  itWithSchemas('validates every Postgres-related manifest of every environment against the pinned CRDs', () => {
    const report = validateSynthesized(estate.outdir);
    const ours = report.findings.filter((f) => /postgresql\.cnpg\.io|barmancloud\.cnpg\.io/.test(f.apiVersion ?? '') || f.constructPath.includes('/postgres/'));
    expect(ours).toEqual([]);
    expect(report.kinds).toEqual(expect.arrayContaining(['postgresql.cnpg.io/v1 Cluster', 'postgresql.cnpg.io/v1 Pooler', 'postgresql.cnpg.io/v1 ScheduledBackup', 'barmancloud.cnpg.io/v1 ObjectStore']));
  });
});

describe('the recovery site follows prod through its backup bucket', () => {
  const dr = stack('dr-core-services');
  const spec = manifest(dr, 'Cluster', 'main').spec;

  it('is a replica cluster of prod\'s "main", bootstrapped and fed from its object store', () => {
    expect(spec.replica).toEqual({ enabled: true, source: 'origin' });
    expect(spec.bootstrap).toEqual({ recovery: { source: 'origin' } });
    expect(spec.externalClusters).toEqual([
      { name: 'origin', plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'main-origin', serverName: 'main' } } },
    ]);
    expect(spec.postgresql.synchronous.dataDurability).toBe('required');
  });

  it('reads exactly the bucket prod creates, which prod lets the recovery site read', () => {
    const [prodEnv, drEnv] = loadEnvironments(['prod', 'dr']);
    const replicaOf = drEnv!.postgres[0]!.replicaOf!;
    const origin = prodEnv!.postgres.find((p) => p.name === replicaOf.postgres && p.cluster === replicaOf.cluster);
    expect(origin).toBeDefined();
    const origins = manifest(dr, 'ObjectStore', 'main-origin').spec;
    expect(origins.configuration.destinationPath).toBe('s3://pg-prod-core-main/');
    expect(manifestsOf(stack('prod-core-services'), 'ObjectBucketClaim').map((c) => c.metadata.name)).toContain('pg-prod-core-main');
    // Prod grants the recovery site's one cross-site egress address read-only access (its own
    // user, read op-mask), never the site's whole node range.
    expect(origin!.readableBy).toEqual([{ environment: 'dr', cidr: '10.40.8.2/32' }]);
    const readers = manifestsOf(stack('prod-core-services'), 'CephObjectStoreUser').filter((u) => u.metadata.namespace === 'postgres' && !u.spec.opMask.includes('write'));
    expect(readers.map((u) => u.spec.opMask)).toEqual([['read']]);
    const ingress = policies(stack('prod-core-services')).find((p) => p.metadata.name === 'flow-dr-postgres-main-to-rgw-dc-objectstore-in')!;
    expect(ingress.spec.ingress).toEqual([{ from: [{ ip_block: { cidr: '10.40.8.2/32' } }], ports: [{ port: '443', protocol: 'TCP' }] }]);
    expect(JSON.stringify(policies(stack('prod-core-services')))).not.toContain(drEnv!.clusters[0]!.nodeCidr);
    // A reader never deletes the origin's backups.
    expect(origins.retentionPolicy).toBeUndefined();
    expect(origins.configuration.s3Credentials.accessKeyId).toEqual({ name: 'main-origin-s3-readonly', key: 'AWS_ACCESS_KEY_ID' });
  });

  it('reaches the primary site only through one declared backup-target flow to its S3 endpoint on 443', () => {
    const egress = policies(dr).filter((p) => p.metadata.namespace === 'postgres' && p.spec.policy_types.includes('Egress'));
    const outside = egress.flatMap((p) => p.spec.egress.flatMap((e: Json) => e.to.filter((t: Json) => t.ip_block).map((t: Json) => ({ cidr: t.ip_block.cidr, ports: e.ports, policy: p.metadata.name }))));
    const apiServer = loadEnvironments(['dr'])[0]!.clusters[0]!.controlPlaneCidr;
    // The instances (continuous recovery) and the recovery job that bootstraps them, nothing else.
    expect(outside.filter((o: Json) => o.cidr !== apiServer)).toEqual([
      { cidr: '10.10.8.10/32', ports: [{ port: '443', protocol: 'TCP' }], policy: 'flow-postgres-main-full-recovery-to-prod-s3-out' },
      { cidr: '10.10.8.10/32', ports: [{ port: '443', protocol: 'TCP' }], policy: 'flow-postgres-main-to-prod-s3-out' },
    ]);
    const services = estate.estate.find((e) => e.environment.name === 'dr')!.clusters[0]!.services;
    const flow = (services.node.tryFindChild('segmentation') as any).flows.find((f: any) => f.to.name === 'prod-s3');
    expect(flow.to.backupTarget).toBe(true);
  });

  it('archives its own WAL into its own bucket at the recovery site', () => {
    expect(spec.plugins).toEqual([{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'main-backup', serverName: 'main' } }]);
    expect(manifest(dr, 'ObjectStore', 'main-backup').spec.configuration.destinationPath).toBe('s3://pg-dr-core-main/');
  });
});
