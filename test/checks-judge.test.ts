/**
 * The checks worker's judge (tools/checks/worker.ts StackJudge), in process: the order a synth
 * checking in place keeps (an environment's check before its last stack's audit), the first
 * error ends the judging, and what is not a user's error is not turned into one.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WrittenStack } from '../stacks/check-handoff';
import { CHART_VALUES_DIR_VARIABLE } from '../stacks/deployability';
import type { FromWorker } from '../tools/checks/protocol';
import { StackJudge } from '../tools/checks/worker';
import { synthEstate, unknownKeysCharts } from './helpers';

const TODAY = '2026-12-03';
/** In 2028 the estate's accepted exceptions have lapsed: a staging stack fails the audit. */
const LAPSED = '2028-01-01';

const estate = synthEstate();
const STAGING = estate.stackNames.filter((n) => n.startsWith('staging-'));
/** cdktf's manifest: each stack's dependencies (stack paths, which are their names: stacks are the app's children). */
const MANIFEST = JSON.parse(readFileSync(join(estate.outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };

/** Staging's stacks as the hand-off sends them; `today` per stack, the mode on the last one. */
function written(today: (name: string) => string): WrittenStack[] {
  const order = ['staging-mgmt-platform', 'staging-mgmt-clusters', 'staging-core-platform', 'staging-core-services'];
  expect([...STAGING].sort()).toEqual([...order].sort());
  return order.map((name, i) => ({
    name,
    file: join(estate.outdir, 'stacks', name, 'cdk.tf.json'),
    audit: { today: today(name) },
    environment: { name: 'staging', stacks: order, dependsOn: MANIFEST.stacks[name]!.dependencies, ...(i === order.length - 1 ? { mode: 'enforce' as const } : {}) },
  }));
}

function judge(stacks: readonly WrittenStack[]): FromWorker[] {
  const said: FromWorker[] = [];
  const judge = new StackJudge((m) => said.push(m));
  for (const s of stacks) judge.judge(s);
  return said;
}

describe('the checks worker’s judge', () => {
  const saved = process.env[CHART_VALUES_DIR_VARIABLE];
  afterEach(() => {
    if (saved === undefined) delete process.env[CHART_VALUES_DIR_VARIABLE];
    else process.env[CHART_VALUES_DIR_VARIABLE] = saved;
  });

  it('finds nothing to stop on in the estate as it is', () => {
    const said = judge(written(() => TODAY));
    expect(said.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('stops at the first stack with a finding and judges nothing after it', () => {
    // Two stacks would fail; only the first is said.
    const said = judge(written((name) => (name === 'staging-mgmt-clusters' || name === 'staging-core-platform' ? LAPSED : TODAY)));
    const errors = said.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual({ type: 'error', message: expect.stringMatching(/^Security audit: \d+ findings? at error level in stack staging-mgmt-clusters\./) });
    // It is the last thing said: the environment's check (at the last stack) never ran.
    expect(said[said.length - 1]).toBe(errors[0]);
  });

  it('checks the environment before the audit of its last stack, as a synth in place does', () => {
    // The last stack fails both: the deployability check (a values.yaml that knows none of the
    // keys set) and the audit (its exceptions lapsed). In place, the environment is checked inside
    // the last stack's toTerraform, before the rule pack sees its JSON.
    process.env[CHART_VALUES_DIR_VARIABLE] = unknownKeysCharts();
    const said = judge(written((name) => (name === 'staging-core-services' ? LAPSED : TODAY)));
    const errors = said.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual({ type: 'error', message: expect.stringMatching(/^Deployability: \d+ problems? in environment staging would stop a first install\./) });
    expect(said.some((m) => m.type === 'notice' && m.line.startsWith('deployability: chart values NOT checked for '))).toBe(true);
  });

  it('waits for every stack of the environment, and reads the mode only from the last', () => {
    process.env[CHART_VALUES_DIR_VARIABLE] = unknownKeysCharts();
    const stacks = written(() => TODAY);
    // Without the second stack the environment is never complete: not checked.
    expect(judge([stacks[0]!, stacks[2]!, stacks[3]!]).filter((m) => m.type !== 'warning')).toEqual([]);
    // The mode comes with the last stack only; without it the environment is not checked here.
    expect(judge(stacks.map(({ environment, ...s }) => ({ ...s, environment: { ...environment!, mode: undefined } }))).filter((m) => m.type !== 'warning')).toEqual([]);
    // In report mode a finding is a notice, not an error.
    const report = stacks.map((s, i) => (i === stacks.length - 1 ? { ...s, environment: { ...s.environment!, mode: 'report' as const } } : s));
    const said = judge(report);
    expect(said.filter((m) => m.type === 'error')).toEqual([]);
    expect(said).toContainEqual({ type: 'notice', key: 'report staging', line: expect.stringMatching(/^deployability \(report only\): environment staging has \d+ problems?/) });
  });

  it('reports a user error met while checking (a chart folder that does not exist) as the finding that stops the synth', () => {
    process.env[CHART_VALUES_DIR_VARIABLE] = join(tmpdir(), 'no-such-chart-folder');
    const said = judge(written(() => TODAY));
    expect(said.filter((m) => m.type === 'error')).toEqual([{ type: 'error', message: expect.stringContaining('CHART_VALUES_DIR=') }]);
  });

  it('does not audit a stack without the rule pack, audits one outside any environment, and lets what is not a user error through', () => {
    const stacks = written(() => LAPSED).map(({ audit: _audit, ...s }) => s);
    expect(judge(stacks.slice(0, 1)).filter((m) => m.type === 'error')).toEqual([]);
    const alone = written(() => LAPSED).map(({ environment: _environment, ...s }) => s);
    expect(judge(alone.slice(0, 1))).toContainEqual({ type: 'error', message: expect.stringMatching(/^Security audit: .* in stack staging-mgmt-platform\./) });
    // A stack file that is not there is a bug of the synth, not a finding.
    expect(() => judge([{ name: 'missing', file: join(tmpdir(), 'no-such-stack', 'cdk.tf.json'), audit: {} }])).toThrow(/ENOENT/);
  });
});
