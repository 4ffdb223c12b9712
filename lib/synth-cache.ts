/**
 * The result cache of `npm run synth`: a synth whose inputs have not changed since the last one
 * into the same folder, and whose output is still exactly what that synth wrote, is not run
 * again; its messages are replayed and the output is left as it is.
 *
 * "Inputs" are observed, not listed by hand: while a synth runs, every file it reads (content),
 * every folder it lists, every path whose existence it tests, and every environment variable it
 * reads (value) is recorded, together with the Node version, the working folder, the arguments
 * and the day (suppressions and agreements expire by the day). A later run reuses the result only
 * when every recorded input is unchanged, and when every file of the output still has the content
 * it was written with (nothing added, removed or edited). Anything else, a failed synth, or
 * `MOIT_SYNTH_CACHE=off` runs the synth. Contents are compared by SHA-256, never by modification
 * time; environment values are kept as hashes, never in clear.
 *
 * The record lives outside the output, in node_modules/.cache/moit-synth/, one per output folder.
 */
// The module object itself (not an ES namespace copy), so wrapping its functions reaches every caller.
import fs = require('node:fs');
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNTH_CACHE_DIR } from './caches';
import { sha256 } from './hash';
import { CARRIED_OVER } from './output-folder';

/** Bump when the record's meaning changes: older records are then ignored. */
const RECORD_VERSION = 1;

/** The variable that turns the cache off (`off`, `0`, `false`, `no`). */
export const SYNTH_CACHE_VARIABLE = 'MOIT_SYNTH_CACHE';

/** Entries of an output folder that Terraform, not synth, puts there: never part of the result. */
const TERRAFORM_ENTRIES: ReadonlySet<string> = new Set(CARRIED_OVER);

/** What a synth read, each with what it found (a content or listing hash, or `null`: absent). */
export interface ObservedInputs {
  readonly files: Record<string, string | null>;
  readonly folders: Record<string, string | null>;
  readonly paths: Record<string, 'file' | 'folder' | 'other' | null>;
  readonly env: Record<string, string | null>;
}

export interface SynthRecord {
  readonly version: number;
  /** The fixed part of the key: Node, platform, folder, arguments, day. */
  readonly context: string;
  readonly inputs: ObservedInputs;
  /** Every file of the output folder (relative path → SHA-256). */
  readonly output: Record<string, string>;
  readonly stdout: string;
  readonly stderr: string;
  /** When the synth ran (ISO time). */
  readonly at: string;
}

/** The fs functions themselves, taken before any observation wraps them (measuring is never observed). */
const real = { readFileSync: fs.readFileSync, readdirSync: fs.readdirSync, statSync: fs.statSync };

/** The content hash of a file, or `null` when it is absent or not readable. */
function fileHash(path: string): string | null {
  try {
    return sha256(real.readFileSync(path));
  } catch {
    return null;
  }
}

function folderHash(path: string): string | null {
  try {
    return sha256(real.readdirSync(path).sort().join('\0'));
  } catch {
    return null;
  }
}

function pathKind(path: string): 'file' | 'folder' | 'other' | null {
  const info = real.statSync(path, { throwIfNoEntry: false });
  return !info ? null : info.isFile() ? 'file' : info.isDirectory() ? 'folder' : 'other';
}

function envHash(value: string | undefined): string | null {
  return value === undefined ? null : sha256(value);
}

/** The fixed part of the key. */
export function synthContext(argv: readonly string[], cwd: string, now: Date = new Date()): string {
  return JSON.stringify({
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cwd: resolve(cwd),
    argv,
    utcDay: now.toISOString().slice(0, 10),
    localDay: `${now.getFullYear()}-${now.getMonth() + 1}-${now.getDate()}`,
  });
}

