/**
 * Kafka on Strimzi: the operator and its traffic, the clusters' security (TLS, authentication
 * and authorization on every listener), replication and retention per environment class,
 * listener peers that follow the declared flows, the validations that refuse weaker
 * settings, and the environment file's `kafka` section.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignBackupTier } from '../constructs/backup/coverage';
import { KafkaCluster, KafkaClusterProps, NO_CLIENTS_PEER } from '../constructs/kafka';
import { Peer } from '../constructs/network/peer';
import { Port } from '../constructs/network/port';
import { Segmentation, SegmentationError } from '../constructs/network/segmentation';
import { checkEnvironment, loadEnvironments, parseEnvironment } from '../environments';
import { ConstructPropsError, formatProblem } from '../lib/errors';
import { App } from '../lib/tf';
import { validateSynthesized } from '../tools/validate';
import { itWithSchemas } from './schemas';
import { OPERATORS } from '../lib/versions';
import { buildEnvironment } from '../stacks/estate';
import type { ServicesStack } from '../stacks/services';
import { configOf, manifestsOf, resourcesOf, synthEnvironment, synthEstate, type Json } from './helpers';

/** Synthesizes one environment after `mutate` changed its config and `declare` added to its services stack. */
function synthKafka(env: string, options: { mutate?: (config: any) => void; declare?: (kafka: KafkaCluster, services: ServicesStack) => void } = {}) {
  const { outdir, stacks, read } = synthEnvironment(env, { mutate: options.mutate, declare: (s) => options.declare?.(s.clusters[0]!.services.kafka.get('events')!, s.clusters[0]!.services) });
  const cluster = stacks.clusters[0]!;
  return { outdir, services: read(cluster.services.node.id), platform: read(cluster.platform.node.id) };
}

/** A services stack of `env` to build constructs in directly, and its app. */
function servicesOf(env: string) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-kafka-')) });
  const stacks = buildEnvironment(app, loadEnvironments([env])[0]!);
  return { app, services: stacks.clusters[0]!.services };
}

const props = (extra: Partial<KafkaClusterProps> = {}): KafkaClusterProps => ({
  name: 'test',
  controllers: { replicas: 3, storage: '10Gi' },
  brokers: { replicas: 3, storage: '50Gi' },
  ...extra,
});

function policiesOf(stackJson: Json): Json[] {
  return resourcesOf(stackJson)
    .filter(([type]) => type === 'kubernetes_network_policy_v1')
    .map(([, , body]) => body);
}

function bodiesOf(stackJson: Json, kind: string): Json[] {
  return resourcesOf(stackJson)
    .filter(([type, , body]) => type === 'kubernetes_manifest' && body.manifest.kind === kind)
    .map(([, , body]) => body);
}

const kafkaOf = (stackJson: Json): Json => manifestsOf(stackJson, 'Kafka')[0]!;

/** Problems of an environment config, formatted as users see them. */
function problemsOf(env: string, mutate: (c: any) => void): string[] {
  const config = configOf(env) as any;
  mutate(config);
  const result = checkEnvironment(config, `environments/${env}.ts`);
  return result.ok ? [] : result.problems.map(formatProblem);
}

const estate = synthEstate();
const ENVS = ['dev', 'staging', 'prod', 'dr'];
const services = (env: string) => estate.stack(`${env}-core-services`);
const platform = (env: string) => estate.stack(`${env}-core-platform`);

