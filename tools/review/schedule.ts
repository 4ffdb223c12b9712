/**
 * Runs the stacks of an environment in parallel by their dependency graph (`manifest.json`
 * `stacks[*].dependencies`, which cdktf writes from `addDependency`): a stack starts as soon as
 * every stack it depends on is done, with at most `parallelism` running at once. When several
 * are ready and slots are few, the one heading the longest chain of dependants goes first (the
 * chain that bounds the whole run), then the dependency order.
 *
 * A failure stops the run the way the sequential loop stopped: no stack starts after it; the
 * stacks already running finish (killing Terraform mid-apply would leave a locked, half-written
 * state); the outcome lists what completed, what failed and what never started.
 *
 * {@link scheduleOf} is the plan of that run, printed before anything starts: the order, the
 * waves (stacks whose longest chain of dependencies has the same length) and a critical path.
 * Dependencies outside the given stacks are ignored (assumed deployed), as `dependencyOrder` does.
 */
import { availableParallelism } from 'node:os';
import { ReviewError } from './errors';
import { dependencyOrder } from './synthesized';

export interface GraphNode {
  readonly name: string;
  readonly dependencies: readonly string[];
}

export interface Schedule {
  /** Every stack, dependencies first (the order the sequential loop used). */
  readonly order: readonly string[];
  /** Wave i: the stacks whose longest chain of dependencies is i stacks long; each wave can run at once. */
  readonly waves: readonly (readonly string[])[];
  /** A longest chain of dependencies, first to last: no schedule is shorter than it. */
  readonly criticalPath: readonly string[];
  /** The dependencies of each stack within the set. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** Per stack: the number of stacks on the longest chain from it to the end, itself included. */
  readonly height: ReadonlyMap<string, number>;
}

/** A duration for progress lines: `0.43 s` under ten seconds (the bench reads them), `12.3 s` above. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** The default parallelism: the cores of this machine. */
export function defaultParallelism(): number {
  return Math.max(1, availableParallelism());
}

/** Parses `--parallelism`: a whole number from 1. */
export function parseParallelism(raw: string | undefined): number {
  if (raw === undefined) return defaultParallelism();
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 1) {
    throw new ReviewError(`--parallelism: must be a whole number of stacks run at once, at least 1, got ${JSON.stringify(raw)}. The default is the number of cores (${defaultParallelism()}); 1 runs the stacks one after another.`);
  }
  return n;
}

/**
 * The order, waves and critical path of `stacks`. `weight` gives a stack's expected duration for
 * the critical path (the bench passes measured times); by default every stack counts 1.
 */
export function scheduleOf(stacks: readonly GraphNode[], weight: (name: string) => number = () => 1): Schedule {
  const ordered = dependencyOrder(stacks);
  const names = new Set(ordered.map((s) => s.name));
  const dependencies = new Map(ordered.map((s) => [s.name, [...new Set(s.dependencies.filter((d) => names.has(d)))]]));
  const dependants = new Map<string, string[]>(ordered.map((s) => [s.name, []]));
  for (const [name, deps] of dependencies) for (const d of deps) dependants.get(d)!.push(name);

  // Depth (wave) forwards; height and the weighted longest chain backwards.
  const depth = new Map<string, number>();
  for (const s of ordered) depth.set(s.name, 1 + Math.max(0, ...dependencies.get(s.name)!.map((d) => depth.get(d)!)));
  const height = new Map<string, number>();
  const chain = new Map<string, number>();
  const next = new Map<string, string | undefined>();
  for (const s of [...ordered].reverse()) {
    const after = dependants.get(s.name)!;
    height.set(s.name, 1 + Math.max(0, ...after.map((d) => height.get(d)!)));
    let best: string | undefined;
    for (const d of after) if (best === undefined || chain.get(d)! > chain.get(best)!) best = d;
    chain.set(s.name, weight(s.name) + (best === undefined ? 0 : chain.get(best)!));
    next.set(s.name, best);
  }
  const waves: string[][] = [];
  for (const s of ordered) (waves[depth.get(s.name)! - 1] ??= []).push(s.name);
  let start: string | undefined;
  for (const s of ordered) if (dependencies.get(s.name)!.length === 0 && (start === undefined || chain.get(s.name)! > chain.get(start)!)) start = s.name;
  const criticalPath: string[] = [];
  for (let at = start; at !== undefined; at = next.get(at)) criticalPath.push(at);
  return { order: ordered.map((s) => s.name), waves, criticalPath, dependencies, height };
}

