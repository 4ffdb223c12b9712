/**
 * Builds the review report from Terraform plan JSON (`terraform show -json <plan>`), one file
 * per stack: actions (create, update, delete, replace with Terraform's reason and the paths
 * that force it), moved (`previous_address`), imported (`change.importing`) and forgotten
 * resources, changes made outside Terraform (`resource_drift`) and output changes. Values are
 * masked where Terraform marked them sensitive and where their names look secret.
 *
 * Stateful resources are recognized from the synthesized stack when one is given (markers,
 * then `prevent_destroy`), else from the resource's kind (see tools/review/stateful.ts).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { buildChange, maskLeaf, type RawChange } from './changes';
import { problem } from './errors';
import { addCounts, count, emptyCounts, sortChanges, type Action, type AttributeChange, type Finding, type ResourceChange, type ReviewReport, type StackReport } from './model';
import { isObject, type Json, type Path } from './paths';
import { Masker } from './sensitive';
import { statefulEvidence } from './stateful';
import { environmentOf, reportOrder, type SynthesizedStack } from './synthesized';
import { diffValues } from './value-diff';

/** The parts of a change in plan JSON that we read. */
export interface PlanChange {
  readonly actions: readonly string[];
  readonly before?: Json;
  readonly after?: Json;
  readonly after_unknown?: Json;
  readonly before_sensitive?: Json;
  readonly after_sensitive?: Json;
  readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
  readonly importing?: { readonly id?: string; readonly identity?: Json };
}

export interface PlanResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly change: PlanChange;
  readonly action_reason?: string;
}

/** The parts of `terraform show -json <plan>` that we read. */
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly errored?: boolean;
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly resource_drift?: readonly PlanResourceChange[];
  readonly output_changes?: Readonly<Record<string, PlanChange>>;
}

/**
 * Checks that a parsed value is plan JSON. `source` names the file in errors.
 */
export function asPlanJson(value: unknown, source: string): PlanJson {
  const fix = 'Produce it with: terraform show -json <plan.tfplan> > <stack>.json';
  if (!isObject(value)) throw problem(source, 'a plan JSON file must hold a JSON object', typeof value, fix);
  if (typeof value.format_version !== 'string') {
    const hint = 'values' in value && !('resource_changes' in value) ? ' (this looks like state JSON, from terraform show -json without a plan file)' : '';
    throw problem(source, `not Terraform plan JSON: "format_version" is missing${hint}`, undefined, fix);
  }
  for (const key of ['resource_changes', 'resource_drift'] as const) {
    if (value[key] !== undefined && !Array.isArray(value[key])) throw problem(source, `"${key}" must be a list`, value[key], fix);
  }
  return value as unknown as PlanJson;
}

/** Reads a plan JSON file; errors name the file and say how to produce a valid one. */
export function readPlanJson(file: string): PlanJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw problem(file, 'cannot read the plan JSON file', undefined, 'Check the path; produce the file with terraform show -json <plan.tfplan> > <stack>.json');
  }
  try {
    return asPlanJson(JSON.parse(text), file);
  } catch (e) {
    if (e instanceof SyntaxError) throw problem(file, `not valid JSON (${e.message})`, undefined, 'Write it with terraform show -json <plan.tfplan>, which prints JSON on one line.');
    throw e;
  }
}

/** The stack a plan file belongs to, from its name: `plans/prod/prod-core-services.json` → `prod-core-services`. */
export function stackNameOfFile(file: string): string {
  return basename(file).replace(/\.(tfplan\.)?json$/, '').replace(/\.tfplan$/, '');
}

/** Terraform's `action_reason` values, in words. */
export const ACTION_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: 'it is tainted (a previous apply failed part-way or it was marked for replacement)',
  replace_because_cannot_update: 'a changed attribute cannot be updated in place',
  replace_by_request: 'replacement was requested (-replace)',
  replace_by_triggers: 'a replace_triggered_by reference changed',
  delete_because_no_resource_config: 'it is no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'count/for_each was added or removed',
  delete_because_count_index: 'its count index is out of range',
  delete_because_each_key: 'its for_each key is gone',
  delete_because_no_move_target: 'its moved target does not exist',
  read_because_config_unknown: 'its configuration depends on values known only after apply',
  read_because_dependency_pending: 'a dependency has pending changes',
  read_because_check_nested: 'a check block reads it',
};

/** Terraform's action list as one action: `["delete","create"]` and `["create","delete"]` are replace. */
export function actionOf(actions: readonly string[]): { action: Action; createBeforeDestroy: boolean } {
  const has = (a: string): boolean => actions.includes(a);
  if (has('delete') && has('create')) return { action: 'replace', createBeforeDestroy: actions[0] === 'create' };
  for (const a of ['create', 'update', 'delete', 'forget', 'read'] as const) if (has(a)) return { action: a, createBeforeDestroy: false };
  return { action: 'no-op', createBeforeDestroy: false };
}

