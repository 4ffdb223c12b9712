/**
 * `npm run synth -- --out <folder>` replaces the folder it is given: it may only be a folder synth
 * owns (new, empty, or its previous output). Anything else is refused before anything is written.
 * When it swaps the new output in, each stack keeps what Terraform created in its folder
 * (`.terraform/`, `.terraform.lock.hcl`), and nothing else of the previous output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../lib/errors';
import { CARRIED_OVER, SYNTH_MARKER, checkOutputFolder, replaceOutputFolder } from '../lib/output-folder';
import { synthesize } from '../scripts/synth';

const temp: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'moit-out-'));
  temp.push(dir);
  return dir;
};
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A sandbox: a project, a home and a working folder of their own, inside one temp folder. */
function sandbox() {
  const root = tempDir();
  const project = join(root, 'work', 'project');
  const home = join(root, 'home', 'user');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}');
  return { root, project, home, check: (out: string, cwd = project) => checkOutputFolder(out, { projectRoot: project, home, cwd }) };
}

describe('the folders synth may replace', () => {
  it('accepts a new folder, an empty folder, its own previous output and a cdktf output', () => {
    const { project, check } = sandbox();
    expect(check('cdktf.out')).toBe(join(project, 'cdktf.out'));
    mkdirSync(join(project, 'empty'));
    expect(check('empty')).toBe(join(project, 'empty'));
    mkdirSync(join(project, 'previous', 'anything'), { recursive: true });
    writeFileSync(join(project, 'previous', SYNTH_MARKER), '');
    expect(check('previous')).toBe(join(project, 'previous'));
    mkdirSync(join(project, 'from-cdktf', 'stacks'), { recursive: true });
    writeFileSync(join(project, 'from-cdktf', 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: {} }));
    expect(check('from-cdktf')).toBe(join(project, 'from-cdktf'));
  });

  it('refuses the project root, a folder above it, the home folder and the current folder, whatever they hold', () => {
    const { root, project, home, check } = sandbox();
    expect(() => check('.')).toThrow(/--out \.: is the project root\. Synth replaces its output folder as a whole/);
    expect(() => check('..')).toThrow(/--out \.\.: holds the project root/);
    expect(() => check(root)).toThrow(/holds the project root/);
    expect(() => check(home)).toThrow(/is the home folder/);
    expect(() => check(dirname(home))).toThrow(/holds the home folder/);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    expect(() => check('.', elsewhere)).toThrow(/--out \.: is the current folder/);
    expect(() => check('/')).toThrow(/is the root of the file system/);
    expect(() => check(project)).toThrow(UserError);
  });

  it('refuses a folder holding files synth did not write, a cdktf-like folder with more in it, a file and a link', () => {
    const { project, check } = sandbox();
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'main.ts'), 'x');
    expect(() => check('src')).toThrow(/--out src: the folder exists and holds files synth did not write \(main\.ts\): it has no \.moit-synth marker/);
    mkdirSync(join(project, 'mixed', 'stacks'), { recursive: true });
    writeFileSync(join(project, 'mixed', 'manifest.json'), JSON.stringify({ stacks: {} }));
    writeFileSync(join(project, 'mixed', 'notes.md'), 'mine');
    expect(() => check('mixed')).toThrow(/holds files synth did not write/);
    mkdirSync(join(project, 'bad-manifest'));
    writeFileSync(join(project, 'bad-manifest', 'manifest.json'), 'not json');
    expect(() => check('bad-manifest')).toThrow(/holds files synth did not write/);
    writeFileSync(join(project, 'file.txt'), 'x');
    expect(() => check('file.txt')).toThrow(/is a file, not a folder/);
    symlinkSync(join(project, 'src'), join(project, 'link'));
    expect(() => check('link')).toThrow(/is a symbolic link/);
  });
});

