/**
 * `npm run deploy -- --env <name> [--allow-destroy <stack>:<address> ...]`: applies the plans
 * saved by `npm run plan`, in parallel by their dependencies (--parallelism). Refuses, before applying anything, plans that
 * delete or replace a stateful resource not named by --allow-destroy; stops at the first
 * failure and says what was and was not applied. See tools/review/deploy.ts and guard.ts.
 *
 * Exit code: 0 applied, 2 refused by the guard (nothing applied), 1 failure or error.
 */
import { runCli, required, type Parsed } from '../lib/cli';
import { deployEnvironment } from '../tools/review/deploy';
import { progressOnStderr } from '../tools/review/progress';
import { parseParallelism } from '../tools/review/schedule';

const USAGE = `Usage: npm run deploy -- --env <name> [--allow-destroy <stack>:<address> ...] [options]

  --env <name>                 the environment whose saved plans (plans/<env>/) are applied
  --allow-destroy <stack>:<address>
                               allow this stateful resource to be deleted or replaced
                               (repeatable; the stack is required, a plain address is refused)
  --plans <folder>             where npm run plan saved the plans (default plans)
  --parallelism <n>            stacks applied at once (default: the number of cores); 1 applies them in order
  --verbose                    show Terraform's output
  --help                       this text

Every plan is checked (and the guard run) before anything is applied; then each stack is
applied as soon as the stacks it depends on are. After a failure no stack starts; the running
ones finish. The order and the schedule are printed first; progress goes to stderr (a live
status line on a terminal, plain lines in CI).
The binary is the one the plans were made with, or TF_BINARY.
Exit code: 0 applied, 2 refused (nothing applied), 1 failure or error (an unknown option or a
missing value too).`;

const OPTIONS = {
  env: { type: 'string' },
  'allow-destroy': { type: 'string', multiple: true },
  plans: { type: 'string' },
  parallelism: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const outcome = await deployEnvironment({
    environment: required(values.env, '--env'),
    allowDestroy: values['allow-destroy'],
    plansRoot: values.plans ?? 'plans',
    parallelism: parseParallelism(values.parallelism),
    progress: progressOnStderr({ plain: values.verbose }),
    terraform: {
      ...(process.env.TF_BINARY ? { binary: process.env.TF_BINARY } : {}),
      ...(values.verbose ? { onLine: (l: string) => console.error(`    ${l}`) } : {}),
    },
  });
  for (const f of outcome.failures) console.error(f.error);
  console.error(outcome.summary);
  return outcome.status === 'applied' ? 0 : outcome.status === 'refused' ? 2 : 1;
}

void runCli({ name: 'deploy', usage: USAGE, options: OPTIONS, errorExit: 1 }, main);
