/**
 * Every CLI goes through lib/cli.ts: `--help` exits 0 with the usage; an unknown option, a missing
 * value or a stray argument prints the usage and exits with the documented code; nothing the user
 * can fix prints a stack trace; a name matching no environment is an error everywhere; an error
 * thrown while an environment file loads names the .ts file and line.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { SOURCES, checkEnvironment, loadEnvironments } from '../environments';
import { UsageError, describeUncaught, isCliEntry, parseCommandLine } from '../lib/cli';
import { ConfigError, UserError } from '../lib/errors';
import { SelectionError, parseSelection } from '../lib/selection';
import { configOf, synthEstate } from './helpers';

const temp: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temp.push(dir);
  return dir;
};
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

const run = (script: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => {
  const r = spawnSync(process.execPath, [resolve('dist', 'scripts', `${script}.js`), ...args], { encoding: 'utf8', cwd: options.cwd, env: options.env ?? process.env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const STACK_TRACE = /\n\s+at .*:\d+:\d+/;

/** Each CLI and its documented exit code for a usage error. */
const CLIS: Array<[string, number]> = [
  ['synth', 1],
  ['diff', 1],
  ['plan', 1],
  ['deploy', 1],
  ['audit', 2],
  ['backups', 1],
  ['access', 1],
  ['validate', 2],
  ['diagram', 1],
  ['schemas-fetch', 1],
  ['check-fork', 2],
  ['comment', 1],
  ['drift', 1],
  ['drift-issue', 1],
  ['allow-destroy', 1],
  ['deploy-approved', 1],
  ['prereqs', 1],
  ['alerts', 1],
  ['reach', 1],
  ['synth-cached', 1],
];

describe('every CLI', () => {
  it.each(CLIS)('%s: --help prints the usage and exits 0; an unknown option prints it and exits %i, without a stack trace', (script, code) => {
    const help = run(script, ['--help']);
    expect([help.status, help.stdout.startsWith('Usage: npm run ')]).toEqual([0, true]);
    expect(help.stdout).toMatch(new RegExp(`Exit code: [^\\n]*${code}`));
    const bogus = run(script, ['--bogus']);
    expect(bogus.status).toBe(code);
    expect(bogus.stderr).toContain("Unknown option '--bogus'");
    expect(bogus.stderr).toContain('Usage: npm run ');
    expect(bogus.stderr).not.toMatch(STACK_TRACE);
  });

  it('imports lib/cli first, so errors while the rest loads are reported (and source-mapped)', () => {
    const scripts = readdirSync('scripts').filter((f) => f.endsWith('.ts') && f !== 'bench.ts');
    expect(scripts.length).toBe(CLIS.length);
    // synth-cached.ts only loads the synth bundle, whose entry is synth.ts (checked here).
    for (const file of [...scripts.filter((f) => f !== 'synth-cached.ts').map((f) => join('scripts', f)), 'main.ts']) {
      const first = /^import [^;]*? from '([^']+)';$/m.exec(readFileSync(file, 'utf8'))?.[1];
      expect([file, first]).toEqual([file, file === 'main.ts' ? './lib/cli' : '../lib/cli']);
    }
  });
});

describe('parseCommandLine', () => {
  const spec = { name: 'x', usage: 'Usage: npm run x', options: { env: { type: 'string' }, all: { type: 'boolean' } }, errorExit: 3 } as const;
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseCommandLine(spec, argv, env);

  it('parses strictly, and answers help to --help and -h', () => {
    expect(parse(['--env', 'prod', '--all'])).toMatchObject({ values: { env: 'prod', all: true }, positionals: [] });
    expect(parse(['--help'])).toBe('help');
    expect(parse(['-h'])).toBe('help');
  });

  it('refuses an unknown option, a missing value, a stray argument and a value given to a flag', () => {
    expect(() => parse(['--nope'])).toThrow(UsageError);
    expect(() => parse(['--env'])).toThrow("option '--env <value>' needs a value");
    expect(() => parse(['prod'])).toThrow('unexpected argument: prod (options start with --)');
    expect(() => parse(['--all=yes'])).toThrow(UsageError);
  });

  it('says when npm took an option for itself (a missing --)', () => {
    expect(() => parse([], { npm_config_env: 'prod' })).toThrow('npm took --env for itself: put `--` before the command\'s options, e.g. npm run x -- --env <value>');
    expect(parse(['--env', 'prod'], { npm_config_env: 'prod' })).toMatchObject({ values: { env: 'prod' } });
  });
});

