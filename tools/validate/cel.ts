/**
 * Evaluates the CEL rules of a CRD schema (`x-kubernetes-validations`) on a manifest, offline,
 * with @bufbuild/cel (and its strings extension), the way the API server runs them on create:
 *
 * - the object is defaulted first (schema `default`s), as the API server does before validating;
 * - a rule runs only where its node is present, once per list item and per map value, with
 *   `self` bound to that node: integer (and int-or-string) fields as CEL int, number fields as
 *   double, objects with properties as objects whose field names are escaped like the API
 *   server's (`__dash__`, `__dot__`, `__slash__`, `__underscores__`, `__namespace__`...),
 *   additionalProperties as maps keyed by the raw keys;
 * - transition rules (they read `oldSelf`) have nothing to compare on create: they are skipped
 *   and counted;
 * - a rule the offline evaluator cannot run honestly is never given a verdict: one that does not
 *   parse here (optional syntax `self.?x`), or calls a function it lacks (Kubernetes' quantity,
 *   url, ip, cidr, list and format libraries), is listed as not evaluated with the reason; so is a
 *   rule whose node holds a Terraform interpolation (known only at apply) or whose evaluation
 *   errs (an error is the evaluator's, not a verdict).
 *
 * Each rule is compiled once per process (cached by CRD, schema path and rule text).
 */
