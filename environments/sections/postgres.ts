/**
 * The `postgres` section of an environment file: the CloudNativePG clusters of each workload
 * cluster (constructs/postgres). Field checks use the same functions as the construct, so the
 * environment file and a programmatic user get the same rules; cross-field checks (HA
 * minimums per environment class, references to workload clusters) are in
 * {@link checkPostgres}, which the environment schema's superRefine calls.
 */
import { ipv4CidrSchema } from '../../lib/net';
import { z } from 'zod';
import {
  checkClusterName,
  checkCpu,
  checkHttpsEndpoint,
  checkImage,
  checkMemory,
  checkObjectName,
  checkParameterName,
  checkRetention,
  checkSecretName,
  checkStorageSize,
} from '../../policy/postgres/validation';
import { checkSixFieldCron } from '../../lib/cron';

/** A zod string checked by one of the shared validators (its message says what is allowed). */
const checked = (check: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const message = check(value);
    if (message) ctx.addIssue({ code: 'custom', message, input: value });
  });

const cidr = ipv4CidrSchema('10.10.8.0/24').refine((c) => !c.endsWith('/0'), { message: 'must name the other site\'s address block, not the whole Internet' });

/**
 * A replica cluster that follows a cluster of another environment (the recovery site follows
 * prod). It reads only the origin's backup bucket (base backups and WAL) over https at the
 * primary site; no Postgres connection crosses sites.
 */
const replicaOf = z.strictObject({
  /** The environment of the origin, e.g. "prod". */
  environment: checked((v) => checkObjectName(v, 40)),
  /** The origin's workload cluster, e.g. "core". */
  cluster: checked((v) => checkObjectName(v, 40)),
  /** The origin Postgres cluster's name (the name its backups are archived under). */
  postgres: checked(checkClusterName),
  /** The S3 endpoint of the origin's object store, as reachable from this site. */
  endpointUrl: checked(checkHttpsEndpoint),
  /** The address block of that endpoint: the only place this cluster may reach outside its own. */
  cidr,
  /** @default 443 */
  port: z.number().int().min(1).max(65535).default(443),
  /**
   * The Secret (in the postgres namespace) with read-only keys to the origin's bucket, keys
   * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Supplied by the secret-management process.
   */
  credentialsSecret: checked(checkSecretName),
  /** The Secret and key with the CA that signed the origin endpoint's certificate. */
  ca: z.strictObject({ secretName: checked(checkSecretName), key: z.string().min(1).default('ca.crt') }),
  /**
   * Disaster declared: stop following the origin and accept writes. Set it only by the DR
   * runbook, once the primary site is known to be lost or fenced. @default false
   */
  promote: z.boolean().default(false),
});

