/**
 * `npm run prereqs -- --env <name> [--format md|json]`: the operational prerequisites of one
 * environment (Secrets the secret-management process creates, the registry mirror, the identity
 * provider, DNS names, vCenter credentials), with who provides each. Logic in tools/prereqs/.
 */
import { parseArgs } from 'node:util';
import { runCommand, UserError } from '../lib/errors';
import { environmentPrerequisites } from '../tools/prereqs/model';
import { renderJson, renderMarkdown } from '../tools/prereqs/render';

export const USAGE = `Usage: npm run prereqs -- --env <name> [--format md|json]

Lists what must exist outside this repository before <name> is applied, and who provides it:
Secrets the secret-management process creates, the registry mirror, the identity provider,
DNS names and the vCenter credentials. --format md (default) or json.`;

export function main(argv: string[] = process.argv.slice(2)): void {
  runCommand(() => {
    let values: { env?: string; format?: string; help?: boolean };
    try {
      values = parseArgs({ args: argv, options: { env: { type: 'string' }, format: { type: 'string', default: 'md' }, help: { type: 'boolean', short: 'h' } } }).values;
    } catch (error) {
      throw new UserError(`${(error as Error).message}\n${USAGE}`);
    }
    if (values.help) {
      console.log(USAGE);
      return;
    }
    if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
    const report = environmentPrerequisites(values.env ?? '');
    process.stdout.write(values.format === 'json' ? renderJson(report) : renderMarkdown(report));
  });
}

if (require.main === module) main();