import { celEnv, isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { CelNode, CelRule } from './cel-schema';
import { CONTAINS_INTERPOLATION } from './openapi';

/** Why a rule of a schema was not evaluated. */
export interface CelRuleNote {
  /** `apiVersion kind`. */
  readonly kind: string;
  /** Where the rule is in the schema: `.spec.bootstrap`, `.spec.clusterNetwork.pods.cidrBlocks[]`. */
  readonly schemaPath: string;
  readonly rule: string;
  readonly reason: string;
}

/** A rule that could not be evaluated on one manifest node (the caller adds where the manifest is). */
export interface CelSkip {
  /** Path segments of the node inside the manifest. */
  readonly segments: readonly string[];
  readonly schemaPath: string;
  readonly rule: string;
  readonly reason: string;
}

/** A rule that returned false on one manifest node. */
export interface CelFailure {
  readonly segments: readonly string[];
  readonly schemaPath: string;
  readonly rule: string;
  /** The rule's message, messageExpression result, or `failed rule: <rule>` as the API server says. */
  readonly message: string;
}

/** What the rules of one kind did on one manifest. */
export interface CelCheck {
  readonly failures: CelFailure[];
  readonly skipped: CelSkip[];
}

/** Counts over the rules of the kinds a run met (each rule counted once, however often it ran). */
export interface CelSummary {
  /** Rules in the schemas of those kinds. */
  readonly rules: number;
  /** Rules that ran on at least one manifest node. */
  readonly evaluated: number;
  /** Runs of those rules (one per present node per manifest). */
  readonly evaluations: number;
  /** Rules the evaluator can run whose node no manifest has. */
  readonly notReached: number;
  /** The rules that ran, with how often. */
  readonly ran: Array<{ readonly kind: string; readonly schemaPath: string; readonly rule: string; readonly runs: number }>;
  /** Transition rules (they read oldSelf), skipped. */
  readonly transition: CelRuleNote[];
  /** Rules the evaluator cannot run, with the reason. */
  readonly notEvaluated: CelRuleNote[];
}

type Program = (bindings: Record<string, unknown>) => unknown;
type Compiled =
  | { readonly status: 'transition' }
  | { readonly status: 'unsupported'; readonly reason: string }
  | { readonly status: 'ok'; readonly run: Program; readonly message?: Program };

/** Functions of Kubernetes' CEL libraries, by name, with the library they belong to. */
const KUBERNETES_LIBRARIES: Readonly<Record<string, string>> = {
  quantity: 'quantity', isQuantity: 'quantity', url: 'URL', isURL: 'URL', ip: 'IP address', isIP: 'IP address', cidr: 'CIDR', isCIDR: 'CIDR',
  isSorted: 'list', sum: 'list', min: 'list', max: 'list', reverse: 'list', distinct: 'list', slice: 'list', flatten: 'list', sort: 'list',
  find: 'regex', findAll: 'regex', semver: 'semver', isSemver: 'semver', authorizer: 'authorizer',
  orValue: 'optional types', hasValue: 'optional types', value: 'optional types', of: 'optional types', none: 'optional types', ofNonZeroValue: 'optional types',
  validate: 'format', named: 'format',
};

/** Operators the planner implements itself (not functions of the environment). */
const PLANNED = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

/** CEL's reserved words: a property named so is reached as `__<word>__` (Kubernetes' escaping). */
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var']);
const INTERPOLATION = new RegExp(CONTAINS_INTERPOLATION);

let environment: CelEnv | undefined;
const env = (): CelEnv => (environment ??= celEnv({ funcs: strings }));
const programs = new Map<string, Compiled>();

/** Compiles a rule (cached by `key`, which names the CRD, the schema path and the rule). */
export function compileRule(key: string, rule: CelRule): Compiled {
  let compiled = programs.get(`${key}\u0000${rule.rule}`);
  if (!compiled) {
    compiled = compile(rule);
    programs.set(`${key}\u0000${rule.rule}`, compiled);
  }
  return compiled;
}

function compile(rule: CelRule): Compiled {
  const program = compileExpression(rule.rule);
  if ('transition' in program) return { status: 'transition' };
  if ('reason' in program) return { status: 'unsupported', reason: program.reason };
  const message = rule.messageExpression ? compileExpression(rule.messageExpression) : undefined;
  return { status: 'ok', run: program.run, ...(message && 'run' in message ? { message: message.run } : {}) };
}

function compileExpression(text: string): { run: Program } | { reason: string } | { transition: true } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (error) {
    if (/\boldSelf\b/.test(text)) return { transition: true };
    if (/[.[]\?/.test(text)) return { reason: 'uses optional field syntax (.?field / [?key]): no offline implementation' };
    return { reason: `does not parse offline: ${(error as Error).message}` };
  }
  const { functions, identifiers } = namesIn(parsed.expr);
  if (identifiers.has('oldSelf')) return { transition: true };
  const missing = [...functions].filter((f) => !PLANNED.has(f) && env().funcs.find(f) === undefined).sort();
  if (missing.length > 0) {
    const library = missing.map((f) => KUBERNETES_LIBRARIES[f]).find((l) => l !== undefined);
    return { reason: `uses ${missing.map((f) => `${f}()`).join(', ')}: no offline implementation${library ? ` (Kubernetes' ${library} library)` : ''}` };
  }
  const unknown = [...identifiers].filter((i) => i !== 'self').sort();
  if (unknown.length > 0) return { reason: `reads ${unknown.join(', ')}: only self is bound offline` };
  let planned: (bindings: Record<string, unknown>) => unknown;
  try {
    planned = plan(env(), parsed) as (bindings: Record<string, unknown>) => unknown;
  } catch (error) {
    return { reason: `does not compile offline: ${(error as Error).message}` };
  }
  return { run: planned };
}

/** The function names and the free identifiers (comprehension variables excluded) of an expression. */
function namesIn(root: any): { functions: Set<string>; identifiers: Set<string> } {
  const functions = new Set<string>();
  const identifiers = new Set<string>();
  const visit = (expr: any, bound: ReadonlySet<string>): void => {
    if (!expr?.exprKind) return;
    const { case: kind, value } = expr.exprKind;
    switch (kind) {
      case 'identExpr':
        if (!bound.has(value.name)) identifiers.add(value.name);
        break;
      case 'selectExpr':
        visit(value.operand, bound);
        break;
      case 'callExpr':
        functions.add(value.function);
        visit(value.target, bound);
        for (const a of value.args) visit(a, bound);
        break;
      case 'listExpr':
        for (const e of value.elements) visit(e, bound);
        break;
      case 'structExpr':
        for (const e of value.entries) {
          if (e.keyKind?.case === 'mapKey') visit(e.keyKind.value, bound);
          visit(e.value, bound);
        }
        break;
      case 'comprehensionExpr': {
        visit(value.iterRange, bound);
        visit(value.accuInit, bound);
        const inner = new Set([...bound, value.iterVar, value.iterVar2, value.accuVar].filter(Boolean));
        visit(value.loopCondition, inner);
        visit(value.loopStep, inner);
        visit(value.result, inner);
        break;
      }
      default:
        break;
    }
  };
  visit(root, new Set());
  return { functions, identifiers };
}

/**
 * Runs the rules of `tree` (the CEL view of one kind's schema) on a manifest; `key` names the
 * kind's CRD for the compile cache. `ran` collects `<key> <schema path> <rule>` of each rule run.
 */
export function checkCelRules(key: string, tree: CelNode, object: unknown, ran: Map<string, number>): CelCheck {
  const failures: CelFailure[] = [];
  const skipped: CelSkip[] = [];
  const visit = (node: CelNode, value: unknown, segments: string[], schemaPath: string): void => {
    if (value === undefined || value === null) return;
    for (const rule of node.rules ?? []) {
      const compiled = compileRule(`${key}\u0000${schemaPath}`, rule);
      if (compiled.status !== 'ok') continue;
      if (holdsInterpolation(value)) {
        skipped.push({ segments, schemaPath, rule: rule.rule, reason: 'the node holds a Terraform interpolation, known only at apply' });
        continue;
      }
      const self = toCel(node, value);
      const result = compiled.run({ self });
      const id = `${key}\u0000${schemaPath}\u0000${rule.rule}`;
      ran.set(id, (ran.get(id) ?? 0) + 1);
      if (result === true) continue;
      if (result !== false) {
        const why = isCelError(result) ? `evaluation error: ${(result as Error).message}` : `gave ${String(result)}, not a bool`;
        skipped.push({ segments, schemaPath, rule: rule.rule, reason: why });
        continue;
      }
      const at = rule.fieldPath ? [...segments, ...fieldPathSegments(rule.fieldPath)] : segments;
      failures.push({ segments: at, schemaPath, rule: rule.rule, message: messageOf(rule, compiled.message, self) });
    }
    if (Array.isArray(value)) {
      if (node.items) value.forEach((item, i) => visit(node.items!, item, [...segments, String(i)], `${schemaPath}[]`));
    } else if (isObject(value)) {
      for (const [name, child] of Object.entries(node.properties ?? {})) visit(child, value[name], [...segments, name], `${schemaPath}.${name}`);
      if (node.additionalProperties) for (const [k, v] of Object.entries(value)) visit(node.additionalProperties, v, [...segments, k], `${schemaPath}{}`);
    }
  };
  visit(tree, withDefaults(tree, object), [], '');
  return { failures, skipped };
}

/** The rules of a kind's tree, with their schema paths. */
export function rulesOf(tree: CelNode): Array<{ schemaPath: string; rule: CelRule }> {
  const out: Array<{ schemaPath: string; rule: CelRule }> = [];
  const visit = (node: CelNode, schemaPath: string): void => {
    for (const rule of node.rules ?? []) out.push({ schemaPath, rule });
    for (const [name, child] of Object.entries(node.properties ?? {})) visit(child, `${schemaPath}.${name}`);
    if (node.items) visit(node.items, `${schemaPath}[]`);
    if (node.additionalProperties) visit(node.additionalProperties, `${schemaPath}{}`);
  };
  visit(tree, '');
  return out;
}

/** Counts and lists the rules of the kinds met: `kinds` maps `apiVersion kind` to [cache key, tree]. */
export function summarize(kinds: ReadonlyArray<readonly [string, string, CelNode]>, ran: ReadonlyMap<string, number>): CelSummary {
  let rules = 0;
  let evaluated = 0;
  let notReached = 0;
  let evaluations = 0;
  const transition: CelRuleNote[] = [];
  const notEvaluated: CelRuleNote[] = [];
  const runList: CelSummary['ran'] = [];
  for (const [kind, key, tree] of kinds) {
    for (const { schemaPath, rule } of rulesOf(tree)) {
      rules++;
      const compiled = compileRule(`${key}\u0000${schemaPath}`, rule);
      const note = { kind, schemaPath: schemaPath || '.', rule: rule.rule };
      if (compiled.status === 'transition') transition.push({ ...note, reason: 'transition rule (reads oldSelf): nothing to compare offline' });
      else if (compiled.status === 'unsupported') notEvaluated.push({ ...note, reason: compiled.reason });
      else {
        const runs = ran.get(`${key}\u0000${schemaPath}\u0000${rule.rule}`) ?? 0;
        evaluations += runs;
        if (runs > 0) {
          evaluated++;
          runList.push({ kind, schemaPath: note.schemaPath, rule: rule.rule, runs });
        } else notReached++;
      }
    }
  }
  return { rules, evaluated, evaluations, notReached, ran: runList, transition, notEvaluated };
}

function messageOf(rule: CelRule, expression: Program | undefined, self: unknown): string {
  if (expression) {
    const text = expression({ self });
    if (typeof text === 'string' && text !== '') return text;
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

/** `.spec.x['a.b']` → ['spec', 'x', 'a.b'] (the fieldPath of a rule, relative to its node). */
function fieldPathSegments(path: string): string[] {
  const out: string[] = [];
  const re = /\.([^.[\]]+)|\[['"]([^'"]*)['"]\]|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** The object with schema defaults filled in where a present object lacks a defaulted field. */
function withDefaults(node: CelNode | undefined, value: unknown): unknown {
  if (!node || value === undefined || value === null) return value;
  if (Array.isArray(value)) return node.items ? value.map((v) => withDefaults(node.items, v)) : value;
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const v = out[name] === undefined && child.default !== undefined ? structuredClone(child.default) : out[name];
    if (v !== undefined) out[name] = withDefaults(child, v);
  }
  if (node.additionalProperties) for (const k of Object.keys(out)) if (!(k in (node.properties ?? {}))) out[k] = withDefaults(node.additionalProperties, out[k]);
  return out;
}

/** JSON as the API server binds it to CEL, by the schema's types (see the file comment). */
export function toCel(node: CelNode | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => toCel(node?.items, v));
  if (isObject(value)) {
    if (node?.additionalProperties) return new Map(Object.entries(value).map(([k, v]) => [k, toCel(node.additionalProperties, v)]));
    const props = node?.properties ?? {};
    return new Map(Object.entries(value).map(([k, v]) => (k in props || node?.type === 'object' ? [escapeField(k), toCel(props[k], v)] : [k, toCel(undefined, v)])));
  }
  if (typeof value === 'number') {
    const integer = node?.type === 'integer' || node?.intOrString === true || (node?.type === undefined && Number.isInteger(value));
    return integer && Number.isInteger(value) ? BigInt(value) : value;
  }
  return value;
}

/** Kubernetes' escaping of a property name for CEL (apiserver/pkg/cel: Escape). */
export function escapeField(name: string): string {
  if (RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

function holdsInterpolation(value: unknown): boolean {
  if (typeof value === 'string') return INTERPOLATION.test(value);
  if (Array.isArray(value)) return value.some(holdsInterpolation);
  if (isObject(value)) return Object.values(value).some(holdsInterpolation);
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
