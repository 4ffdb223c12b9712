/**
 * The result cache of `npm run synth` (lib/synth-cache.ts, scripts/synth-cached.ts): a synth is
 * skipped only when every input it read and every file it wrote are unchanged; any change of an
 * input (file, folder listing, existence, variable, day, arguments) or of the output runs it.
 * Uses dist/, which npm test builds before jest runs.
 */
import { spawnSync } from 'node:child_process';
import fs = require('node:fs');
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPERATORS } from '../lib/versions';
import { unknownKeysCharts } from './helpers';
import { changedInput, currentObservation, observeInputs, outputHashes, outputUnchanged, readRecord, recordFile, reusable, synthContext } from '../lib/synth-cache';

const ROOT = join(__dirname, '..');

describe('observed inputs', () => {
  it('records the files read, folders listed, paths tested and variables read, and sees each change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moit-synth-cache-'));
    const file = join(dir, 'input.txt');
    const folder = join(dir, 'folder');
    const later = join(dir, 'later');
    writeFileSync(file, 'one');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a'), '');
    process.env.MOIT_CACHE_PROBE = 'first';
    const original = fs.readFileSync;
    const realEnv = process.env;
    const observation = observeInputs(join(dir, 'out'), [join(dir, 'out')]);
    fs.readFileSync(file, 'utf8');
    fs.readdirSync(folder);
    fs.existsSync(later);
    fs.existsSync(join(dir, 'out', 'ignored'));
    void process.env.MOIT_CACHE_PROBE;
    const inputs = observation.stop();
    // Observation ends: fs and process.env are the real ones again.
    expect(fs.readFileSync).toBe(original);
    expect(process.env).toBe(realEnv);
    expect(Object.keys(inputs.files)).toEqual([file]);
    expect(Object.keys(inputs.folders)).toEqual([folder]);
    expect(inputs.paths).toEqual({ [later]: null });
    expect(Object.keys(inputs.env)).toEqual(['MOIT_CACHE_PROBE']);
    // Values are kept as hashes only.
    expect(JSON.stringify(inputs)).not.toContain('first');
    expect(changedInput(inputs)).toBeUndefined();

    writeFileSync(file, 'two');
    expect(changedInput(inputs)).toBe(`file ${file}`);
    writeFileSync(file, 'one');
    writeFileSync(join(folder, 'b'), '');
    expect(changedInput(inputs)).toBe(`folder ${folder}`);
    rmSync(join(folder, 'b'));
    writeFileSync(later, '');
    expect(changedInput(inputs)).toBe(`path ${later}`);
    rmSync(later);
    process.env.MOIT_CACHE_PROBE = 'second';
    expect(changedInput(inputs)).toBe('variable MOIT_CACHE_PROBE');
    delete process.env.MOIT_CACHE_PROBE;
    expect(changedInput(inputs)).toBe('variable MOIT_CACHE_PROBE');
    process.env.MOIT_CACHE_PROBE = 'first';
    expect(changedInput(inputs)).toBeUndefined();
    delete process.env.MOIT_CACHE_PROBE;
  });

  it('adds what another thread of the synth read (the checks worker); what was measured here first stays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moit-synth-cache-'));
    const file = join(dir, 'input.txt');
    writeFileSync(file, 'here');
    const observation = observeInputs(join(dir, 'out'), [join(dir, 'out')]);
    // The worker observes with the same settings, found through the process-wide registry.
    expect(currentObservation()).toBe(observation);
    expect({ target: observation.target, notInputs: observation.notInputs }).toEqual({ target: join(dir, 'out'), notInputs: [join(dir, 'out')] });
    fs.readFileSync(file);
    observation.add({ files: { [file]: 'seen later elsewhere', [join(dir, 'worker.txt')]: null }, folders: { [dir]: 'x' }, paths: {}, env: { WORKER_VARIABLE: null } });
    const inputs = observation.stop();
    expect(currentObservation()).toBeUndefined();
    expect(inputs.files[file]).not.toBe('seen later elsewhere');
    expect(Object.keys(inputs.files)).toEqual([file, join(dir, 'worker.txt')]);
    expect(inputs.folders).toEqual({ [dir]: 'x' });
    expect(inputs.env).toEqual({ WORKER_VARIABLE: null });
  });

  it('keeps what the synth saw: an input changed while it ran makes the next run differ', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moit-synth-cache-'));
    const file = join(dir, 'input.txt');
    writeFileSync(file, 'seen by the synth');
    process.env.MOIT_CACHE_PROBE = 'seen';
    const observation = observeInputs(join(dir, 'out'), []);
    fs.readFileSync(file);
    void process.env.MOIT_CACHE_PROBE;
    // Edited after the synth read it, before the synth ended.
    writeFileSync(file, 'edited during the synth');
    process.env.MOIT_CACHE_PROBE = 'changed';
    const inputs = observation.stop();
    expect(changedInput(inputs)).toBe(`file ${file}`);
    writeFileSync(file, 'seen by the synth');
    expect(changedInput(inputs)).toBe('variable MOIT_CACHE_PROBE');
    delete process.env.MOIT_CACHE_PROBE;
  });

  it('depends on the whole environment when the synth enumerated it', () => {
    const observation = observeInputs('/nowhere', []);
    void Object.keys(process.env);
    const inputs = observation.stop();
    expect(Object.keys(inputs.env)).toEqual(expect.arrayContaining(Object.keys(process.env)));
  });
});

