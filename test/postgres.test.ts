/**
 * PostgresCluster: the defaults that make it highly available, encrypted and recoverable, the
 * validations that refuse weaker settings, recovery and replica clusters, roles per data
 * domain, and schema validity of everything it writes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Peer } from '../constructs/network/peer';
import { Port } from '../constructs/network/port';
import type { BackupDestination } from '../constructs/postgres/backup';
import { defaultDatabaseManagement, PostgresCluster, PostgresClusterProps, TLS_ONLY_HBA } from '../constructs/postgres/cluster';
import { PostgresRoles } from '../constructs/postgres/roles';
import { loadEnvironments, parseEnvironment } from '../environments';
import { ConstructPropsError } from '../lib/errors';
import { App } from '../lib/tf';
import { validateSynthesized } from '../tools/validate';
import { itWithSchemas } from './schemas';
import { Construct } from 'constructs';
import { assignBackupTier } from '../constructs/backup/coverage';
import { buildEnvironment } from '../stacks/estate';
import type { ServicesStack } from '../stacks/services';
import { configOf, manifestsOf, resourcesOf, type Json } from './helpers';
import { MODE_CONTEXT } from '../stacks/deployability';

const rgw = Peer.workload({ name: 'rgw', namespace: 'rook-ceph', zone: 'data', selector: { app: 'rook-ceph-rgw' }, ports: [Port.tcp(443)] });

function destination(bucket: string): BackupDestination {
  return {
    bucket,
    endpointUrl: 'https://rook-ceph-rgw-dc-objectstore.rook-ceph.svc',
    credentials: { secretName: `${bucket}-s3` },
    ca: { secretName: 'dc-internal-ca-bundle', key: 'ca.crt' },
    peer: rgw,
  };
}

function props(name: string, extra: Partial<PostgresClusterProps> = {}): PostgresClusterProps {
  return {
    name,
    storage: { size: '100Gi', walSize: '20Gi' },
    resources: { cpu: '2', memory: '8Gi' },
    backup: { destination: destination(`pg-test-${name}`) },
    ...extra,
  };
}

interface Synth {
  readonly outdir: string;
  readonly json: Json;
  /** Where the test declared its constructs (in the services stack, backup tier bronze). */
  readonly scope: Construct;
}

/**
 * Synthesizes one environment with extra constructs declared in its services stack, under a
 * construct given the bronze backup tier (every stateful resource must have one).
 */
function synthWith(env: string, declare: (scope: Construct) => void): Synth {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-pg-'));
  // The seeds reference Secrets no stack makes (they test the Postgres objects, not a first
  // install): the deployability check reports them instead of stopping the synth.
  const app = new App({ outdir, context: { [MODE_CONTEXT]: 'report' } });
  const stacks = buildEnvironment(app, loadEnvironments([env])[0]!);
  const services = stacks.clusters[0]!.services;
  const scope = new Construct(services, 'tests');
  assignBackupTier(scope, 'bronze');
  declare(scope);
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, 'stacks', services.node.id, 'cdk.tf.json'), 'utf8')) as Json;
  return { outdir, json, scope };
}

