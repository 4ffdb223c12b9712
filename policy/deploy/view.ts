/**
 * The deployability check's view of one environment: its synthesized stacks in deploy order,
 * which stacks each one waits for (`addDependency`, transitively), and which cluster each
 * stack targets. Reads the same `cdk.tf.json` the audit reads (policy/audit/model.ts).
 */
import { asArray, isObject, stackModel, type Json, type KubeObject, type Resource, type StackModel } from '../audit/model';

/** One synthesized stack as the check receives it. */
export interface StackInput {
  readonly name: string;
  readonly json: Json;
  /** The stacks this one depends on directly (`addDependency`). */
  readonly dependsOn: readonly string[];
}

export interface StackView {
  readonly name: string;
  readonly model: StackModel;
  /** The cluster the stack targets (`"//".environment.cluster`), e.g. `core` or `mgmt`. */
  readonly cluster: string;
  /** Every stack deployed before this one (its dependencies, transitively). */
  readonly earlier: ReadonlySet<string>;
  /** Position in deploy order. */
  readonly index: number;
}

export interface EnvironmentView {
  readonly stacks: readonly StackView[];
  stack(name: string): StackView | undefined;
}

/** Builds the view; `stacks` in deploy order (a stack after every stack it depends on). */
export function environmentView(stacks: readonly StackInput[]): EnvironmentView {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const closure = (name: string, seen = new Set<string>()): Set<string> => {
    for (const d of byName.get(name)?.dependsOn ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      closure(d, seen);
    }
    return seen;
  };
  const views = stacks.map((s, index): StackView => {
    const model = stackModel(s.name, s.json);
    return { name: s.name, model, cluster: model.environment?.cluster ?? s.name, earlier: closure(s.name), index };
  });
  const lookup = new Map(views.map((v) => [v.name, v]));
  return { stacks: views, stack: (name) => lookup.get(name) };
}

/** The Terraform addresses a resource depends on (`depends_on`), without `${}`. */
export function dependsOnOf(resource: Resource): string[] {
  return asArray(resource.body.depends_on)
    .filter((d): d is string => typeof d === 'string')
    .map((d) => d.replace(/^\$\{(.*)\}$/, '$1'));
}

/** Every address `resource` waits for inside its stack, transitively through `depends_on`. */
export function waitsFor(model: StackModel, resource: Resource): Set<string> {
  const byAddress = new Map(model.resources.map((r) => [r.address, r]));
  const seen = new Set<string>();
  const visit = (r: Resource) => {
    for (const d of dependsOnOf(r)) {
      if (seen.has(d)) continue;
      seen.add(d);
      const next = byAddress.get(d);
      if (next) visit(next);
    }
  };
  visit(resource);
  return seen;
}

/** Reads a dotted/indexed path (`a.b[0].c`) from a JSON value. */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isObject(current)) current = current[part];
    else return undefined;
  }
  return current;
}

/** The Terraform field a Kubernetes object sits under in its resource body. */
export function objectRoot(o: KubeObject): string {
  if (o.origin === 'manifest') return 'manifest';
  if (o.origin === 'chart-values') return 'values';
  return '';
}

/** `root.path` without a leading dot when the root is empty. */
export function joinPath(root: string, path: string): string {
  return root ? `${root}.${path}` : path;
}
