/**
 * Compiles the data-domain catalogue and the sharing agreements into exactly the access they
 * declare, and nothing more:
 *  - each domain's resources (Postgres databases and schemas, Kafka topics, buckets), owned by
 *    the domain and reachable from its own tenant namespace only;
 *  - for each agreement in force: read ACLs on the named topics, membership of the named
 *    schemas' read roles, a read-only bucket user, and the network flows from the consumer's
 *    workloads to those services, each marked with the agreement it derives from.
 * An expired or not-yet-started agreement compiles to nothing; removing an agreement removes
 * every grant derived from it, since nothing here exists outside the compilation.
 */
import { Construct } from 'constructs';
import type { Agreement, Catalogue, Classification, Domain } from '../../environments/catalogue';
import { ConstructPropsError } from '../../lib/errors';
import { markSharing, recordAgreements } from '../../lib/markers';
import { TerraformStack } from '../../lib/tf';
import { DOMAIN_LABEL, NS, tenantNamespace } from '../../policy/layout';
import type { KafkaCluster, KafkaTopicResource, KafkaUserResource } from '../kafka';
import { Peer, type WorkloadPeer } from '../network/peer';
import type { PostgresCluster } from '../postgres/cluster';
import type { Bucket } from '../storage/bucket';
import type { ObjectStore } from '../storage/object-store';

/** Label on the exchange gateway's pods that serve one outside organisation. */
export const PARTNER_LABEL = 'moit.gov.vn/partner';

/** How long Kafka keeps a domain's events, by classification (Kafka carries changes; the system of record is Postgres). */
export const KAFKA_RETENTION_DAYS: Readonly<Record<Classification, number>> = { other: 7, important: 14, core: 30 };

export interface DataDomainsProps {
  readonly catalogue: Catalogue;
  /** The writable Postgres cluster holding the domains' databases. @default none: a domain needing a database is an error */
  readonly postgres?: PostgresCluster;
  /** The Kafka cluster carrying the domains' topics. @default none: a domain needing a topic is an error */
  readonly kafka?: KafkaCluster;
  /** The object store holding the domains' buckets. @default none: a domain needing a bucket is an error */
  readonly objectStore?: ObjectStore;
  /** Whether a topic's events are copied off-site, from the domain's backup tier. @default every tier but bronze */
  readonly offsiteCopy?: (domain: Domain) => boolean;
  /**
   * `copy`: this cluster holds the off-site copy (a recovery site): only the topics copied here
   * are declared (MirrorMaker 2 writes into them; auto-creation is off), with no users, grants,
   * databases or buckets until failover applies the catalogue as `primary`. @default "primary"
   */
  readonly role?: 'primary' | 'copy';
}

/** A reader of shared data: a domain's workloads, or an outside organisation's gateway. */
export interface Reader {
  /** `energy-statistics` or `external:mof-customs`. */
  readonly id: string;
  /** DNS-label name used for its users. */
  readonly name: string;
  readonly namespace: string;
  readonly peer: WorkloadPeer;
}

/** One grant compiled from an agreement, for tests, reports and reviewers. */
export interface CompiledGrant {
  readonly agreement: string;
  readonly reader: string;
  readonly service: 'kafka' | 'postgres' | 'object-storage';
  /** Topic, `database.schema`, or bucket. */
  readonly resource: string;
  /** The user or role the grant is made to. */
  readonly principal: string;
}

const sql = (name: string) => name.replace(/-/g, '_');

/** The workloads of a domain: pods labelled with the domain in its tenant namespace. */
export function domainReader(domain: string): Reader {
  const namespace = tenantNamespace(domain);
  return { id: domain, name: domain, namespace, peer: Peer.workload({ name: domain, namespace, zone: 'app', selector: { [DOMAIN_LABEL]: domain } }) };
}

/** An outside organisation, reached only through the exchange gateway's pods for it. */
export function externalReader(organisation: string): Reader {
  return {
    id: `external:${organisation}`,
    name: `ext-${organisation}`,
    namespace: NS.exchange,
    peer: Peer.workload({ name: `partner-${organisation}`, namespace: NS.exchange, zone: 'exchange', selector: { [PARTNER_LABEL]: organisation } }),
  };
}

export function readerOf(agreement: Agreement): Reader {
  return agreement.consumer.kind === 'domain' ? domainReader(agreement.consumer.domain) : externalReader(agreement.consumer.organisation);
}

export class DataDomains extends Construct {
  /** Every grant compiled from an agreement in force. */
  readonly grants: CompiledGrant[] = [];
  readonly topics = new Map<string, KafkaTopicResource>();
  readonly buckets = new Map<string, Bucket>();
  /** Kafka users by reader id. */
  readonly kafkaUsers = new Map<string, KafkaUserResource>();
  private readonly props: DataDomainsProps;
  private readonly readerRoles = new Set<string>();

