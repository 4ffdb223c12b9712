/**
 * What the review CLIs (scripts/diff.ts, plan.ts) share: publishing reports and parsing their
 * report options. Parsing the command line and handling errors is lib/cli.ts, for every CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../lib/errors';
import { renderJson, renderMarkdown } from './markdown';
import { hasDestructive, type ReviewReport } from './model';

/** Writes a file, creating its folder. */
export function writeReport(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/**
 * Publishes a review report: the full report to `out`, and to stdout the JSON or the PR comment
 * (cut at `limit` with a pointer to the full report). Returns the exit code: 2 when a change
 * is destructive, else 0.
 */
export function publishReport(
  report: ReviewReport,
  options: { readonly format: 'markdown' | 'json'; readonly out: string; readonly limit: number; readonly artifactUrl?: string; readonly log: (line: string) => void },
): number {
  const { format, out, limit, log } = options;
  if (format === 'json') {
    const text = renderJson(report);
    writeReport(out, text);
    process.stdout.write(text);
  } else {
    writeReport(out, renderMarkdown(report, { limit: Infinity }).text);
    const comment = renderMarkdown(report, { limit, fullReportPath: out, artifactUrl: options.artifactUrl });
    process.stdout.write(comment.text);
    if (comment.truncated) log(`The comment was cut to ${limit} characters; the full report is ${out}.`);
  }
  log(`Full report: ${out}`);
  return hasDestructive(report) ? 2 : 0;
}

/** Parses `--limit`. */
export function parseLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2000) throw new UserError(`--limit: must be a whole number of characters, at least 2000, got ${JSON.stringify(raw)}. GitHub allows 65536 per comment; the default is ${fallback}.`);
  return n;
}

/** Parses `--format`. */
export function parseFormat(raw: string | undefined): 'markdown' | 'json' {
  if (raw === undefined || raw === 'markdown' || raw === 'md') return 'markdown';
  if (raw === 'json') return 'json';
  throw new UserError(`--format: must be markdown or json, got ${JSON.stringify(raw)}.`);
}