describe('the Strimzi operator', () => {
  const releaseOf = (json: Json) => Object.values(json.resource.helm_release as Json).find((r: any) => r.chart === 'strimzi-kafka-operator') as Json | undefined;

  it.each(ENVS)('%s: installs the pinned chart into strimzi-system, watching only the kafka namespace', (env) => {
    const release = releaseOf(platform(env))!;
    expect(release).toMatchObject({ chart: OPERATORS.strimzi.chart, version: OPERATORS.strimzi.chartVersion, repository: OPERATORS.strimzi.repository, namespace: 'strimzi-system' });
    const values = release.values[0] as string;
    expect(values).toContain('watchNamespaces:\n  - kafka\n');
    expect(values).toContain('watchAnyNamespace: false');
  });

  it('makes operand pods Pod Security restricted, and admits itself in generated policies by its namespace name only', () => {
    const values = releaseOf(platform('prod'))!.values[0] as string;
    expect(values).toContain('name: STRIMZI_POD_SECURITY_PROVIDER_CLASS\n    value: restricted');
    expect(values).toContain('name: STRIMZI_OPERATOR_NAMESPACE_LABELS\n    value: kubernetes.io/metadata.name=strimzi-system');
    expect(values).toContain('generateNetworkPolicy: true');
    // The chart's own restricted pod defaults (1.2.0) are kept, not overridden.
    expect(values).not.toMatch(/securityContext/);
  });

  it('runs on the mgmt nodes of a Cluster API cluster, anywhere on an adopted one', () => {
    expect(releaseOf(platform('prod'))!.values[0]).toContain('nodeSelector:\n  moit.gov.vn/zone: mgmt');
    expect(releaseOf(platform('dev'))!.values[0]).not.toContain('nodeSelector');
  });

  it('reaches the API server and nothing else of its own, at the control-plane nodes only', () => {
    const egress = policiesOf(platform('prod')).filter((p) => p.metadata.namespace === 'strimzi-system' && p.spec.policy_types.includes('Egress') && p.metadata.name !== 'allow-dns' && p.metadata.name !== 'default-deny');
    expect(egress).toHaveLength(1);
    expect(egress[0]!.spec.egress).toEqual([{ to: [{ ip_block: { cidr: '10.10.0.8/29' } }], ports: [{ port: '443', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }] }]);
    expect(egress[0]!.metadata.annotations['moit.gov.vn/purpose']).toMatch(/API server/);
  });

  it('is not installed on a cluster that runs no Kafka', () => {
    const config = configOf('staging') as any;
    config.clusters.push({ ...structuredClone(config.clusters[0]), name: 'batch', kubeconfig: { path: '~/.kube/config', context: 'moit-staging-batch' } });
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-kafka-')) });
    const stacks = buildEnvironment(app, parseEnvironment(config));
    expect(stacks.clusters.map((c) => [c.name, c.platform.strimzi !== undefined, c.services.kafka.size])).toEqual([
      ['core', true, 1],
      ['batch', false, 0],
    ]);
  });
});

