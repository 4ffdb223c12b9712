import { loadCatalogue } from '../environments/catalogue';
/**
 * Who may do what on Kafka: topics (retained, replicated per class), users with least-privilege
 * ACLs (literal topic names, own consumer-group prefix, no wildcard, no cluster rule), the
 * primary site's read-only off-site copy user, and MirrorMaker 2 at the recovery site.
 * These are the APIs the data domains (issue 10) call: addTopic, addUser, grantRead, grantWrite.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeRegex, exactNamesPattern, KafkaCluster, KafkaTopicResource } from '../constructs/kafka';
import { Peer } from '../constructs/network/peer';
import { parseEnvironment } from '../environments';
import { ConstructPropsError } from '../lib/errors';
import { App } from '../lib/tf';
import { validateSynthesized } from '../tools/validate';
import { buildEnvironment } from '../stacks/estate';
import type { ServicesStack } from '../stacks/services';
import { configOf, manifestsOf, resourcesOf, synthEnvironment, type Json } from './helpers';
import { itEachWithSchemas } from './schemas';

/** Synthesizes one environment after `mutate` changed its config and `declare` added to its services stack. */
function synthKafka(env: string, options: { mutate?: (config: any) => void; declare?: (kafka: KafkaCluster, services: ServicesStack) => void } = {}) {
  const { outdir, stacks, read } = synthEnvironment(env, { mutate: options.mutate, declare: (s) => options.declare?.(s.clusters[0]!.services.kafka.get('events')!, s.clusters[0]!.services) });
  const json: Json = read(stacks.clusters[0]!.services.node.id);
  // Validated on demand: only the schema tests ask, and a fresh clone has no schemas.
  const findings = () =>
    validateSynthesized(outdir)
      .findings.filter((f) => f.apiVersion?.startsWith('kafka.strimzi.io/'))
      .map((f) => `${f.kind} ${f.path}: ${f.message}`);
  return { json, findings };
}

/** A fresh services stack's Kafka "events", to call the API on directly. */
function eventsOf(env: string, mutate?: (config: any) => void): KafkaCluster {
  const config = configOf(env) as any;
  mutate?.(config);
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-kafka-')) });
  return buildEnvironment(app, parseEnvironment(config)).clusters[0]!.services.kafka.get('events')!;
}

const topicOf = (json: Json, name: string): Json => manifestsOf(json, 'KafkaTopic').find((t) => (t.spec.topicName ?? t.metadata.name) === name)!;
const userOf = (json: Json, name: string): Json => manifestsOf(json, 'KafkaUser').find((u) => u.metadata.name === name)!;
const bodyOf = (json: Json, kind: string, name: string): Json =>
  resourcesOf(json).find(([type, , b]) => type === 'kubernetes_manifest' && b.manifest.kind === kind && b.manifest.metadata.name === name)![2];
const aclsOf = (user: Json) => (user.spec.authorization.acls as Json[]).map((a) => `${a.resource.type}:${a.resource.patternType}:${a.resource.name}=${a.operations.join(',')}`);

/** What a data domain would declare: two topics it owns, one kept local, a producer and a consumer. */
function declareTradeDomain(kafka: KafkaCluster): void {
  const orders = kafka.addTopic({ name: 'trade.orders', partitions: 12, domain: 'trade' });
  const readings = kafka.addTopic({ name: 'energy-readings', domain: 'energy' });
  const scratch = kafka.addTopic({ name: 'trade-scratch', domain: 'trade', offsiteCopy: false, retentionMs: 3_600_000 });
  kafka.addUser({ name: 'trade-publisher', write: [orders, scratch], domain: 'trade' });
  const importer = kafka.addUser({ name: 'trade-importer', read: [orders], domain: 'trade', quotas: { consumerByteRate: 5_000_000, requestPercentage: 20 } });
  readings.grantRead(importer);
  kafka.connections.allowFrom(Peer.workload({ name: 'trade-importer', namespace: 'exchange', zone: 'exchange', selector: { app: 'trade-importer' } }));
}