export interface Observation {
  /** Stops observing (restores fs and process.env) and returns what was read. */
  stop(): ObservedInputs;
  /** Whether the output folder was swapped in during the run (a synth really wrote it). */
  readonly wroteOutput: () => boolean;
  /**
   * Adds what another thread of the synth read (the checks' worker, observing with the same
   * `target` and `notInputs`); a path seen here first keeps what was measured here.
   */
  add(inputs: ObservedInputs): void;
  /** What is observed: the output folder and the path prefixes that are not inputs. */
  readonly target: string;
  readonly notInputs: readonly string[];
}

/** The observation in progress in this process, if any, across the bundle and the files that load it. */
const CURRENT = Symbol.for('moit.synth-cache.observation');

/** The observation in progress (the synth's worker observes its own reads with the same settings). */
export function currentObservation(): Observation | undefined {
  return (globalThis as { [CURRENT]?: Observation })[CURRENT];
}

/**
 * Observes the synth's reads from now on: wraps the synchronous fs functions a synth uses and
 * `process.env`. The output folder and every path starting with one of `notInputs` (its staging
 * folder, caches) are not inputs. Reads that go through other fs functions are not seen: the synth only uses
 * these (checked by test/synth-cache.test.ts against a real synth).
 */
export function observeInputs(target: string, notInputs: readonly string[]): Observation {
  const ignore = (p: string): boolean => p === target || notInputs.some((n) => p.startsWith(n));
  // Each input is measured when the synth first touches it, before the synth reads it: a change
  // after that moment, during the synth or later, makes the next run differ from the record.
  const files: Record<string, string | null> = {};
  const folders: Record<string, string | null> = {};
  const paths: Record<string, 'file' | 'folder' | 'other' | null> = {};
  const env: Record<string, string | null> = {};
  let wrote = false;
  const abs = (p: unknown): string | undefined => (typeof p === 'string' ? resolve(p) : p instanceof URL ? fileURLToPath(p) : Buffer.isBuffer(p) ? resolve(p.toString()) : undefined);
  // Measuring reads through fs too (readFileSync opens through the wrapped openSync): not observed.
  let measuring = false;
  const keep = <T>(seen: Record<string, T>, p: unknown, measure: (path: string) => T): void => {
    if (measuring) return;
    const a = abs(p);
    if (a === undefined || a in seen || ignore(a)) return;
    measuring = true;
    try {
      seen[a] = measure(a);
    } finally {
      measuring = false;
    }
  };
  const mutableFs = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  const wrap = (name: string, before: (args: unknown[]) => void): void => {
    const original = mutableFs[name]!;
    originals.set(name, original);
    mutableFs[name] = function (this: unknown, ...args: unknown[]) {
      before(args);
      return original.apply(this, args);
    };
  };
  wrap('readFileSync', (a) => keep(files, a[0], fileHash));
  wrap('openSync', (a) => {
    const flags = a[1] ?? 'r';
    if (flags === 'r' || flags === fs.constants.O_RDONLY) keep(files, a[0], fileHash);
  });
  wrap('readdirSync', (a) => keep(folders, a[0], folderHash));
  for (const name of ['existsSync', 'statSync', 'lstatSync', 'accessSync']) wrap(name, (a) => keep(paths, a[0], pathKind));
  wrap('renameSync', (a) => {
    if (abs(a[1]) === target) wrote = true;
  });
  const realEnv = process.env;
  const read = (k: string | symbol): void => {
    if (typeof k === 'string' && !(k in env)) env[k] = envHash(realEnv[k]);
  };
  process.env = new Proxy(realEnv, {
    get(t, k) {
      read(k);
      return Reflect.get(t, k);
    },
    has(t, k) {
      read(k);
      return Reflect.has(t, k);
    },
    ownKeys(t) {
      // A synth that enumerates the environment depends on all of it.
      for (const k of Object.keys(t)) read(k);
      return Reflect.ownKeys(t);
    },
  });
  const sorted = <T>(r: Record<string, T>): Record<string, T> => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]!]));
  const merge = <T>(into: Record<string, T>, from: Record<string, T>): void => {
    for (const [k, v] of Object.entries(from)) if (!(k in into)) into[k] = v;
  };
  const observation: Observation = {
    target,
    notInputs: [...notInputs],
    wroteOutput: () => wrote,
    add(inputs: ObservedInputs): void {
      merge(files, inputs.files);
      merge(folders, inputs.folders);
      merge(paths, inputs.paths);
      merge(env, inputs.env);
    },
    stop(): ObservedInputs {
      for (const [name, original] of originals) mutableFs[name] = original;
      process.env = realEnv;
      const global = globalThis as { [CURRENT]?: Observation };
      if (global[CURRENT] === observation) delete global[CURRENT];
      return { files: sorted(files), folders: sorted(folders), paths: sorted(paths), env: sorted(env) };
    },
  };
  (globalThis as { [CURRENT]?: Observation })[CURRENT] = observation;
  return observation;
}

