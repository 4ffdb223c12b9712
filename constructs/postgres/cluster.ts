import { Construct } from 'constructs';
import type { EnvironmentClass, ZoneName } from '../../environments/schema';
import { ConstructPropsError } from '../../lib/errors';
import { declarePrerequisite, markSharing, retain } from '../../lib/markers';
import { OPERATORS, type CrdFileSource } from '../../lib/versions';
import { NS, STORAGE_CLASSES } from '../../policy/layout';
import { InternalCaIssuer } from '../cert-manager';
import { CustomResource } from '../k8s-object';
import { dependOn } from './depend';
import { Peer, type WorkloadPeer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Connections, IConnectable, Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { ClusterContext } from '../context';
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
  clusterNames,
  INSTANCE_STATUS_PORT,
  ownerRoleOf,
  POSTGRES_PORT,
  readRoleOf,
  roleSecretName,
  type SchemaRef,
} from './names';
import { cnpgOperatorPeer } from './operator';
import { PostgresPooler, PostgresPoolerOptions } from './pooler';
import { ServerCertificate } from './tls';
import {
  checkClusterName,
  checkCpu,
  checkImage,
  checkMemory,
  checkParameterName,
  checkRecoveryTime,
  checkRetention,
  checkSixFieldCron,
  checkSqlIdentifier,
  checkStorageSize,
} from '../../policy/postgres/validation';

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

export interface AddUserOptions {
  /** The role name, a SQL identifier. */
  readonly name: string;
  /** The data domain it acts for, recorded in its comment. */
  readonly domain?: string;
  /** @default "login role" (plus the domain) */
  readonly comment?: string;
  /** @default -1 (no limit) */
  readonly connectionLimit?: number;
  /**
   * The kubernetes.io/basic-auth Secret (username, password) in the cluster's namespace that
   * holds its password. It is created in-cluster by the secret-management process, never by
   * Terraform; until it exists the operator leaves the role without a password, so nobody can
   * log in with it.
   * @default `<cluster>-<role>-credentials`
   */
  readonly passwordSecret?: string;
}

export interface GrantReadOptions {
  /** The sharing agreements this access derives from; they are marked on the Cluster for the audit. @default [] */
  readonly agreements?: readonly string[];
  /** Only this schema of the domain (its read role is `<database>_<schema>_read`). @default the whole domain */
  readonly schema?: SchemaRef;
}

/** A role in `spec.managed.roles`, before rendering. */
interface RoleState {
  readonly name: string;
  readonly login: boolean;
  /** Only a domain owner in `owner-creates` mode, to create its declared databases. */
  createdb?: boolean;
  readonly comment: string;
  readonly passwordSecret?: string;
  readonly connectionLimit?: number;
  readonly inRoles: Map<string, Set<string>>;
}

