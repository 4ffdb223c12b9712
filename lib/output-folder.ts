/**
 * Where `npm run synth` may write, and how it swaps a new output in. Synth replaces its output folder as a whole (it synthesizes
 * beside it and swaps the new folder in), so the folder it is given is deleted: it must be one
 * synth owns. Allowed: a folder that does not exist, an empty folder, or a previous output (it
 * carries the marker file synth writes, or is exactly what `cdktf synth` writes: manifest.json
 * and stacks/). Never the project root, the home folder, the current folder, or a folder above
 * any of them, whatever they hold.
 */
import { existsSync, lstatSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
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


/**
 * The options of `npm run synth` (scripts/synth.ts), also read by its cached entry point
 * (scripts/synth-cached.ts) to find the output folder without loading the app.
 */
export const SYNTH_OPTIONS = { env: { type: 'string' }, out: { type: 'string', default: 'cdktf.out' } } as const;

/** Terraform's dependency lock file, beside a stack's configuration. */
export const TERRAFORM_LOCK_FILE = '.terraform.lock.hcl';

/**
 * What Terraform creates in a stack folder and synth carries from the previous output into the
 * new one: the folder `terraform init` fills (backend settings, providers, modules, and the
 * record of the last init: tools/review/init-record.ts) and the dependency lock file. Nothing else
 * of the previous output is kept.
 */
export const CARRIED_OVER = ['.terraform', TERRAFORM_LOCK_FILE] as const;

/**
 * Replaces `target` with `staging` (a complete new output beside it, same file system), all or
 * nothing. First, for each stack folder of the new output (`stacks/<stack>/`) whose stack was in
 * the previous output too, the entries of {@link CARRIED_OVER} are moved over (`.terraform` only
 * when it is a real folder, the lock file only when it is a regular file; never a link, never
 * anything else). Then the old folder is renamed away, the new one renamed in, and the old one
 * deleted with what is left in it: the folders of stacks that no longer exist go with it. If a
 * step fails, every entry moved is moved back and the previous output is left as it was.
 * Returns the carried entries, as `<stack>/<entry>`.
 */
export function replaceOutputFolder(staging: string, target: string): string[] {
  const moved: Array<{ from: string; to: string; name: string }> = [];
  const previous = `${target}.previous-${process.pid}`;
  let swappedOut = false;
  try {
    const oldStacks = join(target, 'stacks');
    const newStacks = join(staging, 'stacks');
    if (lstatSync(oldStacks, { throwIfNoEntry: false })?.isDirectory() && existsSync(newStacks)) {
      for (const stack of readdirSync(newStacks).sort()) {
        const oldFolder = join(oldStacks, stack);
        if (!lstatSync(oldFolder, { throwIfNoEntry: false })?.isDirectory()) continue;
        for (const entry of CARRIED_OVER) {
          const from = join(oldFolder, entry);
          const to = join(newStacks, stack, entry);
          const info = lstatSync(from, { throwIfNoEntry: false });
          if (!info || !(entry === '.terraform' ? info.isDirectory() : info.isFile())) continue;
          if (lstatSync(to, { throwIfNoEntry: false })) continue; // the new output has its own: keep it
          renameSync(from, to);
          moved.push({ from, to, name: `${stack}/${entry}` });
        }
      }
    }
    if (existsSync(target)) {
      renameSync(target, previous);
      swappedOut = true;
    }
    renameSync(staging, target);
  } catch (error) {
    if (swappedOut && !existsSync(target)) renameSync(previous, target);
    for (const m of moved.reverse()) renameSync(m.to, m.from);
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
  return moved.map((m) => m.name);
}
