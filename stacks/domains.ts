/**
 * Where the data domains are compiled: the services stack of the cluster that hosts them, and
 * the owners' access in its platform stack.
 */
import type { Catalogue } from '../environments/catalogue';
import type { ClusterAccess } from '../constructs/baseline/rbac';
import { DataDomains } from '../constructs/domains';
import type { KafkaCluster } from '../constructs/kafka';
import type { PostgresCluster } from '../constructs/postgres/cluster';
import type { ObjectStore } from '../constructs/storage/object-store';
import { tenantNamespace } from '../policy/layout';
import type { EnvironmentStack } from './base';

/**
 * Compiles the catalogue in the services stack of the cluster that hosts the data domains,
 * onto its first writable Postgres cluster, its first Kafka cluster that is not a mirror, and
 * its object store. A recovery environment holds copies (replica Postgres, mirrored topics):
 * only the topics copied there are declared; users, grants and flows are compiled there when
 * failover promotes it and the same catalogue is applied as primary.
 */
export function compileDataDomains(
  stack: EnvironmentStack,
  services: { readonly postgres: ReadonlyMap<string, PostgresCluster>; readonly kafka: ReadonlyMap<string, KafkaCluster>; readonly objectStore: ObjectStore },
  catalogue: Catalogue,
): DataDomains | undefined {
  const kafkaConfig = (stack.environment as { kafka?: { clusters?: ReadonlyArray<{ name: string; cluster: string; mirrorFrom?: unknown }> } }).kafka;
  const mirrors = new Set((kafkaConfig?.clusters ?? []).filter((k) => k.mirrorFrom).map((k) => k.name));
  if (stack.environment.class === 'recovery') {
    // The copies only: the topics MirrorMaker 2 fills from the primary site.
    const target = [...services.kafka.entries()].find(([name]) => mirrors.has(name))?.[1];
    return target ? new DataDomains(stack, 'data-domains', { catalogue, kafka: target, role: 'copy' }) : undefined;
  }
  const postgres = [...services.postgres.values()].find((p) => !p.replica);
  const kafka = [...services.kafka.entries()].find(([name]) => !mirrors.has(name))?.[1];
  return new DataDomains(stack, 'data-domains', { catalogue, postgres, kafka, objectStore: services.objectStore });
}

/** Lets each domain's owner group administer its tenant namespace (platform stack). */
export function grantDomainOwners(access: ClusterAccess, catalogue: Catalogue): void {
  for (const d of catalogue.domains) access.grantDomainOwner(tenantNamespace(d.name), d.ownerGroup);
}