describe('Kafka clusters: security on every listener', () => {
  it.each(ENVS)('%s: every listener encrypts and authenticates; authorization is simple with only the admin user as superuser', (env) => {
    const kafka = kafkaOf(services(env));
    expect(kafka.apiVersion).toBe('kafka.strimzi.io/v1');
    for (const listener of kafka.spec.kafka.listeners) {
      expect(listener.tls).toBe(true);
      expect(['tls', 'scram-sha-512']).toContain(listener.authentication.type);
    }
    expect(kafka.spec.kafka.authorization).toEqual({ type: 'simple', superUsers: ['CN=kafka-admin'] });
    expect(kafka.spec.kafka.config['auto.create.topics.enable']).toBe(false);
    expect(kafka.spec.kafka.config['unclean.leader.election.enable']).toBe(false);
  });

  it.each(ENVS)('%s: the superuser is an operator-managed mutual-TLS user; no credential is in the output', (env) => {
    const admin = manifestsOf(services(env), 'KafkaUser').find((u) => u.metadata.name === 'kafka-admin')!;
    expect(admin.spec).toEqual({ authentication: { type: 'tls' } });
    expect(admin.metadata.annotations['moit.gov.vn/kafka-user-role']).toBe('superuser');
    // Credentials are generated in-cluster by the User Operator; none is in the output.
    for (const user of manifestsOf(services(env), 'KafkaUser')) expect(Object.keys(user.spec.authentication)).toEqual(['type']);
    expect(JSON.stringify(services(env))).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
  });

  it.each(ENVS)("%s: every listener's networkPolicyPeers is non-empty (Strimzi opens an empty list to every pod)", (env) => {
    for (const listener of kafkaOf(services(env)).spec.kafka.listeners) expect(listener.networkPolicyPeers.length).toBeGreaterThan(0);
  });

  it('admits nobody on a listener no flow was declared to', () => {
    const { app, services: stack } = servicesOf('staging');
    assignBackupTier(new KafkaCluster(stack, 'kafka-test', props()), 'bronze');
    app.synth();
    const json: Json = JSON.parse(readFileSync(join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
    const test = manifestsOf(json, 'Kafka').find((k) => k.metadata.name === 'test')!;
    expect(test.spec.kafka.listeners[0].networkPolicyPeers).toEqual([NO_CLIENTS_PEER]);
  });

  itWithSchemas('writes manifests that validate against the Strimzi 1.2.0 CRDs in every environment', () => {
    const report = validateSynthesized(estate.outdir);
    const strimzi = report.findings.filter((f) => f.apiVersion?.startsWith('kafka.strimzi.io/'));
    expect(strimzi.map((f) => `${f.stack} ${f.kind} ${f.path}: ${f.message}`)).toEqual([]);
    expect(report.kinds).toEqual(expect.arrayContaining(['kafka.strimzi.io/v1 Kafka', 'kafka.strimzi.io/v1 KafkaNodePool', 'kafka.strimzi.io/v1 KafkaUser', 'kafka.strimzi.io/v1 KafkaMirrorMaker2']));
  });
});

describe('Kafka clusters: replication, storage, placement and retention', () => {
  it.each(['prod', 'dr'])('%s: replication factor 3 and min.insync.replicas 2, for data, offsets and transactions', (env) => {
    expect(kafkaOf(services(env)).spec.kafka.config).toMatchObject({
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'delete.topic.enable': false,
    });
  });

  it.each(['staging', 'prod', 'dr'])('%s: 3 KRaft controllers and 3 brokers, rack-aware by zone, one pod down at most, Cruise Control on', (env) => {
    const json = services(env);
    const pools = manifestsOf(json, 'KafkaNodePool');
    expect(pools.map((p) => [p.metadata.name, p.spec.roles, p.spec.replicas >= 3, p.metadata.labels['strimzi.io/cluster']])).toEqual([
      ['events-brokers', ['broker'], true, 'events'],
      ['events-controllers', ['controller'], true, 'events'],
    ]);
    const kafka = kafkaOf(json);
    expect(kafka.spec.kafka.replicas).toBeUndefined();
    expect(kafka.spec.kafka.storage).toBeUndefined();
    expect(kafka.spec.kafka.rack).toEqual({ type: 'topology-label', topologyKey: 'topology.kubernetes.io/zone' });
    expect(kafka.spec.kafka.template.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(kafka.spec.cruiseControl).toBeDefined();
    expect(kafka.spec.entityOperator.topicOperator).toBeDefined();
    expect(kafka.spec.entityOperator.userOperator).toBeDefined();
  });

  it.each(ENVS)('%s: persistent JBOD volumes on ceph-rbd-retain whose claims are never deleted', (env) => {
    for (const pool of manifestsOf(services(env), 'KafkaNodePool')) {
      expect(pool.spec.storage.type).toBe('jbod');
      for (const volume of pool.spec.storage.volumes) expect(volume).toMatchObject({ type: 'persistent-claim', class: 'ceph-rbd-retain', deleteClaim: false });
    }
  });

  it('places Kafka pods on the data nodes of a Cluster API cluster, one per host', () => {
    const json = services('prod');
    const dataAffinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'moit.gov.vn/zone', operator: 'In', values: ['data'] }] }] } } };
    const toleration = { key: 'moit.gov.vn/zone', operator: 'Equal', value: 'data', effect: 'NoSchedule' };
    for (const pool of manifestsOf(json, 'KafkaNodePool')) {
      expect(pool.spec.template.pod.affinity).toEqual(dataAffinity);
      expect(pool.spec.template.pod.tolerations).toEqual([toleration]);
      expect(pool.spec.template.pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' });
    }
    const kafka = kafkaOf(json);
    expect(kafka.spec.entityOperator.template.pod.affinity).toEqual(dataAffinity);
    expect(kafka.spec.cruiseControl.template.pod.tolerations).toEqual([toleration]);
  });

  it('dev: one broker, replication factor 1, no Cruise Control, no rack awareness, topics deletable', () => {
    const kafka = kafkaOf(services('dev'));
    expect(kafka.spec.kafka.config).toMatchObject({ 'default.replication.factor': 1, 'min.insync.replicas': 1, 'delete.topic.enable': true });
    expect(kafka.spec.cruiseControl).toBeUndefined();
    expect(kafka.spec.kafka.rack).toBeUndefined();
    expect(kafka.spec.entityOperator.template.pod).toEqual({});
  });

  it.each(['staging', 'prod', 'dr'])('%s: the Kafka and its node pools are retained (prevent_destroy) and marked stateful', (env) => {
    const bodies = [...bodiesOf(services(env), 'Kafka'), ...bodiesOf(services(env), 'KafkaNodePool')];
    expect(bodies).toHaveLength(3);
    for (const body of bodies) {
      expect(body.lifecycle).toEqual({ prevent_destroy: true });
      expect(body['//'].stateful).toBe('kafka');
    }
  });

  it('dev (ephemeral): the Kafka may be destroyed, and still carries the stateful marker', () => {
    for (const body of [...bodiesOf(services('dev'), 'Kafka'), ...bodiesOf(services('dev'), 'KafkaNodePool')]) {
      expect(body.lifecycle).toBeUndefined();
      expect(body['//'].stateful).toBe('kafka');
    }
  });
});