describe('one selection parser', () => {
  it('returns the names given, everything for all or nothing, and refuses unknown names listing the known ones', () => {
    const options = { option: '--env', noun: 'environment' };
    expect(parseSelection('prod, dr,prod', ['dev', 'prod', 'dr'], options)).toEqual(['prod', 'dr']);
    expect(parseSelection(undefined, ['dev', 'prod'], options)).toEqual(['dev', 'prod']);
    expect(parseSelection('all', ['dev', 'prod'], options)).toEqual(['dev', 'prod']);
    expect(() => parseSelection('prdo,qa', ['dev', 'prod'], { ...options, where: 'in out/' })).toThrow(
      new SelectionError(['prdo', 'qa'], ['dev', 'prod'], { ...options, where: 'in out/' }),
    );
    expect(() => parseSelection('prdo,qa', ['dev', 'prod'], options)).toThrow('--env: unknown environments "prdo", "qa"; known: dev, prod. Did you mean "prod"?');
    expect(() => parseSelection('', ['a'], { option: '--domain', noun: 'data domain', allowAll: false })).toThrow('--domain: unknown data domain ""; known: a');
  });

  it('makes npm run diff -- --env <typo> an error instead of "No changes in 0 stacks"', () => {
    const { outdir } = synthEstate();
    const r = run('diff', ['--base', outdir, '--head', outdir, '--env', 'prdo', '--out', join(tempDir('moit-cli-diff-'), 'diff.md')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--env: unknown environment "prdo"');
    expect(r.stderr).toContain('known: dev, dr, prod, staging. Did you mean "prod"?');
    expect(r.stdout).not.toContain('No changes');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('makes synth, backups, diagram, audit and access refuse unknown names too', () => {
    const out = join(tempDir('moit-cli-'), 'out');
    expect(run('synth', ['--env', 'prdo', '--out', out]).stderr).toContain('--env: unknown environment "prdo"; known: dev, staging, prod, dr');
    expect(run('backups', ['--env', 'qa']).stderr).toContain('--env: unknown environment "qa"');
    expect(run('diagram', ['--env', 'qa', '--out', out]).stderr).toContain('--env: unknown environment "qa"');
    expect(run('access', ['--domain', 'nowhere']).stderr).toMatch(/--domain: unknown data domain "nowhere"; known: .*trade-promotion/);
    const audit = run('audit', ['--dir', synthEstate().outdir, '--env', 'qa']);
    expect([audit.status, audit.stderr.trim()]).toEqual([2, expect.stringMatching(/^--env: unknown environment "qa" in .*; known: dev, dr, prod, staging$/)]);
  });
});

describe('--today', () => {
  it.each([
    ['audit', 2],
    ['backups', 1],
    ['access', 1],
  ] as Array<[string, number]>)('%s refuses a day that is not a calendar day, and a bad MOIT_TODAY', (script, code) => {
    const args = script === 'audit' ? ['--dir', synthEstate().outdir] : [];
    const bad = run(script, [...args, '--today', '2026-02-30']);
    expect([bad.status, bad.stderr.trim()]).toEqual([code, '--today: is not a calendar date, got "2026-02-30"']);
    const env = run(script, args, { env: { ...process.env, MOIT_TODAY: '2026-13-01' } });
    expect([env.status, env.stderr.trim()]).toEqual([code, 'MOIT_TODAY: is not a calendar date, got "2026-13-01"']);
  });
});

describe('environment files', () => {
  it('two environments with the same name: an error naming the file', () => {
    const copy = { file: 'environments/prod-copy.ts', config: { ...configOf('prod') } };
    expect(() => loadEnvironments(['prod'], [...SOURCES, copy])).toThrow(ConfigError);
    expect(() => loadEnvironments(['prod'], [...SOURCES, copy])).toThrow('environments/prod-copy.ts: name: is already the name of environments/prod.ts');
  });

  it('an unknown suppression rule: an error naming the file and the field, listing the rules', () => {
    const config = configOf('prod') as any;
    config.auditSuppressions = [{ rule: 'XYZ-999', reason: 'a reason long enough', owner: 'platform/someone', expires: '2027-01-01' }];
    const result = checkEnvironment(config, 'environments/prod.ts');
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([expect.objectContaining({ source: 'environments/prod.ts', path: 'auditSuppressions[0].rule', received: 'XYZ-999' })]);
    expect(problems[0]!.message).toMatch(/must be a rule ID of the pack \(policy\/audit\/rules\): .*NET-003/);
  });

  it('an environment file that throws while loading: the CLI names the .ts file and line, not dist/', () => {
    // A copy of the built program whose prod.ts references an undefined name on line 3.
    const root = tempDir('moit-cli-load-');
    cpSync('dist', join(root, 'dist'), { recursive: true });
    cpSync('package.json', join(root, 'package.json'));
    mkdirSync(join(root, 'environments'));
    const source = join(root, 'environments', 'prod.ts');
    writeFileSync(source, `import { dev } from './dev';\n\nexport const prod = { ...dev, name: 'prod', zones: notDefinedAnywhere };\n`);
    buildSync({ entryPoints: [source], outdir: join(root, 'dist', 'environments'), format: 'cjs', platform: 'node', sourcemap: 'linked', logLevel: 'silent' });
    const r = spawnSync(process.execPath, [join(root, 'dist', 'scripts', 'synth.js'), '--out', join(root, 'out')], { encoding: 'utf8', cwd: root, env: { ...process.env, NODE_PATH: resolve('node_modules') } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')[0]).toBe('environments/prod.ts:3:52: ReferenceError: notDefinedAnywhere is not defined');
    expect(r.stderr).not.toContain('dist/');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('describes an uncaught error by its first TypeScript frame; a UserError by its message alone', () => {
    const error = new ReferenceError('x is not defined');
    error.stack = `ReferenceError: x is not defined\n    at Object.<anonymous> (/repo/node_modules/lib/index.ts:1:1)\n    at Object.<anonymous> (/repo/environments/prod.ts:12:7)\n    at Module._compile (node:internal/modules/cjs/loader:1554:14)`;
    expect(describeUncaught(error, '/repo').split('\n')[0]).toBe('environments/prod.ts:12:7: ReferenceError: x is not defined');
    expect(describeUncaught(new UserError('fix this'), '/repo')).toBe('fix this');
    expect(isCliEntry('/repo/dist/scripts/synth.js')).toBe(true);
    expect(isCliEntry('/repo/dist/main.js')).toBe(true);
    expect(isCliEntry('/repo/test/cli.test.ts')).toBe(false);
    expect(isCliEntry(undefined)).toBe(false);
  });
});
