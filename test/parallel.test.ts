/**
 * Plan and deploy in parallel by the dependency graph (tools/review/schedule.ts): the schedule
 * (order, waves, critical path), the runner's rules (a stack starts only after its
 * dependencies, never more than --parallelism at once, nothing starts after a failure, running
 * stacks finish), and the same rules with real Terraform: every stack's apply records its start
 * and end in a shared file through a local-exec provisioner, and its plan through a wrapper of
 * the terraform binary. No assertion depends on how long anything takes: order is read from the
 * order of lines in an append-only file, and concurrency is proven by a rendezvous (two stacks
 * each wait for the other to arrive, which only succeeds if both run at once).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployEnvironment } from '../tools/review/deploy';
import { planEnvironment } from '../tools/review/plan-run';
import { liveProgress, statusLine, wantsLiveView } from '../tools/review/progress';
import { describeSchedule, parseParallelism, runGraph, scheduleOf, type GraphNode } from '../tools/review/schedule';
import { synthApp, terraformEnv, tmp, type ResourceSpec, type StackSpec } from './fixtures/review/apps';

const node = (name: string, ...dependencies: string[]): GraphNode => ({ name, dependencies });

/** The shape of one environment of the real estate, plus a second cluster. */
const estate = [
  node('prod-core-platform', 'prod-mgmt-clusters'),
  node('prod-core-services', 'prod-core-platform'),
  node('prod-edge-platform', 'prod-mgmt-clusters'),
  node('prod-edge-services', 'prod-edge-platform'),
  node('prod-mgmt-clusters', 'prod-mgmt-platform'),
  node('prod-mgmt-platform'),
];

describe('the schedule', () => {
  it('puts every stack after its dependencies, in waves that can each run at once, with a critical path', () => {
    const s = scheduleOf(estate);
    expect(s.order).toEqual(['prod-mgmt-platform', 'prod-mgmt-clusters', 'prod-core-platform', 'prod-edge-platform', 'prod-core-services', 'prod-edge-services']);
    expect(s.waves).toEqual([['prod-mgmt-platform'], ['prod-mgmt-clusters'], ['prod-core-platform', 'prod-edge-platform'], ['prod-core-services', 'prod-edge-services']]);
    expect(s.criticalPath).toEqual(['prod-mgmt-platform', 'prod-mgmt-clusters', 'prod-core-platform', 'prod-core-services']);
    // With measured durations, the critical path follows the slowest chain.
    expect(scheduleOf(estate, (n) => (n === 'prod-edge-services' ? 10 : 1)).criticalPath).toEqual(['prod-mgmt-platform', 'prod-mgmt-clusters', 'prod-edge-platform', 'prod-edge-services']);
  });

  it('prints the order, the waves with their dependencies and the critical path', () => {
    const lines = describeSchedule(scheduleOf(estate), 4, 'planned');
    expect(lines[0]).toBe('Order (dependencies first): prod-mgmt-platform, prod-mgmt-clusters, prod-core-platform, prod-edge-platform, prod-core-services, prod-edge-services');
    expect(lines[1]).toBe('Schedule: 6 stacks in 4 waves, up to 2 at once (--parallelism 4); each stack is planned as soon as the stacks it depends on are done.');
    expect(lines).toContain('  wave 3: prod-core-platform (after prod-mgmt-clusters), prod-edge-platform (after prod-mgmt-clusters)');
    expect(lines.at(-1)).toBe('Critical path (4 stacks): prod-mgmt-platform → prod-mgmt-clusters → prod-core-platform → prod-core-services');
  });

  it('ignores dependencies outside the set (deployed already) and names the stacks of a cycle', () => {
    expect(scheduleOf([node('dev-app', 'dev-base')]).waves).toEqual([['dev-app']]);
    expect(() => scheduleOf([node('dev-a', 'dev-b'), node('dev-b', 'dev-a'), node('dev-c')])).toThrow('the stack dependencies form a cycle among dev-a, dev-b');
  });

  it('accepts --parallelism from 1 and refuses anything else, saying the default', () => {
    expect(parseParallelism('1')).toBe(1);
    expect(parseParallelism('16')).toBe(16);
    expect(parseParallelism(undefined)).toBeGreaterThanOrEqual(1);
    for (const bad of ['0', '-2', '1.5', 'many', '']) expect(() => parseParallelism(bad)).toThrow(/--parallelism: must be a whole number of stacks run at once, at least 1, got .*The default is the number of cores/);
  });

  it('shows running stacks and failures on one status line', () => {
    const line = statusLine({ total: 6, done: 2, failed: ['prod-a'], stopping: true, running: new Map([['prod-b', 1000]]) }, 3500);
    expect(line).toBe('2/6 done · failed: prod-a (no new stack starts) · running: prod-b 2.5 s');
  });

  it('on a terminal keeps the status line last, under the lines that scroll; in CI or a pipe, plain lines', () => {
    let out = '';
    const stream = { isTTY: true, columns: 0, write: (t: string) => (out += t) };
    const live = liveProgress(stream, () => 2000);
    live.update({ total: 2, done: 0, failed: [], stopping: false, running: new Map([['dev-a', 1000]]) });
    live.line('[1/2] dev-a: terraform apply');
    live.close();
    expect(out).toBe('\r\x1b[2K0/2 done · running: dev-a 1.0 s' + '\r\x1b[2K[1/2] dev-a: terraform apply\n' + '\r\x1b[2K0/2 done · running: dev-a 1.0 s' + '\r\x1b[2K');
    expect(wantsLiveView(stream, {})).toBe(true);
    expect(wantsLiveView(stream, { CI: 'true' })).toBe(false);
    expect(wantsLiveView({ isTTY: false, write: () => true }, {})).toBe(false);
  });
});

