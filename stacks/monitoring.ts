/**
 * What a workload cluster's alerts are compiled from: the backup records of its platform and
 * services stacks (the same records `npm run backups` reads), its Postgres and Kafka clusters,
 * and its data domains. Deciding what to watch is the stack's job; compiling and checking the
 * rules is policy/monitoring/alerts.ts, declaring them constructs/monitoring/alert-rules.ts.
 */
import { preparedBackupRecord, resolveBackupTier, serviceOf, type BackupStackView } from '../constructs/backup/coverage';
import type { KafkaCluster } from '../constructs/kafka';
import type { PostgresCluster } from '../constructs/postgres/cluster';
import { DOMAIN_LABEL, NS } from '../policy/layout';
import type { BackupRecord } from '../policy/backup/record';
import { resolveTiers } from '../policy/backup/tiers';
import type { MonitoringInput } from '../policy/monitoring/alerts';
import type { EnvironmentStack } from './base';

export interface MonitoredCluster {
  readonly stack: EnvironmentStack;
  /** The other stacks of the cluster whose services are watched here (its platform stack). */
  readonly siblings: readonly EnvironmentStack[];
  readonly postgres: ReadonlyMap<string, PostgresCluster>;
  readonly kafka: ReadonlyMap<string, KafkaCluster>;
  readonly record?: BackupRecord;
  /** The management cluster's stack that declares this cluster (Cluster API), if any. */
  readonly management?: EnvironmentStack;
}

/** The services of a management stack's record that are the cluster itself (`<mgmt>/<ns>/<cluster>[-...]`). */
function clusterServicesOf(record: BackupRecord | undefined, cluster: string): string[] {
  return (record?.services ?? []).map((s) => s.service).filter((id) => {
    const name = id.split('/')[2] ?? '';
    return name === cluster || name === `${cluster}-control-plane`;
  });
}

/** The input of a workload cluster's alerts, once its stacks' backups are prepared. */
export function monitoringInput(c: MonitoredCluster): MonitoringInput {
  const { stack } = c;
  const env = stack.environment;
  const management = c.management ? preparedBackupRecord(c.management as unknown as BackupStackView) : undefined;
  const clusterServices = clusterServicesOf(management, stack.cluster);
  const records = [c.record, ...c.siblings.map((s) => preparedBackupRecord(s as unknown as BackupStackView))].filter((r): r is BackupRecord => r !== undefined);
  const own = management ? management.services.filter((s) => clusterServices.includes(s.service)) : [];
  const namespaceDomains = Object.fromEntries(stack.namespaces.filter((n) => n.labels?.[DOMAIN_LABEL]).map((n) => [n.name, n.labels![DOMAIN_LABEL]!]));
  return {
    environment: env.name,
    cluster: stack.cluster,
    tiers: c.record?.tiers ?? resolveTiers(env.backup.tiers),
    services: [...records.flatMap((r) => r.services), ...own],
    clusterServices,
    requireDrills: records.some((r) => r.requireDrills),
    required: records.flatMap((r) => r.required),
    drills: c.record?.drills ?? [],
    namespaceDomains,
    postgres: [...c.postgres.values()].map((pg) => {
      const tier = resolveBackupTier(pg.resource.manifest).tier;
      return {
        name: pg.name,
        namespace: pg.namespace,
        service: serviceOf(stack.cluster, pg.resource.manifest),
        synchronousRequired: pg.durability === 'required',
        replica: pg.replica,
        ...(tier ? { tier } : {}),
      };
    }),
    kafka: [...c.kafka.values()].map((k) => {
      const config = env.kafka.clusters.find((x) => x.name === k.clusterName && x.cluster === stack.cluster);
      const tier = resolveBackupTier(k.kafka.manifest).tier;
      return {
        name: k.clusterName,
        namespace: k.namespace,
        service: serviceOf(stack.cluster, k.kafka.manifest),
        ...(tier ? { tier } : {}),
        ...(config?.mirrorFrom ? { mirrorFrom: { environment: config.mirrorFrom.alias, cluster: config.mirrorFrom.bootstrapServers } } : {}),
      };
    }),
    cephNamespace: NS.rookCluster,
    veleroNamespace: NS.velero,
    externalSecretsNamespace: NS.externalSecrets,
    certManager: true,
  };
}
