/**
 * The checks of a synth on a second thread (tools/checks/, stacks/check-handoff.ts): the built
 * synth judges each written stack in a worker, and must write, print and stop exactly as a synth
 * that checks in place (MOIT_CHECKS_WORKER=0): the same output, the same warnings and notices,
 * the same first error, and nothing written when it stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { outputHashes } from '../lib/synth-cache';
import { OPERATORS } from '../lib/versions';
import { CHECKS_WORKER_VARIABLE } from '../tools/checks/client';
import { unknownKeysCharts } from './helpers';

const ROOT = resolve(__dirname, '..');
const WORKER_BUNDLE = join(ROOT, 'dist', 'checks-worker.bundle.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly output?: Record<string, string>;
}

function synth(envs: string, extra: NodeJS.ProcessEnv, inPlace: boolean): Run {
  const out = join(mkdtempSync(join(tmpdir(), 'moit-checks-worker-')), 'out');
  const env: NodeJS.ProcessEnv = { ...process.env, MOIT_TODAY: '2026-12-03', ...extra };
  if (inPlace) env[CHECKS_WORKER_VARIABLE] = '0';
  else delete env[CHECKS_WORKER_VARIABLE];
  const r = spawnSync(process.execPath, [join('dist', 'scripts', 'synth.js'), '--env', envs, '--out', out], { cwd: ROOT, env, encoding: 'utf8' });
  const normal = (text: string): string => text.split(out).join('<out>').replace(/ in \d+ ms:/, ' in N ms:');
  return { status: r.status, stdout: normal(r.stdout), stderr: normal(r.stderr), ...(existsSync(out) ? { output: outputHashes(out) } : {}) };
}

/** The same synth on a worker and in place. */
function both(envs: string, extra: NodeJS.ProcessEnv = {}): { worker: Run; inPlace: Run } {
  return { worker: synth(envs, extra, false), inPlace: synth(envs, extra, true) };
}

describe('checks on a second thread', () => {
  beforeAll(() => {
    // npm test builds dist/ first; the worker is part of that build.
    expect(existsSync(WORKER_BUNDLE)).toBe(true);
  });

  it('writes the same output and prints the same as checking in place', () => {
    const { worker, inPlace } = both('dev,staging');
    expect(worker.status).toBe(0);
    expect(worker).toEqual(inPlace);
    expect(Object.keys(worker.output!).filter((f) => f.endsWith('cdk.tf.json'))).toHaveLength(6);
  });

  it('prints the same warnings, stops on the same first audit finding and writes nothing', () => {
    // In 2028 the estate's accepted exceptions have expired: a development synth warns, staging fails.
    const { worker, inPlace } = both('dev,staging', { MOIT_TODAY: '2028-01-01' });
    expect(worker.status).toBe(1);
    expect(worker.stderr).toMatch(/^warning: dev-core-platform: AUD-001 suppression of BAK-004/m);
    expect(worker.stderr).toMatch(/^Security audit: \d+ findings? at error level in stack staging-mgmt-platform\. Nothing was synthesized\./m);
    expect(worker.output).toBeUndefined();
    expect(worker).toEqual(inPlace);
  });

  it('stops on the same deployability finding, with the same notices', () => {
    const { worker, inPlace } = both('dev', { CHART_VALUES_DIR: unknownKeysCharts() });
    expect(worker.status).toBe(1);
    expect(worker.stderr).toMatch(/deployability: chart values NOT checked for /);
    expect(worker.stderr).toMatch(/^Deployability: \d+ problems? in environment dev would stop a first install\./m);
    expect(worker.stderr).toContain(OPERATORS.certManager.chart);
    expect(worker.output).toBeUndefined();
    expect(worker).toEqual(inPlace);
  });

  it('refuses a wrong deployability mode the same way', () => {
    const { worker, inPlace } = both('dev', { MOIT_DEPLOYABILITY: 'sometimes' });
    expect(worker.status).toBe(1);
    expect(worker.stderr).toContain('must be "enforce" or "report", got "sometimes"');
    expect(worker).toEqual(inPlace);
  });

  it('puts what the stacks before a failure of the synth itself were found to have first, as in place', () => {
    // The mode is read at an environment's last stack and is wrong: the synth itself fails there.
    // Before it, dev's first stack warns (2028: its exceptions lapsed) ...
    const warned = both('dev', { MOIT_TODAY: '2028-01-01', MOIT_DEPLOYABILITY: 'sometimes' });
    expect(warned.worker.status).toBe(1);
    expect(warned.worker.stderr).toMatch(/^warning: dev-core-platform: AUD-001 [^]*must be "enforce" or "report", got "sometimes"/m);
    expect(warned.worker).toEqual(warned.inPlace);
    // ... and staging's first stack has findings at error level: those stop the synth, not the mode.
    const stopped = both('staging', { MOIT_TODAY: '2028-01-01', MOIT_DEPLOYABILITY: 'sometimes' });
    expect(stopped.worker.status).toBe(1);
    expect(stopped.worker.stderr).toMatch(/^Security audit: \d+ findings? at error level in stack staging-mgmt-platform\./m);
    expect(stopped.worker.stderr).not.toContain('sometimes');
    expect(stopped.worker).toEqual(stopped.inPlace);
  });

  it('reports a finding in report mode without stopping, as in place', () => {
    const { worker, inPlace } = both('dev', { CHART_VALUES_DIR: unknownKeysCharts(), MOIT_DEPLOYABILITY: 'report' });
    expect(worker.status).toBe(0);
    expect(worker.stderr).toMatch(/^deployability \(report only\): environment dev has \d+ problems?/m);
    expect(worker).toEqual(inPlace);
  });
});
