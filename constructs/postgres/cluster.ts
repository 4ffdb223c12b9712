import { Construct } from 'constructs';
import type { EnvironmentClass, ZoneName } from '../../environments/schema';
import { ConstructPropsError, propsError, type PropsProblem } from '../../lib/errors';
import { declarePrerequisite, markSharing, retain } from '../../lib/markers';
import { dependOn, Lazy } from '../../lib/tf';
import { OPERATORS, type CrdFileSource } from '../../lib/versions';
import { NS, STORAGE_CLASSES } from '../../policy/layout';
import { InternalCaIssuer } from '../cert-manager';
import { CustomResource } from '../k8s-object';
import { Peer, type WorkloadPeer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Connections, IConnectable, Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { ClusterContext } from '../context';
import { GeneratedSecret } from '../secrets/generated-secret';
import { SecretRef } from '../secrets/secret-ref';
import { StoreSecret } from '../secrets/store-secret';
import { peerCredentialKey, postgresRoleKey } from '../../policy/secrets';
import {
  BackupTarget,
  BarmanObjectStore,
  DEFAULT_BACKUP_RETENTION,
  DEFAULT_BACKUP_SCHEDULE,
  destinationProblems,
  PostgresBackupPolicy,
  PostgresScheduledBackup,
  type BackupDestination,
} from './backup';
import { DATABASE_CRD_FILE, PostgresDatabase } from './database';
import {
  BARMAN_CLOUD_PLUGIN,
  CNPG_LABELS,
  type CnpgJobRole,
  INSTANCE_POD_ROLE,
  clusterNames,
  INSTANCE_STATUS_PORT,
  ownerRoleOf,
  POSTGRES_PORT,
  type SchemaRef,
} from './names';
import { cnpgOperatorPeer } from './operator';
import { PostgresPooler, PostgresPoolerOptions } from './pooler';
import { domainProblem, PostgresRoles, type AddUserOptions, type GrantReadOptions } from './roles';
import { ServerCertificate } from './tls';
import {
  checkClusterName,
  checkCpu,
  checkImage,
  checkMemory,
  checkParameterName,
  checkRecoveryTime,
  checkRetention,
  checkSqlIdentifier,
  checkStorageSize,
} from '../../policy/postgres/validation';
import { checkSixFieldCron } from '../../lib/cron';

/** The PostgreSQL image CloudNativePG 1.30 defaults to (operators.md, section a). */
export const DEFAULT_POSTGRES_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie';

/**
 * How a commit is made durable.
 * - `required`: a commit returns only once one standby has it too (`ANY 1`), and writes stop
 *   rather than continue without a standby: no committed transaction is lost with a node.
 * - `preferred`: the same while a standby is up; writes continue alone if none is.
 * - `off`: asynchronous replication (a single instance has no standby to wait for).
 */
export type SynchronousDurability = 'required' | 'preferred' | 'off';

export interface PostgresStorage {
  /** The data volume of each instance, e.g. "200Gi". */
  readonly size: string;
  /** The WAL volume of each instance, on its own disk, e.g. "50Gi". */
  readonly walSize: string;
  /** @default STORAGE_CLASSES.block ("ceph-rbd-retain": volumes survive their claim) */
  readonly storageClass?: string;
}

export interface PostgresResources {
  /** CPU of each instance, requested and limited (Guaranteed QoS), e.g. "2". */
  readonly cpu: string;
  /** Memory of each instance, requested and limited, e.g. "8Gi". */
  readonly memory: string;
}

/** Where a recovered or replica cluster reads its origin: the origin's backups and WAL. */
export interface RecoverySource {
  /** The name the origin archived under: its Cluster name. */
  readonly serverName: string;
  /** The origin's backup bucket. Give read-only credentials: a reader never writes there. */
  readonly destination: BackupDestination;
}

/** How a new cluster gets its data. */
export type PostgresBootstrap =
  /** An empty cluster (`initdb`) with data checksums. */
  | { readonly kind: 'initdb' }
  /** A copy of the origin restored from its object store, to its latest WAL or to `targetTime`. */
  | { readonly kind: 'recovery'; readonly source: RecoverySource; readonly targetTime?: string }
  /**
   * A replica cluster that keeps replaying the origin's WAL from its object store (a recovery
   * site). `promote: true` turns it into a primary (disaster declared): it stops following the
   * origin and accepts writes. @default promote false
   */
  | { readonly kind: 'replica'; readonly source: RecoverySource; readonly promote?: boolean };

export interface PostgresClusterProps {
  /** The Cluster name: a DNS label of at most 30 characters. */
  readonly name: string;
  /** A data-zone namespace. @default NS.postgres ("postgres") */
  readonly namespace?: string;
  /** Instances, each on its own host; 3 or more outside development. @default 3 */
  readonly instances?: number;
  /** @default DEFAULT_POSTGRES_IMAGE */
  readonly image?: string;
  readonly storage: PostgresStorage;
  readonly resources: PostgresResources;
  /**
   * Synchronous replication. Production and recovery must use `required`.
   * @default "required" in production and recovery, "preferred" elsewhere, "off" with one instance
   */
  readonly durability?: SynchronousDurability;
  /** Extra postgresql.conf parameters (max_connections, shared_buffers ...); security ones are fixed. @default {} */
  readonly parameters?: Record<string, string>;
  /** Backups: always on; WAL is archived continuously, base backups on a schedule. */
  readonly backup: PostgresBackupPolicy;
  /** A PgBouncer pooler in front of the primary. @default none */
  readonly pooler?: PostgresPoolerOptions;
  /** @default { kind: "initdb" } */
  readonly bootstrap?: PostgresBootstrap;
  /** The ClusterIssuer of the server certificate. @default "dc-internal-ca" */
  readonly issuerName?: string;
  /** How addDatabase creates databases. @default defaultDatabaseManagement() (follows the pinned CRDs) */
  readonly databaseManagement?: DatabaseManagement;
}

/**
 * How addDatabase creates a database.
 * - `database-resource`: a CloudNativePG `Database` per database (reclaim policy retain, and
 *   retained). Needs the Database CRD among the pinned schemas, or `npm run validate` refuses it.
 * - `owner-creates`: stays inside the Cluster CRD. The domain's owner role gets CREATEDB (and
 *   nothing more) and the domain's first migration runs `CREATE DATABASE <name>`; the declared
 *   databases are recorded on the Cluster (annotation `moit.gov.vn/databases`) for reviewers.
 */
export type DatabaseManagement = 'database-resource' | 'owner-creates';

/**
 * `database-resource` when the Database CRD is pinned in lib/versions.ts (and so validated),
 * as it is since CloudNativePG v1.30.0's `databases` CRD joined the schema set; `owner-creates` otherwise.
 */
export function defaultDatabaseManagement(pinned: readonly CrdFileSource[] = OPERATORS.cloudnativePg.crdSource.files ?? []): DatabaseManagement {
  return pinned.some((f) => f.file === DATABASE_CRD_FILE) ? 'database-resource' : 'owner-creates';
}

/** A database declared with addDatabase. */
export interface DeclaredDatabase {
  readonly name: string;
  readonly owner: string;
  readonly domain: string;
  readonly schemas: readonly string[];
  /** Its CloudNativePG `Database`, in `database-resource` mode. */
  readonly resource?: PostgresDatabase;
}

export interface AddDatabaseOptions {
  /** The database name in PostgreSQL, a SQL identifier such as "energy_stats". */
  readonly name: string;
  /** The data domain that owns it ("energy-statistics"). */
  readonly domain: string;
  /** The owning role. @default the domain's owner role, `<domain>_owner` (created if missing) */
  readonly owner?: string;
  /** Schemas to create, owned by the owner. @default [] */
  readonly schemas?: readonly string[];
}

type Problem = PropsProblem;

/**
 * A highly available CloudNativePG Postgres cluster in the data zone.
 *
 * Secure and durable by default:
 * - 3+ instances outside development, each on a different host (required anti-affinity), on
 *   the data zone's nodes, with a PodDisruptionBudget; primary updates by switchover;
 * - synchronous replication (`ANY 1`, `dataDurability: required` in production and recovery);
 * - data and WAL on separate volumes of the retain StorageClass; data checksums;
 * - TLS from the internal CA (cert-manager, reloaded on rotation); `pg_hba` admits only TLS
 *   with SCRAM: CloudNativePG writes its fixed rules first (local peer, `hostssl` cert auth for
 *   `streaming_replica` and the pooler's user), then these lines, then its default
 *   `host all all all scram-sha-256`. pg_hba is first-match, so TLS connections match the
 *   `hostssl` lines and every other TCP connection hits `reject` before the default;
 * - no superuser access; `password_encryption = scram-sha-256`; connections logged;
 * - WAL archiving and scheduled base backups through the Barman Cloud plugin to its own
 *   bucket (point-in-time recovery), never the deprecated in-tree `barmanObjectStore`;
 * - retained: `prevent_destroy` outside ephemeral environments (CloudNativePG has no deletion
 *   protection field of its own);
 * - reachable only through declared flows (`connections.allowFrom(...)`), port 5432.
 */
export class PostgresCluster extends Construct implements IConnectable {
  /** A new cluster restored from another cluster's backups, optionally to a point in time. */
  static recoverFrom(
    scope: Construct,
    id: string,
    props: Omit<PostgresClusterProps, 'bootstrap'> & { readonly source: PostgresCluster | RecoverySource; readonly targetTime?: string },
  ): PostgresCluster {
    const { source, targetTime, ...rest } = props;
    return new PostgresCluster(scope, id, { ...rest, bootstrap: { kind: 'recovery', source: sourceOf(source), targetTime } });
  }

  /** A replica cluster that follows another cluster through its object store (the recovery site). */
  static replicaOf(
    scope: Construct,
    id: string,
    props: Omit<PostgresClusterProps, 'bootstrap'> & { readonly source: PostgresCluster | RecoverySource; readonly promote?: boolean },
  ): PostgresCluster {
    const { source, promote, ...rest } = props;
    return new PostgresCluster(scope, id, { ...rest, bootstrap: { kind: 'replica', source: sourceOf(source), promote } });
  }

  readonly name: string;
  readonly namespace: string;
  readonly instances: number;
  readonly durability: SynchronousDurability;
  /** True for a (not promoted) replica cluster: it is read-only and receives roles and databases from its origin. */
  readonly replica: boolean;
  /** The Cluster custom resource (retained). */
  readonly resource: CustomResource;
  readonly certificate: ServerCertificate;
  /** The ObjectStore this cluster archives to. */
  readonly backupStore: BarmanObjectStore;
  /** The ObjectStore a recovered or replica cluster reads its origin from. */
  readonly originStore?: BarmanObjectStore;
  readonly scheduledBackup: PostgresScheduledBackup;
  readonly pooler?: PostgresPooler;
  /** The backup policy in effect, defaults applied. */
  readonly backup: Required<Omit<PostgresBackupPolicy, 'encryption'>> & Pick<PostgresBackupPolicy, 'encryption'>;
  /** The services clients use: `<name>-rw` (primary), `<name>-ro` (standbys), `<name>-r` (any). */
  readonly services: { readonly rw: string; readonly ro: string; readonly r: string };
  /** The Secret whose `ca.crt` clients use as `sslrootcert` (with sslmode=verify-full). */
  readonly caSecret: string;
  /** Clients reach Postgres on 5432 only through flows declared here. */
  readonly connections: Connections;
  /** How addDatabase creates databases. */
  readonly databaseManagement: DatabaseManagement;
  /** Databases added with addDatabase, by name. */
  readonly databases = new Map<string, DeclaredDatabase>();

  private readonly spec: Record<string, unknown>;
  private readonly metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  /** The cluster's roles and grants (rendered into spec.managed when the stack is written). */
  private readonly roles: PostgresRoles;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const envClass = stack.environment.class;

    // Validate: every problem at once.
    const namespace = props.namespace ?? NS.postgres;
    const instances = props.instances ?? 3;
    const durability = props.durability ?? defaultDurability(envClass, instances);
    const bootstrap = props.bootstrap ?? { kind: 'initdb' };
    const backup = {
      destination: props.backup.destination,
      retention: props.backup.retention ?? DEFAULT_BACKUP_RETENTION,
      schedule: props.backup.schedule ?? DEFAULT_BACKUP_SCHEDULE,
      target: props.backup.target ?? ('prefer-standby' as BackupTarget),
      ...(props.backup.encryption ? { encryption: props.backup.encryption } : {}),
    };
    const problems = validate(props, { namespace, instances, durability, bootstrap, backup, envClass, zone: () => stack.zoneOf(namespace) });
    if (problems.length > 0) throw propsError(this.node.path, problems);

    // Defaults applied.
    this.name = props.name;
    this.namespace = namespace;
    this.instances = instances;
    this.durability = durability;
    this.replica = bootstrap.kind === 'replica' && !bootstrap.promote;
    this.databaseManagement = props.databaseManagement ?? defaultDatabaseManagement();
    this.backup = backup;
    this.roles = new PostgresRoles({ path: this.node.path, cluster: props.name, domainOfDatabase: (database) => this.databases.get(database)?.domain });
    const names = clusterNames(props.name, namespace);
    this.services = { rw: `${props.name}-rw`, ro: `${props.name}-ro`, r: `${props.name}-r` };
    const ephemeral = stack.ephemeral;
    const zone = stack.zoneOf(namespace);
    const placement = placementFor(this, zone);

    // Owned helpers: the certificate, the object stores, the schedule.
    this.certificate = new ServerCertificate(this, 'server-tls', {
      name: names.serverTls,
      namespace,
      dnsNames: names.dnsNames,
      issuerName: props.issuerName ?? InternalCaIssuer.DEFAULT_NAME,
      // CloudNativePG reloads Postgres when a Secret with this label changes (cert rotation).
      secretLabels: { 'cnpg.io/reload': '' },
    });
    this.caSecret = this.certificate.secretName;
    this.backupStore = new BarmanObjectStore(this, 'backup-store', {
      name: names.backupStore,
      namespace,
      destination: backup.destination,
      retention: backup.retention,
      encryption: backup.encryption,
    });
    const source = bootstrap.kind === 'initdb' ? undefined : bootstrap.source;
    if (source) {
      // Read only: no retention here, so the reader never deletes its origin's backups.
      this.originStore = new BarmanObjectStore(this, 'origin-store', { name: names.originStore, namespace, destination: source.destination });
      const credentials = SecretRef.of({
        name: source.destination.credentials.secretName,
        namespace,
        keys: [source.destination.credentials.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID', source.destination.credentials.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY'],
      });
      new StoreSecret(this, 'origin-credentials', {
        secret: credentials,
        remoteKey: peerCredentialKey(ClusterContext.of(this).cluster, namespace, credentials.name),
        classification: 'credential',
        writtenBy: 'peer-site',
        purpose: `Read-only S3 credentials for the origin's backup bucket ${source.destination.bucket}, issued by the origin site, so this replica cluster can follow it.`,
      });
    }

    // The cluster.
    const synchronous = durability === 'off' ? {} : { synchronous: { method: 'any', number: 1, dataDurability: durability } };
    this.spec = {
      instances,
      imageName: props.image ?? DEFAULT_POSTGRES_IMAGE,
      primaryUpdateStrategy: 'unsupervised',
      primaryUpdateMethod: 'switchover',
      enableSuperuserAccess: false,
      enablePDB: true,
      postgresql: {
        parameters: {
          ...props.parameters,
          password_encryption: 'scram-sha-256',
          log_connections: 'on',
          log_disconnections: 'on',
        },
        pg_hba: [...TLS_ONLY_HBA],
        ...synchronous,
      },
      bootstrap: bootstrapSpec(bootstrap, names.origin),
      storage: { storageClass: props.storage.storageClass ?? STORAGE_CLASSES.block, size: props.storage.size },
      walStorage: { storageClass: props.storage.storageClass ?? STORAGE_CLASSES.block, size: props.storage.walSize },
      affinity: {
        enablePodAntiAffinity: true,
        podAntiAffinityType: 'required',
        topologyKey: 'kubernetes.io/hostname',
        ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
        ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
      },
      resources: {
        requests: { cpu: props.resources.cpu, memory: props.resources.memory },
        limits: { cpu: props.resources.cpu, memory: props.resources.memory },
      },
      certificates: { serverTLSSecret: names.serverTls, serverCASecret: names.serverTls },
      plugins: [{ name: BARMAN_CLOUD_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: names.backupStore, serverName: props.name } }],
      ...(source
        ? {
            externalClusters: [{ name: names.origin, plugin: { name: BARMAN_CLOUD_PLUGIN, parameters: { barmanObjectName: names.originStore, serverName: source.serverName } } }],
          }
        : {}),
      ...(bootstrap.kind === 'replica' ? { replica: { enabled: !bootstrap.promote, source: names.origin } } : {}),
      // Rendered when the stack is written, so roles and grants added after construction count.
      managed: Lazy.anyValue({ produce: () => this.roles.render() }),
    };
    this.metadata = { name: props.name, namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } };
    this.resource = new CustomResource(this, 'cluster', {
      object: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: this.metadata,
        spec: this.spec,
      },
      // CloudNativePG's defaulting webhook writes its default settings into
      // spec.postgresql.parameters (the `PreserveFixedSettingsFromUser` path of its
      // configuration code); without this, every apply would report an inconsistent result.
      computedFields: ['metadata.labels', 'metadata.annotations', 'spec.postgresql.parameters'],
    });
    dependOn(this.resource.manifest, this.certificate.manifest, this.backupStore.manifest, ...(this.originStore ? [this.originStore.manifest] : []));
    retain(this.resource.manifest, 'postgres', ephemeral);

    this.scheduledBackup = new PostgresScheduledBackup(this, 'scheduled-backup', {
      name: names.scheduledBackup,
      namespace,
      cluster: props.name,
      schedule: backup.schedule,
      target: backup.target,
    });
    dependOn(this.scheduledBackup.manifest, this.resource.manifest);

    // Connections: clients on 5432, plus the system traffic a cluster needs.
    const peer = postgresPeer(props.name, namespace, zone);
    this.connections = new Connections(this, peer);
    const segmentation = Segmentation.of(this);
    segmentation.allow(cnpgOperatorPeer(), peer, {
      ports: [Port.tcp(INSTANCE_STATUS_PORT), Port.tcp(POSTGRES_PORT)],
      description: 'CloudNativePG operator polls instance status (8000) and checks Postgres (5432), as its networking docs require',
      declaredBy: this,
    });
    segmentation.allow(peer, peer, {
      ports: [Port.tcp(POSTGRES_PORT), Port.tcp(INSTANCE_STATUS_PORT)],
      description: 'Instances replicate from the primary (5432) and reach each other\'s instance manager (8000)',
      declaredBy: this,
    });
    segmentation.allow(peer, apiServerPeer(this), {
      ports: API_SERVER_PORTS,
      description: 'Instance manager and Barman Cloud sidecar report status and read Secrets and ObjectStores',
      declaredBy: this,
    });
    this.connections.allowTo(backup.destination.peer, {
      ports: backup.destination.ports,
      description: `WAL archiving and base backups to bucket ${backup.destination.bucket} (https)`,
    });
    if (source) {
      this.connections.allowTo(source.destination.peer, {
        ports: source.destination.ports,
        description: `Reads origin "${source.serverName}" (base backups and WAL) from bucket ${source.destination.bucket} (https)`,
      });
    }

    // The operator's jobs carry `cnpg.io/cluster` but no podRole: each kind gets what it needs.
    // All read the Cluster and its Secrets; a joining instance clones the primary; the bootstrap
    // job checks that its own archive is empty and, when recovering, reads the origin.
    const bootstrapRole: CnpgJobRole = bootstrap.kind === 'initdb' ? 'initdb' : 'full-recovery';
    const jobs = [bootstrapRole, ...(instances > 1 ? (['join'] as const) : [])];
    for (const role of jobs) {
      const job = postgresJobPeer(props.name, namespace, zone, role);
      segmentation.allow(job, apiServerPeer(this), { ports: API_SERVER_PORTS, description: `CloudNativePG ${role} job reads its Cluster and Secrets`, declaredBy: this });
      if (role === 'join') {
        segmentation.allow(job, peer, { ports: [Port.tcp(POSTGRES_PORT)], description: 'A joining instance clones the primary (pg_basebackup over TLS)', declaredBy: this });
      } else {
        segmentation.allow(job, backup.destination.peer, {
          ports: backup.destination.ports,
          description: `The ${role} job checks that bucket ${backup.destination.bucket} holds no other cluster's WAL before archiving starts`,
          declaredBy: this,
        });
      }
      if (role === 'full-recovery' && source) {
        segmentation.allow(job, source.destination.peer, {
          ports: source.destination.ports,
          description: `The recovery job restores origin "${source.serverName}" from bucket ${source.destination.bucket} (https)`,
          declaredBy: this,
        });
      }
    }

    if (props.pooler) {
      this.pooler = new PostgresPooler(this, 'pooler', {
        ...props.pooler,
        cluster: props.name,
        namespace,
        postgres: this,
        serverCaSecret: names.serverTls,
        issuerName: props.issuerName,
      });
      dependOn(this.pooler.resource.manifest, this.resource.manifest);
    }
  }

  /** This cluster as the origin of a recovery or a replica cluster. */
  recoverySource(): RecoverySource {
    return { serverName: this.name, destination: this.backup.destination };
  }

  /**
   * A database of a data domain. Its owner is the domain's login role (`<domain>_owner`,
   * created if missing), and the domain's read role (`<domain>_read`) is created with it for
   * sharing agreements to grant. How it is created depends on `databaseManagement`: a retained
   * CloudNativePG `Database`, or (inside the Cluster CRD) by its owner, which gets CREATEDB.
   */
  addDatabase(options: AddDatabaseOptions): DeclaredDatabase {
    this.refuseOnReplica('addDatabase');
    const problems: Problem[] = [];
    const check = (field: string, message: string | undefined, value: unknown) => message && problems.push([field, message, value]);
    check('name', checkSqlIdentifier(options.name, 'database'), options.name);
    check('domain', domainProblem(options.domain), options.domain);
    if (options.owner !== undefined) check('owner', checkSqlIdentifier(options.owner, 'role'), options.owner);
    for (const [i, s] of (options.schemas ?? []).entries()) check(`schemas[${i}]`, checkSqlIdentifier(s, 'schema'), s);
    if (this.databases.has(options.name)) check('name', `database "${options.name}" is already declared on cluster "${this.name}"`, options.name);
    if (problems.length > 0) throw propsError(`${this.node.path}.addDatabase`, problems);

    const owner = options.owner ?? ownerRoleOf(options.domain);
    if (!this.roles.has(owner)) this.addUser({ name: owner, domain: options.domain, comment: `owner of the databases of domain ${options.domain}` });
    if (!this.roles.isLogin(owner)) throw new ConstructPropsError(`${this.node.path}.addDatabase`, 'owner', `must be a login role; "${owner}" is a NOLOGIN read role`, owner);
    this.addReadRole(options.domain);
    const schemas = [...(options.schemas ?? [])];
    let resource: PostgresDatabase | undefined;
    if (this.databaseManagement === 'database-resource') {
      resource = new PostgresDatabase(this, `database-${options.name}`, {
        cluster: this.name,
        namespace: this.namespace,
        name: options.name,
        owner,
        domain: options.domain,
        schemas,
      });
      dependOn(resource.manifest, this.resource.manifest);
    } else {
      this.roles.allowCreateDatabases(owner);
    }
    const declared: DeclaredDatabase = { name: options.name, owner, domain: options.domain, schemas, ...(resource ? { resource } : {}) };
    this.databases.set(options.name, declared);
    this.renderDatabases();
    return declared;
  }

  /**
   * A login role (`login: true`, no other privilege attribute). Its password is a Secret
   * reference (see AddUserOptions.passwordSecret); no password ever appears in code or state.
   * Returns the role name.
   */
  addUser(options: AddUserOptions): string {
    this.refuseOnReplica('addUser');
    const role = this.roles.addUser(options);
    if (options.passwordSecret !== undefined) {
      // Supplied from outside the estate: a prerequisite, with who provides it.
      declarePrerequisite(this.resource.manifest, {
        kind: 'secret',
        name: options.passwordSecret,
        namespace: this.namespace,
        providedBy: 'secret-management',
        purpose: `The password of Postgres role ${role} on cluster ${this.name}, which CloudNativePG sets from this Secret (a basic-auth Secret).`,
        keys: ['username', 'password'],
        rotation: 'Rotated by whoever supplies it, replaced in place; the cnpg.io/reload label makes CloudNativePG apply it at once.',
      });
    } else {
      // Generated once and kept in OpenBao; CloudNativePG reads the basic-auth Secret and applies a change at once (cnpg.io/reload).
      new GeneratedSecret(this, `password-${role}`, {
        secret: SecretRef.of({ name: this.roles.passwordSecretOf(role)!, namespace: this.namespace, keys: ['username', 'password'] }),
        remoteKey: postgresRoleKey(ClusterContext.of(this).cluster, this.name, role),
        type: 'kubernetes.io/basic-auth',
        labels: { 'cnpg.io/reload': 'true' },
        valueKey: 'password',
        plain: { username: role },
      });
    }
    return role;
  }

  /**
   * The NOLOGIN role that reads a domain's data (`<domain>_read`), or only one schema of it
   * (`<database>_<schema>_read`), created once. The domain's schema migrations grant it USAGE
   * and SELECT (CloudNativePG manages role membership, not table privileges). Returns its name.
   */
  addReadRole(domain: string, schema?: SchemaRef): string {
    this.refuseOnReplica('addReadRole');
    return this.roles.addReadRole(domain, schema);
  }

  /**
   * Lets `consumerRole` (a login role of this cluster) read `domain`'s data, or one schema of
   * it, by making it a member of the read role. The agreements it derives from are marked on
   * the Cluster resource and in the consumer's role comment. Returns the read role's name.
   */
  grantRead(consumerRole: string, domain: string, options: GrantReadOptions = {}): string {
    this.refuseOnReplica('grantRead');
    const readRole = this.roles.grantRead(consumerRole, domain, options);
    const agreements = this.roles.agreements;
    if (agreements.length > 0) markSharing(this.resource.manifest, agreements);
    return readRole;
  }

  /** The names of the managed roles, sorted. */
  get roleNames(): string[] {
    return this.roles.names;
  }

  private refuseOnReplica(what: string): void {
    if (this.replica) {
      throw new ConstructPropsError(
        this.node.path,
        what,
        `cluster "${this.name}" is a replica cluster: it is read-only and receives roles and databases from its origin through WAL; declare them on the origin`,
        what,
      );
    }
  }

  /**
   * Records the declared databases on the Cluster, sorted (annotation `moit.gov.vn/databases`,
   * JSON), with how they are created (`moit.gov.vn/database-management`).
   */
  private renderDatabases(): void {
    const list = [...this.databases.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => ({ name: d.name, owner: d.owner, domain: d.domain, schemas: d.schemas }));
    this.metadata.annotations = { 'moit.gov.vn/databases': JSON.stringify(list), 'moit.gov.vn/database-management': this.databaseManagement };
  }
}

