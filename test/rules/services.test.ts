import { expectFires, expectOutcomes, expectSilent, manifests, run, stack, type Json } from './fixture';
import { kafka, objectStore, pgCluster, scheduledBackup, TLS_ONLY_HBA } from './objects';
import { nonTlsGap } from '../../policy/audit/rules/PG-002-tls-only-hba';

const listener = (l: Record<string, unknown>) => kafka({ listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'tls' } }, l] });

describe('KAF-001 listener TLS', () => {
  it('fires for a plaintext listener', () => {
    expectFires('KAF-001', stack(manifests(listener({ name: 'plain', port: 9092, type: 'internal', tls: false, authentication: { type: 'scram-sha-512' } }))), /listener "plain" \(port 9092\) has tls: false; set tls: true/);
  });
  it('is silent when every listener uses TLS', () => expectSilent('KAF-001', stack(manifests(kafka()))));
});

describe('KAF-002 listener authentication', () => {
  it('fires for a listener that accepts every client', () => {
    expectFires('KAF-002', stack(manifests(listener({ name: 'open', port: 9094, type: 'internal', tls: true }))), /listener "open" has authentication unset/);
  });
  it('is silent when every listener authenticates', () => expectSilent('KAF-002', stack(manifests(listener({ name: 'scram', port: 9094, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } })))));
});

describe('KAF-003 authorization', () => {
  it('fires when the cluster has no authorizer', () => expectFires('KAF-003', stack(manifests(kafka({ authorization: undefined }))), /spec.kafka.authorization unset/));
  it('is silent with simple authorization', () => expectSilent('KAF-003', stack(manifests(kafka()))));
});

describe('PG-001 superuser access', () => {
  it('fires when superuser access is enabled', () => expectFires('PG-001', stack(manifests(pgCluster({ enableSuperuserAccess: true }))), /enableSuperuserAccess: true/));
  it('is silent when it stays off', () => expectSilent('PG-001', stack(manifests(pgCluster()))));
});

describe('PG-002 TLS-only pg_hba', () => {
  it.each([
    ['no reject line (the operator default admits non-TLS)', [], /no "host all all 0.0.0.0\/0 reject"/],
    ['a host line that accepts before the reject', ['host app app 10.0.0.0/8 scram-sha-256', ...TLS_ONLY_HBA], /"host app app 10.0.0.0\/8 scram-sha-256" accepts IPv4 connections without TLS/],
    ['trust', ['hostssl all all 0.0.0.0/0 trust', ...TLS_ONLY_HBA], /admits connections without authentication/],
    ['IPv6 left open', ['hostssl all all 0.0.0.0/0 scram-sha-256', 'host all all 0.0.0.0/0 reject'], /refuses IPv6 connections/],
  ])('fires for %s', (_name, hba, pattern) => {
    expectFires('PG-002', stack(manifests(pgCluster({ postgresql: { pg_hba: hba } }))), pattern as RegExp);
  });
  it('fires when TLS older than 1.2 is allowed', () => {
    expectFires('PG-002', stack(manifests(pgCluster({ postgresql: { pg_hba: TLS_ONLY_HBA, parameters: { ssl_min_protocol_version: 'TLSv1' } } }))), /lowers ssl_min_protocol_version to TLSv1/);
  });
  it('is silent for hostssl lines closed by host ... reject for both families, or hostnossl all all all reject', () => {
    expectSilent('PG-002', stack(manifests(pgCluster())));
    expect(nonTlsGap(['hostnossl all all all reject', 'hostssl all all all scram-sha-256'])).toBeUndefined();
  });
});

describe('PG-003 WAL archiving through the plugin', () => {
  it('fires without the plugin, with the deprecated in-tree store, and with a store the stack does not declare', () => {
    expectFires('PG-003', stack(manifests(pgCluster({ plugins: [] }), objectStore())), /no spec.plugins entry \{name: barman-cloud.cloudnative-pg.io, isWALArchiver: true\}/);
    expectFires('PG-003', stack(manifests(pgCluster({ backup: { barmanObjectStore: { destinationPath: 's3://x' } } }), objectStore())), /deprecated spec.backup.barmanObjectStore/);
    expectFires('PG-003', stack(manifests(pgCluster())), /archives WAL to ObjectStore "main-backup", which this stack does not declare/);
  });
  it('is silent with the plugin and its ObjectStore, and does not apply in an ephemeral environment', () => {
    expectSilent('PG-003', stack(manifests(pgCluster(), objectStore())));
    expect(run('PG-003', stack(manifests(pgCluster({ plugins: [] })), { name: 'dev', class: 'development', securityLevel: 3, ephemeral: true }))).toEqual([]);
  });
});

