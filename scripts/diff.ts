/**
 * `npm run diff -- --base <ref|folder> [--head <ref|folder>]`: compares two synthesized
 * versions of the estate without Terraform and prints a Markdown report for a pull-request
 * comment (or JSON with `--format json`). See tools/review/config-diff.ts and markdown.ts.
 *
 * Exit code: 0 no destructive change, 2 destructive changes present, 1 error.
 */
import { resolve } from 'node:path';
import { parseCli, parseFormat, parseLimit, publishReport, runCli } from '../tools/review/cli';
import { diffSynthesized } from '../tools/review/config-diff';
import { COMMENT_LIMIT } from '../tools/review/markdown';
import { Sources } from '../tools/review/sources';
import { loadSynthesized } from '../tools/review/synthesized';

const USAGE = `Usage: npm run diff -- --base <git ref | folder> [--head <git ref | folder>] [options]

  --base <ref|folder>   the version to compare against: a git ref (main, HEAD~1, a sha) or a
                        synthesized folder (with manifest.json)
  --head <ref|folder>   the new version (default: the working tree, synthesized fresh)
  --env <a,b>           only these environments (default: all)
  --format <markdown|json>   default markdown
  --out <file>          where the full report goes (default plans/diff.md or plans/diff.json)
  --limit <chars>       comment size limit (default ${COMMENT_LIMIT})
  --artifact-url <url>  a link to the full report, named when the comment is cut

Prints the comment (cut to the limit) on stdout, progress on stderr.
Exit code: 0 no destructive change, 2 destructive changes, 1 error.`;

async function main(): Promise<number> {
  const { values, positionals } = parseCli(
    {
      base: { type: 'string' },
      head: { type: 'string' },
      env: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      limit: { type: 'string' },
      'artifact-url': { type: 'string' },
      help: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.base || positionals.length > 0) {
    console.error(`${!values.base ? '--base is required' : `unexpected argument: ${positionals.join(' ')}`}.\n\n${USAGE}`);
    return 1;
  }
  const format = parseFormat(values.format);
  const limit = parseLimit(values.limit, COMMENT_LIMIT);
  const environments = values.env ? values.env.split(',').map((e) => e.trim()).filter(Boolean) : undefined;
  const out = values.out ?? (format === 'json' ? 'plans/diff.json' : 'plans/diff.md');
  const log = (line: string): void => console.error(line);

  const sources = new Sources({ repoRoot: resolve(__dirname, '..', '..'), log });
  // Ctrl-C while a ref is being synthesized: remove its worktree, then stop.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void sources.cleanup().finally(() => process.exit(130)));
  }
  try {
    const base = await sources.resolve(values.base, '--base');
    const head = await sources.resolve(values.head, '--head');
    const report = diffSynthesized(loadSynthesized(base.dir), loadSynthesized(head.dir), { baseLabel: base.label, headLabel: head.label, environments });
    return publishReport(report, { format, out, limit, artifactUrl: values['artifact-url'], log });
  } finally {
    await sources.cleanup();
  }
}

runCli(main);
