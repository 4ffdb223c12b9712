/**
 * Reads a synthesized output folder for the standalone audit: only `manifest.json` (stack names
 * and dependencies, for order) and each stack's `cdk.tf.json`. No code of the estate runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../lib/errors';
import { isObject, stackModel, type Json, type StackModel } from '../../policy/audit/model';

export interface SynthesizedStack {
  readonly name: string;
  /** The stack file, relative to the output folder (`stacks/<name>/cdk.tf.json`). */
  readonly file: string;
  readonly model: StackModel;
}

/** Orders stacks so that each comes after its dependencies (ties by name). */
function deployOrder(names: readonly string[], dependencies: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: Set<string>) => {
    if (done.has(name) || path.has(name)) return;
    path.add(name);
    for (const d of [...(dependencies.get(name) ?? [])].sort()) if (names.includes(d)) visit(d, path);
    done.add(name);
    out.push(name);
  };
  for (const n of [...names].sort()) visit(n, new Set());
  return out;
}

/** Loads every stack of a synthesized folder, in deploy order. */
export function loadSynthesized(dir: string): SynthesizedStack[] {
  if (!existsSync(dir)) throw new UserError(`--dir: ${dir} does not exist; synthesize first (npm run synth) or name the folder that holds manifest.json and stacks/`);
  const manifestFile = join(dir, 'manifest.json');
  const dependencies = new Map<string, string[]>();
  let names: string[];
  const files = new Map<string, string>();
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Json;
    const stacks = isObject(manifest.stacks) ? manifest.stacks : {};
    names = Object.keys(stacks);
    for (const [name, entry] of Object.entries(stacks)) {
      if (!isObject(entry)) continue;
      dependencies.set(name, Array.isArray(entry.dependencies) ? entry.dependencies.filter((d): d is string => typeof d === 'string') : []);
      if (typeof entry.synthesizedStackPath === 'string') files.set(name, entry.synthesizedStackPath);
    }
  } else {
    const stacksDir = join(dir, 'stacks');
    if (!existsSync(stacksDir)) throw new UserError(`--dir: ${dir} has neither manifest.json nor stacks/; it is not a synthesized output folder`);
    names = readdirSync(stacksDir).filter((n) => existsSync(join(stacksDir, n, 'cdk.tf.json')));
  }
  if (names.length === 0) throw new UserError(`--dir: ${dir} holds no stack`);
  return deployOrder(names, dependencies).map((name) => {
    const file = files.get(name) ?? `stacks/${name}/cdk.tf.json`;
    const path = join(dir, file);
    if (!existsSync(path)) throw new UserError(`${path}: listed in manifest.json but missing; the output folder is incomplete, synthesize again`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
    }
    if (!isObject(json)) throw new UserError(`${path}: not a Terraform JSON object`);
    return { name, file, model: stackModel(name, json) };
  });
}
