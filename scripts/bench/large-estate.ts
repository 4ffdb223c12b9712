/**
 * The benchmark's generated estate, ten times the real one: every data domain of
 * environments/catalogue/domains.ts ten times (the original and nine suffixed copies, each
 * with its own databases, topics and buckets and its own copies of the agreements between
 * its domains), and three workload clusters per environment (each environment's first cluster
 * plus two clones with their own names, kubeconfig contexts, addresses and vSphere folders).
 * Service sections stay on the first cluster, as the real files have them; the clones carry
 * the platform, the baseline and the segmentation. Everything is derived from the real files,
 * so the generated estate follows them as they change.
 */
import { SOURCES } from '../../environments';
import type { EnvironmentInput } from '../../environments/schema';
import { AGREEMENTS } from '../../environments/catalogue/agreements';
import { DOMAINS } from '../../environments/catalogue/domains';
import type { AgreementInput, DomainInput } from '../../environments/catalogue/schema';

/** How many copies of each domain the large estate holds (the original counts as one). */
export const DOMAIN_COPIES = 10;
/** The suffixes of the cloned workload clusters (the original keeps its name). */
export const CLUSTER_CLONES = ['b', 'c'] as const;

type Sources = typeof SOURCES;

/** The suffix of copy `i` (copy 0 is the original, unchanged). */
const suffix = (i: number, sep: string): string => (i === 0 ? '' : `${sep}c${i}`);

/** One copy of a domain: names renamed consistently (topics keep the domain as prefix). */
export function cloneDomain(d: DomainInput, i: number): DomainInput {
  if (i === 0) return d;
  const name = `${d.name}${suffix(i, '-')}`;
  const r = d.resources;
  return {
    ...d,
    name,
    ownerGroup: `${d.ownerGroup}${suffix(i, '-')}`,
    resources: {
      ...(r.databases ? { databases: r.databases.map((db) => ({ ...db, name: `${db.name}${suffix(i, '_')}` })) } : {}),
      ...(r.topics ? { topics: r.topics.map((t) => ({ ...t, name: renameTopic(t.name, d.name, name) })) } : {}),
      ...(r.buckets ? { buckets: r.buckets.map((b) => ({ ...b, name: `${b.name}${suffix(i, '-')}` })) } : {}),
    },
  };
}

function renameTopic(topic: string, from: string, to: string): string {
  if (!topic.startsWith(`${from}.`)) throw new Error(`topic ${topic} does not start with its domain ${from}`);
  return `${to}${topic.slice(from.length)}`;
}

/** One copy of an agreement, between the copies `i` of its domains (an id per copy). */
export function cloneAgreement(a: AgreementInput, i: number): AgreementInput {
  if (i === 0) return a;
  const m = /^SA-(\d{4})-(\d{3})$/.exec(a.id);
  if (!m) throw new Error(`agreement id ${a.id} is not SA-YYYY-NNN`);
  const number = Number(m[2]) + 100 * i;
  if (number > 999) throw new Error(`agreement ${a.id}: copy ${i} has no free id`);
  const domain = (n: string) => `${n}${suffix(i, '-')}`;
  const s = a.shares;
  return {
    ...a,
    id: `SA-${m[1]}-${String(number).padStart(3, '0')}`,
    provider: domain(a.provider),
    consumer: a.consumer.kind === 'domain' ? { ...a.consumer, domain: domain(a.consumer.domain) } : a.consumer,
    shares: {
      ...(s.topics ? { topics: s.topics.map((t) => renameTopic(t, a.provider, domain(a.provider))) } : {}),
      ...(s.schemas ? { schemas: s.schemas.map((x) => ({ ...x, database: `${x.database}${suffix(i, '_')}` })) } : {}),
      ...(s.buckets ? { buckets: s.buckets.map((b) => `${b}${suffix(i, '-')}`) } : {}),
    },
  };
}

/** The domains and agreements of the large estate. */
export function largeCatalogueInput(copies = DOMAIN_COPIES): { domains: DomainInput[]; agreements: AgreementInput[] } {
  const range = [...Array(copies).keys()];
  return {
    domains: range.flatMap((i) => DOMAINS.map((d) => cloneDomain(d, i))),
    agreements: range.flatMap((i) => AGREEMENTS.map((a) => cloneAgreement(a, i))),
  };
}

/** Shifts the third octet of an IPv4 address or CIDR by `by` (keeps the clone's networks apart). */
function shiftCidr(cidr: string, by: number): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(\/\d+)?$/.exec(cidr);
  if (!m) return cidr;
  return `${m[1]}.${m[2]}.${(Number(m[3]) + by) % 256}.${m[4]}${m[5] ?? ''}`;
}

type ClusterInput = EnvironmentInput['clusters'][number];

/** A clone of a workload cluster named `<name>-<tag>`, with its own context, addresses and folders. */
export function cloneCluster(c: ClusterInput, tag: string, index: number): ClusterInput {
  const name = `${c.name}-${tag}`;
  const copy = structuredClone(c) as Record<string, any>;
  copy.name = name;
  copy.kubeconfig = { ...c.kubeconfig, context: `${c.kubeconfig.context}-${tag}` };
  // Node networks of the clones sit 100 + 4/8 third-octet steps after the original's (a /22 spans 4), clear of
  // the addresses environments declare just after their node networks (alert receivers, ...).
  const by = 100 + 4 * (index + 1);
  if (typeof copy.nodeCidr === 'string') copy.nodeCidr = shiftCidr(copy.nodeCidr, by);
  if (copy.controlPlane?.endpoint?.host) copy.controlPlane.endpoint.host = shiftCidr(copy.controlPlane.endpoint.host, by);
  // The control-plane block lies in the node network and holds the endpoint: it moves with them.
  if (typeof copy.controlPlaneCidr === 'string') copy.controlPlaneCidr = shiftCidr(copy.controlPlaneCidr, by);
  if (copy.vsphere?.folder) copy.vsphere.folder = `${copy.vsphere.folder}-${tag}`;
  return copy as ClusterInput;
}

/** Every environment with its first workload cluster cloned twice (three clusters each). */
export function largeSources(sources: Sources = SOURCES): Sources {
  return sources.map(({ file, config }) => {
    const first = config.clusters[0];
    if (!first) return { file, config };
    const clones = CLUSTER_CLONES.map((tag, i) => cloneCluster(first, tag, i));
    return { file, config: { ...config, clusters: [...config.clusters, ...clones] } };
  });
}
