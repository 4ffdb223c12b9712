/**
 * The registry of environments and the loader that validates them. Adding an environment:
 * write `environments/<name>.ts` exporting an `EnvironmentInput`, and add it to `SOURCES`.
 */
import { ConfigError, ConfigProblem } from '../lib/errors';
import { parseSelection as parseNames } from '../lib/selection';
import { today } from './catalogue';
import { dev } from './dev';
import { dr } from './dr';
import { prod } from './prod';
import { staging } from './staging';
import { checkEnvironment, Environment, EnvironmentInput } from './schema';

export * from './schema';

/** Every environment, in deploy order, with the file it comes from (named in errors). */
export const SOURCES: ReadonlyArray<{ readonly file: string; readonly config: EnvironmentInput }> = [
  { file: 'environments/dev.ts', config: dev },
  { file: 'environments/staging.ts', config: staging },
  { file: 'environments/prod.ts', config: prod },
  { file: 'environments/dr.ts', config: dr },
];

export const ENVIRONMENT_NAMES: readonly string[] = SOURCES.map((s) => s.config.name);

/**
 * Reads the selection from a comma-separated list (`--env` or the ENVIRONMENTS variable);
 * empty or `all` means all. Unknown names are an error naming the known ones (lib/selection.ts,
 * the parser every command uses).
 */
export function parseSelection(raw: string | undefined): string[] {
  return parseNames(raw, ENVIRONMENT_NAMES, { option: '--env', noun: 'environment' });
}

/**
 * Validates the selected environments (all by default) and returns them in deploy order.
 * Problems of every selected file are collected and thrown together.
 */
export function loadEnvironments(selection: readonly string[] = ENVIRONMENT_NAMES, sources = SOURCES): Environment[] {
  const problems: ConfigProblem[] = [...duplicateNames(sources)];
  const environments: Environment[] = [];
  // Every file is parsed (the selected ones report their problems): references from a selected
  // environment to another are checked against that other file even when it is not selected.
  const parsed = new Map<string, Environment>();
  for (const { file, config } of sources) {
    const selected = selection.includes(config.name);
    const result = checkEnvironment(config, file);
    if (result.ok) parsed.set(config.name, result.environment);
    if (!selected) continue;
    if (result.ok) environments.push(result.environment);
    else problems.push(...result.problems);
  }
  // Checked on the file as written too when it has other problems: every problem at once.
  const names = sources.map((s) => s.config.name);
  const day = today();
  for (const { file, config } of sources) {
    if (!selection.includes(config.name)) continue;
    const env = (parsed.get(config.name) ?? config) as unknown as ReferenceView;
    problems.push(...crossReferenceProblems(env, file, names, parsed), ...futureDrills(env, file, day));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return environments;
}

/** What the reference checks read of an environment: parsed, or as written when it did not parse. */
interface ReferenceView {
  readonly postgres?: ReadonlyArray<{ readonly readableBy?: ReadonlyArray<{ readonly environment?: string }>; readonly replicaOf?: { readonly environment?: string; readonly cluster?: string; readonly postgres?: string } }>;
  readonly backup?: { readonly offsite?: { readonly environment?: string }; readonly receives?: ReadonlyArray<{ readonly from?: string }>; readonly drills?: ReadonlyArray<{ readonly lastSuccess?: string }> };
}

/** Restore drills dated after today: a restore that has not happened is no evidence. */
export function futureDrills(env: ReferenceView, file: string, day: string): ConfigProblem[] {
  return (env.backup?.drills ?? []).flatMap((d, i) =>
    typeof d.lastSuccess === 'string' && d.lastSuccess > day
      ? [{ source: file, path: `backup.drills[${i}].lastSuccess`, message: `is after today (${day}): a restore that has not happened yet is no evidence; record the day it succeeded`, received: d.lastSuccess }]
      : [],
  );
}

/**
 * References from one environment to another: the environment a Postgres replica follows (and
 * its cluster and Postgres cluster), the environments that may read a backup bucket, where
 * off-site copies go, and whose copies a receiving bucket keeps.
 */
export function crossReferenceProblems(env: ReferenceView, file: string, names: readonly string[], parsed: ReadonlyMap<string, Environment>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const known = `known environments: ${names.join(', ')}`;
  const unknownEnvironment = (path: string, name: string | undefined) => {
    if (typeof name !== 'string' || names.includes(name)) return false;
    problems.push({ source: file, path, message: `names an environment that does not exist; ${known}`, received: name });
    return true;
  };
  (env.postgres ?? []).forEach((pg, i) => {
    (pg.readableBy ?? []).forEach((r, ri) => unknownEnvironment(`postgres[${i}].readableBy[${ri}].environment`, r.environment));
    const origin = pg.replicaOf;
    if (!origin || unknownEnvironment(`postgres[${i}].replicaOf.environment`, origin.environment)) return;
    const other = parsed.get(origin.environment ?? '');
    if (!other) return; // its own file's problems are reported when it is selected
    const clusters = other.clusters.map((c) => c.name);
    if (!clusters.includes(origin.cluster ?? '')) {
      problems.push({ source: file, path: `postgres[${i}].replicaOf.cluster`, message: `is not a cluster of environment "${other.name}"; its clusters: ${clusters.join(', ')}`, received: origin.cluster });
      return;
    }
    const origins = other.postgres.filter((o) => o.cluster === origin.cluster).map((o) => o.name);
    if (!origins.includes(origin.postgres ?? '')) {
      problems.push({
        source: file,
        path: `postgres[${i}].replicaOf.postgres`,
        message: `is not a Postgres cluster of environment "${other.name}" on cluster "${origin.cluster}"; there: ${origins.join(', ') || 'none'}`,
        received: origin.postgres,
      });
    }
  });
  unknownEnvironment('backup.offsite.environment', env.backup?.offsite?.environment);
  (env.backup?.receives ?? []).forEach((r, i) => unknownEnvironment(`backup.receives[${i}].from`, r.from));
  return problems;
}

/** Two environment files declaring the same name: each stack name would be claimed twice. */
function duplicateNames(sources: ReadonlyArray<{ readonly file: string; readonly config: EnvironmentInput }>): ConfigProblem[] {
  const files = new Map<string, string[]>();
  for (const { file, config } of sources) files.set(config.name, [...(files.get(config.name) ?? []), file]);
  return [...files.entries()]
    .filter(([, named]) => named.length > 1)
    .flatMap(([name, named]) =>
      named.slice(1).map((file) => ({ source: file, path: 'name', message: `is already the name of ${named[0]}; each environment needs a name of its own (it prefixes every stack)`, received: name })),
    );
}
