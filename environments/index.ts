/**
 * The registry of environments and the loader that validates them. Adding an environment:
 * write `environments/<name>.ts` exporting an `EnvironmentInput`, and add it to `SOURCES`.
 */
import { ConfigError, ConfigProblem } from '../lib/errors';
import { parseSelection as parseNames } from '../lib/selection';
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
  for (const { file, config } of sources) {
    if (!selection.includes(config.name)) continue;
    const result = checkEnvironment(config, file);
    if (result.ok) environments.push(result.environment);
    else problems.push(...result.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return environments;
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