/** Every file under `dir`, relative, with its content (links shown as links). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out[r] = '(link)';
      else if (e.isDirectory()) walk(r);
      else out[r] = readFileSync(join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

/** An output folder: `stacks/<stack>/cdk.tf.json` for each stack, plus `extra` files (relative path → content). */
function output(dir: string, stacks: string[], extra: Record<string, string> = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const s of stacks) {
    mkdirSync(join(dir, 'stacks', s), { recursive: true });
    writeFileSync(join(dir, 'stacks', s, 'cdk.tf.json'), `{"new": "${s}"}`);
  }
  writeFileSync(join(dir, SYNTH_MARKER), '');
  for (const [f, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

describe('the swap keeps what Terraform created in each stack folder', () => {
  it('carries over .terraform/ and .terraform.lock.hcl of the stacks that still exist, and nothing else', () => {
    const dir = tempDir();
    const target = output(join(dir, 'out'), ['dev-a', 'dev-b', 'dev-gone'], {
      'stacks/dev-a/.terraform/moit-init.json': 'record a',
      'stacks/dev-a/.terraform/providers/registry/kubernetes': 'binary',
      'stacks/dev-a/.terraform.lock.hcl': 'lock a',
      'stacks/dev-a/terraform.tfstate': 'local state',
      'stacks/dev-a/plan.tfplan': 'a plan',
      'stacks/dev-a/.terraform.tfstate.lock.info': 'a lock of a running plan',
      'stacks/dev-a/cdk.tf.json': 'the old configuration',
      'stacks/dev-b/.terraform.lock.hcl': 'lock b',
      'stacks/dev-gone/.terraform/moit-init.json': 'record gone',
      'stacks/dev-gone/.terraform.lock.hcl': 'lock gone',
      'manifest.json': 'old manifest',
      'notes.txt': 'not synth output',
    });
    const staging = output(join(dir, '.synth-out-x'), ['dev-a', 'dev-b', 'dev-new'], { 'manifest.json': 'new manifest' });

    expect(replaceOutputFolder(staging, target)).toEqual(['dev-a/.terraform', 'dev-a/.terraform.lock.hcl', 'dev-b/.terraform.lock.hcl']);
    expect(tree(target)).toEqual({
      [SYNTH_MARKER]: '',
      'manifest.json': 'new manifest',
      'stacks/dev-a/cdk.tf.json': '{"new": "dev-a"}',
      'stacks/dev-a/.terraform/moit-init.json': 'record a',
      'stacks/dev-a/.terraform/providers/registry/kubernetes': 'binary',
      'stacks/dev-a/.terraform.lock.hcl': 'lock a',
      'stacks/dev-b/cdk.tf.json': '{"new": "dev-b"}',
      'stacks/dev-b/.terraform.lock.hcl': 'lock b',
      'stacks/dev-new/cdk.tf.json': '{"new": "dev-new"}',
    });
    // The stack that disappeared lost its folder; no staging or previous folder is left behind.
    expect(readdirSync(dir)).toEqual(['out']);
    expect(CARRIED_OVER).toEqual(['.terraform', '.terraform.lock.hcl']);
  });

  it('carries no link and no entry of the wrong kind, and never replaces what the new output has', () => {
    const dir = tempDir();
    const elsewhere = output(join(dir, 'elsewhere'), [], { 'secret.txt': 'not ours' });
    const target = output(join(dir, 'out'), ['dev-link', 'dev-kind', 'dev-own'], { 'stacks/dev-kind/.terraform': 'a file, not a folder', 'stacks/dev-own/.terraform.lock.hcl': 'old lock' });
    symlinkSync(elsewhere, join(target, 'stacks', 'dev-link', '.terraform'));
    symlinkSync(join(elsewhere, 'secret.txt'), join(target, 'stacks', 'dev-link', '.terraform.lock.hcl'));
    mkdirSync(join(target, 'stacks', 'dev-kind', '.terraform.lock.hcl'));
    const staging = output(join(dir, 'staging'), ['dev-link', 'dev-kind', 'dev-own'], { 'stacks/dev-own/.terraform.lock.hcl': 'new lock' });
    expect(replaceOutputFolder(staging, target)).toEqual([]);
    expect(readdirSync(join(target, 'stacks', 'dev-link'))).toEqual(['cdk.tf.json']);
    expect(readdirSync(join(target, 'stacks', 'dev-kind'))).toEqual(['cdk.tf.json']);
    expect(readFileSync(join(target, 'stacks', 'dev-own', '.terraform.lock.hcl'), 'utf8')).toBe('new lock');
    expect(readFileSync(join(elsewhere, 'secret.txt'), 'utf8')).toBe('not ours');
  });

  it('is all or nothing: when the swap fails, what was carried goes back and the previous output is as it was', () => {
    const dir = tempDir();
    const target = output(join(dir, 'out'), ['dev-a'], { 'stacks/dev-a/.terraform/moit-init.json': 'record', 'stacks/dev-a/.terraform.lock.hcl': 'lock' });
    const before = tree(target);
    const staging = output(join(dir, 'staging'), ['dev-a']);
    // The old output cannot be renamed away: a non-empty folder holds the name it would take.
    output(`${target}.previous-${process.pid}`, ['in-the-way']);
    expect(() => replaceOutputFolder(staging, target)).toThrow(/ENOTEMPTY|EEXIST/);
    expect(tree(target)).toEqual(before);
    expect(tree(staging)).toEqual({ [SYNTH_MARKER]: '', 'stacks/dev-a/cdk.tf.json': '{"new": "dev-a"}' });

    // The old output was renamed away, but the new one cannot be renamed in (a folder cannot move
    // into itself): the old output comes back, with what was carried out of it.
    rmSync(`${target}.previous-${process.pid}`, { recursive: true });
    rmSync(staging, { recursive: true });
    output(dir, ['dev-a']);
    expect(() => replaceOutputFolder(dir, target)).toThrow(/EINVAL/);
    expect(tree(target)).toEqual(before);
    expect(existsSync(join(dir, 'stacks', 'dev-a', '.terraform'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([SYNTH_MARKER, 'out', 'stacks']);
  });
});

describe('synthesize', () => {
  it('writes its marker, replaces its own output, and leaves a foreign folder untouched', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    synthesize(out, ['dev']);
    expect(existsSync(join(out, SYNTH_MARKER))).toBe(true);
    // What plan's init made in a stack folder stays; anything else in it, and a stack that no longer exists, go.
    const stack = join(out, 'stacks', 'dev-core-platform');
    mkdirSync(join(stack, '.terraform'));
    writeFileSync(join(stack, '.terraform', 'moit-init.json'), 'record');
    writeFileSync(join(stack, '.terraform.lock.hcl'), 'lock');
    writeFileSync(join(stack, 'stray.txt'), 'not kept');
    mkdirSync(join(out, 'stacks', 'dev-gone', '.terraform'), { recursive: true });
    const config = readFileSync(join(stack, 'cdk.tf.json'), 'utf8');
    synthesize(out, ['dev']);
    expect(readdirSync(out).sort()).toEqual([SYNTH_MARKER, 'manifest.json', 'stacks'].sort());
    expect(readdirSync(stack).sort()).toEqual(['.terraform', '.terraform.lock.hcl', 'cdk.tf.json']);
    expect(readFileSync(join(stack, '.terraform', 'moit-init.json'), 'utf8')).toBe('record');
    expect(readFileSync(join(stack, 'cdk.tf.json'), 'utf8')).toBe(config);
    expect(existsSync(join(out, 'stacks', 'dev-gone'))).toBe(false);

    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'keep.txt'), 'precious');
    expect(() => synthesize(foreign, ['dev'])).toThrow(/holds files synth did not write \(keep\.txt\)/);
    expect(readFileSync(join(foreign, 'keep.txt'), 'utf8')).toBe('precious');
    expect(readdirSync(dir).sort()).toEqual(['foreign', 'out']); // no staging folder left behind
  });

  it('npm run synth -- --out . in a checkout refuses, exits 1 without a stack trace, and deletes nothing', () => {
    const { project } = sandbox();
    writeFileSync(join(project, 'README.md'), 'keep me');
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [resolve('dist/scripts/synth.js'), '--env', 'dev', '--out', '.'], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (e: any) {
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(1);
    expect(stderr).toContain('--out .: is the current folder.');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(project).sort()).toEqual(['.git', 'README.md', 'package.json']);
  });
});