describe("Strimzi's own traffic, declared as flows", () => {
  const kafkaPolicies = (env: string) => policiesOf(services(env)).filter((p) => /events|strimzi/.test(p.metadata.name));
  const ingress = (env: string, name: string) => kafkaPolicies(env).find((p) => p.metadata.name === `${name}-in`);

  it.each([
    ['flow-events-controllers-to-events-controllers', ['9090']],
    ['flow-events-brokers-to-events-controllers', ['9090']],
    ['flow-events-brokers-to-events-brokers', ['9091']],
    ['flow-strimzi-cluster-operator-to-events-controllers', ['9090']],
    ['flow-strimzi-cluster-operator-to-events-brokers', ['9091']],
    ['flow-strimzi-cluster-operator-to-events-kafka-nodes', ['8443']],
    ['flow-events-entity-operator-to-events-brokers', ['9091']],
    ['flow-events-cruise-control-to-events-brokers', ['9091']],
    ['flow-strimzi-cluster-operator-to-events-cruise-control', ['9090']],
  ])('prod: %s on %j, on both sides', (name, ports) => {
    const policy = ingress('prod', name)!;
    expect(policy.spec.ingress[0].ports.map((p: Json) => p.port)).toEqual(ports);
    expect(kafkaPolicies('prod').some((p) => p.metadata.name === `${name}-out`)).toBe(true);
  });

  it('prod: Kafka nodes and the entity operator reach only the API server outside the namespace', () => {
    const egress = kafkaPolicies('prod').filter((p) => p.spec.policy_types.includes('Egress') && p.spec.egress.some((e: Json) => e.to.some((t: Json) => t.ip_block)));
    expect(egress.map((p) => [p.metadata.name, p.spec.egress[0].to])).toEqual([
      ['flow-events-entity-operator-to-kube-apiserver-out', [{ ip_block: { cidr: '10.10.0.8/29' } }]],
      ['flow-events-kafka-nodes-to-kube-apiserver-out', [{ ip_block: { cidr: '10.10.0.8/29' } }]],
    ]);
  });

  it('dev: no Cruise Control, so no flows for it', () => {
    expect(kafkaPolicies('dev').some((p) => p.metadata.name.includes('cruise-control'))).toBe(false);
  });
});

