/** The report for tools: stable JSON, one object per environment, control and outcome. */
import { control as controlOf } from '../../../policy/audit/controls';
import type { Outcome } from '../../../policy/audit/engine';
import { locationOf, type AuditReport } from './model';

function outcome(o: Outcome) {
  return {
    rule: o.rule.id,
    severity: o.rule.severity,
    status: o.status,
    message: o.message,
    stack: o.stack,
    location: locationOf(o),
    address: o.resource?.address ?? null,
    constructPath: o.resource?.path ?? null,
    source: o.resource?.source ?? null,
    kind: o.object ? `${o.object.apiVersion}/${o.object.kind}` : null,
    suppression: o.suppression ?? null,
    exception: o.exception ?? null,
  };
}

export function renderJson(report: AuditReport): string {
  const doc = {
    schema: 'moit-datacentre/audit-report@1',
    tool: report.tool,
    today: report.today,
    threshold: report.threshold,
    passed: report.passed,
    blocking: report.blocking.length,
    rules: report.rules.map((r) => ({ id: r.id, slug: r.slug, severity: r.severity, title: r.title, why: r.why, suppressible: r.suppressible, controls: r.controls.map((id) => ({ ...controlOf(id) })) })),
    environments: report.environments.map((e) => ({
      name: e.name,
      class: e.class ?? null,
      securityLevel: e.securityLevel ?? null,
      stacks: e.stacks,
      controls: e.controls.map((c) => ({ ...c.control, state: c.state, rules: c.rules.map((r) => r.id), evidence: c.evidence.map(outcome) })),
      findings: e.findings.map(outcome),
      suppressed: e.suppressed.map(outcome),
      exceptions: e.exceptions.map(outcome),
      suppressions: e.suppressions.map((s) => ({ stack: s.stack, where: s.where, ...s.record, state: s.state, findingsSilenced: s.used })),
      admission: e.admission,
      networkDiagram: e.networkDiagram ?? null,
      accessMatrix: e.accessMatrix ?? null,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