const postgresCluster = z.strictObject({
  /** The CloudNativePG Cluster name (at most 30 characters; names of its objects derive from it). */
  name: checked(checkClusterName),
  /** The workload cluster it runs on (a `clusters[].name`). */
  cluster: z.string().min(1),
  /** Instances, each on its own host; 3 or more outside development. */
  instances: z.number().int().min(1).max(9),
  /** The PostgreSQL image, pinned by tag or digest. @default DEFAULT_POSTGRES_IMAGE */
  image: checked(checkImage).optional(),
  storage: z.strictObject({
    /** Data volume per instance, e.g. "200Gi". */
    size: checked(checkStorageSize),
    /** WAL volume per instance (its own disk), e.g. "50Gi". */
    walSize: checked(checkStorageSize),
  }),
  /** Per instance, requested and limited. */
  resources: z.strictObject({ cpu: checked(checkCpu), memory: checked(checkMemory) }),
  /** Extra postgresql.conf parameters; security ones are fixed. @default {} */
  parameters: z
    .record(z.string(), z.string())
    .superRefine((params, ctx) => {
      for (const key of Object.keys(params)) {
        const message = checkParameterName(key);
        if (message) ctx.addIssue({ code: 'custom', path: [key], message, input: params[key] });
      }
    })
    .default({}),
  /** A PgBouncer pooler in front of the primary. @default { enabled: false } */
  pooler: z
    .strictObject({
      enabled: z.boolean(),
      /** PgBouncer pods; 2 or more outside development. @default 2 */
      instances: z.number().int().min(1).max(9).default(2),
      /** @default "transaction" */
      poolMode: z.enum(['session', 'transaction']).default('transaction'),
    })
    .default({ enabled: false, instances: 2, poolMode: 'transaction' }),
  /** Backups (issue 9 sets tiers). WAL is archived continuously; base backups on the schedule. */
  backup: z
    .strictObject({
      /** How long backups are kept: "30d", "6w", "3m". @default "30d" */
      retention: checked(checkRetention).default('30d'),
      /** Six-field cron, seconds first. @default "0 0 2 * * *" (02:00 daily) */
      schedule: checked(checkSixFieldCron).default('0 0 2 * * *'),
    })
    .default({ retention: '30d', schedule: '0 0 2 * * *' }),
  /** Makes this a replica cluster of another environment's cluster (the recovery site). @default none */
  replicaOf: replicaOf.optional(),
  /**
   * Other sites that read this cluster's backups (a recovery site's replica cluster). Each gets
   * read-only keys to the backup bucket (a Secret here, which the secret-management process
   * carries to that site) and its address block may reach the S3 gateways on 443. @default []
   */
  readableBy: z
    .array(
      z.strictObject({
        /** The reading environment, e.g. "dr". */
        environment: checked((v) => checkObjectName(v, 20)),
        /**
         * The one address the reading site's traffic arrives from at this site's S3 gateways
         * (its cross-site egress address), as a /32: it becomes an ingress rule of the object
         * store, which must admit that endpoint and not the reading site's whole node range.
         */
        cidr: cidr.refine((c) => c.endsWith('/32'), {
          message: 'must be the single address the reading site\'s traffic arrives from (its cross-site egress address), written as a /32 such as "10.40.8.2/32"; a wider block admits every node of that site',
        }),
      }),
    )
    .default([]),
});

/** The postgres clusters of an environment. @default [] */
export const postgresSection = z.array(postgresCluster).default([]);

export type PostgresSectionInput = z.input<typeof postgresSection>;
export type PostgresClusterConfig = z.output<typeof postgresCluster>;
export type PostgresReplicaOfConfig = z.output<typeof replicaOf>;

/** The environment fields the cross-field checks read (structural, to avoid an import cycle). */
interface EnvironmentView {
  readonly name: string;
  readonly class: string;
  readonly clusters: ReadonlyArray<{ readonly name: string }>;
  readonly postgres: readonly PostgresClusterConfig[];
}

type Report = (path: (string | number)[], message: string, input: unknown) => void;

/**
 * Cross-field checks: each cluster names a workload cluster of the environment, names are
 * unique per workload cluster, HA minimums hold outside development (3 instances, 2 poolers),
 * and a replica cluster follows another environment.
 */
export function checkPostgres(env: EnvironmentView, report: Report): void {
  const cls = env.class;
  const known = env.clusters.map((c) => c.name);
  const seen = new Set<string>();
  env.postgres.forEach((pg, i) => {
    const at = (...path: (string | number)[]) => ['postgres', i, ...path];
    if (!known.includes(pg.cluster)) report(at('cluster'), `must name a cluster of this environment; declared: ${known.join(', ')}`, pg.cluster);
    const key = `${pg.cluster}/${pg.name}`;
    if (seen.has(key)) report(at('name'), `duplicate Postgres cluster name on cluster "${pg.cluster}"`, pg.name);
    seen.add(key);
    if (cls !== 'development' && pg.instances < 3) {
      report(at('instances'), `must be >= 3 outside development (class "${cls}"): a primary and two standbys, so a node loss loses no committed transaction`, pg.instances);
    }
    if (cls !== 'development' && pg.pooler.enabled && pg.pooler.instances < 2) {
      report(at('pooler', 'instances'), `must be >= 2 outside development (class "${cls}"), so losing a node keeps the pooler up`, pg.pooler.instances);
    }
    pg.readableBy.forEach((r, ri) => {
      if (r.environment === env.name) report(at('readableBy', ri, 'environment'), 'must be another environment: this one writes the bucket', r.environment);
    });
    if (pg.replicaOf && pg.replicaOf.environment === env.name) {
      report(at('replicaOf', 'environment'), 'must be another environment: a replica cluster follows a cluster of the primary site', pg.replicaOf.environment);
    }
  });
}
