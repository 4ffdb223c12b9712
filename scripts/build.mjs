// Transpiles every TypeScript source to CommonJS under dist/ with esbuild (no bundling, no
// type check: `npm run typecheck` does that). Transpiling is ~50x faster than tsc here, which
// keeps `npm run synth` and `npx cdktf synth` quick. Output mirrors the source tree.
//
// `node scripts/build.mjs --if-changed` (what `npm run synth` runs) skips the build when
// nothing it builds from changed since the last build: a SHA-256 of every source's path and
// content, this script, package.json and tsconfig.json, kept in dist/.build-hash. Contents,
// not modification times, so a checkout, a copy or a touched file never fools it; checking
// takes a few milliseconds where the build takes about half a second.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
if (process.argv.includes('--if-changed') && existsSync(STAMP) && existsSync(join('dist', 'main.js')) && readFileSync(STAMP, 'utf8').trim() === hash) process.exit(0);

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
writeFileSync(STAMP, `${hash}\n`);
