/**
 * Calendar days written YYYY-MM-DD, the only date form of the project (agreements, suppressions,
 * drills, `--today`, MOIT_TODAY), checked in one place.
 */
import { UserError } from './errors';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** What is wrong with a YYYY-MM-DD date; undefined when it is a real calendar day. */
export function calendarDateProblem(text: unknown): string | undefined {
  const m = typeof text === 'string' ? ISO_DATE.exec(text) : null;
  if (!m) return 'must be a date written YYYY-MM-DD';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return 'is not a calendar date';
  return undefined;
}

/** Today in UTC, YYYY-MM-DD. */
export function utcDay(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * The day a command judges against: `--today` when given, else MOIT_TODAY (a reproducible
 * build), else today in UTC. A value that is not a calendar day is a UserError naming its source.
 */
export function todayFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const [source, value] = option !== undefined ? ['--today', option] : env.MOIT_TODAY ? ['MOIT_TODAY', env.MOIT_TODAY] : [undefined, utcDay()];
  const problem = calendarDateProblem(value);
  if (problem && source) throw new UserError(`${source}: ${problem}, got ${JSON.stringify(value)}`);
  return value;
}
