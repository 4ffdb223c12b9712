/**
 * The runner of the CI commands (scripts/comment.ts, drift-issue.ts, allow-destroy.ts,
 * deploy-approved.ts): lib/cli.ts runCli, with every error line stripped of the platforms'
 * tokens found in the environment, and an unexpected error printed as its stack only, never the
 * error object (a client library's error carries the request with its headers, the token among
 * them).
 */
import { runCli, type CliOptions, type CommandSpec, type Parsed } from '../../lib/cli';
import { redact } from './platform';

/** The secrets a CI command may hold: the platforms' tokens. */
export function secretsOf(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.GITLAB_TOKEN, env.GITHUB_TOKEN].filter((t): t is string => !!t && t.trim().length > 0).map((t) => t.trim());
}

/** Runs a CI command (its usage and user errors exit 1). */
export function runCiCli<O extends CliOptions>(
  spec: Omit<CommandSpec<O>, 'errorExit' | 'redact'>,
  main: (args: Parsed<O>) => Promise<number>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const secrets = secretsOf(env);
  return runCli({ ...spec, errorExit: 1, redact: (text) => redact(text, secrets) }, main);
}