/** The first input that differs from the record, described; `undefined` when all are the same. */
export function changedInput(inputs: ObservedInputs, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const [p, h] of Object.entries(inputs.files)) if (fileHash(p) !== h) return `file ${p}`;
  for (const [p, h] of Object.entries(inputs.folders)) if (folderHash(p) !== h) return `folder ${p}`;
  for (const [p, k] of Object.entries(inputs.paths)) if (pathKind(p) !== k) return `path ${p}`;
  for (const [k, h] of Object.entries(inputs.env)) if (envHash(env[k]) !== h) return `variable ${k}`;
  return undefined;
}

/** Every file of an output folder with its SHA-256, Terraform's own entries left out. */
export function outputHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (TERRAFORM_ENTRIES.has(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[relative(dir, path).split(sep).join('/')] = entry.isFile() ? sha256(fs.readFileSync(path)) : `(${entry.isSymbolicLink() ? 'link' : 'special'})`;
    }
  };
  walk(dir);
  return out;
}

/** Whether the output folder holds exactly the recorded files with the recorded contents. */
export function outputUnchanged(dir: string, recorded: Record<string, string>): boolean {
  try {
    const now = outputHashes(dir);
    const names = Object.keys(recorded);
    return names.length === Object.keys(now).length && names.every((n) => now[n] === recorded[n]);
  } catch {
    return false;
  }
}

/** The record file of one output folder. */
export function recordFile(projectRoot: string, target: string): string {
  return join(projectRoot, SYNTH_CACHE_DIR, `${sha256(resolve(target)).slice(0, 32)}.json`);
}

export function readRecord(file: string): SynthRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as SynthRecord;
    return r.version === RECORD_VERSION ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a record atomically; a folder that cannot be written only costs the next run its synth. */
export function writeRecord(file: string, record: Omit<SynthRecord, 'version'>): void {
  try {
    fs.mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify({ version: RECORD_VERSION, ...record }));
    fs.renameSync(tmp, file);
  } catch {
    // Not writable: no record.
  }
}

/** Removes a record (the output it describes is about to change). */
export function dropRecord(file: string): void {
  fs.rmSync(file, { force: true });
}

/** Whether the cache is turned off by the variable. */
export function cacheDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(off|0|false|no)$/i.test(env[SYNTH_CACHE_VARIABLE]?.trim() ?? '');
}

/**
 * Whether a record may stand for a synth now: same context, every input unchanged, and the
 * output folder exactly as the synth left it. Returns the reason when it may not.
 */
export function reusable(record: SynthRecord | undefined, context: string, target: string, env: NodeJS.ProcessEnv = process.env): { ok: true } | { ok: false; why: string } {
  if (!record) return { ok: false, why: 'no previous synth into this folder' };
  if (record.context !== context) return { ok: false, why: 'another Node, folder, argument list or day' };
  const changed = changedInput(record.inputs, env);
  if (changed) return { ok: false, why: `changed: ${changed}` };
  if (!outputUnchanged(target, record.output)) return { ok: false, why: 'the output folder was changed since' };
  return { ok: true };
}