/** The services stack of an environment, built once and never synthesized: for constructor checks. */
const unsynthesized = new Map<string, ServicesStack>();
let sequence = 0;
function declareIn(env: string, declare: (services: ServicesStack, id: string) => void): void {
  let services = unsynthesized.get(env);
  if (!services) {
    const stacks = buildEnvironment(new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-pg-')) }), loadEnvironments([env])[0]!);
    services = stacks.clusters[0]!.services;
    unsynthesized.set(env, services);
  }
  declare(services, `attempt-${++sequence}`);
}

function manifestNamed(json: Json, kind: string, name: string): Json {
  const found = manifestsOf(json, kind).find((m) => m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}; have ${manifestsOf(json, kind).map((m) => m.metadata.name).join(', ')}`);
  return found;
}

function bodyOf(json: Json, kind: string, name: string): Json {
  const found = resourcesOf(json).find(([type, , body]) => type === 'kubernetes_manifest' && body.manifest.kind === kind && body.manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found[2];
}

function policies(json: Json): Json[] {
  return resourcesOf(json)
    .filter(([type]) => type === 'kubernetes_network_policy_v1')
    .map(([, , body]) => body);
}

/** Validates a synthesized folder against the pinned CRD schemas; returns the findings. */
function findings(outdir: string) {
  return validateSynthesized(outdir).findings.map((f) => ({ kind: f.kind, path: f.path, message: f.message, construct: f.constructPath }));
}

const origin = { serverName: 'orders', destination: destination('pg-prod-core-orders') };

// A few synths shared by the tests (each synthesizes a whole environment).
let app: PostgresCluster;
/** prod: one cluster with a pooler; validated with zero findings. */
const prod = synthWith('prod', (scope) => {
  app = new PostgresCluster(scope, 'pg-orders', props('orders', { pooler: { instances: 2 } }));
});
const orders = () => manifestNamed(prod.json, 'Cluster', 'orders');

/** prod: a client flow, replica clusters, a point-in-time restore, and databases per domain. */
let domains!: PostgresCluster;
const prodMore = synthWith('prod', (s) => {
  const ledger = new PostgresCluster(s, 'ledger', props('ledger'));
  ledger.connections.allowFrom(Peer.workload({ name: 'ledger-api', namespace: 'exchange', zone: 'exchange', selector: { app: 'ledger-api' } }));
  PostgresCluster.replicaOf(s, 'follower', { ...props('follower'), source: origin });
  PostgresCluster.replicaOf(s, 'promoted', { ...props('promoted'), source: origin, promote: true });
  PostgresCluster.recoverFrom(s, 'drill', { ...props('drill'), source: origin, targetTime: '2026-09-01T03:00:00Z' });
  // Its databases hold gold-tier domains' data, so it is gold (and keeps backups 90 days).
  // owner-creates, declared: the mode that keeps databases inside the Cluster CRD.
  domains = new PostgresCluster(s, 'domains', props('domains', { databaseManagement: 'owner-creates', backup: { destination: destination('pg-test-domains'), retention: '90d' } }));
  assignBackupTier(domains, 'gold');
  domains.addDatabase({ name: 'energy_stats', domain: 'energy-statistics', schemas: ['monthly', 'yearly'] });
  domains.addDatabase({ name: 'trade_flows', domain: 'trade' });
  domains.addUser({ name: 'planning_app', domain: 'planning' });
  domains.grantRead('planning_app', 'energy-statistics', { agreements: ['SA-2026-004'] });
  domains.grantRead('planning_app', 'trade', { agreements: ['SA-2026-007'], schema: { database: 'trade_flows', schema: 'customs' } });
});

/** prod: databases declared as CloudNativePG Database resources (whose CRD the schema set lacks). */
const prodDatabases = synthWith('prod', (s) => {
  // Its databases hold gold-tier domains' data, so it is gold (and keeps backups 90 days).
  const cluster = new PostgresCluster(s, 'resources', props('resources', { databaseManagement: 'database-resource', backup: { destination: destination('pg-test-resources'), retention: '90d' } }));
  assignBackupTier(cluster, 'gold');
  cluster.addDatabase({ name: 'energy_stats', domain: 'energy-statistics', schemas: ['monthly', 'yearly'] });
  cluster.addDatabase({ name: 'trade_flows', domain: 'trade' });
});

/** staging: defaults of a non-production class, a custom backup policy, restores. */
const staging = synthWith('staging', (s) => {
  new PostgresCluster(s, 'orders', props('orders'));
  new PostgresCluster(s, 'ledger', props('ledger', { backup: { destination: destination('pg-ledger'), retention: '12w', schedule: '0 30 1 * * 0', target: 'primary' } }));
  PostgresCluster.recoverFrom(s, 'drill', { ...props('orders-drill'), source: origin, targetTime: '2026-09-01T10:00:00+07:00' });
  const books = new PostgresCluster(s, 'books', props('books'));
  PostgresCluster.recoverFrom(s, 'copy', { ...props('books-copy'), source: books });
});

/** dev: one instance, ephemeral. */
const dev = synthWith('dev', (s) => new PostgresCluster(s, 'pg', props('orders', { instances: 1 })));

describe('PostgresCluster defaults', () => {
  it('runs three instances outside development, superuser access off, PDB on, primary updated by switchover', () => {
    const spec = orders().spec;
    expect(orders().metadata.namespace).toBe('postgres');
    expect(spec).toMatchObject({
      instances: 3,
      enableSuperuserAccess: false,
      enablePDB: true,
      primaryUpdateMethod: 'switchover',
      primaryUpdateStrategy: 'unsupervised',
      imageName: 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie',
    });
  });

  it('replicates synchronously to one standby with dataDurability "required" in production', () => {
    expect(orders().spec.postgresql.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'required' });
  });

  it('uses "preferred" durability in staging and asynchronous replication for a single development instance', () => {
    expect(manifestNamed(staging.json, 'Cluster', 'orders').spec.postgresql.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'preferred' });
    expect(manifestNamed(dev.json, 'Cluster', 'orders').spec.postgresql.synchronous).toBeUndefined();
  });

  it('puts every instance on its own host (required anti-affinity) on the data zone nodes', () => {
    expect(orders().spec.affinity).toEqual({
      enablePodAntiAffinity: true,
      podAntiAffinityType: 'required',
      topologyKey: 'kubernetes.io/hostname',
      nodeSelector: { 'moit.gov.vn/zone': 'data' },
      tolerations: [{ key: 'moit.gov.vn/zone', operator: 'Equal', value: 'data', effect: 'NoSchedule' }],
    });
  });

  it('keeps data and WAL on separate volumes of the retain StorageClass', () => {
    expect(orders().spec.storage).toEqual({ storageClass: 'ceph-rbd-retain', size: '100Gi' });
    expect(orders().spec.walStorage).toEqual({ storageClass: 'ceph-rbd-retain', size: '20Gi' });
  });

  it('requests and limits CPU and memory (Guaranteed QoS) and bootstraps with data checksums', () => {
    expect(orders().spec.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
    expect(orders().spec.bootstrap).toEqual({ initdb: { database: 'app', owner: 'app', dataChecksums: true, encoding: 'UTF8' } });
  });

  it('serves TLS with a certificate from the internal CA that reloads Postgres when rotated', () => {
    expect(orders().spec.certificates).toEqual({ serverTLSSecret: 'orders-server-tls', serverCASecret: 'orders-server-tls' });
    const cert = manifestNamed(prod.json, 'Certificate', 'orders-server-tls');
    expect(cert.spec).toMatchObject({
      secretName: 'orders-server-tls',
      secretTemplate: { labels: { 'cnpg.io/reload': '' } },
      issuerRef: { name: 'dc-internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'ECDSA', size: 384, rotationPolicy: 'Always' },
    });
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['orders-rw', 'orders-rw.postgres.svc', 'orders-ro.postgres.svc', 'orders-r.postgres.svc']));
  });

  it('admits only TLS connections with SCRAM: hostssl lines first, then reject for any other TCP connection', () => {
    const pg = orders().spec.postgresql;
    expect(pg.pg_hba).toEqual([
      'hostssl all all 0.0.0.0/0 scram-sha-256',
      'hostssl all all ::/0 scram-sha-256',
      'host all all 0.0.0.0/0 reject',
      'host all all ::/0 reject',
    ]);
    // Every line either requires TLS with SCRAM or rejects: no md5, trust or password.
    for (const line of pg.pg_hba as string[]) expect(line).toMatch(/^(hostssl .* scram-sha-256|host all all \S+ reject)$/);
    expect(pg.parameters).toMatchObject({ password_encryption: 'scram-sha-256', log_connections: 'on', log_disconnections: 'on' });
  });

  it('is retained: prevent_destroy outside ephemeral environments, and marked stateful everywhere', () => {
    const body = bodyOf(prod.json, 'Cluster', 'orders');
    expect(body.lifecycle).toEqual({ prevent_destroy: true });
    expect(body['//'].stateful).toBe('postgres');
    const devBody = bodyOf(dev.json, 'Cluster', 'orders');
    expect(devBody.lifecycle?.prevent_destroy).toBeUndefined();
    expect(devBody['//'].stateful).toBe('postgres');
  });

  it('is applied after its certificate and backup store, and its schedule and pooler after it (plain addresses)', () => {
    const address = (kind: string, name: string) => {
      const found = resourcesOf(prod.json).find(([t, , b]) => t === 'kubernetes_manifest' && b.manifest.kind === kind && b.manifest.metadata.name === name)!;
      return `kubernetes_manifest.${found[1]}`;
    };
    expect(bodyOf(prod.json, 'Cluster', 'orders').depends_on).toEqual([address('Certificate', 'orders-server-tls'), address('ObjectStore', 'orders-backup')]);
    expect(bodyOf(prod.json, 'ScheduledBackup', 'orders-daily').depends_on).toEqual([address('Cluster', 'orders')]);
    expect(bodyOf(prod.json, 'Pooler', 'orders-pooler-rw').depends_on).toEqual([address('Certificate', 'orders-pooler-rw-tls'), address('Cluster', 'orders')]);
  });

  it('writes no secret: credentials are Secret references only', () => {
    const text = JSON.stringify(prod.json);
    expect(resourcesOf(prod.json).filter(([type]) => type.includes('secret'))).toEqual([]);
    // No password is written at all, not even a template placing the value fetched from OpenBao.
    expect(text).not.toMatch(/"(password|stringData|AWS_SECRET_ACCESS_KEY_VALUE)"\s*:\s*"/);
    const store = manifestNamed(prod.json, 'ObjectStore', 'orders-backup');
    expect(store.spec.configuration.s3Credentials).toEqual({
      accessKeyId: { name: 'pg-test-orders-s3', key: 'AWS_ACCESS_KEY_ID' },
      secretAccessKey: { name: 'pg-test-orders-s3', key: 'AWS_SECRET_ACCESS_KEY' },
    });
  });
});

describe('PostgresCluster backups', () => {
  it('archives WAL through the Barman Cloud plugin, never the deprecated in-tree barmanObjectStore', () => {
    expect(orders().spec.plugins).toEqual([
      { name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'orders-backup', serverName: 'orders' } },
    ]);
    expect(orders().spec.backup).toBeUndefined();
  });

  it('keeps backups in an ObjectStore with a retention policy, over https verified with the internal CA', () => {
    const store = manifestNamed(prod.json, 'ObjectStore', 'orders-backup');
    expect(store.apiVersion).toBe('barmancloud.cnpg.io/v1');
    expect(store.spec.retentionPolicy).toBe('30d');
    expect(store.spec.configuration).toMatchObject({
      destinationPath: 's3://pg-test-orders/',
      endpointURL: 'https://rook-ceph-rgw-dc-objectstore.rook-ceph.svc',
      endpointCA: { name: 'dc-internal-ca-bundle', key: 'ca.crt' },
    });
    expect(store.spec.configuration.serverName).toBeUndefined();
  });

  it('schedules base backups with method "plugin" set explicitly and a six-field schedule', () => {
    const scheduled = manifestNamed(prod.json, 'ScheduledBackup', 'orders-daily');
    expect(scheduled.spec).toEqual({
      schedule: '0 0 2 * * *',
      immediate: true,
      backupOwnerReference: 'self',
      cluster: { name: 'orders' },
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      target: 'prefer-standby',
    });
  });

  it('takes retention, schedule and target from the backup policy (backup tiers set them)', () => {
    const json = staging.json;
    expect(manifestNamed(json, 'ObjectStore', 'ledger-backup').spec.retentionPolicy).toBe('12w');
    expect(manifestNamed(json, 'ScheduledBackup', 'ledger-daily').spec).toMatchObject({ schedule: '0 30 1 * * 0', target: 'primary', method: 'plugin' });
  });
});

describe('PostgresCluster validation', () => {
  const attempt = (env: string, extra: Partial<PostgresClusterProps>, name = 'bad') => () => declareIn(env, (s, id) => new PostgresCluster(s, id, props(name, extra)));

  it('refuses fewer than 3 instances outside development, and accepts 1 in development', () => {
    expect(attempt('staging', { instances: 2 })).toThrow(/instances: must be >= 3 outside development \(class "staging"\).*got 2/);
    expect(attempt('dev', { instances: 1 })).not.toThrow();
  });

  it('refuses anything but "required" durability at the recovery site too', () => {
    expect(attempt('dr', { durability: 'preferred' })).toThrow(/durability: must be "required" in class "recovery".*got "preferred"/);
    expect(attempt('dr', { durability: 'off' })).toThrow(/durability: must be "required" in class "recovery"/);
  });

  it('refuses anything but "required" durability in production, and accepts it', () => {
    expect(attempt('prod', { durability: 'preferred' })).toThrow(/durability: must be "required" in class "production".*got "preferred"/);
    expect(attempt('prod', { durability: 'required' })).not.toThrow();
  });

  it('refuses synchronous durability without a standby to wait for', () => {
    expect(attempt('dev', { instances: 1, durability: 'preferred' })).toThrow(/durability: needs at least 2 instances/);
  });

  it('refuses a five-field (CronJob) schedule, naming the fix', () => {
    expect(attempt('prod', { backup: { destination: destination('pg-x'), schedule: '0 2 * * *' } })).toThrow(
      /backup\.schedule: must be a six-field cron schedule, seconds first.*it has 5 fields \(this looks like a Kubernetes CronJob schedule: put the seconds field in front/,
    );
  });

  it('refuses a schedule with an out-of-range field', () => {
    expect(attempt('prod', { backup: { destination: destination('pg-x'), schedule: '0 0 25 * * *' } })).toThrow(/the hours field must be from 0 to 23, and "25" is not/);
  });

  it('refuses a retention Barman cannot read', () => {
    expect(attempt('prod', { backup: { destination: destination('pg-x'), retention: '30 days' } })).toThrow(/backup\.retention: must be a positive whole number of days, weeks or months.*got "30 days"/);
  });

  it('refuses a plain-http object store endpoint', () => {
    expect(attempt('prod', { backup: { destination: { ...destination('pg-x'), endpointUrl: 'http://rgw.rook-ceph.svc' } } })).toThrow(/backup\.destination\.endpointUrl: must be an https:\/\/ URL/);
  });

  it('refuses a namespace outside the data zone', () => {
    expect(attempt('prod', { namespace: 'gateway' })).toThrow(/namespace: must be a namespace of the data zone \(it is in "dmz"\)/);
  });

  it('refuses overriding a security parameter, and accepts tuning ones', () => {
    expect(attempt('prod', { parameters: { password_encryption: 'md5' } })).toThrow(/parameters\.password_encryption: is set by PostgresCluster for security/);
    expect(attempt('prod', { parameters: { max_connections: '300' } })).not.toThrow();
  });

  it('refuses an image without a pinned version', () => {
    expect(attempt('prod', { image: 'ghcr.io/cloudnative-pg/postgresql:latest' })).toThrow(/image: must not use the "latest" tag/);
    expect(attempt('prod', { image: 'ghcr.io/cloudnative-pg/postgresql' })).toThrow(/image: must be a registry image with a tag or digest/);
  });

  it('reports every problem of the props at once', () => {
    expect(attempt('prod', { instances: 1, storage: { size: '100GB', walSize: '20Gi' }, resources: { cpu: '0', memory: '8Gi' } })).toThrow(
      /3 problems:[\s\S]*instances[\s\S]*storage\.size[\s\S]*resources\.cpu/,
    );
  });

  it('throws a ConstructPropsError naming the construct path', () => {
    expect(attempt('staging', { instances: 2 })).toThrow(ConstructPropsError);
    expect(attempt('staging', { instances: 2 })).toThrow(/^staging-core-services\/attempt-\d+: instances: /);
  });
});

describe('PostgresCluster network', () => {
  const { json, scope } = prodMore;
  const named = (name: string) => policies(json).find((p) => p.metadata.name === name);

  it('lets declared clients in on 5432, and nobody else', () => {
    const ingress = named('flow-ledger-api-to-postgres-ledger-in')!;
    expect(ingress.metadata.namespace).toBe('postgres');
    // Instances only: `cnpg.io/cluster` alone would also select the cluster's PgBouncer pods.
    expect(ingress.spec.pod_selector).toEqual({ match_labels: { 'cnpg.io/cluster': 'ledger', 'cnpg.io/podRole': 'instance' } });
    expect(ingress.spec.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'exchange' } }, pod_selector: { match_labels: { app: 'ledger-api' } } }],
        ports: [{ port: '5432', protocol: 'TCP' }],
      },
    ]);
    const sources = policies(json)
      .filter((p) => p.metadata.namespace === 'postgres' && p.spec.policy_types.includes('Ingress') && p.spec.pod_selector.match_labels?.['cnpg.io/cluster'] === 'ledger')
      .map((p) => p.metadata.name)
      .sort();
    expect(sources).toEqual(['flow-cnpg-operator-to-postgres-ledger-in', 'flow-ledger-api-to-postgres-ledger-in', 'flow-postgres-ledger-join-to-postgres-ledger-in', 'flow-postgres-ledger-to-postgres-ledger-in']);
    expect(scope.node.tryFindChild('ledger')).toBeDefined();
  });

  it('lets the operator reach the status port and the instances reach each other and the API server', () => {
    expect(named('flow-cnpg-operator-to-postgres-ledger-in')!.spec.ingress[0].ports).toEqual([
      { port: '5432', protocol: 'TCP' },
      { port: '8000', protocol: 'TCP' },
    ]);
    expect(named('flow-cnpg-operator-to-postgres-ledger-out')!.metadata.namespace).toBe('cnpg-system');
    expect(named('flow-postgres-ledger-to-kube-apiserver-out')!.spec.egress[0].to).toEqual([{ ip_block: { cidr: '10.10.0.8/29' } }]);
  });

  it('lets the instances reach the object store on its TLS port, and nothing outside the cluster', () => {
    expect(named('flow-postgres-ledger-to-rgw-out')!.spec.egress[0]).toEqual({
      to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'rook-ceph' } }, pod_selector: { match_labels: { app: 'rook-ceph-rgw' } } }],
      ports: [{ port: '443', protocol: 'TCP' }],
    });
    const egress = policies(json).filter((p) => p.metadata.namespace === 'postgres' && p.spec.policy_types.includes('Egress'));
    const blocks = egress.flatMap((p) => p.spec.egress.flatMap((e: Json) => e.to)).filter((t: Json) => t.ip_block).map((t: Json) => t.ip_block.cidr);
    expect([...new Set(blocks)]).toEqual(['10.10.0.8/29']);
  });
});

describe('PgBouncer pooler', () => {
  const pooler = () => manifestNamed(prod.json, 'Pooler', 'orders-pooler-rw');

  it('terminates TLS with its own certificate and requires it from clients', () => {
    const pgbouncer = pooler().spec.pgbouncer;
    expect(pgbouncer.clientTLSSecret).toEqual({ name: 'orders-pooler-rw-tls' });
    expect(pgbouncer.serverCASecret).toEqual({ name: 'orders-server-tls' });
    expect(pgbouncer.parameters).toMatchObject({ client_tls_sslmode: 'require', server_tls_sslmode: 'verify-full' });
    expect(pgbouncer.pg_hba).toEqual(TLS_ONLY_HBA);
    expect(manifestNamed(prod.json, 'Certificate', 'orders-pooler-rw-tls').spec.dnsNames).toContain('orders-pooler-rw.postgres.svc');
  });

  it('spreads its pods across hosts on the data zone nodes, with resources for the quota', () => {
    const spec = pooler().spec;
    expect(spec).toMatchObject({ instances: 2, type: 'rw', cluster: { name: 'orders' } });
    expect(spec.template.spec.nodeSelector).toEqual({ 'moit.gov.vn/zone': 'data' });
    expect(spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toEqual({
      labelSelector: { matchLabels: { 'cnpg.io/poolerName': 'orders-pooler-rw' } },
      topologyKey: 'kubernetes.io/hostname',
    });
    expect(spec.template.spec.containers[0].resources.limits.memory).toBeDefined();
  });

  it('reaches Postgres on 5432 and is reached only through its own declared flows', () => {
    const out = policies(prod.json).find((p) => p.metadata.name === 'flow-pgbouncer-orders-pooler-rw-to-postgres-orders-out')!;
    expect(out.spec.egress[0].ports).toEqual([{ port: '5432', protocol: 'TCP' }]);
    expect(app.pooler!.connections.peer.selector).toEqual({ 'cnpg.io/poolerName': 'orders-pooler-rw' });
  });

  it('refuses one pooler instance outside development and TLS parameter overrides', () => {
    expect(() => declareIn('prod', (s, id) => new PostgresCluster(s, id, props('p1', { pooler: { instances: 1 } })))).toThrow(/pooler: instances: must be >= 2 outside development/);
    expect(() => declareIn('prod', (s, id) => new PostgresCluster(s, id, props('p2', { pooler: { parameters: { client_tls_sslmode: 'disable' } } })))).toThrow(
      /parameters\.client_tls_sslmode: is fixed so that both legs of PgBouncer use TLS/,
    );
  });
});

describe('recovery as code', () => {
  it('restores a new cluster from an object store to a point in time', () => {
    const { json } = staging;
    const spec = manifestNamed(json, 'Cluster', 'orders-drill').spec;
    expect(spec.bootstrap).toEqual({ recovery: { source: 'origin', recoveryTarget: { targetTime: '2026-09-01T10:00:00+07:00' } } });
    expect(spec.externalClusters).toEqual([
      { name: 'origin', plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'orders-drill-origin', serverName: 'orders' } } },
    ]);
    expect(spec.replica).toBeUndefined();
    // It archives into its own bucket, under its own name.
    expect(spec.plugins[0].parameters).toEqual({ barmanObjectName: 'orders-drill-backup', serverName: 'orders-drill' });
    const originStore = manifestNamed(json, 'ObjectStore', 'orders-drill-origin');
    expect(originStore.spec.configuration.destinationPath).toBe('s3://pg-prod-core-orders/');
    // A reader never deletes its origin's backups.
    expect(originStore.spec.retentionPolicy).toBeUndefined();
  });

  it('restores from a PostgresCluster of the same stack to its latest WAL', () => {
    const { json } = staging;
    const spec = manifestNamed(json, 'Cluster', 'books-copy').spec;
    expect(spec.bootstrap).toEqual({ recovery: { source: 'origin' } });
    expect(spec.externalClusters[0].plugin.parameters.serverName).toBe('books');
    expect(manifestNamed(json, 'ObjectStore', 'books-copy-origin').spec.configuration.destinationPath).toBe('s3://pg-test-books/');
  });

  it('follows an origin as a replica cluster, and becomes a primary when promoted', () => {
    const { json } = prodMore;
    const follower = manifestNamed(json, 'Cluster', 'follower').spec;
    expect(follower.replica).toEqual({ enabled: true, source: 'origin' });
    expect(follower.bootstrap).toEqual({ recovery: { source: 'origin' } });
    expect(follower.postgresql.synchronous.dataDurability).toBe('required');
    expect(manifestNamed(json, 'Cluster', 'promoted').spec.replica).toEqual({ enabled: false, source: 'origin' });
  });

  it('refuses a point in time without a time zone, and a cluster that would archive over its origin', () => {
    expect(() => declareIn('staging', (s, id) => PostgresCluster.recoverFrom(s, id, { ...props('x'), source: origin, targetTime: '2026-09-01 10:00:00' }))).toThrow(
      /bootstrap\.targetTime: must be an RFC 3339 timestamp with its time zone/,
    );
    expect(() =>
      declareIn('staging', (s, id) => PostgresCluster.recoverFrom(s, id, { ...props('orders', { backup: { destination: destination('pg-prod-core-orders') } }), source: origin })),
    ).toThrow(/backup\.destination: is where the origin "orders" archives/);
  });

  it('refuses roles and databases on a replica cluster: they arrive from the origin', () => {
    expect(() =>
      declareIn('prod', (s, id) => {
        const replica = PostgresCluster.replicaOf(s, id, { ...props('follower'), source: origin });
        replica.addDatabase({ name: 'trade', domain: 'trade' });
      }),
    ).toThrow(/cluster "follower" is a replica cluster: it is read-only and receives roles and databases from its origin/);
  });
});

describe('databases and roles per data domain', () => {
  const synth = prodMore;
  const cluster = domains;
  const roles = () => manifestNamed(synth.json, 'Cluster', 'domains').spec.managed.roles as Json[];
  const role = (name: string) => roles().find((r) => r.name === name)!;

  it('defaults to Database resources now that the Database CRD is pinned, and to creating databases inside the Cluster CRD where it is not', () => {
    expect(cluster.databaseManagement).toBe('owner-creates');
    expect(defaultDatabaseManagement()).toBe('database-resource');
    expect(defaultDatabaseManagement([])).toBe('owner-creates');
    expect(defaultDatabaseManagement([{ file: 'databases.postgresql.cnpg.io.yaml', path: 'config/crd/bases/postgresql.cnpg.io_databases.yaml', sha256: '0000000000000000' }])).toBe('database-resource');
  });

  it('lets each domain owner create its declared databases (CREATEDB, nothing more) and records them on the Cluster', () => {
    expect(manifestsOf(synth.json, 'Database').filter((d) => d.spec.cluster.name === 'domains')).toEqual([]);
    expect(role('energy_statistics_owner').createdb).toBe(true);
    expect(role('trade_owner').createdb).toBe(true);
    const metadata = manifestNamed(synth.json, 'Cluster', 'domains').metadata;
    expect(metadata.annotations['moit.gov.vn/database-management']).toBe('owner-creates');
    expect(JSON.parse(metadata.annotations['moit.gov.vn/databases'])).toEqual([
      { name: 'energy_stats', owner: 'energy_statistics_owner', domain: 'energy-statistics', schemas: ['monthly', 'yearly'] },
      { name: 'trade_flows', owner: 'trade_owner', domain: 'trade', schemas: [] },
    ]);
    // A cluster without databases carries no such annotation.
    expect(manifestNamed(synth.json, 'Cluster', 'ledger').metadata.annotations).toBeUndefined();
  });

  it('declares each database with a CloudNativePG Database in database-resource mode, kept on delete and retained', () => {
    const db = manifestNamed(prodDatabases.json, 'Database', 'resources-energy-stats');
    expect(db.metadata.labels['moit.gov.vn/domain']).toBe('energy-statistics');
    expect(db.spec).toEqual({
      cluster: { name: 'resources' },
      name: 'energy_stats',
      owner: 'energy_statistics_owner',
      ensure: 'present',
      databaseReclaimPolicy: 'retain',
      schemas: [
        { name: 'monthly', owner: 'energy_statistics_owner', ensure: 'present' },
        { name: 'yearly', owner: 'energy_statistics_owner', ensure: 'present' },
      ],
    });
    expect(bodyOf(prodDatabases.json, 'Database', 'resources-energy-stats').lifecycle).toEqual({ prevent_destroy: true });
    const owners = (manifestNamed(prodDatabases.json, 'Cluster', 'resources').spec.managed.roles as Json[]).filter((r) => r.name.endsWith('_owner'));
    for (const r of owners) expect(r.createdb).toBe(false);
  });

  it('creates an owner login role per domain whose password is a Secret reference, and a NOLOGIN read role', () => {
    expect(role('energy_statistics_owner')).toMatchObject({ login: true, passwordSecret: { name: 'domains-energy-statistics-owner-credentials' } });
    expect(role('energy_statistics_read')).toMatchObject({ login: false, disablePassword: true });
    expect(role('energy_statistics_read').passwordSecret).toBeUndefined();
  });

  it('never gives a managed role superuser, createrole, replication or bypassrls, nor CREATEDB to anyone but a domain owner', () => {
    expect(roles().length).toBe(6);
    for (const r of roles()) {
      expect(r).toMatchObject({ superuser: false, createrole: false, replication: false, bypassrls: false });
      if (!r.name.endsWith('_owner')) expect(r.createdb).toBe(false);
    }
  });

  it('grants read access by membership in the read role of a domain or of one schema, recording the sharing agreements', () => {
    expect(role('planning_app').inRoles).toEqual(['energy_statistics_read', 'trade_flows_customs_read']);
    expect(role('planning_app').comment).toContain('energy_statistics_read (SA-2026-004), trade_flows_customs_read (SA-2026-007)');
    expect(role('trade_flows_customs_read')).toMatchObject({ login: false, disablePassword: true });
    expect(role('trade_flows_customs_read').comment).toContain('schema customs of database trade_flows (domain trade)');
    expect(role('trade_owner').inRoles).toBeUndefined();
    expect(bodyOf(synth.json, 'Cluster', 'domains')['//'].sharing).toEqual(['SA-2026-004', 'SA-2026-007']);
  });

  it('renders its roles when the stack is written (PostgresRoles), so roles added later count and a cluster without roles has no spec.managed', () => {
    const model = new PostgresRoles({ path: 'p', cluster: 'c', domainOfDatabase: () => undefined });
    expect(model.render()).toBeUndefined();
    model.addUser({ name: 'zeta_app' });
    model.grantRead('zeta_app', 'alpha', { agreements: ['SA-2026-001'] });
    expect(model.render()!.roles.map((r) => [r.name, r.inRoles])).toEqual([['alpha_read', undefined], ['zeta_app', ['alpha_read']]]);
    expect(model.agreements).toEqual(['SA-2026-001']);
    expect(manifestNamed(dev.json, 'Cluster', 'orders').spec.managed).toBeUndefined();
    expect(roles().map((r) => r.name)).toEqual([...cluster.roleNames]);
  });

  it('refuses a grant to an undeclared role, a bad agreement reference and a duplicate database', () => {
    expect(() => cluster.grantRead('nobody', 'trade')).toThrow(/consumerRole: must be a login role declared on cluster "domains".*known: energy_statistics_owner, trade_owner, planning_app/);
    expect(() => cluster.grantRead('planning_app', 'trade', { agreements: ['agreement 4'] })).toThrow(/agreements: each must be a sharing agreement reference like "SA-2026-004"/);
    expect(() => cluster.addDatabase({ name: 'trade_flows', domain: 'trade' })).toThrow(/database "trade_flows" is already declared/);
    expect(() => cluster.addDatabase({ name: 'Trade-Flows', domain: 'Trade' })).toThrow(/2 problems:[\s\S]*name: must be a lower-case SQL identifier[\s\S]*domain: must be a data domain name/);
    expect(() => cluster.addUser({ name: 'postgres' })).toThrow(/name: is reserved/);
    expect(() => cluster.grantRead('planning_app', 'energy-statistics', { schema: { database: 'trade_flows', schema: 'customs' } })).toThrow(
      /schema\.database: belongs to domain "trade", not "energy-statistics"/,
    );
  });

  itWithSchemas('validates against the pinned CRDs in both modes, Database resources included', () => {
    expect(findings(synth.outdir)).toEqual([]);
    expect(findings(prodDatabases.outdir)).toEqual([]);
  });
});

describe('schema validity', () => {
  it('writes Cluster, Pooler, ScheduledBackup, ObjectStore and Certificate manifests', () => {
    const kinds = new Set(manifestsOf(prod.json).map((m) => `${m.apiVersion} ${m.kind}`));
    for (const k of ['postgresql.cnpg.io/v1 Cluster', 'postgresql.cnpg.io/v1 Pooler', 'postgresql.cnpg.io/v1 ScheduledBackup', 'barmancloud.cnpg.io/v1 ObjectStore', 'cert-manager.io/v1 Certificate']) {
      expect(kinds).toContain(k);
    }
  });

  itWithSchemas('writes only manifests that validate against the pinned CRDs (Cluster, Pooler, ScheduledBackup, ObjectStore, Certificate)', () => {
    expect(findings(prod.outdir)).toEqual([]);
  });

  itWithSchemas('writes staging, development, recovery and replica clusters that validate too', () => {
    expect(findings(staging.outdir)).toEqual([]);
    expect(findings(dev.outdir)).toEqual([]);
    expect(findings(prodMore.outdir)).toEqual([]);
  });
});

describe('the postgres section of environment files', () => {
  const problemsOf = (mutate: (c: Json) => void, env = 'prod') => {
    const config = configOf(env) as Json;
    mutate(config);
    try {
      parseEnvironment(config, `environments/${env}.ts`);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('accepts every environment file as written', () => {
    for (const env of ['dev', 'staging', 'prod', 'dr']) expect(problemsOf(() => undefined, env)).toBe('');
  });

  it('refuses fewer than 3 instances outside development, with the path', () => {
    expect(problemsOf((c) => (c.postgres[0].instances = 1))).toContain('environments/prod.ts: postgres[0].instances: must be >= 3 outside development (class "production")');
    expect(problemsOf((c) => (c.postgres[0].instances = 1), 'dev')).toBe('');
  });

  it('refuses a five-field backup schedule and a bad retention, with their paths', () => {
    const message = problemsOf((c) => (c.postgres[0].backup = { schedule: '0 2 * * *', retention: 'forever' }));
    expect(message).toContain('postgres[0].backup.retention: must be a positive whole number of days, weeks or months');
    expect(message).toContain('postgres[0].backup.schedule: must be a six-field cron schedule, seconds first');
  });

  it('refuses a cluster that names no workload cluster of the environment', () => {
    expect(problemsOf((c) => (c.postgres[0].cluster = 'edge'))).toContain('postgres[0].cluster: must name a cluster of this environment; declared: core, got "edge"');
  });

  it('refuses a single pooler instance outside development', () => {
    expect(problemsOf((c) => (c.postgres[0].pooler = { enabled: true, instances: 1 }))).toContain('postgres[0].pooler.instances: must be >= 2 outside development');
  });

  it('refuses a protected parameter and a replica of its own environment', () => {
    expect(problemsOf((c) => (c.postgres[0].parameters = { ssl_ciphers: 'ALL' }))).toContain('postgres[0].parameters.ssl_ciphers: is set by PostgresCluster for security');
    expect(problemsOf((c) => (c.postgres[0].replicaOf.environment = 'dr'), 'dr')).toContain('postgres[0].replicaOf.environment: must be another environment');
  });

  it('refuses a replica origin reachable through the whole Internet', () => {
    expect(problemsOf((c) => (c.postgres[0].replicaOf.cidr = '0.0.0.0/0'), 'dr')).toContain("postgres[0].replicaOf.cidr: must name the other site's address block, not the whole Internet");
  });
});
