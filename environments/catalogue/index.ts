/**
 * Loads the data-domain catalogue and the sharing agreements, validates their format and
 * cross-references, and applies the sharing rules. Problems that make the catalogue unusable
 * are thrown together as one ConfigError; findings that only withhold access (an expired
 * agreement) are returned for reports.
 */
import { calendarDateProblem } from '../../lib/dates';
import { ConfigError, ConfigProblem } from '../../lib/errors';
import { toProblems } from '../schema';
import { AGREEMENTS } from './agreements';
import { DOMAINS } from './domains';
import { Agreement, AgreementInput, agreementSchema, classificationRank, Domain, DomainInput, domainSchema } from './schema';

export * from './schema';

/** An agreement's state on a given day. */
export type AgreementStatus = 'active' | 'expired' | 'not-started';

export interface SharingFinding {
  readonly agreement: string;
  readonly severity: 'warning' | 'info';
  readonly message: string;
}

export interface Catalogue {
  readonly domains: readonly Domain[];
  readonly agreements: readonly Agreement[];
  /** The day agreements were evaluated on (YYYY-MM-DD). */
  readonly today: string;
  readonly statusOf: (agreement: Agreement) => AgreementStatus;
  /** Active agreements only: the ones that grant access. */
  readonly active: readonly Agreement[];
  /** Expired or not-yet-started agreements, reported and granting nothing. */
  readonly findings: readonly SharingFinding[];
  readonly domain: (name: string) => Domain;
}

/**
 * The day used to decide which agreements are in force: MOIT_TODAY (YYYY-MM-DD) if set, so a
 * build can be reproduced, else the current UTC date.
 */
export function today(): string {
  const fixed = process.env.MOIT_TODAY;
  if (fixed) {
    const problem = calendarDateProblem(fixed);
    if (problem) throw new ConfigError([{ source: 'MOIT_TODAY', path: '', message: problem, received: fixed }]);
    return fixed;
  }
  return new Date().toISOString().slice(0, 10);
}

export function agreementStatus(a: Pick<Agreement, 'start' | 'expiry'>, day: string): AgreementStatus {
  if (day > a.expiry) return 'expired';
  if (day < a.start) return 'not-started';
  return 'active';
}

const DOMAINS_FILE = 'environments/catalogue/domains.ts';
const AGREEMENTS_FILE = 'environments/catalogue/agreements.ts';

/** Validates the catalogue and agreements; throws a ConfigError listing every problem. */
export function loadCatalogue(
  input: { domains?: readonly DomainInput[]; agreements?: readonly AgreementInput[]; today?: string } = {},
): Catalogue {
  const day = input.today ?? today();
  const problems: ConfigProblem[] = [];
  const domains: Domain[] = [];
  (input.domains ?? DOMAINS).forEach((d, i) => {
    const r = domainSchema.safeParse(d, { reportInput: true });
    if (r.success) domains.push(r.data);
    else problems.push(...toProblems(DOMAINS_FILE, r.error.issues).map((p) => ({ ...p, path: `DOMAINS[${i}]${p.path ? `.${p.path}` : ''}` })));
  });
  const agreements: Agreement[] = [];
  (input.agreements ?? AGREEMENTS).forEach((a, i) => {
    const r = agreementSchema.safeParse(a, { reportInput: true });
    if (r.success) agreements.push(r.data);
    else problems.push(...toProblems(AGREEMENTS_FILE, r.error.issues).map((p) => ({ ...p, path: `AGREEMENTS[${i}]${p.path ? `.${p.path}` : ''}` })));
  });
  if (problems.length > 0) throw new ConfigError(problems);

  problems.push(...domainProblems(domains), ...agreementProblems(domains, agreements));
  if (problems.length > 0) throw new ConfigError(problems);

  const statusOf = (a: Agreement) => agreementStatus(a, day);
  const findings: SharingFinding[] = [];
  for (const a of agreements) {
    const status = statusOf(a);
    if (status === 'expired') findings.push({ agreement: a.id, severity: 'warning', message: `${a.id} expired on ${a.expiry}; it grants nothing. Renew it with a new approval, or remove it.` });
    if (status === 'not-started') findings.push({ agreement: a.id, severity: 'info', message: `${a.id} starts on ${a.start}; it grants nothing until then.` });
  }
  const byName = new Map(domains.map((d) => [d.name, d]));
  return {
    domains,
    agreements,
    today: day,
    statusOf,
    active: agreements.filter((a) => statusOf(a) === 'active'),
    findings,
    domain: (name) => {
      const d = byName.get(name);
      if (!d) throw new Error(`unknown data domain "${name}"; known: ${[...byName.keys()].join(', ')}`);
      return d;
    },
  };
}

