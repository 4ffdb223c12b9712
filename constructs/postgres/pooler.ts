import { Construct } from 'constructs';
import { ConstructPropsError } from '../../lib/errors';
import { dependOn } from '../../lib/tf';
import { CustomResource } from '../k8s-object';
import { Peer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Connections, IConnectable, Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { ClusterContext } from '../context';
import { CNPG_LABELS, POSTGRES_PORT, poolerNames } from './names';
import { ServerCertificate } from './tls';

export type PoolMode = 'session' | 'transaction';

export interface PostgresPoolerOptions {
  /** PgBouncer pods, spread over distinct hosts. @default 2, or 1 in development */
  readonly instances?: number;
  /** @default "transaction" */
  readonly poolMode?: PoolMode;
  /** Which service of the cluster it fronts. @default "rw" (the primary) */
  readonly type?: 'rw' | 'ro' | 'r';
  /** Extra PgBouncer parameters (max_client_conn, default_pool_size ...). TLS ones are fixed. @default {} */
  readonly parameters?: Record<string, string>;
  /** Resources of each PgBouncer container. @default 100m CPU, 128Mi requested, 256Mi limit */
  readonly resources?: { readonly cpu: string; readonly memory: string; readonly memoryLimit?: string };
}

export interface PostgresPoolerProps extends PostgresPoolerOptions {
  /** The CloudNativePG Cluster it pools. */
  readonly cluster: string;
  readonly namespace: string;
  /** The Postgres pods it connects to (the cluster's connections). */
  readonly postgres: IConnectable;
  /** The Secret with the cluster's server certificate; its `ca.crt` verifies Postgres. */
  readonly serverCaSecret: string;
  /** @default "dc-internal-ca" */
  readonly issuerName?: string;
}

/** PgBouncer parameters that keep its two legs on TLS; they cannot be overridden. */
const TLS_PARAMETERS = {
  // Clients must use TLS (CloudNativePG's default is "prefer").
  client_tls_sslmode: 'require',
  // PgBouncer verifies Postgres' certificate and name (the cluster certificate carries the
  // `<cluster>-rw|ro|r` names PgBouncer connects to).
  server_tls_sslmode: 'verify-full',
} as const;

/**
 * A PgBouncer `Pooler` in front of a cluster, with its own certificate from the internal CA
 * (`pgbouncer.clientTLSSecret`), TLS required from clients and verified towards Postgres, and
 * a PgBouncer hba that admits only TLS connections with SCRAM (its built-in fallback line
 * would accept md5 over any transport). Pods spread across hosts on the data zone's nodes.
 */
export class PostgresPooler extends Construct implements IConnectable {
  readonly name: string;
  readonly resource: CustomResource;
  readonly certificate: ServerCertificate;
  /** Clients reach the pooler on 5432 only through flows declared here. */
  readonly connections: Connections;

  constructor(scope: Construct, id: string, props: PostgresPoolerProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const development = stack.environment.class === 'development';
    const type = props.type ?? 'rw';
    const instances = props.instances ?? (development ? 1 : 2);
    if (!Number.isInteger(instances) || instances < 1) {
      throw new ConstructPropsError(this.node.path, 'instances', 'must be a whole number >= 1', instances);
    }
    if (!development && instances < 2) {
      throw new ConstructPropsError(this.node.path, 'instances', `must be >= 2 outside development (class "${stack.environment.class}"), so losing a node keeps the pooler up`, instances);
    }
    for (const key of Object.keys(props.parameters ?? {})) {
      if (key in TLS_PARAMETERS || key.includes('tls') || key === 'auth_type') {
        throw new ConstructPropsError(this.node.path, `parameters.${key}`, 'is fixed so that both legs of PgBouncer use TLS; remove it', props.parameters![key]);
      }
    }
    const names = poolerNames(props.cluster, props.namespace, type);
    this.name = names.name;
    const placement = placementFor(this, 'data');
    const podLabels = { [CNPG_LABELS.pooler]: names.name };
    const res = props.resources ?? { cpu: '100m', memory: '128Mi', memoryLimit: '256Mi' };

    this.certificate = new ServerCertificate(this, 'tls', {
      name: names.tls,
      namespace: props.namespace,
      dnsNames: names.dnsNames,
      issuerName: props.issuerName,
    });

    this.resource = new CustomResource(this, 'pooler', {
      object: {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Pooler',
        metadata: { name: names.name, namespace: props.namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          cluster: { name: props.cluster },
          instances,
          type,
          pgbouncer: {
            poolMode: props.poolMode ?? 'transaction',
            clientTLSSecret: { name: names.tls },
            serverCASecret: { name: props.serverCaSecret },
            parameters: { ...props.parameters, ...TLS_PARAMETERS },
            pg_hba: ['hostssl all all 0.0.0.0/0 scram-sha-256', 'hostssl all all ::/0 scram-sha-256', 'host all all 0.0.0.0/0 reject', 'host all all ::/0 reject'],
          },
          template: {
            metadata: { labels: { ...podLabels } },
            spec: {
              containers: [
                {
                  name: 'pgbouncer',
                  resources: { requests: { cpu: res.cpu, memory: res.memory }, limits: { memory: res.memoryLimit ?? res.memory } },
                },
              ],
              ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
              ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
              affinity: {
                podAntiAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...podLabels } }, topologyKey: 'kubernetes.io/hostname' }],
                },
              },
            },
          },
        },
      },
    });
    dependOn(this.resource.manifest, this.certificate.manifest);

    const peer = Peer.workload({ name: `pgbouncer-${names.name}`, namespace: props.namespace, zone: stack.zoneOf(props.namespace), selector: podLabels, ports: [Port.tcp(POSTGRES_PORT)] });
    this.connections = new Connections(this, peer);
    // PgBouncer opens its server connections to the cluster's pods.
    this.connections.allowTo(props.postgres, { ports: [Port.tcp(POSTGRES_PORT)], description: 'PgBouncer connects to Postgres over TLS' });
    // Its instance manager reads the Pooler and the cluster's Secrets from the API server.
    Segmentation.of(this).allow(peer, apiServerPeer(this), {
      ports: API_SERVER_PORTS,
      description: 'PgBouncer instance manager reads its Pooler and Secrets',
      declaredBy: this,
    });
  }
}
