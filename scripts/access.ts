/**
 * `npm run access [-- --domain <name>] [--format md|json] [--today YYYY-MM-DD]`: prints the
 * access matrix — who can read which data domain, through which service, under which
 * agreement, until when. With --domain it answers "who can read this domain".
 */
import { parseArgs } from 'node:util';
import { accessMatrix, renderAccessMarkdown } from '../environments/catalogue/access';
import { loadCatalogue } from '../environments/catalogue';
import { runCommand, UserError } from '../lib/errors';

function main(): void {
  const { values } = parseArgs({
    options: { domain: { type: 'string' }, format: { type: 'string', default: 'md' }, today: { type: 'string' } },
  });
  runCommand(() => {
    if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
    const catalogue = loadCatalogue(values.today ? { today: values.today } : {});
    let rows;
    try {
      rows = accessMatrix(catalogue, values.domain ? { domain: values.domain } : {});
    } catch (e) {
      throw new UserError(`--domain: ${(e as Error).message}`);
    }
    if (values.format === 'json') {
      console.log(JSON.stringify({ today: catalogue.today, findings: catalogue.findings, rows }, null, 2));
    } else {
      console.log(renderAccessMarkdown(rows, catalogue, values.domain ? `Who can read ${values.domain}` : 'Access matrix'));
      for (const f of catalogue.findings) console.error(`${f.severity}: ${f.message}`);
    }
  });
}

if (require.main === module) main();
