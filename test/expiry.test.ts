/**
 * Suppressions and sharing agreements: synth, audit and diff warn from 30 days before they
 * expire; on expiry the audit fails (a development synth only warns: test/audit-aspect.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { auditStack, expiringSoon } from '../policy/audit/engine';
import { stackModel } from '../policy/audit/model';
import { RULES } from '../policy/audit/rules';
import { expiryFindings } from '../tools/review/expiry';
import { synthEstate } from './helpers';

const stack = (top: Record<string, unknown>, resource: Record<string, unknown> = {}) => stackModel('prod-core-services', { '//': top, resource });

describe('expiringSoon', () => {
  const model = stack(
    { suppressions: [{ rule: 'BAK-004', reason: 'not yet in service', owner: 'platform/lead', expires: '2027-03-31' }], sharingAgreements: { 'SA-2026-004': { start: '2026-01-01', expiry: '2027-04-10' } } },
  );

  it('lists what ends within 30 days, the expiry day included, and nothing earlier or already expired', () => {
    expect(expiringSoon(model, '2027-02-28')).toEqual([]);
    expect(expiringSoon(model, '2027-03-01').map((n) => n.message)).toEqual([
      'suppression of BAK-004 (owner platform/lead) expires on 2027-03-31 (in 30 days); after it the finding fails the audit again: fix it, or renew the suppression with a new review',
    ]);
    expect(expiringSoon(model, '2027-03-31').map((n) => [n.what, n.daysLeft])).toEqual([
      ['suppression of BAK-004 (owner platform/lead)', 0],
      ['sharing agreement SA-2026-004', 10],
    ]);
    expect(expiringSoon(model, '2027-04-01').map((n) => n.what)).toEqual(['sharing agreement SA-2026-004']);
    expect(expiringSoon(model, '2027-04-11')).toEqual([]);
  });
});

describe('a lapsed finding', () => {
  const shr = RULES.filter((r) => r.id === 'SHR-001');
  const granting = (ids: string[]) => ({ kubernetes_manifest: { grant: { '//': { sharing: ids }, manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'y' } } } } });

  it('is marked when only a date passed (an expired agreement), not when a record is missing or not yet in force', () => {
    const agreements = { sharingAgreements: { 'SA-1': { start: '2026-01-01', expiry: '2026-06-30' }, 'SA-2': { start: '2027-01-01', expiry: '2027-12-31' } } };
    const outcome = (ids: string[]) => auditStack(stack(agreements, granting(ids)), { today: '2026-11-27', rules: shr }).outcomes[0]!;
    expect(outcome(['SA-1'])).toMatchObject({ status: 'fail', lapsed: true });
    expect(outcome(['SA-2']).status).toBe('fail');
    expect(outcome(['SA-2']).lapsed).toBeUndefined();
    expect(outcome(['SA-1', 'SA-9']).lapsed).toBeUndefined();
  });
});

describe('npm run audit and npm run diff', () => {
  const audit = (args: string[]) => spawnSync(process.execPath, [resolve('dist/scripts/audit.js'), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

  it('audit warns about the built-in suppression 16 days before it expires, and fails once it has', () => {
    const { outdir } = synthEstate();
    const soon = audit(['--dir', outdir, '--env', 'prod', '--today', '2027-03-15', '--format', 'json']);
    expect(soon.status).toBe(0);
    expect(soon.stderr).toContain('audit: warning: suppression of BAK-004 (owner platform/backup-lead) expires on 2027-03-31 (in 16 days)');
    const after = audit(['--dir', outdir, '--env', 'prod', '--today', '2027-04-01', '--format', 'json']);
    expect(after.status).toBe(1);
    expect(after.stderr).not.toContain('expires on 2027-03-31');
    expect(JSON.parse(after.stdout).environments[0].findings.map((f: { rule: string }) => f.rule)).toEqual(expect.arrayContaining(['AUD-001', 'BAK-004']));
  });

  it('diff adds a caution for each suppression or agreement of the new version expiring within 30 days', () => {
    const { outdir } = synthEstate();
    const findings = expiryFindings(outdir, '2027-03-15');
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'expiring-soon', severity: 'caution', message: expect.stringContaining('suppression of BAK-004 (owner platform/backup-lead) expires on 2027-03-31 (in 16 days)') }));
    expect(new Set(findings.map((f) => f.message)).size).toBe(findings.length);
    expect(expiryFindings(outdir, '2026-11-27')).toEqual([]);
  });
});
