/**
 * `npm run access [-- --domain <name>] [--format md|json] [--today YYYY-MM-DD]`: prints the
 * access matrix — who can read which data domain, through which service, under which
 * agreement, until when. With --domain it answers "who can read this domain".
 */
import { runCli } from '../lib/cli';
import { accessMatrix, renderAccessMarkdown } from '../environments/catalogue/access';
import { loadCatalogue } from '../environments/catalogue';
import { UserError } from '../lib/errors';
import { parseSelection } from '../lib/selection';
import { todayFrom } from '../lib/dates';

const USAGE = `Usage: npm run access [-- --domain <name>] [--format md|json] [--today YYYY-MM-DD]

  --domain <name>        only who can read this data domain
  --format <md|json>     default md
  --today <YYYY-MM-DD>   the day agreements are judged against (default today, UTC)
  --help                 this text

Exit code: 0, or 1 on an error (an unknown option, a missing value, an unknown domain too).`;

if (require.main === module) {
  void runCli(
    {
      name: 'access',
      usage: USAGE,
      options: { domain: { type: 'string' }, format: { type: 'string', default: 'md' }, today: { type: 'string' } },
      errorExit: 1,
    },
    ({ values }) => {
      if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
      const catalogue = loadCatalogue({ today: todayFrom(values.today) });
      const domain = values.domain === undefined ? undefined : parseSelection(values.domain, catalogue.domains.map((d) => d.name).sort(), { option: '--domain', noun: 'data domain', allowAll: false });
      if (domain && domain.length > 1) throw new UserError(`--domain: one data domain at a time, got ${JSON.stringify(values.domain)}`);
      const rows = accessMatrix(catalogue, domain ? { domain: domain[0]! } : {});
      if (values.format === 'json') {
        console.log(JSON.stringify({ today: catalogue.today, findings: catalogue.findings, rows }, null, 2));
      } else {
        console.log(renderAccessMarkdown(rows, catalogue, domain ? `Who can read ${domain[0]}` : 'Access matrix'));
        for (const f of catalogue.findings) console.error(`${f.severity}: ${f.message}`);
      }
    },
  );
}
