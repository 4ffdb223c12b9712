/**
 * Maps a construct to the source file that declares its class, so findings point at code.
 *
 * Convention: the file is the one under constructs/, stacks/, audit/ or lib/ that says
 * `export class <Name>` (or `export abstract class`). The index is built once per process by
 * reading those files; it is deterministic (relative paths, sorted) and takes a few ms.
 * The synth-time aspect records the result on each resource as `"//".source`, so the
 * standalone audit needs no source tree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { IConstruct } from 'constructs';
import type { SourceRef } from '../../policy/audit/model';

const SOURCE_ROOTS = ['constructs', 'stacks', 'policy', 'tools', 'lib'];
const CLASS = /^export\s+(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm;

let cached: Map<string, string> | undefined;

/** The nearest folder above `from` holding a package.json (works from dist/ too). */
export function projectRoot(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

function collect(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(path);
  }
}

/** Class name → source file (relative, forward slashes). The first file in sorted order wins. */
export function sourceIndex(root: string = projectRoot()): Map<string, string> {
  if (cached && root === projectRoot()) return cached;
  const index = new Map<string, string>();
  const files: string[] = [];
  for (const r of SOURCE_ROOTS) collect(join(root, r), files);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(CLASS)) {
      if (!index.has(m[1]!)) index.set(m[1]!, relative(root, file).split(sep).join('/'));
    }
  }
  if (root === projectRoot()) cached = index;
  return index;
}

/** The nearest construct (itself or an ancestor) whose class the project declares, and its file. */
export function sourceOf(node: IConstruct, index: Map<string, string> = sourceIndex()): SourceRef | undefined {
  for (let n: IConstruct | undefined = node; n; n = n.node.scope) {
    const name = n.constructor.name;
    const file = index.get(name);
    if (file) return { construct: name, file };
  }
  return undefined;
}
