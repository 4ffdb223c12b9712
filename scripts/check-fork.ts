/**
 * `npm run check:fork [-- --version <x.y.z>] [--keep]`: proves that the estate synthesizes to
 * the same stacks under CDK Terrain (`cdktn`, the maintained continuation of cdktf, which its
 * vendor archived in December 2025) as under the cdktf this project pins.
 *
 * 1. Asks the npm registry for the cdktn version to try (`--version`, default its `latest`) and
 *    whether a cdktn-cli of that version exists.
 * 2. Copies the project's files (what git tracks, plus new files git does not ignore) into a
 *    temporary folder and rewrites its package.json: `cdktf` becomes the alias
 *    `npm:cdktn@<version>` and `cdktf-cli` the alias `npm:cdktn-cli@<version>`. Every other
 *    package stays at its locked version.
 * 3. `npm install --legacy-peer-deps` there: the prebuilt providers declare the peer
 *    `cdktf@^0.21.0` and cdktn 0.24 the peer `constructs@<10.8.0`, which npm would otherwise
 *    refuse (the alias carries cdktn's version number).
 * 4. Synthesizes every environment there and here, with the same MOIT_TODAY, and compares
 *    manifest.json and every stack's cdk.tf.json as JSON values, ignoring only IGNORED_FIELDS.
 * 5. Removes the temporary folder (`--keep` keeps it and prints where).
 *
 * Exit status: 0 every stack identical; 1 some stack differs (each is named, with the first
 * differing paths); 2 the check could not run (not a git checkout, install or synth failed);
 * 3 the npm registry is unreachable (nothing was compared).
 */
import { runCli, type Parsed } from '../lib/cli';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const EXIT_IDENTICAL = 0;
export const EXIT_DIFFERENT = 1;
export const EXIT_COULD_NOT_RUN = 2;
export const EXIT_REGISTRY_UNREACHABLE = 3;

/**
 * The only fields the comparison ignores: the framework's version stamp, which says which
 * package wrote the file and is read by neither Terraform nor this project's tools.
 */
export const IGNORED_FIELDS: readonly { readonly file: string; readonly path: readonly string[] }[] = [
  { file: 'cdk.tf.json', path: ['//', 'metadata', 'version'] },
  { file: 'manifest.json', path: ['version'] },
];

/** How long a registry question may take before the registry counts as unreachable. */
const REGISTRY_TIMEOUT_MS = Number(process.env.CHECK_FORK_REGISTRY_TIMEOUT_MS ?? 20_000);
/** npm's own error codes for a registry it cannot reach. */
const NETWORK_ERRORS = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENETDOWN|EPROTO|ERR_SOCKET_TIMEOUT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)\b/;

export class CheckForkError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CheckForkError';
  }
}

/** One stack (or manifest.json) whose synthesized JSON is not the same in both builds. */
export interface StackDifference {
  readonly stack: string;
  /** Up to `limit` differing JSON paths, each with both values (shortened). */
  readonly paths: readonly string[];
  /** All differing paths, including those not listed. */
  readonly count: number;
}

