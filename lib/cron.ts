/**
 * Cron schedules, in the two formats the estate writes: the five-field schedule of a Kubernetes
 * CronJob and of Velero (minute hour day-of-month month day-of-week), and the six-field schedule
 * of CloudNativePG (seconds first). Both are read by robfig/cron in the cluster, so only its
 * grammar is accepted: values, names (JAN-DEC, SUN-SAT), ranges, lists, steps, `*`, and `?` in
 * the day fields; not Quartz's `L`, `W` or `#`.
 *
 * The parsing is cron-parser's; this module adds the field count with a hint at the other
 * format, robfig's grammar, and messages that name the field, the value and what is allowed.
 */
import { CronExpressionParser } from 'cron-parser';

/** `kubernetes`: five fields, as a CronJob or a Velero Schedule; `cloudnative-pg`: six, seconds first. */
export type CronFormat = 'kubernetes' | 'cloudnative-pg';

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** `?` ("no specific value") is accepted in day-of-month and day-of-week. */
  readonly question?: boolean;
}

const SECONDS: Field = { min: 0, max: 59 };
const MINUTES: Field = { min: 0, max: 59 };
const HOURS: Field = { min: 0, max: 23 };
const DAY_OF_MONTH: Field = { min: 1, max: 31, question: true };
const MONTH: Field = { min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] };
/** Day of week 7 is Sunday too, in robfig/cron as in Vixie cron. */
const DAY_OF_WEEK: Field = { min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], question: true };

const FORMATS: Record<CronFormat, { readonly fields: ReadonlyArray<readonly [string, Field]>; readonly what: string; readonly example: string; readonly otherHint: string }> = {
  kubernetes: {
    fields: [['minute', MINUTES], ['hour', HOURS], ['day of month', DAY_OF_MONTH], ['month', MONTH], ['day of week', DAY_OF_WEEK]],
    what: 'a five-field cron schedule',
    example: 'a five-field cron schedule (minute hour day-of-month month day-of-week), such as "0 1 * * *" for 01:00 daily',
    otherHint: ' (this looks like a six-field CloudNativePG schedule: drop the leading seconds field; the six-field form is derived)',
  },
  'cloudnative-pg': {
    fields: [['seconds', SECONDS], ['minutes', MINUTES], ['hours', HOURS], ['day of month', DAY_OF_MONTH], ['month', MONTH], ['day of week', DAY_OF_WEEK]],
    what: 'a six-field cron schedule, seconds first',
    example: 'a six-field cron schedule, seconds first (seconds minutes hours day-of-month month day-of-week), e.g. "0 0 2 * * *" for 02:00 daily',
    otherHint: ' (this looks like a Kubernetes CronJob schedule: put the seconds field in front, e.g. "0 0 2 * * *")',
  },
};

/** A parsed schedule: the values each field matches (day of week 0-6, Sunday 0). */
export interface CronSchedule {
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Both day fields restricted: cron runs when either matches. */
  readonly dayOr: boolean;
}

/** robfig/cron's atoms: a number, a three-letter name, `*` or `?`. */
const ATOM = /^(\d+|[A-Za-z]{3}|\*|\?)$/;