describe('PG-004 scheduled backups with method plugin', () => {
  it('fires for a cluster without a scheduled backup', () => expectFires('PG-004', stack(manifests(pgCluster(), objectStore())), /has no ScheduledBackup with method: plugin/));
  it('fires for the default method, a five-field cron, or the wrong plugin', () => {
    const noMethod = scheduledBackup();
    delete noMethod.spec.method;
    expectFires('PG-004', stack(manifests(pgCluster(), noMethod)), /uses method barmanObjectStore \(the CRD default\)/);
    expectFires('PG-004', stack(manifests(pgCluster(), scheduledBackup({ schedule: '0 2 * * *' }))), /with 5 fields; CloudNativePG needs six/);
    expectFires('PG-004', stack(manifests(pgCluster(), scheduledBackup({ pluginConfiguration: { name: 'other' } }))), /pluginConfiguration.name other/);
  });
  it('is silent with a daily plugin backup', () => expectSilent('PG-004', stack(manifests(pgCluster(), scheduledBackup()))));
});

describe('KAF-001..003: listeners and authorizers in detail', () => {
  const bare = (kafkaSpec: Json | undefined) => ({ apiVersion: 'kafka.strimzi.io/v1', kind: 'Kafka', metadata: { name: 'events', namespace: 'kafka' }, spec: kafkaSpec === undefined ? {} : { kafka: kafkaSpec } });
  it('fires for a cluster without listeners, and names a listener without name or port', () => {
    expectFires('KAF-001', stack(manifests(bare(undefined))), /^Kafka kafka\/events declares no listener in spec.kafka.listeners$/);
    expectOutcomes('KAF-001', stack(manifests(bare({ listeners: [null, {}, { name: 'tls', port: 9093, tls: true }] }))), [
      ['fail', 'Kafka kafka/events listener "?" (port ?) has tls: unset; set tls: true'],
      ['pass', 'Kafka kafka/events listener "tls" (port 9093) uses TLS'],
    ]);
  });
  it.each(['tls', 'scram-sha-512', 'oauth', 'custom'])('accepts %s authentication, and says so', (type) => {
    expectOutcomes('KAF-002', stack(manifests(bare({ listeners: [null, { name: 'l', authentication: { type } }] }))), [['pass', `Kafka kafka/events listener "l" authenticates clients with ${type}`]]);
  });
  it('names an unknown authentication type and a listener without a name', () => {
    expectOutcomes('KAF-002', stack(manifests(bare({ listeners: [{ authentication: { type: 'plain' } }] }))), [
      ['fail', 'Kafka kafka/events listener "?" has authentication type "plain"; set authentication.type to one of tls, scram-sha-512, oauth, custom (tls for mutual TLS)'],
    ]);
  });
  it.each(['simple', 'opa', 'keycloak', 'custom'])('accepts %s authorization, and says so', (type) => {
    expectOutcomes('KAF-003', stack(manifests(bare({ authorization: { type } }))), [['pass', `Kafka kafka/events enforces ${type} authorization`]]);
  });
  it('names an unknown authorizer, and reads a cluster without spec.kafka as having none', () => {
    expectOutcomes('KAF-003', stack(manifests(bare({ authorization: { type: 'none' } }), bare(undefined))), [
      ['fail', 'Kafka kafka/events has spec.kafka.authorization type "none"; set authorization.type (simple, with ACLs per KafkaUser)'],
      ['fail', 'Kafka kafka/events has spec.kafka.authorization unset; set authorization.type (simple, with ACLs per KafkaUser)'],
    ]);
  });
});

