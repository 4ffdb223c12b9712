/**
 * `npm run diff -- --base <ref|folder> [--head <ref|folder>]`: compares two synthesized
 * versions of the estate without Terraform and prints a Markdown report for a pull-request
 * comment (or JSON with `--format json`). See tools/review/config-diff.ts and markdown.ts.
 *
 * Exit code: 0 no destructive change, 2 destructive changes present, 1 error.
 */
import { runCli, required, type Parsed } from '../lib/cli';
import { resolve } from 'node:path';
import { todayFrom } from '../lib/dates';
import { parseSelection } from '../lib/selection';
import { expiryFindings } from '../tools/review/expiry';
import { parseFormat, parseLimit, publishReport } from '../tools/review/cli';
import { diffSynthesized } from '../tools/review/config-diff';
import { COMMENT_LIMIT } from '../tools/review/markdown';
import { Sources } from '../tools/review/sources';
import { environmentOf, loadSynthesized, type SynthesizedApp } from '../tools/review/synthesized';

const USAGE = `Usage: npm run diff -- --base <git ref | folder> [--head <git ref | folder>] [options]

  --base <ref|folder>   the version to compare against: a git ref (main, HEAD~1, a sha) or a
                        synthesized folder (with manifest.json)
  --head <ref|folder>   the new version (default: the working tree, synthesized fresh)
  --env <a,b>           only these environments (default: all)
  --format <markdown|json>   default markdown
  --out <file>          where the full report goes (default plans/diff.md or plans/diff.json)
  --limit <chars>       comment size limit (default ${COMMENT_LIMIT})
  --artifact-url <url>  a link to the full report, named when the comment is cut
  --help                this text

Prints the comment (cut to the limit) on stdout, progress on stderr.
Exit code: 0 no destructive change, 2 destructive changes, 1 error (an unknown option, a
missing value or an unknown environment too).`;

/** The environments of two synthesized versions. */
function environmentsOf(...apps: SynthesizedApp[]): string[] {
  return [...new Set(apps.flatMap((app) => [...app.stacks.keys()].map(environmentOf)))].sort();
}

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const baseRef = required(values.base, '--base');
  const format = parseFormat(values.format);
  const limit = parseLimit(values.limit, COMMENT_LIMIT);
  const out = values.out ?? (format === 'json' ? 'plans/diff.json' : 'plans/diff.md');
  const log = (line: string): void => console.error(line);

  const sources = new Sources({ repoRoot: resolve(__dirname, '..', '..'), log });
  // Ctrl-C while a ref is being synthesized: remove its worktree, then stop.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void sources.cleanup().finally(() => process.exit(130)));
  }
  try {
    const base = await sources.resolve(baseRef, '--base');
    const head = await sources.resolve(values.head, '--head');
    const [baseApp, headApp] = [loadSynthesized(base.dir), loadSynthesized(head.dir)];
    // A name that matches no environment of either side is an error, never "no changes".
    const environments = values.env === undefined ? undefined : parseSelection(values.env, environmentsOf(baseApp, headApp), { option: '--env', noun: 'environment', where: `in ${base.label} or ${head.label}` });
    const diff = diffSynthesized(baseApp, headApp, { baseLabel: base.label, headLabel: head.label, environments });
    const expiring = expiryFindings(head.dir, todayFrom(undefined)).filter((f) => !environments || environments.includes(environmentOf(f.stack)));
    const report = { ...diff, findings: [...diff.findings, ...expiring] };
    return publishReport(report, { format, out, limit, artifactUrl: values['artifact-url'], log });
  } finally {
    await sources.cleanup();
  }
}

const OPTIONS = {
  base: { type: 'string' },
  head: { type: 'string' },
  env: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  limit: { type: 'string' },
  'artifact-url': { type: 'string' },
} as const;

void runCli({ name: 'diff', usage: USAGE, options: OPTIONS, errorExit: 1 }, main);
