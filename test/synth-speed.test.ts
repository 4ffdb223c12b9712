/**
 * What makes `npm run synth` fast must not change what it writes: the bundled synth run with
 * V8's code cache (dist/scripts/synth-cached.js) writes exactly what the transpiled synth
 * (dist/scripts/synth.js) writes, with and without a cache; and the build is skipped only when
 * no source's content changed (scripts/build.mjs --if-changed). Uses dist/, which npm test
 * builds before jest runs.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
// The result cache (test/synth-cache.test.ts) is off: these runs must really synthesize.
const env = { ...process.env, MOIT_TODAY: '2026-12-03', MOIT_SYNTH_CACHE: 'off' };
const node = (args: string[], cwd = ROOT) => execFileSync(process.execPath, args, { cwd, env, encoding: 'utf8', stdio: 'pipe' });

/** Every file under `dir`, relative, with its content. */
function contents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = join(rel, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(path, readFileSync(join(dir, path), 'utf8'));
    }
  };
  walk('');
  return out;
}

describe('npm run synth, bundled and cached', () => {
  it('writes byte for byte what the transpiled synth writes, with no code cache and with one', () => {
    const work = mkdtempSync(join(tmpdir(), 'moit-synth-speed-'));
    const cache = join(ROOT, 'dist', 'synth.bundle.js.cache');
    rmSync(cache, { force: true });
    node([join('dist', 'scripts', 'synth.js'), '--out', join(work, 'transpiled')]);
    const first = node([join('dist', 'scripts', 'synth-cached.js'), '--out', join(work, 'cold')]);
    expect(first).toMatch(/^Synthesized 14 stacks into .* in \d+ ms:/);
    expect(existsSync(cache)).toBe(true);
    const made = statSync(cache).mtimeMs;
    node([join('dist', 'scripts', 'synth-cached.js'), '--out', join(work, 'warm')]);
    // The cache was used, not made again.
    expect(statSync(cache).mtimeMs).toBe(made);
    const expected = contents(join(work, 'transpiled'));
    expect(expected.size).toBeGreaterThan(14);
    for (const run of ['cold', 'warm']) {
      const got = contents(join(work, run));
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [file, text] of expected) expect({ file, same: got.get(file) === text }).toEqual({ file, same: true });
    }
  });

  it('reports a bad selection as a user error, as the transpiled synth does', () => {
    let stderr = '';
    try {
      node([join('dist', 'scripts', 'synth-cached.js'), '--env', 'nowhere', '--out', join(mkdtempSync(join(tmpdir(), 'moit-synth-bad-')), 'out')]);
    } catch (e) {
      stderr = (e as { stderr: string }).stderr;
    }
    expect(stderr).toContain('--env: unknown environment "nowhere"; known: dev, staging, prod, dr');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('build.mjs --if-changed', () => {
  it('skips the build when no source content changed (a touch does not count) and builds when one did', () => {
    // A copy of the sources with the real node_modules, so the build runs as in the repository.
    const copy = mkdtempSync(join(tmpdir(), 'moit-build-'));
    for (const entry of ['main.ts', 'lib', 'policy', 'environments', 'constructs', 'stacks', 'tools', 'scripts', 'package.json', 'tsconfig.json']) {
      cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const build = () => node([join('scripts', 'build.mjs'), '--if-changed'], copy);
    const stamp = join(copy, 'dist', '.build-hash');
    const bundle = join(copy, 'dist', 'synth.bundle.js');

    build();
    const hash = readFileSync(stamp, 'utf8');
    const built = statSync(bundle).mtimeMs;

    // Same content, newer modification time: nothing is built.
    const source = join(copy, 'policy', 'names.ts');
    utimesSync(source, new Date(), new Date(Date.now() + 60_000));
    build();
    expect(statSync(bundle).mtimeMs).toBe(built);
    expect(readFileSync(stamp, 'utf8')).toBe(hash);

    // A deleted output is built again, though no source changed.
    rmSync(bundle);
    build();
    expect(existsSync(bundle)).toBe(true);
    const rebuilt = statSync(bundle).mtimeMs;

    // Changed content: built again, and the old code cache is dropped with the old bundle.
    appendFileSync(join(copy, 'dist', 'synth.bundle.js.cache'), 'stale');
    appendFileSync(source, '\nexport const changedForTheTest = 1;\n');
    build();
    expect(readFileSync(stamp, 'utf8')).not.toBe(hash);
    expect(existsSync(join(copy, 'dist', 'synth.bundle.js.cache'))).toBe(false);
    expect(readFileSync(join(copy, 'dist', 'policy', 'names.js'), 'utf8')).toContain('changedForTheTest');
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(rebuilt);
    const worker = join(copy, 'dist', 'checks-worker.bundle.js');
    expect(existsSync(worker)).toBe(true);

    // --then runs the built script in the same process with the arguments after it (what
    // `npm run synth` does); the build is still skipped when nothing changed, and rebuilt when
    // an output is gone.
    writeFileSync(join(copy, 'dist', 'probe.js'), 'console.log(JSON.stringify({ argv: process.argv.slice(2), file: require("node:path").basename(process.argv[1]) }));');
    const then = () => JSON.parse(node([join('scripts', 'build.mjs'), '--if-changed', '--then', join('dist', 'probe.js'), '--env', 'dev', '--if-changed'], copy)) as unknown;
    const before = statSync(bundle).mtimeMs;
    expect(then()).toEqual({ argv: ['--env', 'dev', '--if-changed'], file: 'probe.js' });
    expect(statSync(bundle).mtimeMs).toBe(before);
    rmSync(worker);
    expect(then()).toEqual({ argv: ['--env', 'dev', '--if-changed'], file: 'probe.js' });
    expect(existsSync(worker)).toBe(true);
  });
});
