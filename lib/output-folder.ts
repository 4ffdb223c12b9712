/**
 * Where `npm run synth` may write. Synth replaces its output folder as a whole (it synthesizes
 * beside it and swaps the new folder in), so the folder it is given is deleted: it must be one
 * synth owns. Allowed: a folder that does not exist, an empty folder, or a previous output (it
 * carries the marker file synth writes, or is exactly what `cdktf synth` writes: manifest.json
 * and stacks/). Never the project root, the home folder, the current folder, or a folder above
 * any of them, whatever they hold.
 */
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, parse, resolve, sep } from 'node:path';
import { UserError } from './errors';

/** The file synth writes into every output folder; its presence says synth owns the folder. */
export const SYNTH_MARKER = '.moit-synth';

/** What the marker says, for a person who finds it. */
export const SYNTH_MARKER_TEXT = 'Written by `npm run synth`: this folder is its output and is replaced as a whole by the next synth.\n';

/** The entries `cdktf synth` writes into its output folder. */
const CDKTF_OUTPUT_ENTRIES = new Set(['manifest.json', 'stacks', 'constructs.json', SYNTH_MARKER]);

export interface OutputFolderContext {
  /** The checkout. */
  readonly projectRoot: string;
  /** @default os.homedir() */
  readonly home?: string;
  /** @default process.cwd() */
  readonly cwd?: string;
}

/** Refuses, with the reason and the fix, an output folder synth must not replace; returns its absolute path. */
export function checkOutputFolder(out: string, context: OutputFolderContext): string {
  const cwd = resolve(context.cwd ?? process.cwd());
  const target = resolve(cwd, out);
  const refuse = (why: string): never => {
    throw new UserError(`--out ${out}: ${why}. Synth replaces its output folder as a whole, so it only writes into a new folder, an empty one, or its own previous output. Choose another folder (default cdktf.out).`);
  };
  const protectedFolders: Array<[string, string]> = [
    [resolve(context.projectRoot), 'the project root'],
    [resolve(context.home ?? homedir()), 'the home folder'],
    [cwd, 'the current folder'],
  ];
  if (target === parse(target).root) refuse('is the root of the file system');
  for (const [folder, name] of protectedFolders) {
    if (target === folder) refuse(`is ${name}`);
    if (folder.startsWith(target.endsWith(sep) ? target : target + sep)) refuse(`holds ${name} (${folder})`);
  }
  const info = lstatSync(target, { throwIfNoEntry: false });
  if (!info) return target;
  if (info.isSymbolicLink()) refuse('is a symbolic link; give the folder it points to, or a new folder');
  if (!info.isDirectory()) refuse('is a file, not a folder');
  const entries = readdirSync(target);
  if (entries.length === 0 || entries.includes(SYNTH_MARKER) || isCdktfOutput(target, entries)) return target;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, ... (${entries.length} entries)` : '');
  return refuse(`the folder exists and holds files synth did not write (${shown}): it has no ${SYNTH_MARKER} marker and is not a cdktf output`);
}

/** Exactly what `cdktf synth` writes: a manifest.json with a stacks map, stacks/, nothing else. */
function isCdktfOutput(dir: string, entries: readonly string[]): boolean {
  if (!entries.includes('manifest.json') || !entries.every((e) => CDKTF_OUTPUT_ENTRIES.has(e))) return false;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { stacks?: unknown };
    return typeof manifest.stacks === 'object' && manifest.stacks !== null;
  } catch {
    return false;
  }
}