describe('listener networkPolicyPeers follow the flows declared to the brokers', () => {
  const app = Peer.workload({ name: 'trade-importer', namespace: 'exchange', zone: 'exchange', selector: { app: 'trade-importer' } });
  const appPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'exchange' } }, podSelector: { matchLabels: { app: 'trade-importer' } } };
  const declared = synthKafka('prod', { declare: (kafka) => kafka.connections.allowFrom(app, { ports: [Port.tcp(9093)], description: 'imports trade events' }) });
  const listeners = kafkaOf(declared.services).spec.kafka.listeners as Json[];

  it('a client allowed after the cluster was built appears in the listener it connects to', () => {
    expect(listeners.find((l) => l.name === 'tls')!.networkPolicyPeers).toContainEqual(appPeer);
  });

  it('and in no other listener', () => {
    expect(listeners.find((l) => l.name === 'site')!.networkPolicyPeers).not.toContainEqual(appPeer);
  });

  it('the same flow is rendered as our own policies on both sides', () => {
    const names = policiesOf(declared.services).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['kafka/flow-trade-importer-to-events-brokers-in', 'exchange/flow-trade-importer-to-events-brokers-out']));
  });

  it('the tlsroute listener admits only the exchange-zone gateway pods', () => {
    expect(listeners.find((l) => l.name === 'site')!.networkPolicyPeers).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'exchange' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'site-gateway' } } },
    ]);
  });

  it("refuses, when declared, a client flow to the brokers on a port that is not a listener's (the replication port)", () => {
    expect(() => synthKafka('dev', { declare: (kafka) => kafka.connections.allowFrom(app, { ports: [Port.tcp(9091)] }) })).toThrow(
      new ConstructPropsError('dev-core-services/kafka-events', 'connections.allowFrom', 'ports 9091/TCP are not listener ports of Kafka "events"; clients reach 9093 (tls) only', 'exchange/trade-importer'),
    );
  });

  it('refuses it at synth when declared around the connections (Segmentation.allow)', () => {
    expect(() => synthKafka('dev', { declare: (kafka) => Segmentation.of(kafka).allow(app, kafka, { ports: [Port.tcp(9091)] }) })).toThrow(
      /flow exchange\/trade-importer -> kafka\/events-brokers \(declared at dev-core-services\/segmentation\): ports 9091\/TCP are not listener ports/,
    );
  });

  it('accepts a flow on listener ports only (defaults to every in-cluster listener port)', () => {
    const { services: json } = synthKafka('dev', { declare: (kafka) => kafka.connections.allowFrom(app) });
    expect(kafkaOf(json).spec.kafka.listeners[0].networkPolicyPeers).toContainEqual(appPeer);
  });

  it("keeps in-cluster clients off the tlsroute listener: allowFrom's default leaves it out, and naming its port is refused", () => {
    const other = Peer.workload({ name: 'reporting', namespace: 'exchange', zone: 'exchange', selector: { app: 'reporting' } });
    const { services: json } = synthKafka('prod', { declare: (kafka) => kafka.connections.allowFrom(other) });
    const site = kafkaOf(json).spec.kafka.listeners.find((l: Json) => l.name === 'site');
    expect(site.networkPolicyPeers).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'exchange' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'site-gateway' } } }]);
    expect(() => synthKafka('prod', { declare: (kafka) => kafka.connections.allowFrom(other, { ports: [Port.tcp(9095)] }) })).toThrow(
      /connections.allowFrom: port 9095 is listener "site", reached only through Gateway exchange\/site-gateway; in-cluster clients use 9093 \(tls\)/,
    );
  });
});

