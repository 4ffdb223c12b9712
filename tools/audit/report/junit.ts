/**
 * JUnit XML for CI: a test suite per environment, a test case per rule. A case fails when the
 * rule has unsuppressed findings at or above the threshold; it is skipped when nothing in the
 * environment was of the kind the rule checks. Suppressed findings, exceptions and findings
 * below the threshold are listed in the case's system-out.
 */
import { atLeast } from '../../../policy/audit/types';
import { locationOf, type AuditReport } from './model';

const xml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

export function renderJunit(report: AuditReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const suites: string[] = [];
  let tests = 0;
  let failuresTotal = 0;
  let skippedTotal = 0;
  for (const env of report.environments) {
    const cases: string[] = [];
    let failures = 0;
    let skipped = 0;
    for (const rule of report.rules) {
      const mine = env.outcomes.filter((o) => o.rule === rule);
      const blocking = mine.filter((o) => o.status === 'fail' && atLeast(rule.severity, report.threshold));
      const notes = mine.filter((o) => o.status === 'suppressed' || o.status === 'excepted' || (o.status === 'fail' && !atLeast(rule.severity, report.threshold)));
      const name = `${rule.id} ${rule.slug}`;
      const head = `    <testcase classname="audit.${xml(env.name)}" name="${xml(name)}" time="0">`;
      const body: string[] = [];
      if (mine.length === 0) {
        skipped++;
        body.push(`      <skipped message="not evaluated: nothing in ${xml(env.name)} is of the kind ${xml(rule.id)} checks"/>`);
      } else if (blocking.length > 0) {
        failures++;
        body.push(
          `      <failure message="${xml(`${blocking.length} finding${blocking.length === 1 ? '' : 's'}: ${rule.title}`)}" type="${rule.severity}">${xml(blocking.map((o) => `${locationOf(o)}: ${o.message}`).join('\n'))}</failure>`,
        );
      }
      if (notes.length > 0) {
        body.push(`      <system-out>${xml(notes.map((o) => `${o.status}${o.suppression ? ` (${o.suppression.owner} until ${o.suppression.expires}: ${o.suppression.reason})` : o.exception ? ` (${o.exception.kind}: ${o.exception.reason})` : ` (${rule.severity})`} ${locationOf(o)}: ${o.message}`).join('\n'))}</system-out>`);
      }
      cases.push(body.length === 0 ? `${head}</testcase>` : [head, ...body, '    </testcase>'].join('\n'));
    }
    tests += report.rules.length;
    failuresTotal += failures;
    skippedTotal += skipped;
    suites.push(
      [`  <testsuite name="security audit: ${xml(env.name)}" tests="${report.rules.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0" timestamp="${report.today}T00:00:00">`, ...cases, '  </testsuite>'].join('\n'),
    );
  }
  out.push(`<testsuites name="${xml(report.tool.name)}" tests="${tests}" failures="${failuresTotal}" errors="0" skipped="${skippedTotal}" time="0">`, ...suites, '</testsuites>', '');
  return out.join('\n');
}
