/**
 * The audit report, independent of its format: per environment, every control with its status
 * and evidence (resource address, construct path, source file), the findings, the built-in
 * exceptions and every suppression. The renderers (markdown, json, sarif, junit) only format it.
 */
import { CONTROLS, type Control } from '../../../policy/audit/controls';
import { auditStack, suppressionEntries, type Outcome, type StackAudit, type SuppressionEntry } from '../../../policy/audit/engine';
import type { StackModel } from '../../../policy/audit/model';
import { RULES } from '../../../policy/audit/rules';
import { atLeast, type Rule, type Severity } from '../../../policy/audit/types';
import { SYNTH_ONLY } from '../../../policy/admission/policies';

export type ControlState = 'holds' | 'holds with exceptions' | 'fails' | 'not evaluated';

export interface ControlStatus {
  readonly control: Control;
  readonly state: ControlState;
  /** The rules that evidence the control. */
  readonly rules: readonly Rule[];
  /** Every evaluation of those rules in the environment. */
  readonly evidence: readonly Outcome[];
}

/**
 * Sections produced by other tools, included when given: the network diagram (`npm run diagram`,
 * tools/reports/network-diagram.ts) and the access matrix (`npm run access`,
 * environments/catalogue/access.ts). Each returns Markdown for an environment, or undefined.
 */
export interface ReportSections {
  readonly networkDiagram?: (environment: string) => string | undefined;
  readonly accessMatrix?: (environment: string) => string | undefined;
}

/** How one rule of the pack holds inside the clusters of an environment. */
export interface AdmissionRow {
  readonly rule: string;
  /** Its admission policies as bound in each stack: `deny` refuses, `warn` warns and audits. */
  readonly bindings: ReadonlyArray<{ readonly policy: string; readonly stack: string; readonly mode: string }>;
  /** Why it is judged at synth only (no binding in this environment). */
  readonly synthOnly?: string;
}

export interface EnvironmentReport {
  readonly name: string;
  readonly class?: string;
  readonly securityLevel?: number;
  readonly stacks: readonly { readonly name: string; readonly file: string }[];
  readonly controls: readonly ControlStatus[];
  readonly outcomes: readonly Outcome[];
  /** Failures not suppressed, at any severity. */
  readonly findings: readonly Outcome[];
  /** Failures silenced by a valid suppression. */
  readonly suppressed: readonly Outcome[];
  /** Passes that rely on a built-in exception (Pod Security, network, object lock). */
  readonly exceptions: readonly Outcome[];
  readonly suppressions: readonly SuppressionEntry[];
  /** Which rules also hold at admission, in which mode (from the synthesized bindings). */
  readonly admission: readonly AdmissionRow[];
  readonly networkDiagram?: string;
  readonly accessMatrix?: string;
}

export interface AuditReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly today: string;
  readonly threshold: Severity;
  readonly rules: readonly Rule[];
  readonly environments: readonly EnvironmentReport[];
  /** Findings at or above the threshold: the audit fails when there is any. */
  readonly blocking: readonly Outcome[];
  readonly passed: boolean;
}

export const TOOL = { name: 'moit-datacentre-audit', version: '1.0.0' } as const;

export interface ReportInput {
  readonly stacks: readonly { readonly name: string; readonly file: string; readonly model: StackModel }[];
  readonly today: string;
  /** @default 'error' */
  readonly threshold?: Severity;
  /** @default {} */
  readonly sections?: ReportSections;
  /** @default RULES */
  readonly rules?: readonly Rule[];
}

/** The environment a stack belongs to: its record, else the stack name's first part. */
function environmentOf(model: StackModel): string {
  return model.environment?.name ?? model.name.split('-')[0]!;
}

function controlState(evidence: readonly Outcome[]): ControlState {
  if (evidence.length === 0) return 'not evaluated';
  if (evidence.some((o) => o.status === 'fail')) return 'fails';
  if (evidence.some((o) => o.status === 'suppressed' || o.status === 'excepted')) return 'holds with exceptions';
  return 'holds';
}

/** Audits the stacks and assembles the report. */
export function buildReport(input: ReportInput): AuditReport {
  const threshold = input.threshold ?? 'error';
  const rules = input.rules ?? RULES;
  const audits: Array<StackAudit & { file: string }> = input.stacks.map((s) => ({ ...auditStack(s.model, { today: input.today, rules }), file: s.file }));
  const names = [...new Set(audits.map((a) => environmentOf(a.stack)))];
  const environments = names.map((name): EnvironmentReport => {
    const mine = audits.filter((a) => environmentOf(a.stack) === name);
    const outcomes = mine.flatMap((a) => a.outcomes);
    const recorded = mine.find((a) => a.stack.environment)?.stack.environment;
    const controls = CONTROLS.map((control) => {
      const ruling = rules.filter((r) => r.controls.includes(control.id));
      const evidence = outcomes.filter((o) => ruling.includes(o.rule));
      return { control, state: controlState(evidence), rules: ruling, evidence };
    }).filter((c) => c.rules.length > 0);
    const diagram = input.sections?.networkDiagram?.(name);
    const access = input.sections?.accessMatrix?.(name);
    return {
      name,
      class: recorded?.class,
      securityLevel: recorded?.securityLevel,
      stacks: mine.map((a) => ({ name: a.stack.name, file: a.file })),
      controls,
      outcomes,
      findings: outcomes.filter((o) => o.status === 'fail'),
      suppressed: outcomes.filter((o) => o.status === 'suppressed'),
      exceptions: outcomes.filter((o) => o.status === 'excepted'),
      suppressions: suppressionEntries(mine, input.today),
      admission: admissionRows(rules, mine.map((a) => a.stack)),
      ...(diagram ? { networkDiagram: diagram } : {}),
      ...(access ? { accessMatrix: access } : {}),
    };
  });
  const blocking = environments.flatMap((e) => e.findings.filter((o) => atLeast(o.rule.severity, threshold)));
  return { tool: TOOL, today: input.today, threshold, rules, environments, blocking, passed: blocking.length === 0 };
}

/** The admission policy bindings of the stacks, per rule (labels written by constructs/admission). */
function admissionRows(rules: readonly Rule[], stacks: readonly StackModel[]): AdmissionRow[] {
  const bindings = stacks.flatMap((s) =>
    s.objectsOf('ValidatingAdmissionPolicyBinding', 'admissionregistration.k8s.io').map((b) => ({
      rule: b.labels['moit.gov.vn/audit-rule'] ?? '',
      policy: b.name,
      stack: s.name,
      mode: b.labels['moit.gov.vn/admission-mode'] ?? (Array.isArray(b.spec.validationActions) && b.spec.validationActions.includes('Deny') ? 'deny' : 'warn'),
    })),
  );
  return rules.map((r) => {
    const mine = bindings.filter((b) => b.rule === r.id).map(({ policy, stack, mode }) => ({ policy, stack, mode }));
    return mine.length > 0 ? { rule: r.id, bindings: mine } : { rule: r.id, bindings: [], synthOnly: SYNTH_ONLY[r.id] ?? 'no admission policy is bound in this environment' };
  });
}

/** Where an outcome is, for people: construct path, else address, else the stack. */
export function locationOf(o: Outcome): string {
  return o.resource?.path ?? o.resource?.address ?? `stack ${o.stack}`;
}
