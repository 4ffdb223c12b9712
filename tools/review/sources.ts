/**
 * Where the two sides of `npm run diff` come from:
 * - a folder holding `manifest.json` (a synthesized output, e.g. a CI artefact): used as is;
 * - a git ref (branch, tag, `HEAD~1`, a sha): checked out in a temporary `git worktree`,
 *   built and synthesized there. `node_modules` is a symlink to the main checkout's when the
 *   ref's package-lock.json has the same runtime packages (seconds; development tools may
 *   differ), else installed with `npm ci` (minutes);
 * - nothing (head only): the working tree, synthesized fresh from the current build.
 * A path that exists is a folder, never a ref.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { problem, ReviewError } from './errors';

const run = promisify(execFile);

export interface Side {
  /** The synthesized folder. */
  readonly dir: string;
  /** For the report title: `HEAD~1 (24fcf25)`, `working tree`, `cdktf.out`. */
  readonly label: string;
}

export interface SourceOptions {
  /** The repository (main checkout) root. */
  readonly repoRoot: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Temporary folders are created here and removed by `cleanup`. @default os.tmpdir() */
  readonly tmpRoot?: string;
}

async function sh(cmd: string, args: readonly string[], cwd: string, what: string, fix: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, [...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const detail = (err.stderr || err.message).trim().split('\n').slice(-15).map((l) => `    ${l}`).join('\n');
    throw new ReviewError(`${what} failed (${cmd} ${args.join(' ')} in ${cwd}):\n${detail}\n${fix}`);
  }
}

/**
 * The runtime packages of a lockfile (development-only packages left out), as a comparable
 * string; undefined when there is none. Two checkouts with the same runtime packages
 * synthesize the same way, so one can use the other's node_modules: a new test or build tool
 * in between does not force a slow `npm ci`.
 */
export function runtimePackages(lockfile: string): string | undefined {
  if (!existsSync(lockfile)) return undefined;
  const text = readFileSync(lockfile, 'utf8');
  try {
    const lock = JSON.parse(text) as { packages?: Record<string, { version?: string; dev?: boolean; resolved?: string }> };
    if (!lock.packages) return text;
    const runtime = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !p.dev)
      .map(([path, p]) => `${path}@${p.version ?? ''}`)
      .sort();
    return runtime.join('\n');
  } catch {
    return text;
  }
}

/** Resolves sides and removes the temporary worktrees and folders at the end. */
export class Sources {
  private readonly temporary: string[] = [];
  private readonly worktrees: string[] = [];
  private readonly log: (line: string) => void;

  constructor(private readonly options: SourceOptions) {
    this.log = options.log ?? (() => undefined);
  }

  private tmp(prefix: string): string {
    const dir = mkdtempSync(join(this.options.tmpRoot ?? tmpdir(), prefix));
    this.temporary.push(dir);
    return dir;
  }

  /** A folder, or a git ref; `undefined` means the working tree. */
  async resolve(spec: string | undefined, flag: '--base' | '--head'): Promise<Side> {
    if (spec === undefined) return this.synthWorkingTree();
    const asPath = resolve(spec);
    if (existsSync(asPath)) {
      if (!statSync(asPath).isDirectory() || !existsSync(join(asPath, 'manifest.json'))) {
        throw problem(flag, 'the path exists but is not a synthesized folder (no manifest.json in it)', spec, 'Pass a folder written by npm run synth (e.g. cdktf.out), or a git ref.');
      }
      return { dir: asPath, label: spec };
    }
    return this.synthRef(spec, flag);
  }

  /** Synthesizes the current checkout with its current build (npm run diff builds first). */
  private async synthWorkingTree(): Promise<Side> {
    const root = this.options.repoRoot;
    const synth = join(root, 'dist', 'scripts', 'synth.js');
    if (!existsSync(synth)) throw problem(synth, 'the build is missing', undefined, 'Run it through npm run diff (which builds first), or run npm run build.');
    const out = join(this.tmp('moit-diff-head-'), 'cdktf.out');
    this.log('Synthesizing the working tree…');
    await sh(process.execPath, [synth, '--out', out], root, 'Synthesizing the working tree', 'Fix the error above (npm run synth shows the same) and run the diff again.');
    return { dir: out, label: 'working tree' };
  }

  /** Checks the ref out in a temporary worktree, builds and synthesizes it there. */
  private async synthRef(ref: string, flag: string): Promise<Side> {
    const root = this.options.repoRoot;
    let sha: string;
    try {
      sha = (await run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root })).stdout.trim();
    } catch {
      throw problem(flag, 'neither an existing folder nor a git commit', ref, 'Pass a synthesized folder (e.g. cdktf.out) or a git ref such as main, HEAD~1, a tag or a sha (fetch it first if it is remote).');
    }
    const short = sha.slice(0, 7);
    const base = this.tmp(`moit-diff-${short}-`);
    const tree = join(base, 'tree');
    this.log(`Checking out ${ref} (${short}) in a temporary worktree…`);
    await sh('git', ['worktree', 'add', '--detach', '--quiet', tree, sha], root, `git worktree add for ${ref}`, 'Check that the repository is not locked (.git/index.lock) and try again.');
    this.worktrees.push(tree);
    const lockHere = runtimePackages(join(root, 'package-lock.json'));
    const lockThere = runtimePackages(join(tree, 'package-lock.json'));
    if (lockHere !== undefined && lockHere === lockThere && existsSync(join(root, 'node_modules'))) {
      symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
    } else {
      this.log(`${ref} has other runtime dependencies (package-lock.json differs): running npm ci there, which takes a while…`);
      await sh('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], tree, `npm ci at ${ref}`, 'Check the npm registry is reachable, or synthesize that ref yourself and pass the folder.');
    }
    this.log(`Building and synthesizing ${ref}…`);
    await sh(process.execPath, ['scripts/build.mjs'], tree, `Building ${ref}`, `The code at ${ref} does not build; synthesize it yourself and pass the folder instead.`);
    const out = join(base, 'cdktf.out');
    await sh(process.execPath, ['dist/scripts/synth.js', '--out', out], tree, `Synthesizing ${ref}`, `The code at ${ref} does not synthesize; pass a synthesized folder instead.`);
    return { dir: out, label: sha.startsWith(ref) ? short : `${ref} (${short})` };
  }

  /** Removes worktrees and temporary folders; never throws. */
  async cleanup(): Promise<void> {
    for (const tree of this.worktrees.splice(0)) {
      // Unlink the node_modules symlink first, so that nothing can follow it into the main checkout.
      const modules = join(tree, 'node_modules');
      if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) rmSync(modules, { force: true });
      try {
        await run('git', ['worktree', 'remove', '--force', tree], { cwd: this.options.repoRoot });
      } catch {
        rmSync(tree, { recursive: true, force: true });
        await run('git', ['worktree', 'prune'], { cwd: this.options.repoRoot }).catch(() => undefined);
      }
    }
    for (const dir of this.temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