/** A plan for one stack, with its synthesized stack when known (for stateful and sharing markers). */
export interface PlanInput {
  readonly stack: string;
  readonly plan: PlanJson;
  readonly synthesized?: SynthesizedStack;
  /** Dependencies, for ordering (from the synthesized stack when omitted). */
  readonly dependencies?: readonly string[];
}

function toRaw(stack: string, rc: PlanResourceChange, synthesized: SynthesizedStack | undefined): RawChange {
  const { action, createBeforeDestroy } = actionOf(rc.change.actions);
  const synth = synthesized?.resources.get(rc.address);
  const sharingAfter = synth?.sharing ?? [];
  return {
    source: 'plan',
    stack,
    address: rc.address,
    ...(rc.previous_address && rc.previous_address !== rc.address ? { previousAddress: rc.previous_address, moved: true } : {}),
    mode: rc.mode === 'data' ? 'data' : 'managed',
    type: rc.type,
    action,
    createBeforeDestroy,
    ...(rc.change.importing ? { importing: { ...(rc.change.importing.id ? { id: rc.change.importing.id } : {}) } } : {}),
    ...(rc.action_reason ? { reason: ACTION_REASONS[rc.action_reason] ?? rc.action_reason } : {}),
    replacePaths: (rc.change.replace_paths ?? []).map((p) => [...p] as Path),
    before: rc.change.before ?? undefined,
    after: action === 'delete' ? undefined : (rc.change.after ?? undefined),
    afterUnknown: rc.change.after_unknown,
    beforeMarks: rc.change.before_sensitive,
    afterMarks: rc.change.after_sensitive,
    constructPath: synth?.constructPath,
    stateful: statefulEvidence(rc.type, synth, rc.change.before, rc.change.after),
    // Plan JSON has no markers: a created resource's agreements are all new; otherwise unknown, assumed unchanged.
    sharingBefore: action === 'create' ? [] : sharingAfter,
    sharingAfter,
  };
}

function outputChanges(plan: PlanJson): AttributeChange[] {
  const out: AttributeChange[] = [];
  for (const [name, oc] of Object.entries(plan.output_changes ?? {})) {
    if (actionOf(oc.actions).action === 'no-op') continue;
    const masker = new Masker('output', { marks: { [name]: oc.before_sensitive ?? false } }, { marks: { [name]: oc.after_sensitive ?? false } });
    const unknown = { [name]: oc.after_unknown ?? false };
    for (const leaf of diffValues({ [name]: oc.before ?? null }, { [name]: oc.after ?? null }, { afterUnknown: unknown })) {
      const masked = maskLeaf(masker, { ...leaf, path: leaf.path });
      out.push({ ...masked, path: `output.${masked.path}`, steps: ['output', ...leaf.path] });
    }
  }
  return out;
}

function stackReport(input: PlanInput): { report: StackReport; findings: Finding[] } {
  const { plan, stack, synthesized } = input;
  const findings: Finding[] = [];
  const changes: ResourceChange[] = [];
  const counts = emptyCounts();
  for (const rc of plan.resource_changes ?? []) {
    const raw = toRaw(stack, rc, synthesized);
    if (raw.action === 'read' || (raw.action === 'no-op' && !raw.moved && !raw.importing)) continue;
    const built = buildChange(raw);
    changes.push(built.change);
    findings.push(...built.findings);
    count(counts, built.change);
  }
  const drift = (plan.resource_drift ?? []).map((rc) => buildChange({ ...toRaw(stack, rc, synthesized), source: 'plan' }).change);
  const settings = outputChanges(plan);
  const notes: string[] = [];
  if (plan.errored) notes.push('Terraform reported errors while planning: this plan is incomplete and cannot be applied.');
  const status: StackReport['status'] = plan.errored ? 'errored' : changes.length > 0 || settings.length > 0 ? 'changed' : 'unchanged';
  if (plan.errored) {
    findings.push({
      rule: 'plan-errored',
      severity: 'caution',
      stack,
      message: `the plan of \`${stack}\` errored and is incomplete.`,
      why: 'Changes Terraform could not plan are missing from this report.',
    });
  }
  return { report: { name: stack, environment: environmentOf(stack), status, changes: sortChanges(changes), settings, drift, counts, notes }, findings };
}

/** The report of several plans, stacks in dependency order when dependencies are known. */
export function reportFromPlans(inputs: readonly PlanInput[], title: string): ReviewReport {
  const ordered = reportOrder(inputs.map((i) => ({ ...i, name: i.stack, dependencies: i.dependencies ?? i.synthesized?.dependencies ?? [] })));
  const stacks: StackReport[] = [];
  const findings: Finding[] = [];
  const totals = emptyCounts();
  for (const input of ordered) {
    const { report, findings: f } = stackReport(input);
    stacks.push(report);
    findings.push(...f);
    addCounts(totals, report.counts);
  }
  return { schemaVersion: 1, kind: 'plan', title, stacks, findings, totals };
}
