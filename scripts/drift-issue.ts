/**
 * `npm run drift-issue -- --platform gitlab|github --report <drift>/<env>/drift.json`: keeps one
 * issue per environment in step with the latest drift check: opens it when there is drift,
 * edits it when the drift changes, leaves it when it does not, closes it when the drift is
 * gone. See tools/ci/drift-issue.ts.
 *
 * Reads GitLab CI_API_V4_URL, CI_PROJECT_ID, GITLAB_TOKEN; GitHub GITHUB_API_URL,
 * GITHUB_REPOSITORY, GITHUB_TOKEN. The token is never printed.
 *
 * Exit code: 0 done (whatever the drift), 1 error.
 */
import type { Parsed } from '../lib/cli';
import { COMMENT_LIMIT } from '../tools/review/markdown';
import { CI_REPORT_OPTIONS, ciReportArgs, runCiCli } from '../tools/ci/cli';
import { connect } from '../tools/ci/connect';
import { DRIFT_LABEL, readDriftResult, syncDriftIssue } from '../tools/ci/drift-issue';
import { readCiContext } from '../tools/ci/env';

const USAGE = `Usage: npm run drift-issue -- --platform gitlab|github --report <file> [options]

  --platform <gitlab|github>  the platform the pipeline runs on
  --report <file>             drift.json, as npm run drift writes it (<plans>/<env>/drift.json)
  --full-report <file>        the full report to name when the issue text is cut (e.g. drift.md)
  --artifact-url <url>        a link to the full report (the job's artefacts)
  --label <name>              the label of drift issues (default ${DRIFT_LABEL})
  --limit <chars>             issue text size limit (default ${COMMENT_LIMIT})

Exit code: 0 done, 1 error.`;

const OPTIONS = { ...CI_REPORT_OPTIONS, label: { type: 'string' } } as const;

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const { report, platform, limit, fullReportPath, artifactUrl } = ciReportArgs(values);
  const context = readCiContext(platform);
  const result = readDriftResult(report);
  const outcome = await syncDriftIssue(connect(context), result, { limit, fullReportPath, artifactUrl, label: values.label });
  const which = outcome.number !== undefined ? ` #${outcome.number}${outcome.url ? ` (${outcome.url})` : ''}` : '';
  const said = {
    opened: `Drift in ${result.environment}: opened issue${which}.`,
    updated: `Drift in ${result.environment}: updated issue${which}.`,
    unchanged: `Drift in ${result.environment}, as already reported in issue${which}.`,
    closed: `No drift in ${result.environment}: closed issue${which}.`,
    none: `No drift in ${result.environment}, and no open drift issue.`,
  }[outcome.action];
  console.error(said);
  return 0;
}

void runCiCli({ name: 'drift-issue', usage: USAGE, options: OPTIONS }, main);
