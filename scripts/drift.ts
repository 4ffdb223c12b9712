/**
 * `npm run drift -- --env <name>`: plans every stack of the environment with refresh and
 * reports drift: resources changed outside Terraform (`resource_drift`) and pending changes,
 * through the same renderer as `npm run plan`. Writes <drift>/<env>/drift.md (the full report)
 * and drift.json (for `npm run drift-issue`), prints the comment-sized report on stdout. The
 * plans it makes are deleted: nothing may deploy an unreviewed plan. See tools/ci/drift.ts.
 *
 * Exit code: 0 no drift, 2 drift, 1 error.
 */
import { required, runCli, type Parsed } from '../lib/cli';
import { join } from 'node:path';
import { parseLimit, writeReport } from '../tools/review/cli';
import { COMMENT_LIMIT } from '../tools/review/markdown';
import { planDir } from '../tools/review/plan-set';
import { checkDrift, renderDrift } from '../tools/ci/drift';

const USAGE = `Usage: npm run drift -- --env <name> [options]

  --env <name>          the environment to check (every stack, in dependency order)
  --stack <name>        only this stack (repeatable)
  --dir <folder>        the synthesized folder (default cdktf.out; run npm run synth first)
  --plans <folder>      where the check plans, as <folder>/<env>/ (default drift; never the
                        plans folder of npm run plan). The plans are deleted afterwards.
  --limit <chars>       size limit of the report printed on stdout (default ${COMMENT_LIMIT})
  --artifact-url <url>  a link to the full report, named when the printed report is cut
  --verbose             show Terraform's output

Writes <plans>/<env>/drift.md (full report) and drift.json (for npm run drift-issue).
The binary is terraform, or TF_BINARY (e.g. TF_BINARY=tofu).
Exit code: 0 no drift, 2 drift (changed outside Terraform, or pending changes), 1 error.`;

const OPTIONS = {
  env: { type: 'string' },
  stack: { type: 'string', multiple: true },
  dir: { type: 'string' },
  plans: { type: 'string' },
  limit: { type: 'string' },
  'artifact-url': { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const env = required(values.env, '--env');
  const limit = parseLimit(values.limit, COMMENT_LIMIT);
  const plansRoot = values.plans ?? 'drift';
  const result = await checkDrift({
    environment: env,
    stacks: values.stack,
    synthesizedDir: values.dir ?? 'cdktf.out',
    plansRoot,
    log: (line) => console.error(line),
    terraform: values.verbose ? { onLine: (l) => console.error(`    ${l}`) } : {},
  });
  const dir = planDir(plansRoot, env);
  const full = join(dir, 'drift.md');
  writeReport(full, renderDrift(result, { limit: Infinity }).text);
  writeReport(join(dir, 'drift.json'), `${JSON.stringify(result, (key, value) => (key === 'steps' ? undefined : value), 2)}\n`);
  process.stdout.write(renderDrift(result, { limit, fullReportPath: full, artifactUrl: values['artifact-url'] }).text);
  console.error(result.drifted ? `Drift in ${env}: ${result.stacks.filter((s) => s.drifted).map((s) => s.name).join(', ')}. Full report: ${full}` : `No drift in ${env}. Full report: ${full}`);
  return result.drifted ? 2 : 0;
}

void runCli({ name: 'drift', usage: USAGE, options: OPTIONS, errorExit: 1 }, main);
