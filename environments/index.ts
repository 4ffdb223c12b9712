/**
 * The registry of environments and the loader that validates them. Adding an environment:
 * write `environments/<name>.ts` exporting an `EnvironmentInput`, and add it to `SOURCES`.
 */
import { ConfigError, ConfigProblem } from '../lib/errors';
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
 * empty means all. Unknown names are an error naming the known ones.
 */
export function parseSelection(raw: string | undefined): string[] {
  if (!raw || raw.trim() === '' || raw.trim() === 'all') return [...ENVIRONMENT_NAMES];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !ENVIRONMENT_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((n) => ({ source: 'selection', path: '', message: `unknown environment; known: ${ENVIRONMENT_NAMES.join(', ')}`, received: n })));
  }
  return names;
}

/**
 * Validates the selected environments (all by default) and returns them in deploy order.
 * Problems of every selected file are collected and thrown together.
 */
export function loadEnvironments(selection: readonly string[] = ENVIRONMENT_NAMES, sources = SOURCES): Environment[] {
  const problems: ConfigProblem[] = [];
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