export interface Comparison {
  readonly stacks: readonly string[];
  readonly differences: readonly StackDifference[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

function withoutField(value: Json, path: readonly string[]): Json {
  if (path.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head, ...rest] = path;
  if (!(head in value)) return value;
  const copy: { [key: string]: Json } = { ...value };
  if (rest.length === 0) delete copy[head];
  else copy[head] = withoutField(copy[head], rest);
  return copy;
}

function ignoring(file: string, value: Json): Json {
  return IGNORED_FIELDS.filter((f) => f.file === file).reduce((v, f) => withoutField(v, f.path), value);
}

function show(value: Json | undefined): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Every JSON path where `a` and `b` differ (object key order is not a difference; array order is). */
export function jsonDifferences(a: Json | undefined, b: Json | undefined, path = '', out: string[] = []): string[] {
  const isObject = (v: Json | undefined): v is { [key: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      jsonDifferences(a[key], b[key], `${path}.${key}`, out);
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) jsonDifferences(a[i], b[i], `${path}[${i}]`, out);
  } else if (a !== b) {
    out.push(`${path || '(root)'}: ${show(a)} → ${show(b)}`);
  }
  return out;
}

function stackNames(dir: string): string[] {
  const stacks = join(dir, 'stacks');
  if (!existsSync(stacks)) return [];
  return readdirSync(stacks)
    .filter((name) => existsSync(join(stacks, name, 'cdk.tf.json')))
    .sort();
}

/**
 * Compares two synthesized folders (`<dir>/manifest.json`, `<dir>/stacks/<stack>/cdk.tf.json`)
 * as JSON values, ignoring only IGNORED_FIELDS. A stack present on one side only is a difference.
 */
export function compareSynthesized(baseDir: string, forkDir: string, limit = 5): Comparison {
  const differences: StackDifference[] = [];
  const record = (stack: string, paths: string[]) => {
    if (paths.length > 0) differences.push({ stack, paths: paths.slice(0, limit), count: paths.length });
  };
  const load = (dir: string, file: string, rel: string) => (existsSync(join(dir, rel)) ? ignoring(file, readJson(join(dir, rel))) : undefined);
  record('manifest.json', jsonDifferences(load(baseDir, 'manifest.json', 'manifest.json'), load(forkDir, 'manifest.json', 'manifest.json')));
  const stacks = [...new Set([...stackNames(baseDir), ...stackNames(forkDir)])].sort();
  for (const stack of stacks) {
    const rel = join('stacks', stack, 'cdk.tf.json');
    const base = load(baseDir, 'cdk.tf.json', rel);
    const fork = load(forkDir, 'cdk.tf.json', rel);
    if (base === undefined || fork === undefined) {
      record(stack, [`the stack is synthesized only ${base === undefined ? 'under cdktn' : 'under cdktf'}`]);
    } else {
      record(stack, jsonDifferences(base, fork));
    }
  }
  return { stacks, differences };
}

/** True when npm's output says it could not reach the registry (not: the registry said no). */
export function isRegistryUnreachable(result: Pick<SpawnSyncReturns<string>, 'stderr' | 'error' | 'signal'>): boolean {
  if (result.signal === 'SIGTERM' || (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') return true;
  return NETWORK_ERRORS.test(result.stderr ?? '');
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeout?: number): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout });
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `npm view <spec> version --json`: the version, undefined when the registry has none (E404). */
function registryVersion(spec: string, cwd: string): string | undefined {
  const result = run(NPM, ['view', spec, 'version', '--json', '--fetch-retries=0', `--fetch-timeout=${REGISTRY_TIMEOUT_MS}`], cwd, process.env, REGISTRY_TIMEOUT_MS + 5_000);
  if (result.status === 0) {
    const parsed = JSON.parse(result.stdout.trim() || 'null') as string | string[] | null;
    if (parsed === null || (Array.isArray(parsed) && parsed.length === 0)) return undefined;
    return Array.isArray(parsed) ? parsed[parsed.length - 1] : parsed;
  }
  if (/\bE404\b/.test(result.stderr)) return undefined;
  if (isRegistryUnreachable(result)) {
    throw new CheckForkError(
      `the npm registry is unreachable (npm view ${spec}: ${firstLine(result.stderr) || 'timed out'}); nothing was compared. ` +
        'Run it again with access to the registry (npm config get registry).',
      EXIT_REGISTRY_UNREACHABLE,
    );
  }
  throw new CheckForkError(`npm view ${spec} failed:\n${tail(result.stderr)}`, EXIT_COULD_NOT_RUN);
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => /npm (error|ERR!) (code|errno|network)|request to/.test(l)) ?? text.split('\n')[0] ?? '').trim();
}

