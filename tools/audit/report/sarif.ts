/**
 * SARIF 2.1.0 for code scanning. One run; a result per finding, suppressed finding and built-in
 * exception (the last two carry `suppressions`, so code-scanning UIs show them as dismissed with
 * their justification). Locations point at the source file that declares the construct when the
 * build recorded it, else at the stack's cdk.tf.json; the construct path is the logical location.
 * Validated against the SARIF 2.1.0 schema in test/audit-report.test.ts.
 */
import { createHash } from 'node:crypto';
import type { Outcome } from '../../../policy/audit/engine';
import type { Severity } from '../../../policy/audit/types';
import type { AuditReport } from './model';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };

export interface SarifOptions {
  /** Prefix for stack files, e.g. `cdktf.out/` (so URIs are relative to the repository). @default '' */
  readonly outputPrefix?: string;
}

export function renderSarif(report: AuditReport, options: SarifOptions = {}): string {
  const prefix = options.outputPrefix ?? '';
  const rules = report.rules.map((r) => ({
    id: r.id,
    name: r.slug.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.why },
    help: { text: `${r.title} ${r.why} Controls: ${r.controls.join(', ')}.`, markdown: `**${r.id}**: ${r.title}\n\n${r.why}\n\nControls: ${r.controls.join(', ')}` },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['security', ...r.controls], precision: 'high', 'security-severity': SECURITY_SEVERITY[r.severity] },
  }));
  const index = new Map(report.rules.map((r, i) => [r.id, i]));
  const results = report.environments.flatMap((env) => {
    const files = new Map(env.stacks.map((s) => [s.name, s.file]));
    return env.outcomes
      .filter((o) => o.status !== 'pass')
      .map((o: Outcome) => {
        const uri = o.resource?.source?.file ?? `${prefix}${files.get(o.stack) ?? `stacks/${o.stack}/cdk.tf.json`}`;
        const fingerprint = createHash('sha256').update([o.rule.id, o.stack, o.resource?.address ?? '', o.object ? `${o.object.kind}/${o.object.namespace ?? ''}/${o.object.name}` : ''].join('|')).digest('hex').slice(0, 32);
        const suppression = o.suppression
          ? [{ kind: 'inSource', status: 'accepted', justification: o.suppression.reason, properties: { owner: o.suppression.owner, expires: o.suppression.expires } }]
          : o.exception
            ? [{ kind: 'inSource', status: 'accepted', justification: o.exception.reason, properties: { exceptionKind: o.exception.kind, ...(o.exception.owner ? { owner: o.exception.owner } : {}), ...(o.exception.expires ? { expires: o.exception.expires } : {}) } }]
            : undefined;
        return {
          ruleId: o.rule.id,
          ruleIndex: index.get(o.rule.id)!,
          level: LEVEL[o.rule.severity],
          message: { text: o.message },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri } },
              logicalLocations: [{ fullyQualifiedName: o.resource?.path ?? `${o.stack}`, kind: o.resource ? 'resource' : 'module' }],
            },
          ],
          partialFingerprints: { 'moitAuditFinding/v1': fingerprint },
          ...(suppression ? { suppressions: suppression } : {}),
          properties: { environment: env.name, stack: o.stack, ...(o.resource ? { address: o.resource.address } : {}) },
        };
      });
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: report.tool.name, version: report.tool.version, semanticVersion: report.tool.version, rules } },
        invocations: [{ executionSuccessful: true, properties: { today: report.today, threshold: report.threshold, passed: report.passed } }],
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
