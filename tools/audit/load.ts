/**
 * The standalone audit's view of a synthesized output folder (read by lib/synthesized.ts): each
 * stack's rule model, in deploy order. No code of the estate runs.
 */
import { join } from 'node:path';
import { UserError } from '../../lib/errors';
import { listStacks, readStackFile } from '../../lib/synthesized';
import { stackModel, type Json, type StackModel } from '../../policy/audit/model';

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

/**
 * Loads every stack of a synthesized folder, in deploy order. A folder with stacks/ but no
 * manifest.json is read too (stacks by name), so a partial artefact can still be audited.
 */
export function loadSynthesized(dir: string): SynthesizedStack[] {
  const entries = listStacks(dir, { requireManifest: false });
  if (entries.length === 0) throw new UserError(`--dir: ${dir} holds no stack`);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const dependencies = new Map(entries.map((e) => [e.name, e.dependencies]));
  return deployOrder([...byName.keys()], dependencies).map((name) => {
    const entry = byName.get(name)!;
    const file = readStackFile(join(dir, entry.file), entry);
    return { name, file: entry.file, model: stackModel(name, file.json as Json) };
  });
}
