/**
 * `npm run comment -- --platform gitlab|github --report <file>`: posts the review report as
 * ONE comment on the merge/pull request the pipeline runs for, and edits that same comment on
 * every later push (found again by a hidden marker); a push that changes nothing in the body
 * sends no write at all. See tools/ci/comment.ts.
 *
 * Reads only the platforms' standard variables (tools/ci/env.ts) and the token in
 * GITLAB_TOKEN / GITHUB_TOKEN, which is never printed.
 *
 * Exit code: 0 posted, updated or unchanged; 1 error.
 */
import type { Parsed } from '../lib/cli';
import { writeReport } from '../tools/review/cli';
import { COMMENT_LIMIT } from '../tools/review/markdown';
import { CI_REPORT_OPTIONS, ciReportArgs, runCiCli } from '../tools/ci/cli';
import { commentFromReport, upsertComment } from '../tools/ci/comment';
import { connect } from '../tools/ci/connect';
import { readCiContext } from '../tools/ci/env';

const USAGE = `Usage: npm run comment -- --platform gitlab|github --report <file> [options]

  --platform <gitlab|github>  the platform the pipeline runs on
  --report <file>             the report: JSON from npm run diff|plan -- --format json (rendered
                              here, cut to the limit), or a Markdown file (cut to the limit)
  --full-report <file>        also write the whole report as Markdown here (for the artefacts);
                              the comment names it when it is cut
  --artifact-url <url>        a link to the full report, named when the comment is cut
  --key <name>                which comment of the request this is (default review); one
                              comment per key
  --limit <chars>             comment size limit (default ${COMMENT_LIMIT})

GitLab reads CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID and GITLAB_TOKEN;
GitHub reads GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH and GITHUB_TOKEN.
Exit code: 0 posted, updated or unchanged; 1 error.`;

const OPTIONS = { ...CI_REPORT_OPTIONS, key: { type: 'string' } } as const;

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const { report, platform, limit, fullReportPath, artifactUrl } = ciReportArgs(values);
  const context = readCiContext(platform, { mergeRequest: true });
  const comment = commentFromReport(report, limit, { fullReportPath, artifactUrl });
  if (fullReportPath) writeReport(fullReportPath, comment.full);
  if (comment.truncated) console.error(`The comment was cut to ${limit} characters.`);
  const outcome = await upsertComment(connect(context), context.mergeRequest!, values.key ?? 'review', comment.text);
  const where = `${platform === 'gitlab' ? 'merge request !' : 'pull request #'}${context.mergeRequest}`;
  const said = { created: 'Posted the comment on', updated: 'Updated the comment on', unchanged: 'The comment is up to date on' }[outcome.action];
  console.error(`${said} ${where} (id ${outcome.id}).`);
  if (outcome.duplicates > 0) console.error(`Note: ${outcome.duplicates} other comment(s) carry the same marker; only the oldest is kept up to date.`);
  return 0;
}

void runCiCli({ name: 'comment', usage: USAGE, options: OPTIONS }, main);