describe('KafkaCluster refuses weaker settings, naming the value and the fix', () => {
  const build = (env: string, extra: Partial<KafkaClusterProps>) => () => new KafkaCluster(servicesOf(env).services, 'kafka-test', props(extra));

  it('refuses a listener without TLS', () => {
    expect(build('dev', { listeners: [{ name: 'plain', port: 9092, tls: false, authentication: 'tls' }] })).toThrow(
      new ConstructPropsError('dev-core-services/kafka-test', 'listeners[0].tls', 'every Kafka listener encrypts its traffic: TLS cannot be turned off (remove the field or set it to true)', false),
    );
  });

  it('refuses a listener without authentication', () => {
    expect(build('dev', { listeners: [{ name: 'plain', port: 9092 } as any] })).toThrow(/listeners\[0\]\.authentication: every Kafka listener authenticates its clients; choose "tls" \(mutual TLS\) or "scram-sha-512", got nothing/);
  });

  it("refuses a listener on one of Strimzi's own ports", () => {
    expect(build('dev', { listeners: [{ name: 'tls', port: 9404, authentication: 'tls' }] })).toThrow(/listeners\[0\]\.port: is the metrics port; choose another port, got 9404/);
    expect(build('dev', { listeners: [{ name: 'tls', port: 9091, authentication: 'tls' }] })).toThrow(/listeners\[0\]\.port: must be a whole number from 9092/);
  });

  it('accepts TLS listeners with mutual TLS or SCRAM-SHA-512', () => {
    const kafka = build('dev', { listeners: [{ name: 'tls', port: 9093, authentication: 'tls' }, { name: 'scram', port: 9094, authentication: 'scram-sha-512' }] })();
    expect(kafka.listeners.map((l) => `${l.name}:${l.authentication}`)).toEqual(['tls:tls', 'scram:scram-sha-512']);
  });

  it('refuses fewer than 3 brokers outside development, and accepts 1 in development', () => {
    expect(build('staging', { brokers: { replicas: 2, storage: '50Gi' } })).toThrow(/brokers\.replicas: must be >= 3 outside development \(class "staging"\).*got 2/);
    expect(build('dev', { controllers: { replicas: 1, storage: '5Gi' }, brokers: { replicas: 1, storage: '5Gi' } })().replication).toEqual({ factor: 1, minInsync: 1 });
  });

  it('refuses an even number of controllers', () => {
    expect(build('prod', { controllers: { replicas: 4, storage: '10Gi' } })).toThrow(/controllers\.replicas: must be odd so the KRaft quorum always has a majority/);
  });

  it('refuses a wildcard or an oversized superuser list', () => {
    expect(build('dev', { superUsers: ['User:*'] })).toThrow(/superUsers\[0\]: must name one user/);
    expect(build('dev', { superUsers: ['CN=a', 'CN=b', 'CN=c', 'CN=d'] })).toThrow(/superUsers: keep the superuser list minimal/);
  });

  it.each([
    ['auto.create.topics.enable', true],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    ['offsets.topic.replication.factor', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['unclean.leader.election.enable', true],
    ['delete.topic.enable', true],
    ['allow.everyone.if.no.acl.found', true],
    ['super.users', 'User:ANONYMOUS'],
  ])('refuses overriding the managed setting %s', (key, value) => {
    expect(build('prod', { config: { [key]: value } })).toThrow(`config["${key}"]: is managed by the construct`);
  });

  it('refuses overriding the settings it manages', () => {
    expect(build('prod', { config: { 'min.insync.replicas': 1 } })).toThrow(/config\["min.insync.replicas"\]: is managed by the construct/);
    expect(build('prod', { config: { 'auto.create.topics.enable': true } })).toThrow(/config\["auto.create.topics.enable"\]/);
    expect(build('prod', { config: { 'log.retention.check.interval.ms': 300000 } })().replication).toEqual({ factor: 3, minInsync: 2 });
  });

  it('reports every problem of its props together, each with its field, like Postgres', () => {
    const attempt = build('staging', { brokers: { replicas: 2, storage: 'lots' }, listeners: [{ name: 'plain', port: 9404, tls: false, authentication: 'tls' }] });
    expect(attempt).toThrow(ConstructPropsError);
    const lines = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message.split('\n');
      }
      return [];
    })();
    expect(lines[0]).toBe('4 problems:');
    expect(lines.slice(1).map((l) => /^ {2}- staging-core-services\/kafka-test: ([^:]+):/.exec(l)?.[1])).toEqual(['brokers.replicas', 'brokers.storage', 'listeners[0].tls', 'listeners[0].port']);
  });

  it('refuses Cruise Control with a single broker', () => {
    expect(build('dev', { brokers: { replicas: 1, storage: '5Gi' }, cruiseControl: true })).toThrow(/cruiseControl: Strimzi runs Cruise Control only with 2 or more brokers/);
  });

  it('refuses a tlsroute listener whose Gateway is not in the exchange zone', () => {
    const listeners = [{ name: 'site', port: 9095, type: 'tlsroute' as const, authentication: 'tls' as const, gateway: { name: 'web', namespace: 'gateway', podSelector: { app: 'web' } }, bootstrapHost: 'k.example.vn', brokerHostTemplate: 'k-{nodeId}.example.vn' }];
    expect(build('prod', { listeners })).toThrow(/listeners\.site\.gateway\.namespace: is in zone "dmz"; Kafka leaves the cluster only through the exchange zone's Gateway, got "gateway"/);
  });

  it.each(['loadbalancer', 'nodeport'] as const)('refuses a %s listener at synth: it would expose the data zone', (type) => {
    const { app, services: stack } = servicesOf('prod');
    assignBackupTier(new KafkaCluster(stack, 'kafka-test', props({ listeners: [{ name: 'ext', port: 9094, type, authentication: 'tls' }] })), 'bronze');
    expect(() => app.synth()).toThrow(SegmentationError);
    const { app: again, services: stack2 } = servicesOf('prod');
    assignBackupTier(new KafkaCluster(stack2, 'kafka-test', props({ listeners: [{ name: 'ext', port: 9094, type, authentication: 'tls' }] })), 'bronze');
    expect(() => again.synth()).toThrow(/Kafka "test" listener "ext" \(type .*\): a Service of type (LoadBalancer|NodePort) in zone "data" exposes it outside the cluster; .*"tlsroute" listener and the exchange-zone Gateway/);
  });

  it('accepts internal and cluster-ip listeners at synth', () => {
    const { app, services: stack } = servicesOf('prod');
    const kafka = new KafkaCluster(stack, 'kafka-test', props({ listeners: [{ name: 'tls', port: 9093, authentication: 'tls' }, { name: 'ip', port: 9094, type: 'cluster-ip', authentication: 'scram-sha-512' }] }));
    assignBackupTier(kafka, 'bronze'); // the backup tiers (issue 9) want every stateful service tiered
    expect(() => app.synth()).not.toThrow();
  });
});

