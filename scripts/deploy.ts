/**
 * `npm run deploy -- --env <name> [--allow-destroy <stack>:<address> ...]`: applies the plans
 * saved by `npm run plan` in dependency order. Refuses, before applying anything, plans that
 * delete or replace a stateful resource not named by --allow-destroy; stops at the first
 * failure and says what was and was not applied. See tools/review/deploy.ts and guard.ts.
 *
 * Exit code: 0 applied, 2 refused by the guard (nothing applied), 1 failure or error.
 */
import { runCli, required, type Parsed } from '../lib/cli';
import { deployEnvironment } from '../tools/review/deploy';

const USAGE = `Usage: npm run deploy -- --env <name> [--allow-destroy <stack>:<address> ...] [options]

  --env <name>                 the environment whose saved plans (plans/<env>/) are applied
  --allow-destroy <stack>:<address>
                               allow this stateful resource to be deleted or replaced
                               (repeatable; the stack is required, a plain address is refused)
  --plans <folder>             where npm run plan saved the plans (default plans)
  --verbose                    show Terraform's output
  --help                       this text

The binary is the one the plans were made with, or TF_BINARY.
Exit code: 0 applied, 2 refused (nothing applied), 1 failure or error (an unknown option or a
missing value too).`;

const OPTIONS = {
  env: { type: 'string' },
  'allow-destroy': { type: 'string', multiple: true },
  plans: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

async function main({ values }: Parsed<typeof OPTIONS>): Promise<number> {
  const outcome = await deployEnvironment({
    environment: required(values.env, '--env'),
    allowDestroy: values['allow-destroy'],
    plansRoot: values.plans ?? 'plans',
    log: (line) => console.error(line),
    terraform: {
      ...(process.env.TF_BINARY ? { binary: process.env.TF_BINARY } : {}),
      ...(values.verbose ? { onLine: (l: string) => console.error(`    ${l}`) } : {}),
    },
  });
  if (outcome.failed) console.error(outcome.failed.error);
  console.error(outcome.summary);
  return outcome.status === 'applied' ? 0 : outcome.status === 'refused' ? 2 : 1;
}

void runCli({ name: 'deploy', usage: USAGE, options: OPTIONS, errorExit: 1 }, main);
