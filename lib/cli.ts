/**
 * The one command runner of every CLI (scripts/*.ts): strict argument parsing with node:util
 * parseArgs, `--help`, usage errors, and the error handling the user sees.
 *
 * - `--help` / `-h` prints the usage on stdout and exits 0.
 * - An unknown option, a missing value, an unexpected argument, or an option npm took for itself
 *   (a missing `--`) prints the message and the usage on stderr and exits with the command's
 *   documented error code.
 * - A {@link UserError} (anything the user can fix) prints its message alone, no stack trace,
 *   and exits with the same code. Anything else is a bug: its stack (source-mapped to the .ts
 *   files) is printed and the exit code is the same.
 * The exit code is set through process.exitCode, so output to a pipe is flushed first.
 */
import { relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from './errors';

// Stack traces of the built CLIs name the TypeScript sources (dist/ has linked source maps).
process.setSourceMapsEnabled(true);

// A CLI imports this module first, so an error thrown while the rest loads (an environment file
// that throws or names something undefined) reaches this handler: it names the .ts file and line
// instead of printing a trace into dist/. Only in a built CLI process, never inside jest.
if (isCliEntry(require.main?.filename)) {
  process.on('uncaughtException', (error) => {
    console.error(describeUncaught(error));
    process.exit(1);
  });
}

/** Whether a main module is a built CLI: dist/scripts/<name>.js or dist/main.js. */
export function isCliEntry(filename: string | undefined): boolean {
  return filename !== undefined && /[\\/]dist[\\/](scripts[\\/][^\\/]+|main)\.js$/.test(filename);
}

/**
 * An error that escaped every handler, for the user: a UserError's message; otherwise the error
 * and where in our TypeScript it was thrown (the first frame in a .ts file outside node_modules).
 */
export function describeUncaught(error: unknown, cwd: string = process.cwd()): string {
  if (error instanceof UserError) return error.message;
  if (!(error instanceof Error)) return `Error: ${String(error)}`;
  const frame = (error.stack ?? '')
    .split('\n')
    .map((line) => /^\s+at (?:.*\()?((?:file:\/\/)?[^()\s]+\.ts):(\d+):(\d+)\)?$/.exec(line))
    .find((m) => m !== null && !m[1]!.includes('node_modules'));
  if (!frame) return error.stack ?? `${error.name}: ${error.message}`;
  const file = relative(cwd, frame[1]!.replace(/^file:\/\//, ''));
  return `${file}:${frame[2]}:${frame[3]}: ${error.name}: ${error.message}\n(thrown while loading or running the program at the line above; fix it there and run again)`;
}

/** The options of a command, as node:util parseArgs declares them. */
export type CliOptions = NonNullable<ParseArgsConfig['options']>;
type Options = CliOptions;

export interface CommandSpec<O extends Options> {
  /** The npm script, e.g. `synth`: prefixes usage errors. */
  readonly name: string;
  /** The usage text, printed by --help and after usage errors; it documents the exit codes. */
  readonly usage: string;
  readonly options: O;
  /** Whether arguments without an option are accepted. @default false */
  readonly positionals?: boolean;
  /** The exit code of a usage or user error (documented in the usage). */
  readonly errorExit: number;
  /** A line to add after a user error's message, e.g. what was left unchanged. */
  readonly afterError?: (error: UserError) => string | undefined;
  /**
   * Applied to every error text printed (e.g. to strip the tokens a CI command holds). When set,
   * an unexpected error prints its stack only, never the error object, whose properties may
   * carry a request and its headers.
   */
  readonly redact?: (text: string) => string;
}

/** A wrong command line: printed with the usage. */
export class UsageError extends UserError {}

export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/**
 * Parses the arguments strictly, or returns 'help'. Throws {@link UsageError}.
 * `env` is where npm leaves the options it took for itself (`npm run synth --env dev`, without `--`).
 */
export function parseCommandLine<O extends Options>(spec: CommandSpec<O>, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Parsed<O> | 'help' {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as O;
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as Parsed<O>;
  } catch (error) {
    throw new UsageError(plainParseMessage((error as Error).message));
  }
  if ((parsed.values as Record<string, unknown>).help) return 'help';
  const swallowed = Object.keys(spec.options).filter((name) => env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined && !argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)));
  if (swallowed.length > 0) {
    throw new UsageError(
      `npm took ${swallowed.map((n) => `--${n}`).join(', ')} for itself: put \`--\` before the command's options, e.g. npm run ${spec.name} -- --${swallowed[0]} <value>`,
    );
  }
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument${parsed.positionals.length === 1 ? '' : 's'}: ${parsed.positionals.join(' ')} (options start with --)`);
  }
  return parsed;
}

/** parseArgs' messages, without its advice to use `--` (which means something else under npm). */
function plainParseMessage(message: string): string {
  return message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '').replace(/^Option '(-[^']*)(?: <value>)?' argument missing$/, "option '$1' needs a value");
}

/** Throws a {@link UsageError} unless `value` was given. */
export function required<T>(value: T | undefined, option: string): T {
  if (value === undefined || value === '') throw new UsageError(`${option} is required`);
  return value;
}

/**
 * Runs a command: parses the arguments, runs `main`, and sets the exit code (main's number, or
 * 0). Returns when done (tests await it).
 */
export async function runCli<O extends Options>(
  spec: CommandSpec<O>,
  main: (args: Parsed<O>) => number | void | Promise<number | void>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed === 'help') {
      process.stdout.write(`${spec.usage}\n`);
      process.exitCode = 0;
      return;
    }
    const code = await main(parsed);
    process.exitCode = code ?? 0;
  } catch (error) {
    process.exitCode = spec.errorExit;
    const say = (text: string): void => console.error(spec.redact ? spec.redact(text) : text);
    if (error instanceof UsageError) {
      say(`${spec.name}: ${error.message}\n\n${spec.usage}`);
    } else if (error instanceof UserError) {
      say(error.message);
      const extra = spec.afterError?.(error);
      if (extra) say(extra);
    } else if (spec.redact) {
      say(error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error));
    } else {
      console.error(error);
    }
  }
}