  constructor(scope: Construct, id: string, props: DataDomainsProps) {
    super(scope, id);
    this.props = props;
    const { catalogue } = props;
    const missing = (what: string, domain: Domain) =>
      new ConstructPropsError(this.node.path, what, `domain "${domain.name}" needs ${what === 'postgres' ? 'databases' : what === 'kafka' ? 'topics' : 'buckets'}, but this cluster has no ${what === 'objectStore' ? 'object store' : `writable ${what} cluster`}; declare one in the environment`, domain.name);

    if (props.role === 'copy') {
      this.declareCopies();
      return;
    }

    // 1. The domains' own resources, reachable from their own workloads only.
    for (const domain of catalogue.domains) {
      const owner = domainReader(domain.name);
      const r = domain.resources;
      if (r.databases.length > 0) {
        if (!props.postgres) throw missing('postgres', domain);
        for (const db of r.databases) props.postgres.addDatabase({ name: db.name, domain: domain.name, schemas: db.schemas });
        props.postgres.connections.allowFrom(owner.peer, { description: `${domain.name} uses its own databases` });
      }
      if (r.topics.length > 0) {
        if (!props.kafka) throw missing('kafka', domain);
        const offsite = (props.offsiteCopy ?? ((d: Domain) => d.backupTier !== 'bronze'))(domain);
        const own = r.topics.map((t) => {
          const topic = props.kafka!.addTopic({
            name: t.name,
            partitions: t.partitions,
            retentionMs: KAFKA_RETENTION_DAYS[domain.classification] * 86_400_000,
            domain: domain.name,
            offsiteCopy: offsite,
          });
          this.topics.set(t.name, topic);
          return topic;
        });
        this.kafkaUsers.set(owner.id, props.kafka.addUser({ name: owner.name, read: own, write: own, domain: domain.name }));
        props.kafka.connections.allowFrom(owner.peer, { description: `${domain.name} produces and consumes its own topics` });
      }
      if (r.buckets.length > 0) {
        if (!props.objectStore) throw missing('objectStore', domain);
        for (const b of r.buckets) {
          const bucket = props.objectStore.addBucket(`bucket-${b.name}`, {
            name: b.name,
            namespace: owner.namespace,
            purpose: b.purpose,
            description: `${b.purpose} of domain ${domain.name} (${domain.classification})`,
            labels: { [DOMAIN_LABEL]: domain.name },
          });
          this.buckets.set(b.name, bucket);
        }
        props.objectStore.connections.allowFrom(owner.peer, { description: `${domain.name} reads and writes its own buckets` });
      }
    }

    // 2. What the agreements in force share, and nothing else; recorded with their validity so
    // the audit (SHR-001) can check every grant against a current agreement, from any artefact.
    for (const agreement of catalogue.active) this.compile(agreement);
    recordAgreements(
      TerraformStack.of(this),
      Object.fromEntries(
        catalogue.active.map((a) => [a.id, { start: a.start, expiry: a.expiry, provider: a.provider, consumer: readerOf(a).id }]),
      ),
    );
  }

  /** The topics the primary site copies here, declared so MirrorMaker 2 can write into them. */
  private declareCopies(): void {
    const { catalogue, kafka } = this.props;
    if (!kafka) return;
    const offsite = this.props.offsiteCopy ?? ((d: Domain) => d.backupTier !== 'bronze');
    for (const domain of catalogue.domains.filter(offsite)) {
      for (const t of domain.resources.topics) {
        this.topics.set(
          t.name,
          kafka.addTopic({ name: t.name, partitions: t.partitions, retentionMs: KAFKA_RETENTION_DAYS[domain.classification] * 86_400_000, domain: domain.name, offsiteCopy: true }),
        );
      }
    }
  }

  private compile(agreement: Agreement): void {
    const { postgres, kafka, objectStore } = this.props;
    const reader = readerOf(agreement);
    const provider = agreement.provider;
    const why = `${agreement.id}: ${agreement.purpose}`;
    const grant = (service: CompiledGrant['service'], resource: string, principal: string) =>
      this.grants.push({ agreement: agreement.id, reader: reader.id, service, resource, principal });

    if (agreement.shares.topics.length > 0 && kafka) {
      let user = this.kafkaUsers.get(reader.id);
      if (!user) {
        user = kafka.addUser({ name: reader.name, domain: agreement.consumer.kind === 'domain' ? agreement.consumer.domain : undefined });
        this.kafkaUsers.set(reader.id, user);
      }
      for (const name of agreement.shares.topics) {
        user.grantRead(this.topics.get(name)!);
        grant('kafka', name, user.principal);
      }
      this.markAgreement(user, agreement.id);
      kafka.connections.allowFrom(reader.peer, { description: why });
    }
    if (agreement.shares.schemas.length > 0 && postgres) {
      const role = `${sql(reader.name)}_reader`;
      if (!this.readerRoles.has(role)) this.readerRoles.add(postgres.addUser({ name: role, domain: agreement.consumer.kind === 'domain' ? agreement.consumer.domain : undefined, comment: `reads data shared with ${reader.id}` }));
      for (const s of agreement.shares.schemas) {
        postgres.grantRead(role, provider, { schema: { database: s.database, schema: s.schema }, agreements: [agreement.id] });
        grant('postgres', `${s.database}.${s.schema}`, role);
      }
      postgres.connections.allowFrom(reader.peer, { description: why });
    }
    if (agreement.shares.buckets.length > 0 && objectStore) {
      for (const name of agreement.shares.buckets) {
        const g = this.buckets.get(name)!.grantRead({ name: reader.name, namespace: reader.namespace, peer: reader.peer, agreements: [agreement.id] });
        grant('object-storage', name, g.userId);
      }
    }
  }

  private readonly userAgreements = new Map<KafkaUserResource, Set<string>>();

  private markAgreement(user: KafkaUserResource, id: string): void {
    const ids = this.userAgreements.get(user) ?? new Set<string>();
    ids.add(id);
    this.userAgreements.set(user, ids);
    markSharing(user.manifest, [...ids]);
  }
}