type Problem = [field: string, message: string, received: unknown];

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
  private readonly roles = new Map<string, RoleState>();
  private readonly agreements = new Set<string>();

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
      declarePrerequisite(this.originStore.manifest, {
        kind: 'secret',
        name: source.destination.credentials.secretName,
        namespace,
        providedBy: 'peer-site',
        purpose: `Read-only S3 credentials for the origin's backup bucket ${source.destination.bucket}, issued by the origin site, so this replica cluster can follow it.`,
        keys: [source.destination.credentials.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID', source.destination.credentials.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY'],
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
    dependOn(this.resource, this.certificate, this.backupStore, ...(this.originStore ? [this.originStore] : []));
    retain(this.resource.manifest, 'postgres', ephemeral);

    this.scheduledBackup = new PostgresScheduledBackup(this, 'scheduled-backup', {
      name: names.scheduledBackup,
      namespace,
      cluster: props.name,
      schedule: backup.schedule,
      target: backup.target,
    });
    dependOn(this.scheduledBackup, this.resource);

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

    if (props.pooler) {
      this.pooler = new PostgresPooler(this, 'pooler', {
        ...props.pooler,
        cluster: props.name,
        namespace,
        postgres: this,
        serverCaSecret: names.serverTls,
        issuerName: props.issuerName,
      });
      dependOn(this.pooler.resource, this.resource);
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
    const ownerRole = this.roles.get(owner)!;
    if (!ownerRole.login) throw new ConstructPropsError(`${this.node.path}.addDatabase`, 'owner', `must be a login role; "${owner}" is a NOLOGIN read role`, owner);
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
      dependOn(resource, this.resource);
    } else {
      ownerRole.createdb = true;
      this.renderRoles();
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
    const problems: Problem[] = [];
    const check = (field: string, message: string | undefined, value: unknown) => message && problems.push([field, message, value]);
    check('name', checkSqlIdentifier(options.name, 'role'), options.name);
    if (options.domain !== undefined) check('domain', domainProblem(options.domain), options.domain);
    if (options.connectionLimit !== undefined && (!Number.isInteger(options.connectionLimit) || options.connectionLimit < -1)) {
      check('connectionLimit', 'must be a whole number >= -1 (-1 means no limit)', options.connectionLimit);
    }
    if (this.roles.has(options.name)) check('name', `role "${options.name}" is already declared on cluster "${this.name}"`, options.name);
    if (problems.length > 0) throw propsError(`${this.node.path}.addUser`, problems);
    this.roles.set(options.name, {
      name: options.name,
      login: true,
      comment: options.comment ?? `login role${options.domain ? ` of domain ${options.domain}` : ''}`,
      passwordSecret: options.passwordSecret ?? roleSecretName(this.name, options.name),
      connectionLimit: options.connectionLimit,
      inRoles: new Map(),
    });
    this.renderRoles();
    return options.name;
  }

  /**
   * The NOLOGIN role that reads a domain's data (`<domain>_read`), or only one schema of it
   * (`<database>_<schema>_read`), created once. The domain's schema migrations grant it USAGE
   * and SELECT (CloudNativePG manages role membership, not table privileges). Returns its name.
   */
  addReadRole(domain: string, schema?: SchemaRef): string {
    this.refuseOnReplica('addReadRole');
    const problems: Problem[] = [];
    const check = (field: string, message: string | undefined, value: unknown) => message && problems.push([field, message, value]);
    check('domain', domainProblem(domain), domain);
    if (schema) {
      check('schema.database', checkSqlIdentifier(schema.database, 'database'), schema.database);
      check('schema.schema', checkSqlIdentifier(schema.schema, 'schema'), schema.schema);
      const known = this.databases.get(schema.database);
      if (!problems.length && known && known.domain !== domain) check('schema.database', `belongs to domain "${known.domain}", not "${domain}"`, schema.database);
    }
    const name = readRoleOf(domain, schema);
    if (!problems.length) check(schema ? 'schema' : 'domain', checkSqlIdentifier(name, 'role'), name);
    if (problems.length > 0) throw propsError(`${this.node.path}.addReadRole`, problems);
    const existing = this.roles.get(name);
    if (existing?.login) throw new ConstructPropsError(`${this.node.path}.addReadRole`, 'domain', `would create read role "${name}", but a login role has that name`, domain);
    if (!existing) {
      const what = schema ? `schema ${schema.schema} of database ${schema.database} (domain ${domain})` : `the data of domain ${domain}`;
      this.roles.set(name, { name, login: false, comment: `read access to ${what}; granted only by sharing agreements`, inRoles: new Map() });
      this.renderRoles();
    }
    return name;
  }

  /**
   * Lets `consumerRole` (a login role of this cluster) read `domain`'s data, or one schema of
   * it, by making it a member of the read role. The agreements it derives from are marked on
   * the Cluster resource and in the consumer's role comment. Returns the read role's name.
   */
  grantRead(consumerRole: string, domain: string, options: GrantReadOptions = {}): string {
    this.refuseOnReplica('grantRead');
    const consumer = this.roles.get(consumerRole);
    if (!consumer || !consumer.login) {
      const known = [...this.roles.values()].filter((r) => r.login).map((r) => r.name);
      throw new ConstructPropsError(
        `${this.node.path}.grantRead`,
        'consumerRole',
        `must be a login role declared on cluster "${this.name}" (addUser or addDatabase); known: ${known.length > 0 ? known.join(', ') : 'none'}`,
        consumerRole,
      );
    }
    for (const id of options.agreements ?? []) {
      if (!/^SA-\d{4}-\d{3}$/.test(id)) throw new ConstructPropsError(`${this.node.path}.grantRead`, 'agreements', 'each must be a sharing agreement reference like "SA-2026-004"', id);
    }
    const readRole = this.addReadRole(domain, options.schema);
    if (readRole === consumerRole) throw new ConstructPropsError(`${this.node.path}.grantRead`, 'consumerRole', 'a read role cannot be granted to itself', consumerRole);
    const because = consumer.inRoles.get(readRole) ?? new Set<string>();
    for (const id of options.agreements ?? []) because.add(id);
    consumer.inRoles.set(readRole, because);
    for (const id of options.agreements ?? []) this.agreements.add(id);
    if (this.agreements.size > 0) markSharing(this.resource.manifest, [...this.agreements]);
    this.renderRoles();
    return readRole;
  }

  /** The names of the managed roles, sorted. */
  get roleNames(): string[] {
    return [...this.roles.keys()].sort();
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

  /** Writes the managed roles into the Cluster spec, sorted, so the output is stable. */
  private renderRoles(): void {
    const roles = [...this.roles.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => {
        const memberships = [...r.inRoles.keys()].sort();
        const reasons = memberships.flatMap((m) => [...r.inRoles.get(m)!].sort().map((id) => `${m} (${id})`));
        return {
          name: r.name,
          ensure: 'present',
          comment: reasons.length > 0 ? `${r.comment}; grants: ${reasons.join(', ')}` : r.comment,
          login: r.login,
          superuser: false,
          createdb: r.createdb ?? false,
          createrole: false,
          replication: false,
          bypassrls: false,
          inherit: true,
          ...(r.connectionLimit !== undefined ? { connectionLimit: r.connectionLimit } : {}),
          ...(r.login ? { passwordSecret: { name: r.passwordSecret! } } : { disablePassword: true }),
          ...(memberships.length > 0 ? { inRoles: memberships } : {}),
        };
      });
    this.spec.managed = { roles };
    for (const r of this.roles.values()) {
      if (!r.login) continue;
      declarePrerequisite(this.resource.manifest, {
        kind: 'secret',
        name: r.passwordSecret!,
        namespace: this.namespace,
        providedBy: 'secret-management',
        purpose: `The password of Postgres role ${r.name} on cluster ${this.name}, which CloudNativePG sets from this Secret (a basic-auth Secret).`,
        keys: ['username', 'password'],
      });
    }
  }
}

/**
 * The pods of a Postgres cluster (instances and their bootstrap and join jobs) as a network
 * peer, serving 5432. Other constructs that must name them before the cluster exists (the
 * backup bucket's grant) use this, so the flows merge with the cluster's own.
 */
export function postgresPeer(cluster: string, namespace: string, zone: ZoneName): WorkloadPeer {
  return Peer.workload({ name: `postgres-${cluster}`, namespace, zone, selector: { [CNPG_LABELS.cluster]: cluster }, ports: [Port.tcp(POSTGRES_PORT)] });
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

function domainProblem(domain: string): string | undefined {
  return /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(domain) && domain.length <= 40
    ? undefined
    : 'must be a data domain name: a lower-case DNS label of at most 40 characters, such as "energy-statistics"';
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

/** One error for every problem of a construct's props (the first names the field). */
function propsError(path: string, problems: readonly Problem[]): ConstructPropsError {
  const [field, message, received] = problems[0]!;
  const error = new ConstructPropsError(path, field, message, received);
  if (problems.length > 1) {
    error.message = `${problems.length} problems:\n${problems.map(([f, m, r]) => `  - ${new ConstructPropsError(path, f, m, r).message}`).join('\n')}`;
  }
  return error;
}
