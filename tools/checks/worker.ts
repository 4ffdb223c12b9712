/**
 * The thread that checks a synth's stacks (issue 22): started by client.ts, it reads each stack's
 * JSON as cdktf wrote it and runs the rule pack on it (`judgeStack`), and the deployability check
 * on an environment once all its stacks are written (`judgeEnvironment`), in the order a synth
 * that checks in place runs them: for the last stack of an environment, the environment first,
 * then the stack. The first error ends the judging: a synth checking in place stops there too.
 * Built into dist/checks-worker.bundle.js (scripts/build.mjs).
 */
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { observeInputs, type Observation } from '../../lib/synth-cache';
import { UserError } from '../../lib/errors';
import type { Json } from '../../policy/audit/model';
import { judgeStack } from '../../stacks/audit/verdict';
import type { WrittenStack } from '../../stacks/check-handoff';
import { judgeEnvironment } from '../../stacks/deployability';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol';

/** Judges written stacks one by one; `say` receives what the synth must print or stop on. */
export class StackJudge {
  private readonly written = new Map<string, { readonly json: Json; readonly dependsOn: readonly string[] }>();
  private stopped = false;

  constructor(private readonly say: (message: FromWorker) => void) {}

  judge(stack: WrittenStack): void {
    if (this.stopped) return;
    try {
      const json = JSON.parse(readFileSync(stack.file, 'utf8')) as Json;
      const env = stack.environment;
      this.written.set(stack.name, { json, dependsOn: env?.dependsOn ?? [] });
      if (env?.mode && env.stacks[env.stacks.length - 1] === stack.name && env.stacks.every((s) => this.written.has(s))) {
        const verdict = judgeEnvironment(env.name, env.stacks.map((name) => ({ name, ...this.written.get(name)! })), env.mode);
        for (const n of verdict.notices) this.say({ type: 'notice', line: n.line, key: n.key });
        if (verdict.error) return this.stop(verdict.error);
      }
      if (stack.audit) {
        const verdict = judgeStack(stack.name, json, stack.audit.today === undefined ? {} : { today: stack.audit.today });
        for (const line of verdict.warnings) this.say({ type: 'warning', line });
        if (verdict.error) return this.stop(verdict.error);
      }
    } catch (error) {
      if (error instanceof UserError) return this.stop(error);
      throw error;
    }
  }

  private stop(error: Error): void {
    this.stopped = true;
    this.say({ type: 'error', message: error.message });
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const observation: Observation | undefined = setup.observe ? observeInputs(setup.observe.target, setup.observe.notInputs) : undefined;
  const judge = new StackJudge((m) => port.postMessage(m));
  port.on('message', (message: ToWorker) => {
    if (message.type === 'written') return judge.judge(message.stack);
    const inputs = observation?.stop();
    port.postMessage({ type: 'done', ...(inputs ? { inputs } : {}) } satisfies FromWorker);
    port.close();
  });
}
