import { Construct } from 'constructs';
import { retain } from '../../lib/markers';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { databaseObjectName } from './names';

/** The CRD file of the Database kind, as it would be named under ../shared/crds/cloudnative-pg/v1.30.0. */
export const DATABASE_CRD_FILE = 'databases.postgresql.cnpg.io.yaml';

export interface PostgresDatabaseProps {
  /** The CloudNativePG Cluster that hosts it. */
  readonly cluster: string;
  readonly namespace: string;
  /** The database name inside PostgreSQL (a SQL identifier). */
  readonly name: string;
  /** The role that owns the database and its schemas. */
  readonly owner: string;
  /** The data domain it belongs to (label `moit.gov.vn/domain`). */
  readonly domain: string;
  /** Schemas created in it, owned by `owner`. @default [] */
  readonly schemas?: readonly string[];
}

/**
 * A database declared with CloudNativePG's `Database` resource (postgresql.cnpg.io/v1). Its
 * reclaim policy is `retain`, so deleting the resource never drops the database, and the
 * resource itself is retained (`prevent_destroy`) outside ephemeral environments.
 *
 * Its CRD (`databases.postgresql.cnpg.io.yaml`, upstream `config/crd/bases/postgresql.cnpg.io_databases.yaml`
 * at tag v1.30.0) is pinned in lib/versions.ts, so PostgresCluster uses it by default
 * (see DatabaseManagement). The fields written here are `cluster`,
 * `name`, `owner`, `ensure`, `databaseReclaimPolicy` and `schemas[] {name, owner, ensure}`.
 */
export class PostgresDatabase extends CustomResource {
  readonly databaseName: string;
  readonly owner: string;
  readonly domain: string;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id, {
      object: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Database',
        metadata: {
          name: databaseObjectName(props.cluster, props.name),
          namespace: props.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', 'moit.gov.vn/domain': props.domain },
        },
        spec: {
          cluster: { name: props.cluster },
          name: props.name,
          owner: props.owner,
          ensure: 'present',
          databaseReclaimPolicy: 'retain',
          ...(props.schemas && props.schemas.length > 0 ? { schemas: props.schemas.map((s) => ({ name: s, owner: props.owner, ensure: 'present' })) } : {}),
        },
      },
    });
    this.databaseName = props.name;
    this.owner = props.owner;
    this.domain = props.domain;
    retain(this.manifest, 'postgres', ClusterContext.of(this).ephemeral);
  }
}
