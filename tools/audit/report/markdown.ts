/** The report for people: Markdown, readable in a pull request or printed for an audit file. */
import type { Outcome } from '../../../policy/audit/engine';
import { locationOf, type AuditReport, type ControlState, type EnvironmentReport } from './model';

const cell = (text: string | number | undefined) => String(text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const STATE_MARK: Record<ControlState, string> = { holds: '✅ holds', 'holds with exceptions': '⚠️ holds with exceptions', fails: '❌ fails', 'not evaluated': '➖ not evaluated' };

function where(o: Outcome): string {
  const source = o.resource?.source ? `\`${o.resource.source.file}\` (${o.resource.source.construct})` : '';
  return `\`${cell(locationOf(o))}\` | ${o.resource ? `\`${cell(o.resource.address)}\`` : ''} | ${source}`;
}

function findingRows(outcomes: readonly Outcome[]): string[] {
  return [
    '| rule | severity | construct path | address | source | what is wrong |',
    '| --- | --- | --- | --- | --- | --- |',
    ...outcomes.map((o) => `| ${o.rule.id} | ${o.rule.severity} | ${where(o)} | ${cell(o.message)} |`),
  ];
}

function environmentSection(env: EnvironmentReport): string[] {
  const out: string[] = [];
  const level = env.securityLevel === undefined ? 'unknown (no environment record)' : String(env.securityLevel);
  out.push(`## Environment \`${env.name}\``, '', `Class ${env.class ?? 'unknown'}, security level ${level}; stacks: ${env.stacks.map((s) => `\`${s.name}\``).join(', ')}.`, '');
  const counts = (state: ControlState) => env.controls.filter((c) => c.state === state).length;
  out.push(
    `Controls: ${counts('holds')} hold, ${counts('holds with exceptions')} hold with exceptions, ${counts('fails')} fail, ${counts('not evaluated')} not evaluated (nothing of that kind in this environment). ` +
      `Findings: ${env.findings.length}; suppressed: ${env.suppressed.length}; built-in exceptions: ${env.exceptions.length}.`,
    '',
  );

  out.push('### Findings', '');
  if (env.findings.length === 0) out.push('None.', '');
  else out.push(...findingRows(env.findings), '');

  out.push('### Controls', '', '| control | framework | reference | status | rules | checked |', '| --- | --- | --- | --- | --- | --- |');
  for (const c of env.controls) {
    out.push(`| ${cell(c.control.title)} | ${c.control.framework} | ${cell(c.control.ref)} | ${STATE_MARK[c.state]} | ${c.rules.map((r) => r.id).join(', ')} | ${c.evidence.length} |`);
  }
  out.push('');

  out.push('### Evidence by control', '');
  for (const c of env.controls) {
    if (c.evidence.length === 0) continue;
    out.push(`<details><summary>${cell(c.control.framework)} ${cell(c.control.ref)}: ${cell(c.control.title)} (${STATE_MARK[c.state]}, ${c.evidence.length} checked)</summary>`, '');
    out.push('| rule | status | construct path | address | source | evidence |', '| --- | --- | --- | --- | --- | --- |');
    for (const o of c.evidence) out.push(`| ${o.rule.id} | ${o.status} | ${where(o)} | ${cell(o.message)} |`);
    out.push('', '</details>', '');
  }

  out.push('### Exceptions declared in the constructs', '');
  if (env.exceptions.length === 0) out.push('None.', '');
  else {
    out.push('| rule | kind | construct path | source | reason | owner | expires |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const o of env.exceptions) {
      const e = o.exception!;
      out.push(`| ${o.rule.id} | ${e.kind} | \`${cell(locationOf(o))}\` | ${o.resource?.source ? `\`${o.resource.source.file}\`` : ''} | ${cell(e.reason)} | ${cell(e.owner ?? '— (not recorded)')} | ${cell(e.expires ?? '— (not recorded)')} |`);
    }
    out.push('');
  }

  out.push('### Suppressions', '');
  if (env.suppressions.length === 0) out.push('None.', '');
  else {
    out.push('| rule | where | reason | owner | expires | state | findings silenced |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const s of env.suppressions) {
      const r = s.record;
      out.push(`| ${cell(String(r.rule))} | \`${cell(s.where)}\` | ${cell(String(r.reason ?? ''))} | ${cell(String(r.owner ?? ''))} | ${cell(String(r.expires ?? ''))} | ${s.state} | ${s.used} |`);
    }
    out.push('');
  }

  out.push('### Enforced at admission', '', 'The rules that also hold inside the clusters, as ValidatingAdmissionPolicies (`deny` refuses the request, `warn` lets it through with a warning and an audit event), and why the others are judged at synth only.', '');
  out.push('| rule | policy | mode per stack | or synth only, because |', '| --- | --- | --- | --- |');
  for (const a of env.admission) {
    const policies = [...new Set(a.bindings.map((b) => b.policy))];
    const modes = a.bindings.map((b) => `${b.stack}: ${b.mode}`).join('; ');
    out.push(`| ${a.rule} | ${policies.map((p) => `\`${p}\``).join(', ')} | ${cell(modes)} | ${cell(a.synthOnly ?? '')} |`);
  }
  out.push('');
  out.push('### Network diagram', '');
  out.push(env.networkDiagram ? env.networkDiagram.replace(/^# /gm, '#### ') : 'Not included: pass `--diagram` to `npm run audit` (hook `ReportSections.networkDiagram`, rendered by `npm run diagram` from the source code of this checkout).', '');
  out.push('### Access matrix', '');
  out.push(env.accessMatrix ? env.accessMatrix.replace(/^# /gm, '#### ').replace(/^## /gm, '#### ') : 'Not included: pass `--access` to `npm run audit` (hook `ReportSections.accessMatrix`, rendered by `npm run access` from the data-domain catalogue of this checkout).', '');
  return out;
}

export function renderMarkdown(report: AuditReport): string {
  const out: string[] = [];
  out.push('# Security audit report', '');
  out.push(
    `Rule pack ${report.tool.name} ${report.tool.version} (${report.rules.length} rules), evaluated on ${report.today}; threshold: ${report.threshold}. ` +
      `Result: **${report.passed ? 'PASS' : 'FAIL'}**, ${report.blocking.length} finding${report.blocking.length === 1 ? '' : 's'} at or above ${report.threshold}.`,
    '',
  );
  out.push('| environment | class | level | controls holding | with exceptions | failing | not evaluated | findings | suppressed | exceptions |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const e of report.environments) {
    const n = (s: ControlState) => e.controls.filter((c) => c.state === s).length;
    out.push(`| ${e.name} | ${e.class ?? '?'} | ${e.securityLevel ?? '?'} | ${n('holds')} | ${n('holds with exceptions')} | ${n('fails')} | ${n('not evaluated')} | ${e.findings.length} | ${e.suppressed.length} | ${e.exceptions.length} |`);
  }
  out.push('');
  for (const e of report.environments) out.push(...environmentSection(e));
  out.push('## Rules', '', '| rule | severity | what is wrong when it fires | why it matters | controls |', '| --- | --- | --- | --- | --- |');
  for (const r of report.rules) out.push(`| ${r.id} | ${r.severity} | ${cell(r.title)} | ${cell(r.why)} | ${r.controls.join(', ')} |`);
  out.push('');
  return out.join('\n');
}
