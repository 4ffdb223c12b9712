/**
 * The messages between a synth and the worker that checks its stacks (client.ts, worker.ts).
 * Plain data only: they cross between threads by structured clone.
 */
import type { ObservedInputs } from '../../lib/synth-cache';
import type { WrittenStack } from '../../stacks/check-handoff';

/** What the worker is started with. */
export interface WorkerSetup {
  /** Observe what the checks read, as the synth's result cache does (lib/synth-cache.ts), with these settings. */
  readonly observe?: { readonly target: string; readonly notInputs: readonly string[] };
}

export type ToWorker = { readonly type: 'written'; readonly stack: WrittenStack } | { readonly type: 'end' };

export type FromWorker =
  /** A warning of the rule pack, for stderr (once per process, as in place: audit/aspect.ts warnOnce). */
  | { readonly type: 'warning'; readonly line: string }
  /** A notice of the deployability check, for stderr (once per process and key: deployability.ts announce). */
  | { readonly type: 'notice'; readonly line: string; readonly key: string }
  /** A finding that stops the synth (a user error): its full text. Nothing is judged after it. */
  | { readonly type: 'error'; readonly message: string }
  /** Every stack sent before `end` is judged; what the checks read, when observing. */
  | { readonly type: 'done'; readonly inputs?: ObservedInputs };