/** The schedule as the lines printed before a run starts. */
export function describeSchedule(schedule: Schedule, parallelism: number, verb: string): string[] {
  const n = schedule.order.length;
  const widest = Math.max(0, ...schedule.waves.map((w) => w.length));
  return [
    `Order (dependencies first): ${schedule.order.join(', ')}`,
    `Schedule: ${n} stack${n === 1 ? '' : 's'} in ${schedule.waves.length} wave${schedule.waves.length === 1 ? '' : 's'}, ` +
      `up to ${Math.min(parallelism, widest)} at once (--parallelism ${parallelism}); each stack is ${verb} as soon as the stacks it depends on are done.`,
    ...schedule.waves.map((w, i) => `  wave ${i + 1}: ${w.map((name) => withDependencies(schedule, name)).join(', ')}`),
    `Critical path (${schedule.criticalPath.length} stack${schedule.criticalPath.length === 1 ? '' : 's'}): ${schedule.criticalPath.join(' → ')}`,
  ];
}

function withDependencies(schedule: Schedule, name: string): string {
  const deps = schedule.dependencies.get(name) ?? [];
  return deps.length ? `${name} (after ${deps.join(', ')})` : name;
}

/** What the run looks like now, for a live view. */
export interface RunState {
  readonly total: number;
  /** Running stacks and when each started (ms since the epoch). */
  readonly running: ReadonlyMap<string, number>;
  readonly done: number;
  readonly failed: readonly string[];
  /** True once a failure stopped new starts. */
  readonly stopping: boolean;
}

export interface RunGraphOptions<R> {
  readonly parallelism: number;
  /** Runs one stack; a rejection is a failure of that stack. */
  readonly run: (name: string) => Promise<R>;
  /** Called whenever a stack starts or ends. */
  readonly onChange?: (state: RunState) => void;
  /**
   * Stacks that are done already (applied by an earlier deploy): they count as finished
   * dependencies and are not run.
   */
  readonly alreadyDone?: ReadonlySet<string>;
}

export interface GraphOutcome<R> {
  /** Results of the stacks that completed, in the order they completed. */
  readonly completed: readonly { readonly name: string; readonly result: R }[];
  /** Failed stacks, in the order they failed (the first stopped the run). */
  readonly failed: readonly { readonly name: string; readonly error: unknown }[];
  /** Stacks never started because of a failure, in the schedule's order. */
  readonly notStarted: readonly string[];
  /** The order stacks started in. */
  readonly started: readonly string[];
}

/** Runs every stack of `schedule` by its dependencies; see the module comment. */
export function runGraph<R>(schedule: Schedule, options: RunGraphOptions<R>): Promise<GraphOutcome<R>> {
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  const done = new Set<string>(options.alreadyDone ?? []);
  const todo = schedule.order.filter((n) => !done.has(n));
  const position = new Map(schedule.order.map((n, i) => [n, i]));
  const waiting = new Set(todo);
  const running = new Map<string, number>();
  const completed: { name: string; result: R }[] = [];
  const failed: { name: string; error: unknown }[] = [];
  const started: string[] = [];
  const total = todo.length;
  let finished = 0;

  const state = (): RunState => ({ total, running: new Map(running), done: finished, failed: failed.map((f) => f.name), stopping: failed.length > 0 });
  const ready = (): string[] =>
    [...waiting]
      .filter((n) => schedule.dependencies.get(n)!.every((d) => done.has(d)))
      .sort((a, b) => schedule.height.get(b)! - schedule.height.get(a)! || position.get(a)! - position.get(b)!);

  return new Promise((resolveRun) => {
    const pump = (): void => {
      if (failed.length === 0) {
        for (const name of ready()) {
          if (running.size >= parallelism) break;
          waiting.delete(name);
          running.set(name, Date.now());
          started.push(name);
          options.onChange?.(state());
          // The callback runs on a later tick, so a synchronous throw is a rejection too.
          Promise.resolve()
            .then(() => options.run(name))
            .then(
              (result) => {
                completed.push({ name, result });
                done.add(name);
              },
              (error: unknown) => {
                failed.push({ name, error });
              },
            )
            .finally(() => {
              running.delete(name);
              finished++;
              options.onChange?.(state());
              pump();
            });
        }
      }
      if (running.size === 0) {
        if (failed.length === 0 && waiting.size > 0) {
          // Cannot happen for a schedule from scheduleOf (no cycles); guards against a hand-made one.
          failed.push({ name: [...waiting][0]!, error: new ReviewError(`the dependencies of ${[...waiting].join(', ')} can never be met`) });
        }
        resolveRun({ completed, failed, notStarted: schedule.order.filter((n) => waiting.has(n)), started });
      }
    };
    pump();
  });
}