describe('output check', () => {
  it('accepts only the output exactly as written; Terraform’s own entries do not count', () => {
    const out = mkdtempSync(join(tmpdir(), 'moit-synth-out-'));
    mkdirSync(join(out, 'stacks', 'a', '.terraform'), { recursive: true });
    writeFileSync(join(out, 'manifest.json'), '{}');
    writeFileSync(join(out, 'stacks', 'a', 'cdk.tf.json'), '{"a":1}');
    const recorded = outputHashes(out);
    expect(Object.keys(recorded)).toEqual(['manifest.json', 'stacks/a/cdk.tf.json']);
    writeFileSync(join(out, 'stacks', 'a', '.terraform.lock.hcl'), 'lock');
    writeFileSync(join(out, 'stacks', 'a', '.terraform', 'x'), 'plugin');
    expect(outputUnchanged(out, recorded)).toBe(true);

    writeFileSync(join(out, 'stacks', 'a', 'cdk.tf.json'), '{"a":2}');
    expect(outputUnchanged(out, recorded)).toBe(false);
    writeFileSync(join(out, 'stacks', 'a', 'cdk.tf.json'), '{"a":1}');
    writeFileSync(join(out, 'extra.json'), '');
    expect(outputUnchanged(out, recorded)).toBe(false);
    rmSync(join(out, 'extra.json'));
    rmSync(join(out, 'manifest.json'));
    expect(outputUnchanged(out, recorded)).toBe(false);
    rmSync(out, { recursive: true });
    expect(outputUnchanged(out, recorded)).toBe(false);
  });

  it('reuses nothing across Node versions, folders, arguments or days', () => {
    const day = new Date('2026-12-03T12:00:00Z');
    const context = synthContext(['--env', 'dev'], '/a', day);
    expect(synthContext(['--env', 'dev'], '/a', day)).toBe(context);
    expect(synthContext(['--env', 'prod'], '/a', day)).not.toBe(context);
    expect(synthContext(['--env', 'dev'], '/b', day)).not.toBe(context);
    expect(synthContext(['--env', 'dev'], '/a', new Date('2026-12-04T12:00:00Z'))).not.toBe(context);
    const record = { version: 1, context, inputs: { files: {}, folders: {}, paths: {}, env: {} }, output: {}, stdout: '', stderr: '', at: '' };
    expect(reusable(record, synthContext(['--env', 'prod'], '/a', day), '/nowhere')).toEqual({ ok: false, why: 'another Node, folder, argument list or day' });
    expect(reusable(undefined, context, '/nowhere').ok).toBe(false);
  });
});