/**
 * The Postgres instances of a cluster as a network peer, serving 5432: `cnpg.io/cluster` and
 * `cnpg.io/podRole: instance`, because `cnpg.io/cluster` alone also selects the cluster's
 * PgBouncer pods (which have their own peer and flows). Other constructs that must name them
 * before the cluster exists (the backup bucket's grant) use this, so the flows merge with the
 * cluster's own.
 */
export function postgresPeer(cluster: string, namespace: string, zone: ZoneName): WorkloadPeer {
  return Peer.workload({
    name: `postgres-${cluster}`,
    namespace,
    zone,
    selector: { [CNPG_LABELS.cluster]: cluster, [CNPG_LABELS.podRole]: INSTANCE_POD_ROLE },
    ports: [Port.tcp(POSTGRES_PORT)],
  });
}

/** The pods of one kind of job CloudNativePG runs for a cluster (they carry no podRole). */
export function postgresJobPeer(cluster: string, namespace: string, zone: ZoneName, role: CnpgJobRole): WorkloadPeer {
  return Peer.workload({ name: `postgres-${cluster}-${role}`, namespace, zone, selector: { [CNPG_LABELS.cluster]: cluster, [CNPG_LABELS.jobRole]: role } });
}

/** The pg_hba lines every cluster gets: TLS with SCRAM, and nothing else over TCP. */
export const TLS_ONLY_HBA: readonly string[] = [
  'hostssl all all 0.0.0.0/0 scram-sha-256',
  'hostssl all all ::/0 scram-sha-256',
  'host all all 0.0.0.0/0 reject',
  'host all all ::/0 reject',
];

