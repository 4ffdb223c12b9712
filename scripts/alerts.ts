/**
 * `npm run alerts [-- --env prod] [--format md|json] [--dir cdktf.out]`: prints every alert the
 * synth compiles from policy (service, condition, threshold, where the threshold comes from,
 * severity, receiver), read from the synthesized PrometheusRules. It synthesizes the selected
 * environments into a temporary folder, or reads an existing synthesized folder with `--dir`.
 */
import { runCli } from '../lib/cli';
import { UserError } from '../lib/errors';
import { parseSelection } from '../environments';
import { alertsReport, renderAlertsMarkdown } from '../tools/reports/alerts-report';
import { readStacks, synthesizeStacks } from './backups';

const USAGE = `Usage: npm run alerts [-- --env <a,b>] [options]

  --env <a,b>          only these environments (default: all, or the ENVIRONMENTS variable)
  --format <md|json>   default md
  --dir <folder>       read this synthesized folder instead of synthesizing
  --help               this text

Exit code: 0, or 1 on an error (an unknown option, a missing value, an unknown environment too).`;

if (require.main === module) {
  void runCli(
    { name: 'alerts', usage: USAGE, options: { env: { type: 'string' }, format: { type: 'string', default: 'md' }, dir: { type: 'string' } }, errorExit: 1 },
    ({ values }) => {
      if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
      const selection = parseSelection(values.env ?? process.env.ENVIRONMENTS);
      const stacks = values.dir ? readStacks(values.dir) : synthesizeStacks(selection);
      const rows = alertsReport(stacks).rows.filter((r) => selection.includes(r.environment));
      console.log(values.format === 'json' ? JSON.stringify({ rows }, null, 2) : renderAlertsMarkdown({ rows }));
    },
  );
}