/** A runner whose stacks finish only when the test says so. */
function controlled() {
  const events: string[] = [];
  const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const run = (name: string) =>
    new Promise<string>((resolve, reject) => {
      events.push(`start ${name}`);
      pending.set(name, { resolve: () => (events.push(`end ${name}`), resolve(name)), reject: (e) => (events.push(`fail ${name}`), reject(e)) });
    });
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  const running = () => [...pending.keys()];
  const finish = async (name: string, error?: Error) => {
    await settle();
    const p = pending.get(name)!;
    pending.delete(name);
    if (error) p.reject(error);
    else p.resolve();
    await settle();
  };
  return { events, run, settle, running, finish };
}

describe('the runner', () => {
  it('starts a stack as soon as its dependencies are done, never more than --parallelism at once', async () => {
    const c = controlled();
    const done = runGraph(scheduleOf(estate), { parallelism: 2, run: c.run });
    await c.settle();
    expect(c.running()).toEqual(['prod-mgmt-platform']);
    await c.finish('prod-mgmt-platform');
    await c.finish('prod-mgmt-clusters');
    expect(c.running()).toEqual(['prod-core-platform', 'prod-edge-platform']);
    await c.finish('prod-edge-platform');
    // Its dependant starts at once; core-services still waits for core-platform.
    expect(c.running()).toEqual(['prod-core-platform', 'prod-edge-services']);
    await c.finish('prod-core-platform');
    await c.finish('prod-edge-services');
    await c.finish('prod-core-services');
    const outcome = await done;
    expect(outcome.failed).toEqual([]);
    expect(outcome.completed.map((x) => x.name)).toEqual(['prod-mgmt-platform', 'prod-mgmt-clusters', 'prod-edge-platform', 'prod-core-platform', 'prod-edge-services', 'prod-core-services']);
  });

  it('with --parallelism 1 runs one stack at a time, the longest chain first', async () => {
    const c = controlled();
    const done = runGraph(scheduleOf([node('dev-a'), node('dev-b'), node('dev-c', 'dev-b')]), { parallelism: 1, run: c.run });
    for (const name of ['dev-b', 'dev-a', 'dev-c']) {
      await c.settle();
      expect(c.running()).toEqual([name]);
      await c.finish(name);
    }
    expect((await done).started).toEqual(['dev-b', 'dev-a', 'dev-c']);
  });

  it('starts nothing after a failure, lets running stacks finish, and lists what never started', async () => {
    const c = controlled();
    const states: boolean[] = [];
    const done = runGraph(scheduleOf(estate), { parallelism: 3, run: c.run, onChange: (s) => states.push(s.stopping) });
    await c.finish('prod-mgmt-platform');
    await c.finish('prod-mgmt-clusters');
    expect(c.running()).toEqual(['prod-core-platform', 'prod-edge-platform']);
    await c.finish('prod-core-platform', new Error('boom'));
    // edge-platform was running: it goes on and may finish.
    expect(c.running()).toEqual(['prod-edge-platform']);
    await c.finish('prod-edge-platform');
    const outcome = await done;
    expect(outcome.failed.map((f) => f.name)).toEqual(['prod-core-platform']);
    expect(outcome.completed.map((x) => x.name)).toEqual(['prod-mgmt-platform', 'prod-mgmt-clusters', 'prod-edge-platform']);
    // edge-services was ready once edge-platform finished, but the run had stopped.
    expect(outcome.notStarted).toEqual(['prod-core-services', 'prod-edge-services']);
    expect(c.events).not.toContain('start prod-edge-services');
    expect(states.at(-1)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// With real Terraform.

const env = terraformEnv();

/** A shell loop waiting (at most 60 s) for a file; on timeout it records that it waited alone. */
const waitFor = (file: string, log: string, who: string): string =>
  `i=0; while [ ! -e ${file} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; [ -e ${file} ] || echo "timeout ${who}" >> ${log}`;

/** A terraform_data whose creation writes `start <stack> <ns>` and `end <stack> <ns>` to `log`, running `middle` between. */
function recorded(stack: string, log: string, middle = 'true', exit = 0): ResourceSpec {
  const command = `echo "start ${stack} $(date +%s%N)" >> ${log}; ${middle}; echo "end ${stack} $(date +%s%N)" >> ${log}; exit ${exit}`;
  return { id: 'work', body: { input: stack, provisioner: [{ 'local-exec': { command } }] } };
}

/** The lines of an append-only record: `[event, stack, ns]`. */
const records = (file: string): [string, string, bigint][] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .map(([e, s, t]) => [e!, s!, BigInt(t ?? 0)]);

/** Every stack's start comes after the end of each of its dependencies, by line order and by clock. */
function expectDependenciesRespected(file: string, stacks: readonly StackSpec[]): void {
  const lines = records(file);
  const at = (event: string, stack: string) => {
    const i = lines.findIndex(([e, s]) => e === event && s === stack);
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };
  for (const s of stacks) {
    for (const d of s.dependsOn ?? []) {
      expect({ stack: s.name, startsAfterEndOf: d, ok: at('start', s.name) > at('end', d) }).toEqual({ stack: s.name, startsAfterEndOf: d, ok: true });
      expect(lines[at('start', s.name)]![2] >= lines[at('end', d)]![2]).toBe(true);
    }
  }
}

describe('parallel plan and deploy with Terraform', () => {
  it('plans and applies each stack only after its dependencies, and independent stacks at the same time', async () => {
    const dir = tmp('moit-par-');
    const log = join(dir, 'applies.log');
    // dev-left and dev-right depend on dev-root and meet each other: each waits for the other's mark.
    const meet = (me: string, other: string) => `touch ${join(dir, `${me}.here`)}; ${waitFor(join(dir, `${other}.here`), log, me)}`;
    const stacks: StackSpec[] = [
      { name: 'dev-root', resources: [recorded('dev-root', log)] },
      { name: 'dev-left', dependsOn: ['dev-root'], resources: [recorded('dev-left', log, meet('left', 'right'))] },
      { name: 'dev-right', dependsOn: ['dev-root'], resources: [recorded('dev-right', log, meet('right', 'left'))] },
      { name: 'dev-top', dependsOn: ['dev-left', 'dev-right'], resources: [recorded('dev-top', log)] },
      { name: 'dev-solo', resources: [recorded('dev-solo', log)] },
    ];
    // Plans are recorded by a wrapper of the terraform binary: start and end of each `plan`.
    const plans = join(dir, 'plans.log');
    const wrapper = join(dir, 'terraform-recorded');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nname=$(basename "$PWD")\n[ "$1" = plan ] && echo "start $name $(date +%s%N)" >> ${plans}\n` +
        `terraform "$@"; rc=$?\n[ "$1" = plan ] && echo "end $name $(date +%s%N)" >> ${plans}\nexit $rc\n`,
    );
    chmodSync(wrapper, 0o755);

    const plansRoot = tmp('moit-par-plans-');
    const planLog: string[] = [];
    const synthesized = synthApp(stacks, tmp('moit-par-state-'));
    await planEnvironment({ environment: 'dev', synthesizedDir: synthesized, plansRoot, parallelism: 4, terraform: { env, binary: wrapper }, log: (l) => planLog.push(l) });
    expectDependenciesRespected(plans, stacks);
    // The order and the schedule are printed before anything runs.
    expect(planLog.slice(0, 6)).toEqual([
      'Order (dependencies first): dev-root, dev-solo, dev-left, dev-right, dev-top',
      'Schedule: 5 stacks in 3 waves, up to 2 at once (--parallelism 4); each stack is planned as soon as the stacks it depends on are done.',
      '  wave 1: dev-root, dev-solo',
      '  wave 2: dev-left (after dev-root), dev-right (after dev-root)',
      '  wave 3: dev-top (after dev-left, dev-right)',
      'Critical path (3 stacks): dev-root → dev-left → dev-top',
    ]);

    const applyLog: string[] = [];
    const outcome = await deployEnvironment({ environment: 'dev', plansRoot, parallelism: 4, terraform: { env }, log: (l) => applyLog.push(l) });
    expect(outcome).toMatchObject({ status: 'applied', failures: [] });
    // Reported in dependency order, whatever order they finished in.
    expect(outcome.applied).toEqual(['dev-root', 'dev-solo', 'dev-left', 'dev-right', 'dev-top']);
    expect(applyLog[0]).toBe('Order (dependencies first): dev-root, dev-solo, dev-left, dev-right, dev-top');
    expectDependenciesRespected(log, stacks);
    // left and right met: each found the other's mark, so they ran at the same time.
    expect(readFileSync(log, 'utf8')).not.toContain('timeout');
  });

  it('stops at the first failure: nothing starts after it, a running stack finishes, the summary says what was and was not applied', async () => {
    const dir = tmp('moit-par-fail-');
    const log = join(dir, 'applies.log');
    const release = join(dir, 'release');
    const meet = (me: string, other: string) => `touch ${join(dir, `${me}.here`)}; ${waitFor(join(dir, `${other}.here`), log, me)}`;
    const stacks: StackSpec[] = [
      { name: 'dev-root', resources: [recorded('dev-root', log)] },
      // broken fails while slow runs (they meet first); slow then waits until the deploy has seen the failure.
      { name: 'dev-broken', dependsOn: ['dev-root'], resources: [recorded('dev-broken', log, `${meet('broken', 'slow')}; echo boom >&2`, 1)] },
      { name: 'dev-slow', dependsOn: ['dev-root'], resources: [recorded('dev-slow', log, `${meet('slow', 'broken')}; ${waitFor(release, log, 'slow')}`)] },
      { name: 'dev-top', dependsOn: ['dev-broken', 'dev-slow'], resources: [recorded('dev-top', log)] },
      // Ready once dev-root is done, but waits for a free slot (parallelism 2; broken and slow head longer chains).
      { name: 'dev-late', dependsOn: ['dev-root'], resources: [recorded('dev-late', log)] },
    ];
    const state = tmp('moit-par-fail-state-');
    const plansRoot = tmp('moit-par-fail-plans-');
    await planEnvironment({ environment: 'dev', synthesizedDir: synthApp(stacks, state), plansRoot, parallelism: 2, terraform: { env } });
    const lines: string[] = [];
    const outcome = await deployEnvironment({
      environment: 'dev',
      plansRoot,
      parallelism: 2,
      terraform: { env },
      log: (l) => {
        lines.push(l);
        if (/dev-broken: failed/.test(l)) writeFileSync(release, '');
      },
    });
    expect(outcome).toMatchObject({ status: 'failed', applied: ['dev-root', 'dev-slow'], failed: { stack: 'dev-broken' }, notApplied: ['dev-late', 'dev-top'] });
    expect(outcome.failed!.error).toContain('boom');
    expect(outcome.summary).toContain('applied: dev-root, dev-slow\n  failed: dev-broken');
    expect(outcome.summary).toContain('not applied: dev-late, dev-top');
    const record = readFileSync(log, 'utf8');
    expect(record).not.toContain('timeout');
    expect(record).not.toMatch(/start dev-(late|top)/);
    expect(existsSync(join(state, 'dev-late.tfstate'))).toBe(false);
    expect(lines.some((l) => /dev-late: terraform apply/.test(l))).toBe(false);
  });

  it('stops a parallel plan at the first failure and writes no plan index', async () => {
    const stacks: StackSpec[] = [
      { name: 'dev-root', resources: [{ id: 'ok', body: { input: 1 } }] },
      // A reference to an undeclared resource: terraform plan fails.
      { name: 'dev-bad', dependsOn: ['dev-root'], resources: [{ id: 'bad', body: { input: '${terraform_data.missing.id}' } }] },
      { name: 'dev-after', dependsOn: ['dev-bad'], resources: [{ id: 'later', body: { input: 3 } }] },
    ];
    const plansRoot = tmp('moit-par-plan-fail-');
    const error = await planEnvironment({ environment: 'dev', synthesizedDir: synthApp(stacks), plansRoot, parallelism: 2, terraform: { env } }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/plan .* failed in [\s\S]*Plan of dev stopped: dev-bad failed; no stack started after that, and no plan index was written/);
    expect((error as Error).message).toContain('  planned: dev-root\n  not planned: dev-after');
    expect(existsSync(join(plansRoot, 'dev', 'plan-set.json'))).toBe(false);
  });

  it('with a shared plugin cache runs one terraform init at a time, while the plans stay parallel', async () => {
    const dir = tmp('moit-par-cache-');
    const log = join(dir, 'terraform.log');
    const busy = join(dir, 'init-running');
    // The wrapper marks an init running (mkdir is atomic) and records an overlap if one already is;
    // dev-left's and dev-right's plans meet each other, which only succeeds if they run at once.
    const meet = (me: string, other: string) => `touch ${join(dir, `${me}.here`)}; ${waitFor(join(dir, `${other}.here`), log, me)}`;
    const wrapper = join(dir, 'terraform-recorded');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nname=$(basename "$PWD")\n` +
        `if [ "$1" = init ]; then mkdir ${busy} 2>/dev/null || echo "overlap $name" >> ${log}; echo "init $name" >> ${log}; sleep 0.2; terraform "$@"; rc=$?; rmdir ${busy} 2>/dev/null; exit $rc; fi\n` +
        `if [ "$1" = plan ] && [ "$name" = dev-left ]; then ${meet('left', 'right')}; fi\n` +
        `if [ "$1" = plan ] && [ "$name" = dev-right ]; then ${meet('right', 'left')}; fi\n` +
        `exec terraform "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const stacks: StackSpec[] = [
      { name: 'dev-root', resources: [{ id: 'a', body: { input: 1 } }] },
      { name: 'dev-solo', resources: [{ id: 'b', body: { input: 2 } }] },
      { name: 'dev-other', resources: [{ id: 'c', body: { input: 3 } }] },
      { name: 'dev-left', dependsOn: ['dev-root'], resources: [{ id: 'd', body: { input: 4 } }] },
      { name: 'dev-right', dependsOn: ['dev-root'], resources: [{ id: 'e', body: { input: 5 } }] },
    ];
    const cacheEnv = { ...env, TF_PLUGIN_CACHE_DIR: tmp('moit-par-plugins-') };
    const plansRoot = tmp('moit-par-cache-plans-');
    await planEnvironment({ environment: 'dev', synthesizedDir: synthApp(stacks), plansRoot, parallelism: 4, terraform: { env: cacheEnv, binary: wrapper } });
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.startsWith('init ')).sort()).toEqual(stacks.map((s) => `init ${s.name}`).sort());
    expect(lines.filter((l) => !l.startsWith('init '))).toEqual([]);
    expect(existsSync(join(plansRoot, 'dev', 'plan-set.json'))).toBe(true);
  });
});
