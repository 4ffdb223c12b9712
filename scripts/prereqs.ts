/**
 * `npm run prereqs -- --env <name> [--format md|json]`: the operational prerequisites of one
 * environment (Secrets the secret-management process creates, the registry mirror, the identity
 * provider, DNS names, vCenter credentials), with who provides each. Logic in tools/prereqs/.
 */
import { runCli } from '../lib/cli';
import { UserError } from '../lib/errors';
import { environmentPrerequisites } from '../tools/prereqs/model';
import { renderJson, renderMarkdown } from '../tools/prereqs/render';

export const USAGE = `Usage: npm run prereqs -- --env <name> [--format md|json]

Lists what must exist outside this repository before <name> is applied, and who provides it:
Secrets the secret-management process creates, the registry mirror, the identity provider,
DNS names and the vCenter credentials. --format md (default) or json.
Exit code: 0, or 1 on an error (an unknown option, environment or format).`;

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  await runCli(
    { name: 'prereqs', usage: USAGE, options: { env: { type: 'string' }, format: { type: 'string', default: 'md' } }, errorExit: 1 },
    ({ values }) => {
      if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
      const report = environmentPrerequisites(values.env ?? '');
      process.stdout.write(values.format === 'json' ? renderJson(report) : renderMarkdown(report));
    },
    argv,
  );
}

if (require.main === module) void main();