describe('npm run synth with the result cache', () => {
  const work = mkdtempSync(join(tmpdir(), 'moit-synth-cached-'));
  const out = join(work, 'out');
  const record = recordFile(ROOT, out);
  afterAll(() => rmSync(record, { force: true }));
  const run = (extra: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } => {
    const env: NodeJS.ProcessEnv = { ...process.env, MOIT_TODAY: '2026-12-03' };
    delete env.MOIT_SYNTH_CACHE;
    Object.assign(env, extra);
    const r = spawnSync(process.execPath, [join('dist', 'scripts', 'synth-cached.js'), '--env', 'dev', '--out', out], { cwd: ROOT, env, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    return { stdout: r.stdout, stderr: r.stderr };
  };
  const HIT = /synth: nothing changed since the synth of/;

  it('skips a synth whose inputs and output are unchanged, and runs it after any change', () => {
    const first = run();
    expect(first.stderr).not.toMatch(HIT);
    const written = outputHashes(out);
    const saved = readRecord(record)!;
    // The inputs it saw include the bundle it ran and the day it judged against (as a hash).
    expect(Object.keys(saved.inputs.files)).toContain(join(ROOT, 'dist', 'synth.bundle.js'));
    expect(saved.inputs.env.MOIT_TODAY).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(saved.inputs)).not.toContain('2026-12-03');

    const second = run();
    expect(second.stderr).toMatch(HIT);
    // The same messages as the synth, the stack list included.
    expect(second.stdout.replace(/ in \d+ ms:/, '')).toBe(first.stdout.replace(/ in \d+ ms:/, ''));
    expect(outputHashes(out)).toEqual(written);

    // Another day (suppressions expire by the day): synthesized again.
    expect(run({ MOIT_TODAY: '2026-12-04' }).stderr).not.toMatch(HIT);
    expect(run({ MOIT_TODAY: '2026-12-04' }).stderr).toMatch(HIT);

    // An edited output file: synthesized again, and the output is what synth writes.
    const stackFile = Object.keys(written).find((f) => f.endsWith('cdk.tf.json'))!;
    writeFileSync(join(out, stackFile), `${readFileSync(join(out, stackFile), 'utf8')} `);
    expect(run().stderr).not.toMatch(HIT);
    expect(outputHashes(out)).toEqual(written);

    // Turned off: always synthesizes, and leaves no record behind.
    expect(run({ MOIT_SYNTH_CACHE: 'off' }).stderr).not.toMatch(HIT);
    expect(readRecord(record)).toBeUndefined();
    expect(run().stderr).not.toMatch(HIT);
    expect(run().stderr).toMatch(HIT);
  });

  it('records what the checks read on their own thread: a changed chart file is a change', () => {
    // Report mode, so the deployability finding these files cause does not stop the synth.
    const charts = unknownKeysCharts();
    const values = join(charts, OPERATORS.certManager.chart, OPERATORS.certManager.chartVersion, 'values.yaml');
    const env = { CHART_VALUES_DIR: charts, MOIT_DEPLOYABILITY: 'report' };
    expect(run(env).stderr).not.toMatch(HIT);
    const saved = readRecord(record)!;
    // Only the worker reads chart files and the worker's bundle is an input like the synth's.
    expect(Object.keys(saved.inputs.files)).toEqual(expect.arrayContaining([join(ROOT, 'dist', 'checks-worker.bundle.js'), values]));
    expect(Object.keys(saved.inputs.env)).toEqual(expect.arrayContaining(['CHART_VALUES_DIR', 'MOIT_DEPLOYABILITY']));
    expect(run(env).stderr).toMatch(HIT);
    writeFileSync(values, 'unrelated: false\n');
    expect(run(env).stderr).not.toMatch(HIT);
    expect(run(env).stderr).toMatch(HIT);
  });

  it('never records a failed synth', () => {
    const r = spawnSync(process.execPath, [join('dist', 'scripts', 'synth-cached.js'), '--env', 'nowhere', '--out', join(work, 'failed')], { cwd: ROOT, env: { ...process.env, MOIT_TODAY: '2026-12-03' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(readRecord(recordFile(ROOT, join(work, 'failed')))).toBeUndefined();
  });
});
