/**
 * `npm run allow-destroy -- --platform gitlab|github --report plans/diff.json`: on a merge
 * request, checks that every destructive change of the review report (a stateful resource
 * deleted or replaced, prevent_destroy removed) is listed in an ```allow-destroy block of the
 * merge request description; prints the block to add when one is missing. The list is read
 * through the API, so the pipeline author cannot supply it. See tools/ci/allow-destroy.ts.
 *
 * Exit code: 0 nothing destructive, or all of it allowed; 2 a destructive change is not
 * allowed; 1 error.
 */
import { required, type Parsed } from '../lib/cli';
import { allowBlock, allowListOf, checkAllowed } from '../tools/ci/allow-destroy';
import { runCiCli } from '../tools/ci/cli';
import { readReviewReport } from '../tools/ci/comment';
import { connect } from '../tools/ci/connect';
import { parsePlatform, readCiContext } from '../tools/ci/env';

const USAGE = `Usage: npm run allow-destroy -- --platform gitlab|github --report <diff.json>

  --platform <gitlab|github>  the platform the pipeline runs on
  --report <file>             the review report as JSON (npm run diff -- --format json)

Reads the merge request description through the API (GitLab CI_API_V4_URL, CI_PROJECT_ID,
CI_MERGE_REQUEST_IID, GITLAB_TOKEN; GitHub GITHUB_API_URL, GITHUB_REPOSITORY,
GITHUB_EVENT_PATH, GITHUB_TOKEN).
Exit code: 0 allowed (or nothing destructive), 2 a destructive change is not allowed, 1 error.`;

const OPTIONS = { platform: { type: 'string' }, report: { type: 'string' } } as const;

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const file = required(values.report, '--report');
  const platform = parsePlatform(values.platform);
  const context = readCiContext(platform, { mergeRequest: true });
  const report = readReviewReport(file);
  const ref = `${platform === 'gitlab' ? 'merge request !' : 'pull request #'}${context.mergeRequest}`;
  const mr = await connect(context).mergeRequest(context.mergeRequest!);
  const check = checkAllowed(report, allowListOf(mr.description, ref));
  for (const f of check.allowed) console.error(`Allowed by ${ref}: ${f.stack}:${f.address} (${f.rule}).`);
  for (const a of check.unused) console.error(`Note: ${a.text} in the allow-destroy block of ${ref} matches no destructive change of this diff.`);
  if (check.refused.length === 0) {
    console.error(check.allowed.length ? `Every destructive change is allowed by ${ref}; approvers: check the list before approving.` : 'No destructive change.');
    return 0;
  }
  const lines = [
    `Not allowed: ${check.refused.length} destructive change${check.refused.length === 1 ? '' : 's'} not listed in the description of ${ref}:`,
    ...check.refused.map((f) => `  - ${f.stack}${f.address ? `:${f.address}` : ''}: ${f.message} (${f.rule})`),
  ];
  const allowable = check.refused.filter((f) => f.address);
  if (allowable.length) lines.push(`If this is intended, add this block to the description of ${ref}, then run the pipeline again:`, '', allowBlock(allowable), '');
  lines.push('Otherwise change the code so the resource is kept (a moved block for a rename, or revert).');
  console.error(lines.join('\n'));
  return 2;
}

void runCiCli({ name: 'allow-destroy', usage: USAGE, options: OPTIONS }, main);