describe('the kafka section of an environment file', () => {
  it.each([
    ['prod', (c: any) => (c.kafka.clusters[0].brokers.replicas = 2), 'environments/prod.ts: kafka.clusters[0].brokers.replicas: must be >= 3 outside development (class "production")'],
    ['dr', (c: any) => (c.kafka.clusters[0].controllers.replicas = 4), 'environments/dr.ts: kafka.clusters[0].controllers.replicas: must be odd'],
    ['prod', (c: any) => (c.kafka.clusters[0].listeners[0].tls = false), 'environments/prod.ts: kafka.clusters[0].listeners[0].tls: every Kafka listener encrypts its traffic'],
    ['prod', (c: any) => delete c.kafka.clusters[0].listeners[0].authentication, 'environments/prod.ts: kafka.clusters[0].listeners[0].authentication: every listener authenticates its clients'],
    ['prod', (c: any) => (c.kafka.clusters[0].listeners[1].gateway = undefined), 'kafka.clusters[0].listeners[1].gateway: a "tlsroute" listener is reached through a Gateway in the exchange zone'],
    ['staging', (c: any) => (c.kafka.clusters[0].cluster = 'edge'), 'environments/staging.ts: kafka.clusters[0].cluster: refers to a cluster this environment does not declare; declared: core, got "edge"'],
    ['prod', (c: any) => (c.kafka.clusters[0].offsiteCopy.listener = 'public'), 'kafka.clusters[0].offsiteCopy.listener: names no listener of this cluster; listeners: tls, site, got "public"'],
    ['prod', (c: any) => (c.kafka.clusters[0].superUsers = ['*']), 'kafka.clusters[0].superUsers[0]: must name one user'],
    ['prod', (c: any) => (c.kafka.clusters[0].metadataVersion = '4.2-IV1'), 'kafka.clusters[0].metadataVersion: must belong to Kafka 4.3.1'],
    ['dev', (c: any) => c.kafka.clusters.push(structuredClone(c.kafka.clusters[0])), 'kafka.clusters[1].name: duplicate Kafka cluster name on cluster "core"'],
    ['dev', (c: any) => (c.kafka.clusters[0].cruiseControl = true), 'environments/dev.ts: kafka.clusters[0].cruiseControl: Strimzi runs Cruise Control only with 2 or more brokers, got true'],
    ['prod', (c: any) => (c.kafka.clusters[0].listeners[0].port = 9091), 'kafka.clusters[0].listeners[0].port: must be >= 9092'],
  ])('%s: reports %#', (env, mutate, expected) => {
    expect(problemsOf(env, mutate).join('\n')).toContain(expected);
  });

  it('refuses the off-site copy of production topics anywhere but a recovery environment', () => {
    const mirror = configOf('dr').kafka!.clusters![0]!.mirrorFrom;
    expect(problemsOf('staging', (c) => (c.kafka.clusters[0].mirrorFrom = mirror)).join('\n')).toContain(
      'kafka.clusters[0].mirrorFrom: only a recovery environment receives the off-site copy of production topics (class is "staging")',
    );
    expect(problemsOf('dr', () => undefined)).toEqual([]);
  });

  it('applies the documented defaults: Kafka 4.3.1, one mutual-TLS listener, the admin superuser, an empty section', () => {
    const staging = parseEnvironment(configOf('staging'));
    expect(staging.kafka.clusters[0]).toMatchObject({
      version: '4.3.1',
      metadataVersion: '4.3-IV0',
      listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: 'tls' }],
      superUsers: ['CN=kafka-admin'],
    });
    const none = configOf('dev') as any;
    delete none.kafka;
    expect(parseEnvironment(none).kafka).toEqual({ clusters: [] });
  });
});