describe('PG-001..004: evidence and the cases around each check', () => {
  const dev = { name: 'dev', class: 'development', securityLevel: 3, ephemeral: true };
  it('PG-001 says whether superuser access is off by default or explicitly', () => {
    expectOutcomes('PG-001', stack(manifests(pgCluster(), { ...pgCluster({ enableSuperuserAccess: undefined }), metadata: { name: 'other', namespace: 'postgres' } })), [
      ['pass', 'Cluster postgres/main keeps superuser access off (enableSuperuserAccess: false)'],
      ['pass', 'Cluster postgres/other keeps superuser access off (enableSuperuserAccess: default false)'],
    ]);
  });
  it.each([
    ['a comment or a blank line', ['# host all all 0.0.0.0/0 trust', '', ...TLS_ONLY_HBA], undefined],
    ['hostnogssenc that authenticates', ['hostnogssenc all all 0.0.0.0/0 scram-sha-256', ...TLS_ONLY_HBA], '"hostnogssenc all all 0.0.0.0/0 scram-sha-256" accepts IPv4 connections without TLS'],
    ['an IPv6 host line', ['host all all ::1/128 scram-sha-256', ...TLS_ONLY_HBA], '"host all all ::1/128 scram-sha-256" accepts IPv6 connections without TLS'],
    ['a host name', ['host all all db.example scram-sha-256', ...TLS_ONLY_HBA], '"host all all db.example scram-sha-256" accepts IPv4 connections without TLS'],
    ['a reject of one subnet only', ['host all all 10.0.0.0/8 reject', 'host all all ::/0 reject'], 'no "host all all 0.0.0.0/0 reject" (or hostnossl) line refuses IPv4 connections without TLS before the operator\'s default "host all all all scram-sha-256"'],
    ['a reject of one database only', ['host app all 0.0.0.0/0 reject', 'host all all ::/0 reject'], 'no "host all all 0.0.0.0/0 reject" (or hostnossl) line refuses IPv4 connections without TLS before the operator\'s default "host all all all scram-sha-256"'],
    ['a reject of one user only', ['host all app 0.0.0.0/0 reject', 'host all all ::/0 reject'], 'no "host all all 0.0.0.0/0 reject" (or hostnossl) line refuses IPv4 connections without TLS before the operator\'s default "host all all all scram-sha-256"'],
    ['an IPv4 reject before an IPv6 line that accepts', ['host all all 0.0.0.0/0 reject', 'host all all ::/0 md5'], '"host all all ::/0 md5" accepts IPv6 connections without TLS'],
    ['one reject of every address', ['host all all all reject'], undefined],
    ['a commented line without a space after "#"', ['#host all all 0.0.0.0/0 trust', ...TLS_ONLY_HBA], undefined],
    ['trust, quoted whole', ['hostssl  all all 0.0.0.0/0 trust'], '"hostssl all all 0.0.0.0/0 trust" admits connections without authentication'],
    ['an indented line', ['  host all all 0.0.0.0/0 md5', ...TLS_ONLY_HBA], '"host all all 0.0.0.0/0 md5" accepts IPv4 connections without TLS'],
    ['fields aligned with several spaces', ['host  all  all  0.0.0.0/0  reject', 'host all all ::/0 reject'], undefined],
    ['a line without an address', ['host all'], '"host all" accepts IPv4 connections without TLS'],
    ['a host name after the IPv4 reject', ['host all all 0.0.0.0/0 reject', 'host all all db.example md5', 'host all all ::/0 reject'], '"host all all db.example md5" accepts IPv6 connections without TLS'],
    ['an IPv4 subnet between the rejects', ['host all all 0.0.0.0/0 reject', 'host all all 10.0.0.0/8 md5', 'host all all ::/0 reject'], undefined],
  ])('nonTlsGap: %s', (_name, lines, gap) => {
    expect(nonTlsGap(lines)).toEqual(gap);
  });
  it('PG-002 accepts TLS 1.2 and 1.3 as the minimum, reads only string lines, and shows the lines it checked', () => {
    for (const min of ['TLSv1.2', 'TLSv1.3']) expectSilent('PG-002', stack(manifests(pgCluster({ postgresql: { pg_hba: TLS_ONLY_HBA, parameters: { ssl_min_protocol_version: min } } }))));
    expectOutcomes('PG-002', stack(manifests(pgCluster({ postgresql: { pg_hba: [42, 'host all all 0.0.0.0/0 reject', 'host all all ::/0 reject'] } }))), [
      ['pass', 'Cluster postgres/main refuses every TCP connection without TLS (pg_hba: host all all 0.0.0.0/0 reject | host all all ::/0 reject)'],
    ]);
    expectOutcomes('PG-002', stack(manifests(pgCluster({ postgresql: { pg_hba: [], parameters: { ssl_min_protocol_version: 'TLSv1.1' } } }))), [
      ['fail', 'Cluster postgres/main lowers ssl_min_protocol_version to TLSv1.1; remove it (the operator sets TLSv1.3) or use TLSv1.2/TLSv1.3'],
    ]);
    expectFires('PG-002', stack(manifests(pgCluster({ postgresql: undefined }))), /^Cluster postgres\/main: spec.postgresql.pg_hba: no "host all all 0.0.0.0\/0 reject"/);
  });
  it('PG-003 names the store it archives to, and wants it in the cluster\'s namespace, from a WAL-archiving plugin entry', () => {
    expectOutcomes('PG-003', stack(manifests(pgCluster(), objectStore())), [['pass', 'Cluster postgres/main archives WAL through barman-cloud.cloudnative-pg.io to ObjectStore postgres/main-backup']]);
    expectFires('PG-003', stack(manifests(pgCluster(), { ...objectStore(), metadata: { name: 'main-backup', namespace: 'other' } })), /archives WAL to ObjectStore "main-backup", which this stack does not declare in namespace postgres$/);
    expectFires('PG-003', stack(manifests(pgCluster({ plugins: [null, { name: 'barman-cloud.cloudnative-pg.io' }] }), objectStore())), /has no spec.plugins entry/);
    expectFires('PG-003', stack(manifests(pgCluster({ plugins: [{ name: 'other', isWALArchiver: true, parameters: { barmanObjectName: 'main-backup' } }] }), objectStore())), /has no spec.plugins entry/);
    expectFires('PG-003', stack(manifests(pgCluster({ plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true }] }), objectStore())), /archives WAL to ObjectStore "\(unset\)"/);
    expectFires('PG-003', stack(manifests(pgCluster(), { ...objectStore(), metadata: { name: 'other-backup', namespace: 'postgres' } })), /archives WAL to ObjectStore "main-backup", which this stack does not declare in namespace postgres$/);
    expectFires('PG-003', stack(manifests({ ...pgCluster(), metadata: { name: 'main' } }, objectStore())), /^Cluster main archives WAL to ObjectStore "main-backup", which this stack does not declare in namespace \?$/);
  });
  it('PG-004 accepts volume snapshots on a six-field schedule, but counts only plugin backups of the same cluster', () => {
    const snapshot = scheduledBackup({ method: 'volumeSnapshot', pluginConfiguration: undefined });
    expectOutcomes('PG-004', stack(manifests(pgCluster(), snapshot)), [
      ['pass', 'ScheduledBackup postgres/main-daily runs volumeSnapshot backups on "0 0 2 * * *"'],
      ['fail', 'Cluster postgres/main has no ScheduledBackup with method: plugin in this stack'],
    ]);
    expectOutcomes('PG-004', stack(manifests(pgCluster(), scheduledBackup({ cluster: { name: 'other' } }), { ...scheduledBackup(), metadata: { name: 'elsewhere', namespace: 'app' } }, scheduledBackup({ cluster: 'main' }))), [
      ['pass', 'ScheduledBackup postgres/main-daily runs plugin backups on "0 0 2 * * *"'],
      ['pass', 'ScheduledBackup app/elsewhere runs plugin backups on "0 0 2 * * *"'],
      ['pass', 'ScheduledBackup postgres/main-daily runs plugin backups on "0 0 2 * * *"'],
      ['fail', 'Cluster postgres/main has no ScheduledBackup with method: plugin in this stack'],
    ]);
    expectOutcomes('PG-004', stack(manifests(pgCluster(), scheduledBackup())), [
      ['pass', 'ScheduledBackup postgres/main-daily runs plugin backups on "0 0 2 * * *"'],
      ['pass', 'Cluster postgres/main has scheduled plugin backups (ScheduledBackup postgres/main-daily)'],
    ]);
  });
  it('PG-004 names a missing plugin name and a missing schedule', () => {
    expectOutcomes('PG-004', stack(manifests(scheduledBackup({ pluginConfiguration: undefined }), scheduledBackup({ schedule: undefined }))), [
      ['fail', 'ScheduledBackup postgres/main-daily uses method plugin with pluginConfiguration.name (unset); name barman-cloud.cloudnative-pg.io'],
      ['fail', 'ScheduledBackup postgres/main-daily has schedule "" with 0 fields; CloudNativePG needs six, seconds first (e.g. "0 0 2 * * *")'],
    ]);
  });
  it('PG-003 and PG-004 do not apply where data is disposable or the environment is not recorded', () => {
    expect(run('PG-004', stack(manifests(pgCluster()), dev))).toEqual([]);
    const json = stack(manifests(pgCluster({ plugins: [] })));
    delete json['//'].environment;
    expect(run('PG-003', json)).toEqual([]);
  });
});
