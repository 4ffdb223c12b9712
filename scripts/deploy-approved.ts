/**
 * `npm run deploy-approved -- --platform gitlab|github --env <name>`: the deploy step of the
 * default-branch pipeline. Applies the plans `npm run plan` saved (exactly those: the same
 * checks and guard as `npm run deploy`), with the `--allow-destroy` list of the merge request
 * this commit was merged by, used only when someone other than its author approved it. The
 * list never comes from the pipeline or its author. See tools/ci/allow-destroy.ts.
 *
 * Exit code: 0 applied, 2 refused by the guard (nothing applied), 1 failure or error.
 */
import { required, type Parsed } from '../lib/cli';
import { deployEnvironment } from '../tools/review/deploy';
import { planDir, readPlanSet } from '../tools/review/plan-set';
import { approvedAllowances } from '../tools/ci/allow-destroy';
import { runCiCli } from '../tools/ci/cli';
import { connect } from '../tools/ci/connect';
import { parsePlatform, readCiContext } from '../tools/ci/env';

const USAGE = `Usage: npm run deploy-approved -- --platform gitlab|github --env <name> [options]

  --platform <gitlab|github>  the platform the pipeline runs on
  --env <name>                the environment whose saved plans (plans/<env>/) are applied
  --plans <folder>            where npm run plan saved them (default plans)
  --verbose                   show Terraform's output

The allowed destroys come from the ${'```'}allow-destroy block of the merged merge request of
this commit (GitLab CI_COMMIT_SHA, GitHub GITHUB_SHA), if approved by someone other than its
author. Exit code: 0 applied, 2 refused (nothing applied), 1 failure or error.`;

const OPTIONS = { platform: { type: 'string' }, env: { type: 'string' }, plans: { type: 'string' }, verbose: { type: 'boolean' } } as const;

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const env = required(values.env, '--env');
  const platform = parsePlatform(values.platform);
  const context = readCiContext(platform, { commit: true });
  const plansRoot = values.plans ?? 'plans';
  // Read first: no API call when there are no saved plans to deploy.
  const stacks = readPlanSet(planDir(plansRoot, env), env).stacks.map((s) => s.name);
  const approved = await approvedAllowances(connect(context), context.commit!);
  for (const note of approved.notes) console.error(note);
  const here = approved.allowances.filter((a) => stacks.includes(a.stack));
  const elsewhere = approved.allowances.filter((a) => !stacks.includes(a.stack));
  if (elsewhere.length) console.error(`Not for ${env} (other environments' stacks): ${elsewhere.map((a) => a.text).join(', ')}.`);
  const outcome = await deployEnvironment({
    environment: env,
    allowDestroy: here.map((a) => a.text),
    plansRoot,
    log: (line) => console.error(line),
    terraform: {
      ...(process.env.TF_BINARY ? { binary: process.env.TF_BINARY } : {}),
      ...(values.verbose ? { onLine: (l: string) => console.error(`    ${l}`) } : {}),
    },
  });
  if (outcome.failed) console.error(outcome.failed.error);
  console.error(outcome.summary);
  if (outcome.status === 'refused') {
    console.error('In CI the allowed destroys come from the merge request, not from this command: list them in an allow-destroy block of the merge request description, get it approved, merge, and deploy again (see docs/review-workflow.md).');
  }
  return outcome.status === 'applied' ? 0 : outcome.status === 'refused' ? 2 : 1;
}

void runCiCli({ name: 'deploy-approved', usage: USAGE, options: OPTIONS }, main);