const prod = synthKafka('prod', { declare: declareTradeDomain });
const dr = synthKafka('dr', { declare: declareTradeDomain });
const dev = synthKafka('dev', { declare: (kafka) => void kafka.addTopic({ name: 'sandbox', replicas: 1 }) });

describe('topics', () => {
  it('prod: a KafkaTopic of the cluster with 3 replicas, min.insync.replicas 2, the retention and the domain', () => {
    expect(topicOf(prod.json, 'trade.orders')).toEqual({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: {
        name: 'trade.orders',
        namespace: 'kafka',
        labels: { 'strimzi.io/cluster': 'events', 'app.kubernetes.io/managed-by': 'moit-datacentre', 'moit.gov.vn/offsite-copy': 'true', 'moit.gov.vn/domain': 'trade' },
      },
      spec: { partitions: 12, replicas: 3, config: { 'retention.ms': 604800000, 'min.insync.replicas': 2 } },
    });
  });

  it.each([
    ['prod', prod],
    ['dr', dr],
  ])('%s: topics are retained (prevent_destroy) and marked stateful', (_, synth) => {
    for (const name of ['trade.orders', 'energy-readings', 'trade-scratch']) {
      const body = bodyOf(synth.json, 'KafkaTopic', name);
      expect(body.lifecycle).toEqual({ prevent_destroy: true });
      expect(body['//'].stateful).toBe('kafka-topic');
    }
  });

  it('dev: a topic may have one replica and may be destroyed', () => {
    const body = bodyOf(dev.json, 'KafkaTopic', 'sandbox');
    expect(body.manifest.spec).toMatchObject({ replicas: 1, config: { 'min.insync.replicas': 1 } });
    expect(body.lifecycle).toBeUndefined();
    expect(body['//'].stateful).toBe('kafka-topic');
  });

  it('keeps a topic name Kubernetes cannot use as a resource name in spec.topicName', () => {
    const kafka = eventsOf('prod');
    const topic = kafka.addTopic({ name: 'Trade_Orders' });
    expect(topic.object.metadata.name).toMatch(/^trade-orders-[0-9a-f]{8}$/);
    expect((topic.object.spec as Json).topicName).toBe('Trade_Orders');
  });

  it('refuses fewer than 3 replicas outside development', () => {
    expect(() => eventsOf('prod').addTopic({ name: 'thin', replicas: 2 })).toThrow(/topic-thin: replicas: must be >= 3 outside development \(class "production"\).*got 2/);
    expect(() => eventsOf('staging').addTopic({ name: 'thin', replicas: 2 })).toThrow(ConstructPropsError);
  });

  it('refuses more replicas than brokers', () => {
    expect(() => eventsOf('dev').addTopic({ name: 'wide', replicas: 3 })).toThrow(/replicas: must be <= the number of brokers \(1\), got 3/);
  });

  it("refuses lowering min.insync.replicas below the cluster's, accepts raising it", () => {
    expect(() => eventsOf('prod').addTopic({ name: 'weak', config: { 'min.insync.replicas': 1 } })).toThrow(/config\["min.insync.replicas"\]: must be a whole number >= the cluster's 2.*got 1/);
    expect(eventsOf('prod').addTopic({ name: 'strict', replicas: 3, config: { 'min.insync.replicas': 3, 'cleanup.policy': 'compact' } }).object.spec).toMatchObject({
      config: { 'min.insync.replicas': 3, 'cleanup.policy': 'compact' },
    });
  });

  it('refuses managed configs, bad retention, internal and duplicate names', () => {
    const kafka = eventsOf('prod');
    expect(() => kafka.addTopic({ name: 'a', config: { 'retention.ms': 1000 } })).toThrow(/config\["retention.ms"\]: is managed: use the retentionMs prop/);
    expect(() => kafka.addTopic({ name: 'b', config: { 'unclean.leader.election.enable': true } })).toThrow(/unclean.leader.election.enable/);
    expect(() => kafka.addTopic({ name: 'c', retentionMs: 0 })).toThrow(/retentionMs: must be -1 \(keep forever\)/);
    expect(() => kafka.addTopic({ name: '__consumer_offsets' })).toThrow(/Kafka-internal topics/);
    expect(() => kafka.addTopic({ name: 'has space' })).toThrow(/must be a Kafka topic name/);
    kafka.addTopic({ name: 'once' });
    expect(() => kafka.addTopic({ name: 'once' })).toThrow(/addTopic.name: a topic of this name already exists/);
    expect(kafka.addTopic({ name: 'forever', retentionMs: -1 }).object.spec).toMatchObject({ config: { 'retention.ms': -1 } });
  });
});

describe('users: least privilege', () => {
  it('gives Describe+Read on read topics, Describe+Write on write topics, by literal name, and groups under its own prefix', () => {
    expect(aclsOf(userOf(prod.json, 'trade-importer'))).toEqual([
      'topic:literal:energy-readings=Describe,Read',
      'topic:literal:trade.orders=Describe,Read',
      'group:prefix:trade-importer-=Read',
    ]);
    expect(aclsOf(userOf(prod.json, 'trade-publisher'))).toEqual(['topic:literal:trade-scratch=Describe,Write', 'topic:literal:trade.orders=Describe,Write']);
  });

  it('counts grants made after the user was created (topic.grantRead)', () => {
    expect(aclsOf(userOf(prod.json, 'trade-importer'))).toContain('topic:literal:energy-readings=Describe,Read');
  });

  it.each([
    ['prod', prod],
    ['dr', dr],
    ['dev', dev],
  ])('%s: no ACL names a wildcard or the cluster; client users use only their own group prefix', (_, synth) => {
    for (const user of manifestsOf(synth.json, 'KafkaUser')) {
      for (const acl of user.spec.authorization?.acls ?? []) {
        expect(['topic', 'group']).toContain(acl.resource.type);
        expect(acl.resource.name).not.toContain('*');
        expect(acl.resource.name.length).toBeGreaterThan(0);
        if (acl.resource.type === 'topic') expect(acl.resource.patternType).toBe('literal');
        if (acl.resource.type === 'group' && user.metadata.annotations['moit.gov.vn/kafka-user-role'] !== 'offsite-copy-source') {
          expect(acl.resource).toEqual({ type: 'group', name: `${user.metadata.name}-`, patternType: 'prefix' });
        }
      }
    }
  });

  it('applies default quotas, and the ones given', () => {
    expect(userOf(prod.json, 'trade-publisher').spec.quotas).toEqual({ producerByteRate: 10485760, consumerByteRate: 20971520 });
    expect(userOf(prod.json, 'trade-importer').spec.quotas).toEqual({ producerByteRate: 10485760, consumerByteRate: 5000000, requestPercentage: 20 });
  });

  it('leaves credentials to the User Operator: authentication names only a type', () => {
    expect(userOf(prod.json, 'trade-importer').spec.authentication).toEqual({ type: 'tls' });
    expect(userOf(prod.json, 'trade-importer').metadata.labels['moit.gov.vn/domain']).toBe('trade');
  });

  it('gives a user with no grant an explicit empty ACL list', () => {
    const user = eventsOf('prod').addUser({ name: 'idle' });
    expect(user.acls()).toEqual([]);
    expect(user.principal).toBe('CN=idle');
    expect(user.groupPrefix).toBe('idle-');
  });

  it('refuses a SCRAM user where no listener accepts SCRAM, and accepts one where one does', () => {
    expect(() => eventsOf('prod').addUser({ name: 'legacy', authentication: 'scram-sha-512' })).toThrow(/authentication: no listener of Kafka "events" accepts it; listeners: tls \(tls\), site \(tls\)/);
    const withScram = eventsOf('dev', (c) => c.kafka.clusters[0].listeners = [{ name: 'tls', port: 9093, authentication: 'tls' }, { name: 'scram', port: 9094, authentication: 'scram-sha-512' }]);
    expect(withScram.addUser({ name: 'legacy', authentication: 'scram-sha-512' }).principal).toBe('legacy');
  });

  it('refuses grants on a topic of another cluster, and on things that are not declared topics', () => {
    const config = configOf('dev') as any;
    config.kafka.clusters.push({ ...structuredClone(config.kafka.clusters[0]), name: 'audit' });
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-kafka-')) });
    const clusters = buildEnvironment(app, parseEnvironment(config)).clusters[0]!.services.kafka;
    const user = clusters.get('events')!.addUser({ name: 'reader' });
    expect(() => user.grantRead(clusters.get('audit')!.addTopic({ name: 'elsewhere' }))).toThrow(/grantRead: topic "elsewhere" belongs to Kafka "audit", not "events"; ACLs only apply within one cluster/);
    expect(() => user.grantRead({ topicName: '*' } as unknown as KafkaTopicResource)).toThrow(/grantRead: takes a topic created with KafkaCluster.addTopic/);
  });

  it('refuses bad names, quotas and duplicates', () => {
    const kafka = eventsOf('prod');
    expect(() => kafka.addUser({ name: 'Bad_Name' })).toThrow(/name: must be a lower-case DNS label/);
    expect(() => kafka.addUser({ name: 'q', quotas: { requestPercentage: 150 } })).toThrow(/quotas.requestPercentage: must be at most 100/);
    expect(() => kafka.addUser({ name: 'kafka-admin' })).toThrow(/addUser.name: a user of this name already exists/);
  });
});

describe('the off-site copy at the primary site (prod)', () => {
  it('its user reads only the topics marked for the copy, and may only describe the groups of their readers', () => {
    const user = userOf(prod.json, 'mirror-dr');
    expect(user.metadata.annotations['moit.gov.vn/kafka-user-role']).toBe('offsite-copy-source');
    const acls = aclsOf(user);
    expect(acls).toEqual(expect.arrayContaining(['topic:literal:energy-readings=Describe,Read', 'topic:literal:trade.orders=Describe,Read', 'group:prefix:trade-importer-=Describe']));
    for (const acl of acls) expect(acl).toMatch(/^(topic:literal:[^=*]+=Describe,Read|group:prefix:[^=*]+-=Describe)$/);
    // Exactly the topics marked for the copy (the test's and the data domains'), none of the others.
    const marked = manifestsOf(prod.json, 'KafkaTopic').filter((t) => t.metadata.labels['moit.gov.vn/offsite-copy'] === 'true').map((t) => t.metadata.name);
    const unmarked = manifestsOf(prod.json, 'KafkaTopic').filter((t) => t.metadata.labels['moit.gov.vn/offsite-copy'] === 'false').map((t) => t.metadata.name);
    expect(unmarked).toContain('trade-scratch');
    expect(acls.filter((a) => a.startsWith('topic:')).map((a) => a.slice('topic:literal:'.length).split('=')[0]).sort()).toEqual(marked.sort());
    expect(user.spec.quotas).toBeUndefined();
  });

  it('writes nothing: no Write, Create or Alter anywhere', () => {
    expect(aclsOf(userOf(prod.json, 'mirror-dr')).join(' ')).not.toMatch(/Write|Create|Alter/);
  });
});

describe('MirrorMaker 2 at the recovery site (dr)', () => {
  const mirror = manifestsOf(dr.json, 'KafkaMirrorMaker2')[0]!;
  const source = mirror.spec.mirrors[0];

  it('exists only in dr', () => {
    expect(manifestsOf(dr.json, 'KafkaMirrorMaker2')).toHaveLength(1);
    expect(manifestsOf(prod.json, 'KafkaMirrorMaker2')).toEqual([]);
    expect(manifestsOf(dev.json, 'KafkaMirrorMaker2')).toEqual([]);
  });

  it('uses the v1 shape: target and mirrors[].source, 2 replicas or more, the cluster\'s Kafka version', () => {
    expect(mirror.apiVersion).toBe('kafka.strimzi.io/v1');
    expect(mirror.spec.connectCluster).toBeUndefined();
    expect(mirror.spec.clusters).toBeUndefined();
    expect(mirror.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(mirror.spec.version).toBe('4.3.1');
    expect(mirror.spec.target).toEqual({
      alias: 'dr',
      bootstrapServers: 'events-kafka-bootstrap.kafka.svc:9093',
      groupId: 'events-mirror-prod-connect',
      configStorageTopic: 'events-mirror-prod-connect-config',
      offsetStorageTopic: 'events-mirror-prod-connect-offsets',
      statusStorageTopic: 'events-mirror-prod-connect-status',
      tls: { trustedCertificates: [{ secretName: 'events-cluster-ca-cert', pattern: '*.crt' }] },
      authentication: { type: 'tls', certificateAndKey: { secretName: 'events-mirror-prod', certificate: 'user.crt', key: 'user.key' } },
      config: { 'config.storage.replication.factor': 3, 'offset.storage.replication.factor': 3, 'status.storage.replication.factor': 3 },
    });
  });

  it('authenticates over TLS at the source with the credentials and CA copied from prod', () => {
    expect(source.source).toEqual({
      alias: 'prod',
      bootstrapServers: 'events-bootstrap.kafka.hanoi-1.dc.moit.gov.vn:443',
      tls: { trustedCertificates: [{ secretName: 'prod-events-cluster-ca', pattern: '*.crt' }] },
      authentication: { type: 'tls', certificateAndKey: { secretName: 'prod-events-mirror-dr', certificate: 'user.crt', key: 'user.key' } },
    });
  });

  it('keeps topic names, copies no ACLs or configs, and keeps offset syncs at the target', () => {
    expect(source.sourceConnector.config).toMatchObject({
      'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      'offset-syncs.topic.location': 'target',
      'sync.topic.acls.enabled': false,
      'sync.topic.configs.enabled': false,
      'replication.factor': 3,
    });
    expect(source.checkpointConnector.config).toMatchObject({ 'offset-syncs.topic.location': 'target', 'checkpoints.topic.replication.factor': 3 });
  });

  // dr also declares the catalogue's copied topics (constructs/domains); these tests add their own.
  const catalogueCopies = new Set(
    loadCatalogue()
      .domains.filter((d) => d.backupTier !== 'bronze')
      .flatMap((d) => d.resources.topics.map((t) => t.name)),
  );
  const escapedCopies = new Set([...catalogueCopies].map((t) => t.replace(/\./g, '\\.')));

  it('mirrors exactly the topics marked for the off-site copy, by escaped literal names', () => {
    const alternatives = source.topicsPattern.split('|');
    expect(alternatives.filter((a: string) => escapedCopies.has(a)).length).toBe(catalogueCopies.size);
    expect(alternatives.filter((a: string) => !escapedCopies.has(a)).join('|')).toBe('energy-readings|trade\\.orders');
    const matches = (name: string) => new RegExp(`^(?:${source.topicsPattern})$`).test(name);
    expect(['trade.orders', 'energy-readings'].filter(matches)).toEqual(['trade.orders', 'energy-readings']);
    expect(['tradeXorders', 'trade-scratch', 'trade.orders.v2', 'heartbeats'].filter(matches)).toEqual([]);
    expect(source.groupsPattern).toBe('(trade-importer-).*');
  });

  it('writes into dr as its own user: Write on the mirrored topics, full rights only on its own literally named topics', () => {
    const acls = aclsOf(userOf(dr.json, 'events-mirror-prod'));
    for (const t of catalogueCopies) expect(acls).toContain(`topic:literal:${t}=Describe,Write`);
    expect(acls.filter((a: string) => !catalogueCopies.has(a.replace(/^topic:literal:(.*)=.*$/, '$1')))).toEqual([
      'topic:literal:energy-readings=Describe,Write',
      'topic:literal:events-mirror-prod-connect-config=Create,Describe,DescribeConfigs,Read,Write',
      'topic:literal:events-mirror-prod-connect-offsets=Create,Describe,DescribeConfigs,Read,Write',
      'topic:literal:events-mirror-prod-connect-status=Create,Describe,DescribeConfigs,Read,Write',
      'topic:literal:mm2-offset-syncs.dr.internal=Create,Describe,DescribeConfigs,Read,Write',
      'topic:literal:mm2-offset-syncs.prod.internal=Create,Describe,DescribeConfigs,Read,Write',
      'topic:literal:prod.checkpoints.internal=Create,Describe,DescribeConfigs,Read,Write',
      'topic:literal:trade.orders=Describe,Write',
      'group:prefix:events-mirror-prod-=Read',
    ]);
  });

  it('reaches outside the cluster only to the primary site\'s declared address, as a backup target', () => {
    const egress = resourcesOf(dr.json)
      .filter(([type, , b]) => type === 'kubernetes_network_policy_v1' && b.metadata.name === 'flow-events-mirror-prod-to-prod-kafka-out')
      .map(([, , b]) => b);
    expect(egress).toHaveLength(1);
    expect(egress[0]!.spec.egress).toEqual([{ to: [{ ip_block: { cidr: '10.10.8.21/32' } }], ports: [{ port: '443', protocol: 'TCP' }] }]);
    expect(egress[0]!.metadata.annotations['moit.gov.vn/purpose']).toMatch(/declared backup target/);
  });

  it('is admitted by the target listener, and the cluster operator reaches its REST API', () => {
    const tls = manifestsOf(dr.json, 'Kafka')[0]!.spec.kafka.listeners.find((l: Json) => l.name === 'tls');
    expect(tls.networkPolicyPeers).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } },
      podSelector: { matchLabels: { 'strimzi.io/cluster': 'events-mirror-prod', 'strimzi.io/kind': 'KafkaMirrorMaker2', 'strimzi.io/name': 'events-mirror-prod-mirrormaker2' } },
    });
    const names = resourcesOf(dr.json).filter(([t]) => t === 'kubernetes_network_policy_v1').map(([, , b]) => b.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['flow-strimzi-cluster-operator-to-events-mirror-prod-in', 'flow-events-mirror-prod-to-events-mirror-prod-in']));
  });

  it('refuses fewer than 2 replicas, its own alias as the source, and an address without a port', () => {
    const base = { sourceAlias: 'primary', bootstrapServers: 'k.example.vn:443', sourceCidr: '10.1.1.1/32', sourceUser: 'mirror', credentialsSecret: 'mirror', caSecret: 'ca' };
    expect(() => eventsOf('dr').mirrorFrom({ ...base, replicas: 1 })).toThrow(/replicas: must be a whole number >= 2, so that restarting one pod does not stop the off-site copy, got 1/);
    expect(() => eventsOf('dr').mirrorFrom({ ...base, sourceAlias: 'dr' })).toThrow(/sourceAlias: must differ from the target's alias "dr"/);
    expect(() => eventsOf('dr').mirrorFrom({ ...base, bootstrapServers: 'k.example.vn' })).toThrow(/bootstrapServers: must be "host:port"/);
    expect(eventsOf('dr').mirrorFrom(base).replicas).toBe(2);
  });
});

describe('schema validity of what the data domains declare', () => {
  itEachWithSchemas(
    [
      ['prod', prod],
      ['dr', dr],
      ['dev', dev],
    ] as Array<[string, typeof prod]>,
    '%s: topics, users and MirrorMaker 2 validate against the Strimzi 1.2.0 CRDs',
    (_, synth) => {
      expect(manifestsOf(synth.json, 'KafkaTopic').length).toBeGreaterThan(0);
      expect(synth.findings()).toEqual([]);
    },
  );
});

describe('regular-expression helpers of the mirror patterns', () => {
  it('escapes every metacharacter of a name', () => {
    expect(escapeRegex('a.b+c(d)[e]{f}|g^h$i*j?k\\l')).toBe('a\\.b\\+c\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\*j\\?k\\\\l');
  });

  it('matches nothing for no names (no topic has an empty name)', () => {
    expect(exactNamesPattern([])).toBe('^$');
    expect(new RegExp(`^(?:${exactNamesPattern([])})$`).test('anything')).toBe(false);
  });
});