function domainProblems(domains: readonly Domain[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  const resourceOwner = new Map<string, string>();
  domains.forEach((d, i) => {
    const at = (path: string) => `DOMAINS[${i}]${path ? `.${path}` : ''}`;
    const problem = (path: string, message: string, received?: unknown) =>
      out.push({ source: DOMAINS_FILE, path: at(path), message, ...(received !== undefined ? { received } : {}) });
    if (seen.has(d.name)) problem('name', `duplicate domain name (also DOMAINS[${seen.get(d.name)}])`, d.name);
    seen.set(d.name, i);
    if (d.stateSecret !== 'none') {
      problem('stateSecret', 'state secrets may only be processed on air-gapped systems (Law 117/2025; Law 29/2018 Art. 5); this networked data centre must not host them. Keep the data on the approved isolated system', d.stateSecret);
    }
    if (d.classification !== 'other' && !d.decision20Item) {
      problem('decision20Item', `a ${d.classification} domain must name the item of Decision 20/2025/QĐ-TTg it is classified under`, d.decision20Item);
    }
    if (d.classification === 'core' && d.accessMode === 'open') problem('accessMode', 'core data can never be open data', d.accessMode);
    if (d.reclassification) {
      const r = d.reclassification;
      if (classificationRank(r.from) > classificationRank(d.classification) && r.reason.trim().length < 10) {
        problem('reclassification.reason', `lowering the classification from ${r.from} to ${d.classification} needs a recorded reason of at least 10 characters`, r.reason);
      }
      if (classificationRank(r.from) > classificationRank(d.classification) && r.approvalRef.trim().length < 3) {
        problem('reclassification.approvalRef', 'lowering a classification needs the approval reference', r.approvalRef);
      }
    }
    const register = (kind: string, name: string, path: string) => {
      const key = `${kind}:${name}`;
      const owner = resourceOwner.get(key);
      if (owner) problem(path, `${kind} "${name}" is already owned by domain "${owner}"; every resource has one owner`, name);
      else resourceOwner.set(key, d.name);
    };
    d.resources.databases.forEach((db, j) => register('database', db.name, `resources.databases[${j}].name`));
    d.resources.topics.forEach((t, j) => {
      register('topic', t.name, `resources.topics[${j}].name`);
      if (!t.name.startsWith(`${d.name}.`)) problem(`resources.topics[${j}].name`, `a topic name starts with its domain ("${d.name}.") so ACLs and mirroring can be read at a glance`, t.name);
    });
    d.resources.buckets.forEach((b, j) => register('bucket', b.name, `resources.buckets[${j}].name`));
  });
  return out;
}

function agreementProblems(domains: readonly Domain[], agreements: readonly Agreement[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const byName = new Map(domains.map((d) => [d.name, d]));
  const ids = new Map<string, number>();
  agreements.forEach((a, i) => {
    const problem = (path: string, message: string, received?: unknown) =>
      out.push({ source: AGREEMENTS_FILE, path: `AGREEMENTS[${i}]${path ? `.${path}` : ''}`, message: `${a.id}: ${message}`, ...(received !== undefined ? { received } : {}) });
    if (ids.has(a.id)) problem('id', `duplicate agreement id (also AGREEMENTS[${ids.get(a.id)}])`, a.id);
    ids.set(a.id, i);
    if (a.expiry < a.start) problem('expiry', `must not be before start (${a.start})`, a.expiry);
    const provider = byName.get(a.provider);
    if (!provider) {
      problem('provider', `unknown data domain; known: ${[...byName.keys()].join(', ')}`, a.provider);
      return;
    }
    if (a.consumer.kind === 'domain') {
      const consumer = byName.get(a.consumer.domain);
      if (!consumer) problem('consumer.domain', `unknown data domain; known: ${[...byName.keys()].join(', ')}`, a.consumer.domain);
      else if (consumer.name === provider.name) problem('consumer.domain', 'a domain does not need an agreement to read its own data', consumer.name);
      else if (classificationRank(consumer.classification) < classificationRank(provider.classification) && (a.classificationReason ?? '').trim().length < 10) {
        problem(
          'classificationReason',
          `shares ${provider.classification} data of "${provider.name}" with "${consumer.name}", classified ${consumer.classification}: the classification of the data would be lowered; record why (10+ characters) or raise the consumer's classification`,
          a.classificationReason,
        );
      }
    } else {
      if (a.consumer.zone !== 'exchange') {
        problem('consumer.zone', `a consumer outside the ministry (${a.consumer.organisation}) is reached only through the exchange zone`, a.consumer.zone);
      }
      if (provider.classification === 'core' && !a.allowCoreDataOutsideMinistry) {
        problem('allowCoreDataOutsideMinistry', `"${provider.name}" holds core data, which is never shared outside the ministry without this explicit flag and the approval reference`, a.allowCoreDataOutsideMinistry);
      }
    }
    if (provider.personalData !== 'none' && (a.personalDataPurpose ?? '').trim().length < 10) {
      problem('personalDataPurpose', `"${provider.name}" holds ${provider.personalData} personal data; state why the consumer needs it (10+ characters, Law 91/2025)`, a.personalDataPurpose);
    }
    const shares = a.shares;
    if (shares.topics.length + shares.schemas.length + shares.buckets.length === 0) problem('shares', 'shares nothing; name topics, schemas or buckets');
    shares.topics.forEach((t, j) => {
      if (!provider.resources.topics.some((x) => x.name === t)) problem(`shares.topics[${j}]`, `"${provider.name}" has no topic of that name; it has: ${provider.resources.topics.map((x) => x.name).join(', ') || 'none'}`, t);
    });
    shares.schemas.forEach((s, j) => {
      const db = provider.resources.databases.find((x) => x.name === s.database);
      if (!db) problem(`shares.schemas[${j}].database`, `"${provider.name}" has no database of that name; it has: ${provider.resources.databases.map((x) => x.name).join(', ') || 'none'}`, s.database);
      else if (!db.schemas.includes(s.schema)) problem(`shares.schemas[${j}].schema`, `database "${db.name}" has no schema of that name; it has: ${db.schemas.join(', ')}`, s.schema);
    });
    shares.buckets.forEach((b, j) => {
      if (!provider.resources.buckets.some((x) => x.name === b)) problem(`shares.buckets[${j}]`, `"${provider.name}" has no bucket of that name; it has: ${provider.resources.buckets.map((x) => x.name).join(', ') || 'none'}`, b);
    });
  });
  return out;
}
