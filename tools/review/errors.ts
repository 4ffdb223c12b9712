/**
 * User-facing errors of the review and deploy tooling (diff, plan, deploy). Each message says
 * what is wrong, the value received, what is allowed and how to fix it; the CLIs print the
 * message alone (no stack trace) and exit 1.
 */
import { UserError, describeValue } from '../../lib/errors';

/** A problem the user can fix: a bad flag, a missing folder, a plan file of the wrong shape. */
export class ReviewError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewError';
  }
}

/**
 * Builds the standard message: `<where>: <what is wrong>, got <value>. <how to fix>`.
 * `received` is rendered short and on one line; pass `undefined` to omit it.
 */
export function problem(where: string, what: string, received: unknown, fix: string): ReviewError {
  const got = received === undefined ? '' : `, got ${describeValue(received)}`;
  return new ReviewError(`${where}: ${what}${got}. ${fix}`);
}

/** A Terraform (or OpenTofu) command failed; carries the tail of its output. */
export class TerraformError extends ReviewError {
  constructor(
    readonly command: string,
    readonly cwd: string,
    readonly exitCode: number | null,
    readonly outputTail: string,
  ) {
    super(`${command} failed in ${cwd} (exit code ${exitCode ?? 'none: killed'}):\n${outputTail}`);
    this.name = 'TerraformError';
  }
}