/** The files git would commit: tracked ones still present, and new ones it does not ignore. */
function projectFiles(root: string): string[] {
  const result = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  if (result.status !== 0) {
    throw new CheckForkError(`the project at ${root} is not a git checkout (git ls-files: ${firstLine(result.stderr)}); the copy is made from the files git tracks.`, EXIT_COULD_NOT_RUN);
  }
  return result.stdout.split('\0').filter((f) => f && existsSync(join(root, f)) && statSync(join(root, f)).isFile());
}

/** Rewrites package.json so that `cdktf` (and `cdktf-cli` when given) are cdktn by alias. */
export function aliasToFork(packageJson: string, version: string, cliVersion?: string): string {
  const pkg = JSON.parse(packageJson) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const set = (name: string, spec: string) => {
    const section = pkg.dependencies?.[name] !== undefined ? pkg.dependencies : pkg.devDependencies?.[name] !== undefined ? pkg.devDependencies : undefined;
    if (!section) throw new CheckForkError(`package.json declares no ${name}; nothing to move to the fork.`, EXIT_COULD_NOT_RUN);
    section[name] = spec;
  };
  set('cdktf', `npm:cdktn@${version}`);
  if (cliVersion) set('cdktf-cli', `npm:cdktn-cli@${cliVersion}`);
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function synthesize(projectDir: string, outDir: string, env: NodeJS.ProcessEnv, label: string): void {
  const build = run(process.execPath, ['scripts/build.mjs'], projectDir, env);
  if (build.status !== 0) throw new CheckForkError(`the build ${label} failed:\n${tail(build.stderr + build.stdout)}`, EXIT_COULD_NOT_RUN);
  const synth = run(process.execPath, ['dist/scripts/synth.js', '--out', outDir], projectDir, env);
  if (synth.status !== 0) throw new CheckForkError(`the synth ${label} failed:\n${tail(synth.stderr + synth.stdout)}`, EXIT_COULD_NOT_RUN);
}

function step(message: string, started: number): void {
  console.error(`check:fork: ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Runs the whole check; returns the exit status. */
export function checkFork(options: { readonly root: string; readonly version?: string; readonly keep?: boolean }): number {
  const started = Date.now();
  const root = resolve(options.root);
  const version = options.version ?? registryVersion('cdktn@latest', root);
  if (!version) throw new CheckForkError('the npm registry has no package cdktn.', EXIT_COULD_NOT_RUN);
  if (options.version && !registryVersion(`cdktn@${options.version}`, root)) {
    throw new CheckForkError(`the npm registry has no cdktn ${options.version} (npm view cdktn versions).`, EXIT_COULD_NOT_RUN);
  }
  const cliVersion = registryVersion(`cdktn-cli@${version}`, root);
  console.error(`check:fork: cdktf → npm:cdktn@${version}; cdktf-cli → ${cliVersion ? `npm:cdktn-cli@${cliVersion}` : 'unchanged (no cdktn-cli of that version)'}`);

  const work = mkdtempSync(join(tmpdir(), 'moit-check-fork-'));
  const cleanUp = () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const copy = join(work, 'project');
    const files = projectFiles(root);
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(root, file), join(copy, file));
    }
    writeFileSync(join(copy, 'package.json'), aliasToFork(readFileSync(join(copy, 'package.json'), 'utf8'), version, cliVersion));
    step(`copied ${files.length} files into ${copy}`, started);

    const install = run(NPM, ['install', '--no-audit', '--no-fund', '--legacy-peer-deps'], copy);
    if (install.status !== 0) {
      if (isRegistryUnreachable(install)) {
        throw new CheckForkError(`the npm registry became unreachable during npm install; nothing was compared:\n${tail(install.stderr)}`, EXIT_REGISTRY_UNREACHABLE);
      }
      throw new CheckForkError(`npm install of the copy failed:\n${tail(install.stderr)}`, EXIT_COULD_NOT_RUN);
    }
    const installed = JSON.parse(readFileSync(join(copy, 'node_modules', 'cdktf', 'package.json'), 'utf8')) as { name: string; version: string };
    if (installed.name !== 'cdktn' || installed.version !== version) {
      throw new CheckForkError(`npm installed ${installed.name}@${installed.version} as cdktf, not cdktn@${version}.`, EXIT_COULD_NOT_RUN);
    }
    step(`installed cdktn ${version} as cdktf`, started);

    // Both builds see the same date, so agreements and suppressions expire alike.
    const env = { ...process.env, MOIT_TODAY: process.env.MOIT_TODAY ?? new Date().toISOString().slice(0, 10) };
    const forkOut = join(work, 'cdktn.out');
    const baseOut = join(work, 'cdktf.out');
    synthesize(copy, forkOut, env, 'under cdktn (in the copy)');
    step('synthesized every environment under cdktn', started);
    synthesize(root, baseOut, env, 'under cdktf (here)');
    step('synthesized every environment under cdktf', started);

    const baseVersion = (readJson(join(baseOut, 'manifest.json')) as { version?: string }).version ?? '?';
    const comparison = compareSynthesized(baseOut, forkOut);
    if (comparison.stacks.length === 0) throw new CheckForkError('neither build wrote any stack.', EXIT_COULD_NOT_RUN);
    const ignored = IGNORED_FIELDS.map((f) => `${f.file} ${f.path.join('.')}`).join(', ');
    if (comparison.differences.length === 0) {
      console.log(
        `check:fork: all ${comparison.stacks.length} stacks identical under cdktf ${baseVersion} and cdktn ${version} ` +
          `(MOIT_TODAY=${env.MOIT_TODAY}; ignored only: ${ignored}).`,
      );
      for (const stack of comparison.stacks) console.log(`  identical  ${stack}`);
      return EXIT_IDENTICAL;
    }
    console.log(
      `check:fork: ${comparison.differences.length} of ${comparison.stacks.length + 1} files differ between cdktf ${baseVersion} and cdktn ${version} ` +
        `(MOIT_TODAY=${env.MOIT_TODAY}; ignored only: ${ignored}).`,
    );
    for (const stack of ['manifest.json', ...comparison.stacks]) {
      const difference = comparison.differences.find((d) => d.stack === stack);
      if (!difference) {
        console.log(`  identical  ${stack}`);
        continue;
      }
      console.log(`  DIFFERS    ${stack}: ${difference.count} path${difference.count === 1 ? '' : 's'}`);
      for (const p of difference.paths) console.log(`               ${p}`);
      if (difference.count > difference.paths.length) console.log(`               ... and ${difference.count - difference.paths.length} more`);
    }
    if (options.keep) console.log(`Both builds kept in ${work} (cdktf.out, cdktn.out).`);
    return EXIT_DIFFERENT;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (options.keep) console.error(`check:fork: kept ${work}`);
    cleanUp();
  }
}

const USAGE = `Usage: npm run check:fork [-- --version <x.y.z>] [--keep]

  --version <x.y.z>  the cdktn version to try (default the registry's latest)
  --keep             keep the temporary copy and both outputs, and print where

Installs the estate under CDK Terrain (cdktn) by npm alias in a temporary copy and compares
every stack with the cdktf build. Needs the npm registry.
Exit code: 0 every stack identical, 1 some stack differs, 2 the check could not run (or a
usage error), 3 the npm registry is unreachable (nothing was compared).`;

const OPTIONS = { version: { type: 'string' }, keep: { type: 'boolean', default: false } } as const;

function main({ values }: Parsed<typeof OPTIONS>): number {
  try {
    return checkFork({ root: process.cwd(), version: values.version, keep: values.keep });
  } catch (error) {
    if (!(error instanceof CheckForkError)) throw error;
    console.error(`check:fork: ${error.message}`);
    return error.exitCode;
  }
}

if (require.main === module) void runCli({ name: 'check:fork', usage: USAGE, options: OPTIONS, errorExit: EXIT_COULD_NOT_RUN }, main);
