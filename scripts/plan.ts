/**
 * `npm run plan -- --env <name>`: plans every stack of an environment with Terraform (or
 * OpenTofu: TF_BINARY=tofu) in parallel by their dependencies (--parallelism), saves the plans under plans/<env>/ for
 * `npm run deploy`, and prints the review report.
 * `npm run plan -- --from-json <plan.json> [...]`: renders plans made elsewhere (the stack name
 * is the file name without .json).
 *
 * Exit code: 0 no destructive change, 2 destructive changes present, 1 error.
 */
import { UsageError, runCli, type Parsed } from '../lib/cli';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFormat, parseLimit, publishReport } from '../tools/review/cli';
import { problem } from '../tools/review/errors';
import { COMMENT_LIMIT } from '../tools/review/markdown';
import type { ReviewReport } from '../tools/review/model';
import { planEnvironment } from '../tools/review/plan-run';
import { progressOnStderr } from '../tools/review/progress';
import { parseParallelism } from '../tools/review/schedule';
import { readPlanJson, reportFromPlans, stackNameOfFile, type PlanInput } from '../tools/review/plan-render';
import { loadSynthesized, type SynthesizedApp } from '../tools/review/synthesized';

const USAGE = `Usage: npm run plan -- --env <name> [--stack <name> ...] [options]
       npm run plan -- --from-json <plan.json> [<plan.json> ...] [options]

  --env <name>          plan every stack of this environment, in parallel by dependencies
  --parallelism <n>     stacks planned at once (default: the number of cores); 1 plans them in order
  --stack <name>        only this stack (repeatable); its dependencies are not planned
  --dir <folder>        the synthesized folder (default cdktf.out; run npm run synth first)
  --plans <folder>      where plans are saved, as <folder>/<env>/<stack>.tfplan and .json (default plans)
  --from-json <file>    render plan JSON made elsewhere (terraform show -json); repeatable.
                        The stack is the file name without .json. Markers are read from --dir
                        when it has that stack; otherwise stateful resources are known by kind.
  --format <markdown|json>   default markdown
  --out <file>          the full report (default plans/<env>/plan.md, or plans/plan.md)
  --limit <chars>       comment size limit (default ${COMMENT_LIMIT})
  --artifact-url <url>  a link to the full report, named when the comment is cut
  --verbose             show Terraform's output
  --help                this text

The binary is terraform, or TF_BINARY (e.g. TF_BINARY=tofu).
Prints the order and the schedule (waves, critical path) before planning. Prints the comment
on stdout, progress on stderr (a live status line on a terminal, plain lines in CI).
Exit code: 0 no destructive change, 2 destructive changes, 1 error (an unknown option, a
missing value, an unknown environment or stack too).`;

const OPTIONS = {
  env: { type: 'string' },
  parallelism: { type: 'string' },
  stack: { type: 'string', multiple: true },
  dir: { type: 'string' },
  plans: { type: 'string' },
  'from-json': { type: 'string', multiple: true },
  format: { type: 'string' },
  out: { type: 'string' },
  limit: { type: 'string' },
  'artifact-url': { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

async function main({ values, positionals }: Parsed<typeof OPTIONS>): Promise<number> {
  const format = parseFormat(values.format);
  const limit = parseLimit(values.limit, COMMENT_LIMIT);
  const log = (line: string): void => console.error(line);
  const fromJson = [...(values['from-json'] ?? []), ...(values['from-json'] ? positionals : [])];
  if ((fromJson.length === 0) === !values.env || (!values['from-json'] && positionals.length > 0)) {
    throw new UsageError('give either --env <name> or --from-json <plan.json>');
  }

  let report: ReviewReport;
  let out: string;
  if (values.env) {
    const outcome = await planEnvironment({
      environment: values.env,
      stacks: values.stack,
      synthesizedDir: values.dir ?? 'cdktf.out',
      plansRoot: values.plans ?? 'plans',
      parallelism: parseParallelism(values.parallelism),
      progress: progressOnStderr({ plain: values.verbose }),
      terraform: values.verbose ? { onLine: (l) => console.error(`    ${l}`) } : {},
    });
    report = outcome.report;
    out = values.out ?? join(outcome.dir, format === 'json' ? 'plan-report.json' : 'plan.md');
  } else {
    let app: SynthesizedApp | undefined;
    const dir = values.dir ?? 'cdktf.out';
    if (existsSync(join(dir, 'manifest.json'))) app = loadSynthesized(dir);
    else if (values.dir) throw problem('--dir', 'no manifest.json in this folder', values.dir, 'Pass the synthesized folder the plans were made from, or leave --dir out.');
    else log('No cdktf.out here: stateful resources are recognized by their kind only (see README, Review and deploy).');
    const inputs: PlanInput[] = fromJson.map((file) => {
      const stack = stackNameOfFile(file);
      return { stack, plan: readPlanJson(resolve(file)), synthesized: app?.stacks.get(stack) };
    });
    report = reportFromPlans(inputs, `Plan: ${inputs.map((i) => i.stack).join(', ')}`);
    out = values.out ?? (format === 'json' ? 'plans/plan-report.json' : 'plans/plan.md');
  }

  return publishReport(report, { format, out, limit, artifactUrl: values['artifact-url'], log });
}

void runCli({ name: 'plan', usage: USAGE, options: OPTIONS, positionals: true, errorExit: 1 }, main);
