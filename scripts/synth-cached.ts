/**
 * `node dist/scripts/synth-cached.js [synth options]`: what `npm run synth` runs. It runs the
 * bundled synth (dist/synth.bundle.js, built by scripts/build.mjs) with V8's code cache: the
 * compiled code of the bundle is kept in dist/synth.bundle.js.cache after a run and reused by
 * the next, so a synth neither resolves a thousand modules nor compiles ten megabytes of
 * JavaScript again. The cache is made again when it is missing, or when V8 rejects it (another
 * Node version, another bundle); build.mjs removes it whenever it rebuilds the bundle. Options
 * and output are those of scripts/synth.ts.
 *
 * A synth whose inputs are all unchanged since the last synth into the same folder, and whose
 * output is untouched, is not run again (lib/synth-cache.ts): its messages are replayed and the
 * output is left as it is. `MOIT_SYNTH_CACHE=off` always synthesizes.
 */
import Module = require('node:module');
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { Script } from 'node:vm';
import { SYNTH_CACHE_DIR, VALIDATOR_CACHE_DIR } from '../lib/caches';
import { SYNTH_OPTIONS } from '../lib/output-folder';
import {
  SYNTH_CACHE_VARIABLE,
  cacheDisabled,
  dropRecord,
  observeInputs,
  outputHashes,
  readRecord,
  recordFile,
  reusable,
  synthContext,
  writeRecord,
} from '../lib/synth-cache';

const BUNDLE = join(__dirname, '..', 'synth.bundle.js');
const CACHE = `${BUNDLE}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(CACHE);
  } catch {
    return undefined;
  }
}

function runBundle(): void {
  const cachedData = readCache();
  const script = new Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, cachedData });
  // The bundle runs as the main module: `require.main === module` holds inside it, as with `node dist/synth.bundle.js`.
  const bundle = new Module(BUNDLE, undefined);
  bundle.filename = BUNDLE;
  bundle.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(BUNDLE));
  const require = Module.createRequire(BUNDLE) as NodeJS.Require & { main: Module };
  require.main = bundle;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(bundle.exports, bundle.exports, require, bundle, BUNDLE, dirname(BUNDLE));
  bundle.loaded = true;
  // After the run, so the functions the synth compiled are in the cache too.
  if (!cachedData || script.cachedDataRejected) {
    try {
      writeFileSync(`${CACHE}.${process.pid}`, script.createCachedData());
      renameSync(`${CACHE}.${process.pid}`, CACHE);
    } catch {
      // A read-only dist/ only costs the next run its compile.
    }
  }
}

/** The output folder the arguments name (synth.ts's default), or undefined if they do not parse. */
function outputFolder(argv: readonly string[]): string | undefined {
  try {
    const { values } = parseArgs({ args: [...argv], options: { ...SYNTH_OPTIONS, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    return values.help ? undefined : resolve(values.out);
  } catch {
    return undefined;
  }
}

/** Tees what the synth prints, for its record. */
function capture(stream: NodeJS.WriteStream): () => string {
  const chunks: string[] = [];
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  return () => chunks.join('');
}

function main(): void {
  const started = process.hrtime.bigint();
  const argv = process.argv.slice(2);
  const target = outputFolder(argv);
  if (target === undefined) return runBundle(); // --help or a usage error: synth.ts says what.
  const root = join(__dirname, '..', '..');
  const file = recordFile(root, target);
  const context = synthContext(argv, process.cwd());
  if (cacheDisabled()) {
    dropRecord(file);
    return runBundle();
  }
  const record = readRecord(file);
  if (record && reusable(record, context, target).ok) {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stderr.write(record.stderr);
    process.stdout.write(record.stdout.replace(/ in \d+ ms:/, ` in ${ms.toFixed(0)} ms:`));
    process.stderr.write(`synth: nothing changed since the synth of ${record.at} (every file, folder and variable it read, and every file of ${basename(target)}, checked): the output was left as it was. ${SYNTH_CACHE_VARIABLE}=off synthesizes anyway.\n`);
    return;
  }
  dropRecord(file);
  const staging = join(dirname(target), `.synth-${basename(target)}-`);
  const notInputs = [target + sep, `${target}.previous-`, staging, join(root, SYNTH_CACHE_DIR) + sep, join(root, VALIDATOR_CACHE_DIR) + sep, CACHE];
  const observation = observeInputs(target, notInputs);
  const stdout = capture(process.stdout);
  const stderr = capture(process.stderr);
  process.on('exit', (code) => {
    const inputs = observation.stop();
    if (code !== 0 || !observation.wroteOutput()) return;
    writeRecord(file, { context, inputs, output: outputHashes(target), stdout: stdout(), stderr: stderr(), at: new Date().toISOString() });
  });
  runBundle();
}

main();
