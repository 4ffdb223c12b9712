// Transpiles every TypeScript source to CommonJS under dist/ with esbuild (no bundling, no
// type check: `npm run typecheck` does that). Transpiling is ~50x faster than tsc here, which
// keeps `npm run synth` and `npx cdktf synth` quick. Output mirrors the source tree.
//
// `node scripts/build.mjs --if-changed` (what `npm run synth` runs) skips the build when
// nothing it builds from changed since the last build: a SHA-256 of every source's path and
// content, this script, package.json and tsconfig.json, kept in dist/.build-hash. Contents,
// not modification times, so a checkout, a copy or a touched file never fools it; checking
// takes a few milliseconds where the build takes about half a second.
//
// `--then <script> [arguments]` (what `npm run synth` passes) then runs that built script in
// this same process, with those arguments as its own: one Node start instead of two.
//
// It also bundles the synth entry (scripts/synth.ts and everything it imports, dependencies
// included) into dist/synth.bundle.js, which `npm run synth` runs through
// dist/scripts/synth-cached.js with V8's code cache: one file read and no module resolution
// instead of about a thousand files, and compiled code reused between runs. Two things differ
// from the transpiled files and are made explicit here: `__filename` (audit rules take their
// ID from it) becomes the path the transpiled file has under dist/, and the names of the
// project's classes (audit findings name the construct's class and its source file) are set
// explicitly, so esbuild's renaming of clashing names in the shared scope cannot change them.
// (esbuild's keepNames would do that for every function too, at a cost on every closure made.)
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';

// `--then <script> [arguments]`: everything from `--then` on belongs to the script.
const thenAt = process.argv.indexOf('--then');
const own = thenAt < 0 ? process.argv.slice(2) : process.argv.slice(2, thenAt);
const then = thenAt < 0 ? undefined : process.argv.slice(thenAt + 1);
if (then && then.length === 0) {
  process.stderr.write('build.mjs: --then needs the script to run\n');
  process.exit(2);
}

const roots = ['main.ts', 'lib', 'policy', 'environments', 'constructs', 'stacks', 'tools', 'scripts'];
const STAMP = join('dist', '.build-hash');

function collect(path, out) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return out;
  if (info.isFile()) {
    if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  return out;
}

const entryPoints = roots.flatMap((root) => collect(root, []));

function sourceHash() {
  const hash = createHash('sha256');
  for (const file of [...entryPoints, 'scripts/build.mjs', 'package.json', 'tsconfig.json']) {
    hash.update(`${file}\0`);
    hash.update(existsSync(file) ? readFileSync(file) : '(missing)');
    hash.update('\0');
  }
  return hash.digest('hex');
}

const hash = sourceHash();
const BUNDLE = join('dist', 'synth.bundle.js');
const WORKER_BUNDLE = join('dist', 'checks-worker.bundle.js');
// Up to date: the same sources, and the outputs still there (a deleted dist/ file is rebuilt).
const built = existsSync(STAMP) && existsSync(join('dist', 'main.js')) && existsSync(BUNDLE) && existsSync(WORKER_BUNDLE);
if (!(own.includes('--if-changed') && built && readFileSync(STAMP, 'utf8').trim() === hash)) await buildAll();
if (then) {
  const [script, ...args] = then;
  process.argv = [process.argv[0], resolve(script), ...args];
  createRequire(import.meta.url)(resolve(script));
}

async function buildAll() {
  const { build } = await import('esbuild');
  await build({
    entryPoints,
    outdir: 'dist',
    outbase: '.',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });

  /**
   * `__filename` in a project source → the path of its transpiled twin under dist/; each class
   * keeps its name (see above).
   */
  const explicitFilenames = {
    name: 'explicit-filenames',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = relative(process.cwd(), args.path).split(sep).join('/');
        if (rel.startsWith('..') || rel.startsWith('node_modules/')) return undefined;
        let text = readFileSync(args.path, 'utf8');
        if (text.includes('__filename')) {
          const js = JSON.stringify(rel.replace(/\.ts$/, '.js'));
          text = text.replace(/\b__filename\b/g, `require("node:path").join(__dirname, ${js})`);
        }
        // Bundled modules share one scope, where esbuild renames a class whose name another module
        // uses too (Foo → Foo2); its \`name\` is set back, as keepNames would, for classes only.
        const classes = [...text.matchAll(/^(?:export\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
        for (const name of classes) text += `\nObject.defineProperty(${name}, "name", { value: ${JSON.stringify(name)}, configurable: true });`;
        return { contents: text, loader: 'ts' };
      });
    },
  };

  // The synth, and the worker that checks its stacks on a second thread (tools/checks/client.ts).
  for (const [entry, outfile] of [['scripts/synth.ts', BUNDLE], ['tools/checks/worker.ts', WORKER_BUNDLE]]) {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      plugins: [explicitFilenames],
      logLevel: 'warning',
    });
    // The code cache belongs to the previous bundle; the next run makes a new one.
    rmSync(`${outfile}.cache`, { force: true });
  }
  writeFileSync(STAMP, `${hash}\n`);
}
