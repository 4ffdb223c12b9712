import type { Catalogue } from '../../environments/catalogue';
import type { ClusterAccess } from '../baseline/rbac';
import type { EnvironmentStack } from '../../stacks/base';
import { tenantNamespace } from '../../stacks/layout';
import type { KafkaCluster } from '../kafka';
import type { PostgresCluster } from '../postgres/cluster';
import type { ObjectStore } from '../storage/object-store';
import { DataDomains } from './data-domains';

export * from './data-domains';

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
