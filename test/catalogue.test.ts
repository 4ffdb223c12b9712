import { accessMatrix, renderAccessMarkdown } from '../environments/catalogue/access';
import { AGREEMENTS } from '../environments/catalogue/agreements';
import { DOMAINS } from '../environments/catalogue/domains';
import { agreementStatus, loadCatalogue, type AgreementInput, type DomainInput } from '../environments/catalogue';
import { ConfigError } from '../lib/errors';

const TODAY = '2026-11-27';
const domains = () => structuredClone(DOMAINS) as DomainInput[];
const agreements = () => structuredClone(AGREEMENTS) as AgreementInput[];
const agreement = (list: AgreementInput[], id: string) => list.find((a) => a.id === id)! as any;
const domain = (list: DomainInput[], name: string) => list.find((d) => d.name === name)! as any;

function problemsOf(input: { domains?: DomainInput[]; agreements?: AgreementInput[] }): string {
  try {
    loadCatalogue({ today: TODAY, ...input });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
}

describe('the data-domain catalogue', () => {
  const catalogue = loadCatalogue({ today: TODAY });

  it('holds at least a dozen domains, each classified by importance and sharing character, with an owner', () => {
    expect(catalogue.domains.length).toBeGreaterThanOrEqual(12);
    for (const d of catalogue.domains) {
      expect(['core', 'important', 'other']).toContain(d.classification);
      expect(['shared', 'private', 'open']).toContain(d.accessMode);
      expect(d.ownerUnit.length).toBeGreaterThan(3);
      expect(d.retentionYears).toBeGreaterThan(0);
      expect(['gold', 'silver', 'bronze']).toContain(d.backupTier);
    }
  });

  it('is valid as shipped, with the pilot agreement SA-2025-014 reported as expired', () => {
    expect(catalogue.findings).toEqual([
      { agreement: 'SA-2025-014', severity: 'warning', message: 'SA-2025-014 expired on 2026-02-28; it grants nothing. Renew it with a new approval, or remove it.' },
    ]);
    expect(catalogue.active.map((a) => a.id)).not.toContain('SA-2025-014');
  });

  it('decides an agreement\'s status by its dates, inclusive', () => {
    const a = { start: '2026-01-01', expiry: '2026-12-31' };
    expect(agreementStatus(a, '2025-12-31')).toBe('not-started');
    expect(agreementStatus(a, '2026-01-01')).toBe('active');
    expect(agreementStatus(a, '2026-12-31')).toBe('active');
    expect(agreementStatus(a, '2027-01-01')).toBe('expired');
  });
});

describe('sharing rules', () => {
  it('is silent on the shipped catalogue', () => {
    expect(problemsOf({})).toBe('');
  });

  it('core data never leaves the ministry without the explicit flag', () => {
    const list = agreements();
    list.push({ ...agreement(list, 'SA-2026-002'), id: 'SA-2026-099', provider: 'petroleum-supply', shares: { topics: ['petroleum-supply.stock-levels.v1'] }, personalDataPurpose: undefined });
    expect(problemsOf({ agreements: list })).toContain(
      'AGREEMENTS[8].allowCoreDataOutsideMinistry: SA-2026-099: "petroleum-supply" holds core data, which is never shared outside the ministry without this explicit flag and the approval reference, got false',
    );
    agreement(list, 'SA-2026-099').allowCoreDataOutsideMinistry = true;
    expect(problemsOf({ agreements: list })).toBe('');
  });

  it('core data may be shared inside the ministry without the flag', () => {
    const list = agreements();
    list.push({ ...agreement(list, 'SA-2026-001'), id: 'SA-2026-098', provider: 'petroleum-supply', consumer: { kind: 'domain', domain: 'energy-statistics' }, shares: { topics: ['petroleum-supply.stock-levels.v1'] }, classificationReason: 'energy-statistics handles national energy security data under the same controls.' });
    expect(problemsOf({ agreements: list })).toBe('');
  });

  it('personal data needs a stated purpose', () => {
    const list = agreements();
    delete agreement(list, 'SA-2026-005').personalDataPurpose;
    expect(problemsOf({ agreements: list })).toContain('AGREEMENTS[4].personalDataPurpose: SA-2026-005: "e-commerce" holds basic personal data; state why the consumer needs it (10+ characters, Law 91/2025)');
  });

  it('a consumer outside the ministry is reached only through the exchange zone', () => {
    const list = agreements();
    agreement(list, 'SA-2026-006').consumer.zone = 'dmz';
    expect(problemsOf({ agreements: list })).toContain('AGREEMENTS[5].consumer.zone: SA-2026-006: a consumer outside the ministry (gso) is reached only through the exchange zone, got "dmz"');
  });

  it('classification is never lowered without a recorded reason: sharing into a lower-classified domain', () => {
    const list = agreements();
    delete agreement(list, 'SA-2025-014').classificationReason;
    expect(problemsOf({ agreements: list })).toContain('SA-2025-014: shares important data of "market-surveillance" with "e-commerce", classified other: the classification of the data would be lowered');
  });

  it('classification is never lowered without a recorded reason: reclassifying a domain', () => {
    const list = domains();
    domain(list, 'trade-promotion').reclassification = { from: 'important', reason: '', approvalRef: 'QĐ 1/QĐ-BCT', date: '2026-06-01' };
    expect(problemsOf({ domains: list })).toContain('DOMAINS[12].reclassification.reason: lowering the classification from important to other needs a recorded reason of at least 10 characters');
    domain(list, 'trade-promotion').reclassification.reason = 'Programme data published in full since 2026; no longer important.';
    expect(problemsOf({ domains: list })).toBe('');
  });

  it('rejects state secrets: they belong on air-gapped systems', () => {
    const list = domains();
    domain(list, 'petroleum-supply').stateSecret = 'mat';
    expect(problemsOf({ domains: list })).toContain('DOMAINS[2].stateSecret: state secrets may only be processed on air-gapped systems');
  });

  it('requires the Decision 20/2025 item for core and important data', () => {
    const list = domains();
    delete domain(list, 'chemicals').decision20Item;
    expect(problemsOf({ domains: list })).toContain('DOMAINS[8].decision20Item: a important domain must name the item of Decision 20/2025/QĐ-TTg');
  });

  it('rejects shares of resources the provider does not have, and unknown domains', () => {
    const list = agreements();
    agreement(list, 'SA-2026-001').shares.topics = ['energy-statistics.nope.v1'];
    agreement(list, 'SA-2026-004').shares.schemas = [{ database: 'chemicals', schema: 'secrets' }];
    agreement(list, 'SA-2026-007').consumer.domain = 'tourism';
    const message = problemsOf({ agreements: list });
    expect(message).toContain('AGREEMENTS[0].shares.topics[0]: SA-2026-001: "energy-statistics" has no topic of that name; it has: energy-statistics.monthly-balance.v1, got "energy-statistics.nope.v1"');
    expect(message).toContain('AGREEMENTS[3].shares.schemas[0].schema: SA-2026-004: database "chemicals" has no schema of that name; it has: permits, inventory, got "secrets"');
    expect(message).toContain('AGREEMENTS[6].consumer.domain: SA-2026-007: unknown data domain');
  });

  it('rejects duplicate owners of a resource and an ill-formed agreement', () => {
    const list = domains();
    domain(list, 'chemicals').resources.databases.push({ name: 'energy_stats', schemas: ['x'] });
    expect(problemsOf({ domains: list })).toContain('database "energy_stats" is already owned by domain "energy-statistics"');
    const bad = agreements();
    agreement(bad, 'SA-2026-001').access = 'write';
    agreement(bad, 'SA-2026-001').expiry = '31/12/2028';
    const message = problemsOf({ agreements: bad });
    expect(message).toContain('AGREEMENTS[0].access: must be one of: "read", got "write"');
    expect(message).toContain('AGREEMENTS[0].expiry: must be a date written YYYY-MM-DD, got "31/12/2028"');
  });
});

describe('the access matrix', () => {
  const catalogue = loadCatalogue({ today: TODAY });

  it('lists exactly the readers the agreements declare, and the owners', () => {
    const rows = accessMatrix(catalogue);
    const shared = rows.filter((r) => r.basis !== 'owner').map((r) => `${r.basis} ${r.reader} ${r.service} ${r.resource} ${r.until} ${r.status}`);
    expect(shared).toEqual([
      'SA-2026-001 electricity-market kafka energy-statistics.monthly-balance.v1 2028-12-31 active',
      'SA-2026-001 electricity-market postgres energy_stats.production 2028-12-31 active',
      'SA-2026-007 energy-statistics kafka electricity-market.spot-prices.v1 2028-12-31 active',
      'SA-2026-002 external:mof-customs kafka import-export.licences-issued.v1 2029-02-28 active',
      'SA-2026-003 trade-remedies kafka certificates-of-origin.issued.v1 2027-12-31 active',
      'SA-2026-003 trade-remedies postgres origin.certificates 2027-12-31 active',
      'SA-2025-014 e-commerce postgres surveillance.violations 2026-02-28 expired',
      'SA-2026-005 competition-consumer postgres ecommerce.complaints 2027-04-30 active',
      'SA-2026-006 external:gso object-storage industrial-production-open 2030-12-31 active',
      'SA-2026-004 industrial-safety kafka chemicals.permits.v1 2028-03-31 active',
      'SA-2026-004 industrial-safety postgres chemicals.inventory 2028-03-31 active',
    ]);
    const owners = rows.filter((r) => r.basis === 'owner');
    const resourceCount = catalogue.domains.reduce((n, d) => n + d.resources.topics.length + d.resources.buckets.length + d.resources.databases.reduce((m, db) => m + db.schemas.length, 0), 0);
    expect(owners).toHaveLength(resourceCount);
    expect(owners.every((r) => r.reader === r.domain)).toBe(true);
  });

  it('answers "who can read this domain"', () => {
    const rows = accessMatrix(catalogue, { domain: 'chemicals' });
    expect([...new Set(rows.map((r) => r.reader))]).toEqual(['chemicals', 'industrial-safety']);
    expect(() => accessMatrix(catalogue, { domain: 'tourism' })).toThrow('unknown data domain "tourism"');
  });

  it('renders granted access first and lists expired agreements separately', () => {
    const md = renderAccessMarkdown(accessMatrix(catalogue), catalogue);
    const granted = md.slice(0, md.indexOf('## Agreements that grant nothing'));
    expect(granted).not.toContain('SA-2025-014');
    expect(md).toContain('## Agreements that grant nothing');
    expect(md).toContain('| market-surveillance | important | e-commerce | postgres | surveillance.violations | SA-2025-014 | 2026-02-28 | expired |');
    expect(md).toContain('- **SA-2026-002**: Customs clearance checks licences issued by the ministry before goods are released.');
  });
});
