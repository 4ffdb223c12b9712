/**
 * The access matrix: who can read which domain, through which service, under which agreement,
 * until when. Derived from the same catalogue and agreements that the grants are compiled from,
 * so it cannot drift from what is deployed.
 */
import type { AgreementStatus, Catalogue } from './index';

export type Service = 'kafka' | 'postgres' | 'object-storage';

export interface AccessRow {
  readonly domain: string;
  readonly classification: string;
  /** Who reads: a domain of the ministry, or `external:<organisation>`. */
  readonly reader: string;
  readonly service: Service;
  /** Topic, `database.schema`, or bucket. */
  readonly resource: string;
  /** `owner` for the owning domain, else the agreement id. */
  readonly basis: string;
  readonly purpose: string;
  /** Last day of access (YYYY-MM-DD), or `—` for the owner. */
  readonly until: string;
  /** Only `active` rows grant access; the others are listed so nobody wonders. */
  readonly status: AgreementStatus | 'owner';
}

export function accessMatrix(catalogue: Catalogue, options: { readonly domain?: string } = {}): AccessRow[] {
  if (options.domain) catalogue.domain(options.domain); // throws on an unknown domain
  const rows: AccessRow[] = [];
  for (const d of catalogue.domains) {
    if (options.domain && d.name !== options.domain) continue;
    const owner = (service: Service, resource: string): AccessRow => ({
      domain: d.name,
      classification: d.classification,
      reader: d.name,
      service,
      resource,
      basis: 'owner',
      purpose: `owned by ${d.ownerUnit}`,
      until: '—',
      status: 'owner',
    });
    for (const t of d.resources.topics) rows.push(owner('kafka', t.name));
    for (const db of d.resources.databases) for (const s of db.schemas) rows.push(owner('postgres', `${db.name}.${s}`));
    for (const b of d.resources.buckets) rows.push(owner('object-storage', b.name));
    for (const a of catalogue.agreements.filter((x) => x.provider === d.name)) {
      const reader = a.consumer.kind === 'domain' ? a.consumer.domain : `external:${a.consumer.organisation}`;
      const row = (service: Service, resource: string): AccessRow => ({
        domain: d.name,
        classification: d.classification,
        reader,
        service,
        resource,
        basis: a.id,
        purpose: a.purpose,
        until: a.expiry,
        status: catalogue.statusOf(a),
      });
      for (const t of a.shares.topics) rows.push(row('kafka', t));
      for (const s of a.shares.schemas) rows.push(row('postgres', `${s.database}.${s.schema}`));
      for (const b of a.shares.buckets) rows.push(row('object-storage', b));
    }
  }
  return rows;
}

/** The matrix as Markdown: granted access first, then what is listed but grants nothing. */
export function renderAccessMarkdown(rows: readonly AccessRow[], catalogue: Catalogue, title = 'Access matrix'): string {
  const out: string[] = [`# ${title}`, '', `Agreements evaluated on ${catalogue.today}. Owners read and write their own data; every other reader holds an agreement.`, ''];
  const header = ['| domain | class | reader | service | resource | basis | until | status |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  const line = (r: AccessRow) => `| ${r.domain} | ${r.classification} | ${r.reader} | ${r.service} | ${r.resource} | ${r.basis} | ${r.until} | ${r.status} |`;
  const granted = rows.filter((r) => r.status === 'owner' || r.status === 'active');
  const withheld = rows.filter((r) => r.status === 'expired' || r.status === 'not-started');
  out.push('## Who can read what', '', ...header, ...granted.map(line), '');
  if (withheld.length > 0) out.push('## Agreements that grant nothing', '', ...header, ...withheld.map(line), '');
  const shared = granted.filter((r) => r.status === 'active');
  if (shared.length > 0) {
    out.push('## Purposes', '');
    for (const id of [...new Set(shared.map((r) => r.basis))]) {
      out.push(`- **${id}**: ${shared.find((r) => r.basis === id)!.purpose}`);
    }
    out.push('');
  }
  return out.join('\n');
}
