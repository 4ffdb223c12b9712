/**
 * The runner of the CI commands (scripts/comment.ts, drift-issue.ts, allow-destroy.ts,
 * deploy-approved.ts). Like tools/review/cli.ts runCli, user errors print their message alone;
 * unlike it, an unexpected error prints its message and stack only, never the error object (a
 * client library's error carries the request with its headers, the token among them), and
 * every line printed is stripped of the tokens in the environment.
 */
import { UserError } from '../../lib/errors';
import { redact } from './platform';

/** The secrets a CI command may hold: the platforms' tokens. */
export function secretsOf(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.GITLAB_TOKEN, env.GITHUB_TOKEN].filter((t): t is string => !!t && t.trim().length > 0).map((t) => t.trim());
}

export function runCiCli(main: () => Promise<number>, env: NodeJS.ProcessEnv = process.env): void {
  const secrets = secretsOf(env);
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const text = error instanceof UserError ? error.message : error instanceof Error ? `${error.stack ?? error.message}` : String(error);
      console.error(redact(text, secrets));
      process.exitCode = 1;
    },
  );
}
