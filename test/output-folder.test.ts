/**
 * `npm run synth -- --out <folder>` replaces the folder it is given: it may only be a folder synth
 * owns (new, empty, or its previous output). Anything else is refused before anything is written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../lib/errors';
import { SYNTH_MARKER, checkOutputFolder } from '../lib/output-folder';
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

describe('synthesize', () => {
  it('writes its marker, replaces its own output, and leaves a foreign folder untouched', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    synthesize(out, ['dev']);
    expect(existsSync(join(out, SYNTH_MARKER))).toBe(true);
    synthesize(out, ['dev']);
    expect(readdirSync(out).sort()).toEqual([SYNTH_MARKER, 'manifest.json', 'stacks'].sort());

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