/** What is wrong with one field, in the user's terms; undefined when cron-parser reads it. */
function fieldProblem(text: string, name: string, field: Field, position: number, count: number): string | undefined {
  const shape = `the ${name} field "${text}" is not a value, range, list or step`;
  for (const item of text.split(',')) {
    const [range, step, ...extra] = item.split('/');
    if (extra.length > 0 || !range) return shape;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `the ${name} field "${text}" has a step that is not a positive whole number`;
    if (!range.split('-').every((a) => ATOM.test(a))) return /[LW#]/.test(range) ? `the ${name} field "${text}" uses L, W or #, which robfig/cron (the operators' cron) does not read` : shape;
    if (range.includes('?') && (!field.question || range !== '?' || step !== undefined)) return `the ${name} field does not accept "?"`;
  }
  // The field alone, every other one `*` (seconds 0): cron-parser's verdict on this field only.
  const fields = ['0', '*', '*', '*', '*', '*'];
  fields[position + (6 - count)] = text;
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
    return undefined;
  } catch (e) {
    const message = (e as Error).message;
    const value = /got value (\S+) expected range/.exec(message)?.[1];
    const allowed = `must be from ${field.min} to ${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
    if (value !== undefined) return `the ${name} field ${allowed}, and "${value}" is not`;
    const backwards = /^Invalid range: (\S+), min/.exec(message)?.[1];
    if (backwards !== undefined) return `the ${name} range "${backwards}" runs backwards`;
    if (/cannot resolve alias|Invalid characters/.test(message)) return `the ${name} field ${allowed}, and "${text}" is not`;
    return shape;
  }
}

/**
 * Parsed schedules by format and text. A synth asks about the same few schedules thousands of
 * times (every backup target's alerts, every CronJob), and cron-parser builds time-zone-aware
 * dates for each parse (up to seven per schedule), which made parsing a visible share of a synth.
 * The result is a pure function of the two and is read-only, so it is shared.
 */
const parsedSchedules = new Map<string, CronSchedule | string>();
const longestGaps = new Map<CronSchedule, number | undefined>();

/** Parses a schedule in the given format, or returns what is wrong with it (a sentence starting "must be"). */
export function parseCron(schedule: string, format: CronFormat): CronSchedule | string {
  const key = `${format}\0${schedule}`;
  let parsed = parsedSchedules.get(key);
  if (parsed === undefined) {
    parsed = parseCronUncached(schedule, format);
    parsedSchedules.set(key, parsed);
  }
  return parsed;
}

function parseCronUncached(schedule: string, format: CronFormat): CronSchedule | string {
  const spec = FORMATS[format];
  const fields = schedule.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== spec.fields.length) {
    const other = format === 'kubernetes' ? 6 : 5;
    return `must be ${spec.example}; it has ${fields.length} field${fields.length === 1 ? '' : 's'}${fields.length === other ? spec.otherHint : ''}`;
  }
  for (const [i, [name, field]] of spec.fields.entries()) {
    const problem = fieldProblem(fields[i]!, name, field, i, fields.length);
    if (problem) return `must be ${spec.what}: ${problem}`;
  }
  let parsed: ReturnType<typeof CronExpressionParser.parse>;
  try {
    parsed = CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
  } catch {
    // Each field is valid alone: the days never meet (30 February).
    return 'must run at least once a year; this schedule never fires (check the day of month against the month)';
  }
  const f = parsed.fields;
  const set = (values: readonly (number | string)[]) => new Set(values.filter((v): v is number => typeof v === 'number'));
  const dayFields = format === 'kubernetes' ? [fields[2]!, fields[4]!] : [fields[3]!, fields[5]!];
  return {
    seconds: set(f.second.values),
    minutes: set(f.minute.values),
    hours: set(f.hour.values),
    daysOfMonth: set(f.dayOfMonth.values),
    months: set(f.month.values),
    daysOfWeek: new Set([...set(f.dayOfWeek.values)].map((d) => d % 7)),
    dayOr: dayFields.every((d) => !d.startsWith('*') && !d.startsWith('?')),
  };
}

/** Checks a schedule; undefined when it is valid and fires at least once a year. */
export function checkCron(schedule: string, format: CronFormat): string | undefined {
  const r = parseCron(schedule, format);
  if (typeof r === 'string') return r;
  if (longestGapMinutes(r) === undefined) return 'must run at least once a year; this schedule never fires (check the day of month against the month)';
  return undefined;
}

/** Checks a five-field schedule (a Kubernetes CronJob's, Velero's); undefined when fine. */
export const checkFiveFieldCron = (schedule: string): string | undefined => checkCron(schedule, 'kubernetes');

/**
 * Checks a CloudNativePG backup schedule: six fields, seconds first, NOT the five-field format
 * of a Kubernetes CronJob. "0 0 2 * * *" is 02:00:00 every day. Undefined when fine.
 */
export const checkSixFieldCron = (schedule: string): string | undefined => checkCron(schedule, 'cloudnative-pg');

/**
 * The longest time, in minutes, between two runs of a five-field schedule over a year (2027, a
 * year with no leap day, plus the wrap into the next year): what a schedule-based backup can
 * lose. Undefined when the schedule never runs. Throws on an invalid schedule (check it first).
 */
export function cronIntervalMinutes(schedule: string, format: CronFormat = 'kubernetes'): number | undefined {
  const cron = parseCron(schedule, format);
  if (typeof cron === 'string') throw new Error(`invalid schedule ${JSON.stringify(schedule)}: ${cron}`);
  return longestGapMinutes(cron);
}

function longestGapMinutes(cron: CronSchedule): number | undefined {
  if (!longestGaps.has(cron)) longestGaps.set(cron, longestGapUncached(cron));
  return longestGaps.get(cron);
}

function longestGapUncached(cron: CronSchedule): number | undefined {
  const times = [...cron.hours].sort((a, b) => a - b).flatMap((h) => [...cron.minutes].sort((a, b) => a - b).map((m) => h * 60 + m));
  if (times.length === 0) return undefined;
  const start = Date.UTC(2027, 0, 1);
  const day = 86_400_000;
  let previous: number | undefined;
  let first: number | undefined;
  let longest = 0;
  // One year and one week: a weekly or yearly schedule's wrap-around gap is measured too.
  for (let d = 0; d < 365 + 366; d++) {
    const date = new Date(start + d * day);
    if (!cron.months.has(date.getUTCMonth() + 1)) continue;
    const domOk = cron.daysOfMonth.has(date.getUTCDate());
    const dowOk = cron.daysOfWeek.has(date.getUTCDay());
    if (!(cron.dayOr ? domOk || dowOk : domOk && dowOk)) continue;
    for (const t of times) {
      const at = d * 1440 + t;
      if (first === undefined) first = at;
      if (previous !== undefined) longest = Math.max(longest, at - previous);
      previous = at;
    }
  }
  return first === undefined ? undefined : longest === 0 ? 365 * 1440 : longest;
}

/** CloudNativePG's six-field schedule (seconds first) for a five-field one. */
export function sixFieldSchedule(fiveField: string): string {
  return `0 ${fiveField.trim().split(/\s+/).join(' ')}`;
}

/** The five-field schedule of a six-field one (its seconds dropped). */
export function fiveFieldOf(sixField: string): string {
  return sixField.trim().split(/\s+/).slice(1).join(' ');
}
