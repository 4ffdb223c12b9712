/**
 * The review's model of a synthesized folder (read by lib/synthesized.ts): resources by
 * address with their markers, `moved` blocks, settings, and the orders stacks deploy and
 * report in. Like the reader, it runs none of our code and no Terraform, so the diff and the
 * deploy guard work on any build artefact: a CI download, an older commit's synth.
 */
import { resolve } from 'node:path';
import { constructPathOf, sharingOf, statefulKindOf } from '../../lib/markers';
import { readSynthesized, type StackFile } from '../../lib/synthesized';
import { ReviewError } from './errors';
import { isObject, type Json, type JsonObject } from './paths';

/** One resource (or data source) of a synthesized stack. */
export interface SynthesizedResource {
  /** Terraform address: `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  /** The body as synthesized, comments (`"//"`) included. */
  readonly body: JsonObject;
  readonly constructPath?: string;
  /** The `stateful` marker (lib/markers.ts), if any. */
  readonly stateful?: string;
  /** Sharing agreements from the `sharing` marker. */
  readonly sharing: readonly string[];
  /** True when the body sets `lifecycle.prevent_destroy`. */
  readonly preventDestroy: boolean;
}

/** A `moved` block: Terraform moves state from one address to another instead of replacing. */
export interface MovedBlock {
  readonly from: string;
  readonly to: string;
}

export interface SynthesizedStack {
  readonly name: string;
  /** The stack name's first segment: `prod-core-services` → `prod`. */
  readonly environment: string;
  readonly dependencies: readonly string[];
  /** Absolute path of the folder Terraform runs in. */
  readonly workingDirectory: string;
  /** Absolute path of `cdk.tf.json`. */
  readonly file: string;
  /** The text of `cdk.tf.json`, for hashing. */
  readonly text: string;
  readonly resources: ReadonlyMap<string, SynthesizedResource>;
  readonly moved: readonly MovedBlock[];
  /** Everything but resources, data sources and comments: providers, backend, outputs, variables. */
  readonly settings: JsonObject;
}

export interface SynthesizedApp {
  /** Absolute path of the folder. */
  readonly dir: string;
  readonly stacks: ReadonlyMap<string, SynthesizedStack>;
}

/** The environment of a stack: the first segment of its name (`prod-core-services` → `prod`). */
export function environmentOf(stackName: string): string {
  return stackName.split('-')[0] ?? stackName;
}

/** Every resource and data source of a parsed `cdk.tf.json`, keyed by address. */
export function resourcesOfStack(json: JsonObject): Map<string, SynthesizedResource> {
  const out = new Map<string, SynthesizedResource>();
  for (const mode of ['managed', 'data'] as const) {
    const section = json[mode === 'managed' ? 'resource' : 'data'];
    if (!isObject(section)) continue;
    for (const [type, byName] of Object.entries(section)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        if (!isObject(body)) continue;
        const address = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
        const lifecycle = body.lifecycle;
        out.set(address, {
          address,
          mode,
          type,
          name,
          body,
          constructPath: constructPathOf(body),
          stateful: statefulKindOf(body),
          sharing: sharingOf(body),
          preventDestroy: isObject(lifecycle) && lifecycle.prevent_destroy === true,
        });
      }
    }
  }
  return out;
}

/** The review's view of one stack read by the shared reader (lib/synthesized.ts). */
function stackOf(file: StackFile): SynthesizedStack {
  const json = file.json as JsonObject;
  const moved = Array.isArray(json.moved)
    ? json.moved.filter(isObject).map((m) => ({ from: String(m.from), to: String(m.to) }))
    : [];
  const settings: JsonObject = {};
  for (const [k, v] of Object.entries(json)) if (!['resource', 'data', '//', 'moved'].includes(k)) settings[k] = v as Json;
  return {
    name: file.name,
    environment: environmentOf(file.name),
    dependencies: file.dependencies,
    workingDirectory: resolve(file.path, '..'),
    file: file.path,
    text: file.text,
    resources: resourcesOfStack(json),
    moved,
    settings,
  };
}

/**
 * Loads a synthesized folder. Errors name the folder and say how to produce a valid one.
 * @param stackFilter when given, only stacks for which it returns true are read.
 */
export function loadSynthesized(dir: string, stackFilter: (name: string) => boolean = () => true): SynthesizedApp {
  const output = readSynthesized(dir, { stackFilter });
  return { dir: output.dir, stacks: new Map(output.stacks.map((s) => [s.name, stackOf(s)])) };
}

/**
 * Orders stacks so that each comes after the stacks it depends on (`manifest.json`
 * `stacks[*].dependencies`). Dependencies outside `stacks` are ignored (they are assumed to be
 * deployed already); ties keep the given order. A cycle is an error naming the stacks in it.
 */
export function dependencyOrder<T extends { readonly name: string; readonly dependencies: readonly string[] }>(stacks: readonly T[]): T[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: T[] = [];
  let remaining = [...stacks];
  while (remaining.length > 0) {
    const ready = remaining.filter((s) => s.dependencies.every((d) => done.has(d) || !byName.has(d)));
    if (ready.length === 0) {
      throw new ReviewError(
        `manifest.json: the stack dependencies form a cycle among ${remaining.map((s) => s.name).join(', ')}. ` +
          'Fix the addDependency calls so that every stack can deploy after the ones it needs.',
      );
    }
    for (const s of ready) {
      out.push(s);
      done.add(s.name);
    }
    remaining = remaining.filter((s) => !done.has(s.name));
  }
  return out;
}

/**
 * The order reports list stacks in: grouped by environment (alphabetically), and in
 * dependency order within each environment.
 */
export function reportOrder<T extends { readonly name: string; readonly dependencies: readonly string[] }>(stacks: readonly T[]): T[] {
  const envs = [...new Set(stacks.map((s) => environmentOf(s.name)))].sort();
  return envs.flatMap((env) => dependencyOrder(stacks.filter((s) => environmentOf(s.name) === env).sort((a, b) => (a.name < b.name ? -1 : 1))));
}