function sourceOf(source: PostgresCluster | RecoverySource): RecoverySource {
  return source instanceof PostgresCluster ? source.recoverySource() : source;
}

function defaultDurability(envClass: EnvironmentClass, instances: number): SynchronousDurability {
  if (envClass === 'production' || envClass === 'recovery') return 'required';
  return instances > 1 ? 'preferred' : 'off';
}

function bootstrapSpec(bootstrap: PostgresBootstrap, origin: string): Record<string, unknown> {
  switch (bootstrap.kind) {
    case 'initdb':
      return { initdb: { database: 'app', owner: 'app', dataChecksums: true, encoding: 'UTF8' } };
    case 'recovery':
      return { recovery: { source: origin, ...(bootstrap.targetTime ? { recoveryTarget: { targetTime: bootstrap.targetTime } } : {}) } };
    case 'replica':
      return { recovery: { source: origin } };
  }
}


function validate(
  props: PostgresClusterProps,
  d: {
    namespace: string;
    instances: number;
    durability: SynchronousDurability;
    bootstrap: PostgresBootstrap;
    backup: PostgresBackupPolicy & { retention: string; schedule: string };
    envClass: EnvironmentClass;
    zone: () => string;
  },
): Problem[] {
  const problems: Problem[] = [];
  const check = (field: string, message: string | undefined, value: unknown) => message && problems.push([field, message, value]);
  check('name', checkClusterName(props.name), props.name);
  let zone: string | undefined;
  try {
    zone = d.zone();
  } catch (e) {
    check('namespace', (e as Error).message, d.namespace);
  }
  if (zone !== undefined && zone !== 'data') check('namespace', `must be a namespace of the data zone (it is in "${zone}"): Postgres holds data`, d.namespace);
  if (!Number.isInteger(d.instances) || d.instances < 1 || d.instances > 9) check('instances', 'must be a whole number from 1 to 9', d.instances);
  else if (d.envClass !== 'development' && d.instances < 3) {
    check('instances', `must be >= 3 outside development (class "${d.envClass}"): a primary and two standbys, so losing a node loses no committed transaction and keeps a synchronous standby`, d.instances);
  }
  if ((d.envClass === 'production' || d.envClass === 'recovery') && d.durability !== 'required') {
    check('durability', `must be "required" in class "${d.envClass}": a commit waits for a standby, so a node loss loses no committed transaction`, d.durability);
  }
  // Only when chosen: a defaulted durability with too few instances is already the instances problem.
  if (props.durability !== undefined && d.durability !== 'off' && Number.isInteger(d.instances) && d.instances < 2) {
    check('durability', 'needs at least 2 instances (a standby to wait for); use "off" with one instance', d.durability);
  }
  if (d.durability === 'required' && Number.isInteger(d.instances) && d.instances === 2) {
    check('instances', 'must be >= 3 with durability "required": with 2, losing the standby stops all writes', d.instances);
  }
  if (props.image !== undefined) check('image', checkImage(props.image), props.image);
  check('storage.size', checkStorageSize(props.storage.size), props.storage.size);
  check('storage.walSize', checkStorageSize(props.storage.walSize), props.storage.walSize);
  check('resources.cpu', checkCpu(props.resources.cpu), props.resources.cpu);
  check('resources.memory', checkMemory(props.resources.memory), props.resources.memory);
  for (const key of Object.keys(props.parameters ?? {})) check(`parameters.${key}`, checkParameterName(key), props.parameters![key]);
  check('backup.retention', checkRetention(d.backup.retention), d.backup.retention);
  check('backup.schedule', checkSixFieldCron(d.backup.schedule), d.backup.schedule);
  for (const p of destinationProblems(d.backup.destination, 'backup.destination')) problems.push(p);
  if (d.bootstrap.kind !== 'initdb') {
    const source = d.bootstrap.source;
    for (const p of destinationProblems(source.destination, 'bootstrap.source.destination')) problems.push(p);
    check('bootstrap.source.serverName', checkClusterName(source.serverName), source.serverName);
    const own = d.backup.destination;
    const sameStore = own.bucket === source.destination.bucket && own.endpointUrl === source.destination.endpointUrl && (own.path ?? '') === (source.destination.path ?? '');
    if (sameStore && source.serverName === props.name) {
      check('backup.destination', `is where the origin "${source.serverName}" archives: the new cluster would write its WAL over its origin's; give it its own bucket or another name`, own.bucket);
    }
    if (d.bootstrap.kind === 'recovery' && d.bootstrap.targetTime !== undefined) check('bootstrap.targetTime', checkRecoveryTime(d.bootstrap.targetTime), d.bootstrap.targetTime);
  }
  return problems;
}
