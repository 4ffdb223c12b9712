/**
 * `npm run alerts [-- --env prod] [--format md|json] [--dir cdktf.out]`: prints every alert the
 * synth compiles from policy (service, condition, threshold, where the threshold comes from,
 * severity, receiver), read from the synthesized PrometheusRules. It synthesizes the selected
 * environments into a temporary folder, or reads an existing synthesized folder with `--dir`.
 */
import { parseArgs } from 'node:util';
import { alertsReport, renderAlertsMarkdown } from '../tools/reports/alerts-report';
import { parseSelection } from '../environments';
import { runCommand, UserError } from '../lib/errors';
import { readSynthesized, synthesizeStacks } from './backups';

function main(): void {
  const { values } = parseArgs({ options: { env: { type: 'string' }, format: { type: 'string', default: 'md' }, dir: { type: 'string' } } });
  runCommand(() => {
    if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
    const selection = parseSelection(values.env ?? process.env.ENVIRONMENTS);
    const stacks = values.dir ? readSynthesized(values.dir) : synthesizeStacks(selection);
    const report = alertsReport(stacks);
    const rows = report.rows.filter((r) => selection.includes(r.environment));
    console.log(values.format === 'json' ? JSON.stringify({ rows }, null, 2) : renderAlertsMarkdown({ rows }));
  });
}

if (require.main === module) main();
