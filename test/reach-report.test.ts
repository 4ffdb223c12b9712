/** `npm run reach`: the matrix and the answer to one question, over the synthesized estate. */
import { clustersOf } from '../tools/reach/model';
import { reachReport, renderReachMarkdown } from '../tools/reach/report';
import { synthEstate } from './helpers';

const estate = synthEstate();
const prod = clustersOf(estate.stackNames.filter((n) => n.startsWith('prod-')).map((name) => ({ name, json: estate.stack(name) })));

describe('npm run reach', () => {
  it('answers "can X reach Y": the ports, the policy on each side, and the declared flow with its purpose', () => {
    const report = reachReport('prod', prod, { from: 'app-import-export/import-export', to: 'postgres/postgres-main' });
    expect(report.answers).toHaveLength(1);
    const a = report.answers[0]!;
    expect(a.ports).toBe('5432/TCP');
    expect(a.egress.policies.map((p) => p.policy)).toEqual(['app-import-export/flow-import-export-to-postgres-main-out']);
    expect(a.ingress.policies.map((p) => p.policy)).toEqual(['postgres/flow-import-export-to-postgres-main-in']);
    expect(a.declaredBy).toEqual([expect.objectContaining({ from: 'import-export', to: 'postgres-main', ports: ['5432/TCP'], purpose: 'import-export uses its own databases' })]);
    expect(renderReachMarkdown(report)).toContain('**Yes**, on 5432/TCP.');
  });

  it('answers "no" with the side that refuses', () => {
    const report = reachReport('prod', prod, { from: 'exchange/partner-mof-customs', to: 'postgres/postgres-main' });
    expect(report.answers.map((a) => [a.ports, a.egress.state, a.ingress.state])).toEqual([['none', 'refused', 'refused']]);
    const md = renderReachMarkdown(report);
    expect(md).toContain('**No.** Nothing is allowed.');
    expect(md).toContain('- Egress of the client: isolated, no rule admits it');
  });

  it('answers "who can reach the customs database": every client of the Postgres cluster, each with its declared flow', () => {
    const report = reachReport('prod', prod, { to: 'postgres/postgres-main' });
    const clients = report.answers.map((a) => a.from.split(' ')[0]);
    expect(clients).toEqual(expect.arrayContaining(['app-import-export/import-export', 'cnpg-system/cnpg-operator', 'postgres/pgbouncer-main-pooler-rw']));
    expect(clients.some((c) => c!.startsWith('exchange/'))).toBe(false);
    for (const a of report.answers) expect(a.declaredBy.length).toBeGreaterThan(0);
  });

  it('finds the registry mirror by its address and shows that only the operator reaches it', () => {
    const report = reachReport('prod', prod, { to: '10.1.0.50' });
    expect(report.answers.map((a) => `${a.from.split(' ')[0]} ${a.ports}`)).toEqual(['capi-operator-system/capi-operator 443/TCP']);
  });

  it('refuses a name that is nowhere, listing the names it knows', () => {
    expect(() => reachReport('prod', prod, { to: 'postgres/nope' })).toThrow(/--to postgres\/nope names nothing here; known names: .*postgres\/postgres-main/);
  });
});
