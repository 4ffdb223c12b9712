/**
 * `node dist/scripts/synth-cached.js [synth options]`: what `npm run synth` runs. It runs the
 * bundled synth (dist/synth.bundle.js, built by scripts/build.mjs) with V8's code cache: the
 * compiled code of the bundle is kept in dist/synth.bundle.js.cache after a run and reused by
 * the next, so a synth neither resolves a thousand modules nor compiles ten megabytes of
 * JavaScript again. The cache is made again when it is missing, or when V8 rejects it (another
 * Node version, another bundle); build.mjs removes it whenever it rebuilds the bundle. Options
 * and output are those of scripts/synth.ts.
 */
import Module = require('node:module');
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

const BUNDLE = join(__dirname, '..', 'synth.bundle.js');
const CACHE = `${BUNDLE}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(CACHE);
  } catch {
    return undefined;
  }
}

function main(): void {
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

main();
