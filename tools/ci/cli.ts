/**
 * The runner of the CI commands (scripts/comment.ts, drift-issue.ts, allow-destroy.ts,
 * deploy-approved.ts): lib/cli.ts runCli, with every error line stripped of the platforms'
 * tokens found in the environment, and an unexpected error printed as its stack only, never the
 * error object (a client library's error carries the request with its headers, the token among
 * them).
 */
import { required, runCli, type CliOptions, type CommandSpec, type Parsed } from '../../lib/cli';
import { parseLimit } from '../review/cli';
import { COMMENT_LIMIT } from '../review/markdown';
import { parsePlatform, type PlatformName } from './env';
import { redact } from './platform';

/**
 * The options of every command that publishes a report on the platform (scripts/comment.ts,
 * drift-issue.ts): where it runs, the report, the full report and its link, the size limit.
 */
export const CI_REPORT_OPTIONS = {
  platform: { type: 'string' },
  report: { type: 'string' },
  'full-report': { type: 'string' },
  'artifact-url': { type: 'string' },
  limit: { type: 'string' },
} as const;

/** Those options, checked: the report is required, the platform known, the limit a number. */
export function ciReportArgs(values: Parsed<typeof CI_REPORT_OPTIONS>['values']): { report: string; platform: PlatformName; limit: number; fullReportPath?: string; artifactUrl?: string } {
  return {
    report: required(values.report, '--report'),
    platform: parsePlatform(values.platform),
    limit: parseLimit(values.limit, COMMENT_LIMIT),
    fullReportPath: values['full-report'],
    artifactUrl: values['artifact-url'],
  };
}

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
