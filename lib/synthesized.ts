/**
 * The one reader of synthesized output: a folder in the shape of `cdktf.out`, `manifest.json`
 * (stack names, dependencies, file paths) and `stacks/<stack>/cdk.tf.json`. It runs none of our
 * code and no Terraform, so the tools that use it (diff, plan and deploy in tools/review, the
 * standalone audit in tools/audit, the schema validator in tools/validate, the backup report in
 * scripts/backups.ts) work on any build artefact: a CI download, an older commit's synth.
 *
 * Each tool builds its own model from the parsed JSON; this module only finds and reads files
 * and says, in the user's terms, what is wrong with a folder that is not a synthesized output.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from './errors';

/** The folder is not a usable synthesized output (missing, no manifest.json, a stack missing or not JSON). */
export class SynthesizedOutputError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'SynthesizedOutputError';
  }
}

/** One stack as listed in `manifest.json` (or found under `stacks/`). */
export interface StackEntry {
  readonly name: string;
  /** Stacks it depends on (`manifest.json` `stacks[name].dependencies`). */
  readonly dependencies: readonly string[];
  /** Its `cdk.tf.json`, relative to the folder: `stacks/<name>/cdk.tf.json` unless the manifest says otherwise. */
  readonly file: string;
}

/** One stack read from disk. */
export interface StackFile extends StackEntry {
  /** Absolute path of `cdk.tf.json`. */
  readonly path: string;
  /** Its text, for hashing. */
  readonly text: string;
  /** Its parsed JSON, always an object. */
  readonly json: Record<string, unknown>;
}

export interface SynthesizedOutput {
  /** Absolute path of the folder. */
  readonly dir: string;
  /** Stacks in `manifest.json` order (by name when there is no manifest). */
  readonly stacks: readonly StackFile[];
}

export interface ReadOptions {
  /** Only stacks for which it returns true are read. @default every stack */
  readonly stackFilter?: (name: string) => boolean;
  /**
   * When false, a folder with `stacks/` but no `manifest.json` is read too (stacks by name, no
   * dependencies): a partial artefact or a hand-made fixture. @default true
   */
  readonly requireManifest?: boolean;
}

const SYNTH_AGAIN = 'Synthesize again (npm run synth) or pass the folder that holds manifest.json.';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJsonText(file: string, what: string, fix: string): { text: string; json: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SynthesizedOutputError(`${file}: ${what} is missing or unreadable. ${fix}`);
  }
  try {
    return { text, json: JSON.parse(text) };
  } catch (e) {
    throw new SynthesizedOutputError(`${file}: ${what} is not valid JSON (${(e as Error).message}). ${fix}`);
  }
}

/** The stacks of a synthesized folder, from `manifest.json` (or `stacks/` when allowed). */
export function listStacks(dir: string, options: Pick<ReadOptions, 'requireManifest'> = {}): StackEntry[] {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new SynthesizedOutputError(`${dir}: no such folder. Run \`npm run synth\` first, or pass a synthesized folder such as cdktf.out.`);
  }
  const manifestFile = join(root, 'manifest.json');
  const stacksDir = join(root, 'stacks');
  if (options.requireManifest === false && !existsSync(manifestFile)) {
    if (!existsSync(stacksDir)) throw new SynthesizedOutputError(`${dir}: has neither manifest.json nor stacks/, so it is not a synthesized folder. Synthesize first (npm run synth) or name the folder that holds them.`);
    return readdirSync(stacksDir)
      .sort()
      .filter((name) => existsSync(join(stacksDir, name, 'cdk.tf.json')))
      .map((name) => ({ name, dependencies: [], file: join('stacks', name, 'cdk.tf.json') }));
  }
  const { json: manifest } = readJsonText(manifestFile, 'manifest.json', `${dir} is not a synthesized folder: it needs manifest.json and stacks/<stack>/cdk.tf.json, as npm run synth writes them.`);
  if (!isObject(manifest) || !isObject(manifest.stacks)) {
    throw new SynthesizedOutputError(`${manifestFile}: manifest.json must have a "stacks" object. Synthesize again with npm run synth (cdktf 0.21 writes this shape).`);
  }
  return Object.entries(manifest.stacks).map(([name, entry]) => {
    const e = isObject(entry) ? entry : {};
    return {
      name,
      dependencies: Array.isArray(e.dependencies) ? e.dependencies.filter((d): d is string => typeof d === 'string') : [],
      file: typeof e.synthesizedStackPath === 'string' ? e.synthesizedStackPath : join('stacks', name, 'cdk.tf.json'),
    };
  });
}

/** Reads one `cdk.tf.json` (a path, or an entry of a folder). */
export function readStackFile(path: string, entry: Partial<StackEntry> & { readonly name: string }): StackFile {
  const { text, json } = readJsonText(path, `the synthesized stack ${entry.name}`, SYNTH_AGAIN);
  if (!isObject(json)) throw new SynthesizedOutputError(`${path}: a synthesized stack must be a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}. ${SYNTH_AGAIN}`);
  return { name: entry.name, dependencies: entry.dependencies ?? [], file: entry.file ?? path, path: resolve(path), text, json };
}

/** Reads a synthesized folder. Errors name the file and say how to produce a valid one. */
export function readSynthesized(dir: string, options: ReadOptions = {}): SynthesizedOutput {
  const root = resolve(dir);
  const wanted = options.stackFilter ?? (() => true);
  const stacks = listStacks(dir, options)
    .filter((e) => wanted(e.name))
    .map((e) => readStackFile(join(root, e.file), e));
  return { dir: root, stacks };
}
