/**
 * The one parser of name selections on the command line (`--env prod,dr`, `--domain trade`):
 * comma-separated, blanks ignored, `all` or nothing for everything. A name that matches nothing
 * is an error naming the known ones, in every command: a typo must never select nothing and pass.
 */
import { UserError } from './errors';

export interface SelectionOptions {
  /** The option or variable it came from, e.g. `--env`. */
  readonly option: string;
  /** What a name names, e.g. `environment`. */
  readonly noun: string;
  /** Where the known names come from, said in the error, e.g. `in cdktf.out`. */
  readonly where?: string;
  /** Whether `all` and an empty value mean every known name. @default true */
  readonly allowAll?: boolean;
}

/** Thrown for a name that matches nothing; lists the known names. */
export class SelectionError extends UserError {
  constructor(
    readonly unknown: readonly string[],
    readonly known: readonly string[],
    options: SelectionOptions,
  ) {
    const names = unknown.map((n) => JSON.stringify(n)).join(', ');
    const hints = unknown.map((n) => closest(n, known)).filter((h): h is string => h !== undefined);
    super(
      `${options.option}: unknown ${options.noun}${unknown.length === 1 ? '' : 's'} ${names}${options.where ? ` ${options.where}` : ''}; ` +
        `known: ${known.join(', ') || 'none'}${hints.length > 0 ? `. Did you mean ${hints.map((h) => JSON.stringify(h)).join(', ')}?` : ''}`,
    );
    this.name = 'SelectionError';
  }
}

/** The selected names, in the order given, without repeats; every known name for `all` or nothing. */
export function parseSelection(raw: string | undefined, known: readonly string[], options: SelectionOptions): string[] {
  const trimmed = raw?.trim() ?? '';
  if (options.allowAll !== false && (trimmed === '' || trimmed === 'all')) return [...known];
  const names = [...new Set(trimmed.split(',').map((s) => s.trim()).filter(Boolean))];
  if (names.length === 0) throw new SelectionError([trimmed], known, options);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new SelectionError(unknown, known, options);
  return names;
}

/** The known name within two edits of `name` (one for short names), if exactly one is. */
function closest(name: string, known: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.floor(name.length / 2));
  const near = known.filter((k) => editDistance(name, k) <= limit);
  return near.length === 1 ? near[0] : undefined;
}

/** Levenshtein distance (a transposition counts two). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
