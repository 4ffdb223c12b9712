/**
 * User-facing errors, in one place. Each problem names where it is (file and path), what was
 * received, and what is allowed, so a platform engineer can fix it without reading our code.
 */

/** One problem found in a configuration, with its location. */
export interface ConfigProblem {
  /** Where the value comes from, e.g. `environments/prod.ts`. */
  readonly source: string;
  /** Dotted path inside that source, e.g. `clusters[0].nodePools[1].replicas`. */
  readonly path: string;
  /** What is wrong and what is allowed, in the user's terms. */
  readonly message: string;
  /** The value received, if any. */
  readonly received?: unknown;
}

/** Renders a value for an error message: short, never multi-line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string') return JSON.stringify(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.path ? `${problem.source}: ${problem.path}` : problem.source;
  const got = 'received' in problem ? `, got ${describeValue(problem.received)}` : '';
  return `${where}: ${problem.message}${got}`;
}

/**
 * An error the user can fix (bad config, a broken rule): the CLIs (lib/cli.ts) print its
 * message alone, without a stack trace, and exit with their documented error code.
 */
export class UserError extends Error {}

/** Thrown when one or more configurations are invalid; lists every problem at once. */
export class ConfigError extends UserError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length;
    super(
      `Invalid configuration: ${count} problem${count === 1 ? '' : 's'} found. Nothing was synthesized; fix these and run again.\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Thrown by a construct when its props are invalid. The construct path tells where in the
 * estate the bad value was used.
 */
export class ConstructPropsError extends Error {
  constructor(constructPath: string, field: string, message: string, received: unknown) {
    super(`${constructPath}: ${field}: ${message}, got ${describeValue(received)}`);
    this.name = 'ConstructPropsError';
  }
}

/** One problem of a construct's props: the field, what is wrong and allowed, the value received. */
export type PropsProblem = readonly [field: string, message: string, received: unknown];

/** One error for every problem of a construct's props (the first names the field). */
export function propsError(path: string, problems: readonly PropsProblem[]): ConstructPropsError {
  const [field, message, received] = problems[0]!;
  const error = new ConstructPropsError(path, field, message, received);
  if (problems.length > 1) {
    error.message = `${problems.length} problems:\n${problems.map(([f, m, r]) => `  - ${new ConstructPropsError(path, f, m, r).message}`).join('\n')}`;
  }
  return error;
}

/**
 * Collects every problem of a construct's props, so that they are reported together, as one
 * ConstructPropsError, instead of one per run.
 */
export class PropsProblems {
  private readonly problems: PropsProblem[] = [];

  constructor(private readonly path: string) {}

  /** Records a problem of `field`. */
  add(field: string, message: string, received: unknown): void {
    this.problems.push([field, message, received]);
  }

  /** Throws one error listing every problem recorded, if there is any. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw propsError(this.path, this.problems);
  }
}

