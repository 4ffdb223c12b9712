/**
 * A synth's checks on a second thread (issue 22): the rule pack and the deployability check
 * take about a third of a synth of the estate and need only the JSON cdktf writes, so they run in
 * a worker (worker.ts) while the synth goes on producing the next stacks, on the machine's other
 * core. What the synth prints and the error that stops it are the worker's, replayed here in
 * order: the same lines and the same first error a synth checking in place gives (see
 * test/checks-worker.test.ts). The synth swaps its output in only after the worker's verdict.
 *
 * The worker is the bundle scripts/build.mjs writes beside the synth's (dist/); without it, or
 * with MOIT_CHECKS_WORKER=0, the synth checks in place.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { UserError } from '../../lib/errors';
import { currentObservation } from '../../lib/synth-cache';
import { warnOnce } from '../../stacks/audit/verdict';
import type { WrittenStack } from '../../stacks/check-handoff';
import { announce } from '../../stacks/deployability';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol';

/** The worker's bundle (dist/checks-worker.bundle.js; this file is dist/tools/checks/client.js). */
export const WORKER_BUNDLE = join(dirname(__filename), '..', '..', 'checks-worker.bundle.js');
export const CHECKS_WORKER_VARIABLE = 'MOIT_CHECKS_WORKER';

export class ChecksWorker {
  /** The worker, started; undefined when the synth should check in place (no bundle, or MOIT_CHECKS_WORKER=0). */
  static start(bundle: string = WORKER_BUNDLE): ChecksWorker | undefined {
    if (process.env[CHECKS_WORKER_VARIABLE] === '0' || !existsSync(bundle)) return undefined;
    const observation = currentObservation();
    // The worker's code is an input of an observed synth like the synth's own bundle.
    if (observation) readFileSync(bundle);
    const setup: WorkerSetup = observation ? { observe: { target: observation.target, notInputs: observation.notInputs } } : {};
    // SHARE_ENV: the worker reads the variables themselves, so an observing worker sees which (a copy would read them all here).
    return new ChecksWorker(new Worker(bundle, { workerData: setup, env: SHARE_ENV }));
  }

  private error: string | undefined;
  private readonly done: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.done = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'warning':
            if (this.error === undefined) warnOnce(message.line);
            return;
          case 'notice':
            if (this.error === undefined) announce(message.line, message.key);
            return;
          case 'error':
            this.error ??= message.message;
            return;
          case 'done':
            if (message.inputs) currentObservation()?.add(message.inputs);
            return resolve();
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the checks' worker stopped (exit code ${code}) before judging every stack`)));
    });
    // Until finish() is awaited, a failure is held, not thrown.
    this.done.catch(() => undefined);
  }

  /** Sends a written stack to be checked. */
  written(stack: WrittenStack): void {
    this.worker.postMessage({ type: 'written', stack } satisfies ToWorker);
  }

  /**
   * Waits for the verdict on every stack sent, then ends the worker; throws the first finding
   * that stops the synth. Called again, it gives the same outcome.
   */
  finish(): Promise<void> {
    this.finished ??= (async () => {
      this.worker.postMessage({ type: 'end' } satisfies ToWorker);
      try {
        await this.done;
      } finally {
        await this.worker.terminate();
      }
      if (this.error !== undefined) throw new UserError(this.error);
    })();
    return this.finished;
  }

  private finished: Promise<void> | undefined;
}
