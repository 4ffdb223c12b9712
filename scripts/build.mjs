// Transpiles every TypeScript source to CommonJS under dist/ with esbuild (no bundling, no
// type check: `npm run typecheck` does that). Transpiling is ~50x faster than tsc here, which
// keeps `npm run synth` and `npx cdktf synth` quick. Output mirrors the source tree.
import { build } from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['main.ts', 'lib', 'policy', 'environments', 'constructs', 'stacks', 'tools', 'scripts'];

function collect(path, out) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return out;
  if (info.isFile()) {
    if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path)) collect(join(path, entry), out);
  return out;
}

const entryPoints = roots.flatMap((root) => collect(root, []));
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
