import { Construct } from 'constructs';
import { InternalCaIssuer } from '../constructs/cert-manager';
import { kafkaClusters } from './kafka';
import type { KafkaCluster } from '../constructs/kafka';
import { postgresClusters } from './postgres';
import type { PostgresCluster } from '../constructs/postgres/cluster';
import { ObjectStore } from '../constructs/storage/object-store';
import { BackupServices } from '../constructs/backup/services';
import { compileDataDomains } from './domains';
import type { DataDomains } from '../constructs/domains';
import type { Catalogue } from '../environments/catalogue';
import { EnvironmentStack, EnvironmentStackProps } from './base';
import { dependOn } from '../lib/tf';
import type { PlatformStack } from './platform';
import { AlertRules } from '../constructs/monitoring/alert-rules';
import { Monitors } from '../constructs/monitoring/monitors';
import { AuditLogArchive, AuditLogShipper } from '../constructs/monitoring/audit-logs';
import { preparedBackupRecord } from '../constructs/backup/coverage';
import { monitoringInput } from './monitoring';
import { SecretStores } from '../constructs/secrets/store';
import { GeneratedSecret } from '../constructs/secrets/generated-secret';
import { VELERO_REPOSITORY_SECRET } from '../constructs/backup/velero';
import { tenantNamespace } from '../policy/layout';
import { veleroRepositoryKey } from '../policy/secrets';

export interface ServicesStackProps extends Omit<EnvironmentStackProps, 'layer'> {
  /** The platform stack of the same cluster; this stack deploys after it. */
  readonly platform: PlatformStack;
  /** The management cluster's stack that declares this cluster, whose record lists the cluster itself. @default none */
  readonly management?: EnvironmentStack;
  /** The data domains and agreements, compiled here when this cluster hosts the tenants. @default none */
  readonly catalogue?: Catalogue;
}

/** Per workload cluster: the custom resources, whose CRDs the platform stack installed. */
export class ServicesStack extends EnvironmentStack {
  readonly issuer: InternalCaIssuer;
  /** The ClusterSecretStores pointing at the environment's OpenBao (constructs/secrets). */
  readonly secretStores: SecretStores;
  /** Velero's repository password: generated once, kept in OpenBao (constructs/secrets). */
  readonly veleroRepositoryPassword: GeneratedSecret;
  /** The S3 object store (constructs/storage/object-store.ts): `objectStore.addBucket(id, { name, namespace, purpose })`. */
  readonly objectStore: ObjectStore;
  /** Kafka clusters by name (constructs/kafka): `kafka.get(name)!.addTopic(...)`, `.addUser(...)`, `.connections.allowFrom(app)`. */
  readonly kafka: Map<string, KafkaCluster>;
  /** Postgres clusters by name (constructs/postgres): `postgres.get(name)!.addDatabase(...)`, `.grantRead(...)`, `.connections.allowFrom(app)`. */
  readonly postgres: Map<string, PostgresCluster>;
  /** Backups by tier (constructs/backup): Velero location and Schedules, off-site copies, restore drills. */
  readonly backup: BackupServices;
  /** The data domains' resources and the grants of the sharing agreements in force (constructs/domains). */
  readonly domains?: DataDomains;
  /** The alerts of the cluster, compiled from its backup records when the stack is prepared (constructs/monitoring). */
  readonly alerts: AlertRules;
  /** The ServiceMonitors and PodMonitors of every operator and service (constructs/monitoring/monitors.ts). */
  readonly monitors: Monitors;
  /** The locked bucket the API servers' audit logs are shipped to (constructs/monitoring/audit-logs.ts). */
  readonly auditLogs: AuditLogArchive;
  /** Fluent Bit shipping them off the control-plane nodes, once the bucket is ready. */
  readonly auditLogShipper: AuditLogShipper;
  private readonly platform: PlatformStack;
  private readonly management?: EnvironmentStack;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, { ...props, layer: 'services' });
    this.addDependency(props.platform);
    this.issuer = new InternalCaIssuer(this, 'internal-ca');
    this.secretStores = new SecretStores(this, 'secret-stores', {
      endpoint: this.environment.secrets.store,
      caSecretName: this.issuer.caSecretName,
      domains: (props.catalogue?.domains ?? []).map((d) => ({ name: d.name, namespaces: [tenantNamespace(d.name)] })),
    });
    this.veleroRepositoryPassword = new GeneratedSecret(this, 'velero-repository-password', {
      secret: VELERO_REPOSITORY_SECRET,
      remoteKey: veleroRepositoryKey(this.cluster),
      valueKey: 'repository-password',
      // Velero would write its published default if the Secret were missing at its first backup.
      waitUntilSynced: true,
    });
    this.objectStore = new ObjectStore(this, 'object-store', { issuer: this.issuer });
    this.kafka = kafkaClusters(this);
    this.postgres = postgresClusters(this);
    this.backup = new BackupServices(this, 'backup', { objectStore: this.objectStore });
    this.auditLogs = new AuditLogArchive(this, 'audit-logs', { objectStore: this.objectStore });
    this.auditLogShipper = new AuditLogShipper(this, 'audit-log-shipper', { archive: this.auditLogs });
    // No backup location (so no repository) before the repository password is in place.
    dependOn(this.backup.location.manifest, this.veleroRepositoryPassword.externalSecret.manifest);
    if (props.catalogue) this.domains = compileDataDomains(this, this, props.catalogue);
    this.platform = props.platform;
    this.management = props.management;
    this.monitors = new Monitors(this, 'monitors');
    this.alerts = new AlertRules(this, 'alerts');
  }

  /**
   * After the backups are prepared (the records exist), compiles the cluster's alerts and
   * records who receives each severity, for `npm run alerts`.
   */
  prepareStack(): void {
    super.prepareStack();
    this.alerts.compile(monitoringInput({ stack: this, siblings: [this.platform], postgres: this.postgres, kafka: this.kafka, record: preparedBackupRecord(this), ...(this.management ? { management: this.management } : {}) }));
    const route = this.environment.monitoring.route;
    this.addOverride('//.alerting', { receivers: route ? { critical: route.critical, warning: route.warning } : {} });
  }
}
