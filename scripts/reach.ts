/**
 * `npm run reach -- --env <name> [--from <ns/workload|name|cidr>] [--to <ns/workload|name|cidr>]
 * [--format md|json] [--synth <folder>]`: what the synthesized NetworkPolicies enforce. Without
 * --from/--to, the matrix of every allowed path; with them, the answer to one question: can X
 * reach Y, on which ports, through which policies, declared by which flow and why. It
 * synthesizes the environment in a temporary folder, or reads an existing synth (--synth).
 * Exits 1 when a declared flow is blocked or an allowed path is undeclared.
 */
import { runCli } from '../lib/cli';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments, parseSelection } from '../environments';
import { UserError } from '../lib/errors';
import { createApp } from '../lib/tf';
import { buildEstate } from '../stacks/estate';
import { clustersInFolder } from '../tools/reach/load';
import { reachReport, renderReachMarkdown } from '../tools/reach/report';

const USAGE = `Usage: npm run reach -- --env <name> [options]

  --env <name>         the environment (one)
  --from <x>           a namespace/workload, a declared peer name, or an address or CIDR
  --to <x>             the same; with --from and/or --to, answers one question instead of the matrix
  --format <md|json>   default md
  --synth <folder>     read this synthesized folder instead of synthesizing
  --help               this text

Exit code: 0, or 1 when a declared flow is blocked or an allowed path is undeclared, or on an
error (an unknown option, a missing value, an unknown environment or endpoint too).`;

const OPTIONS = { env: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string', default: 'md' }, synth: { type: 'string' } } as const;

if (require.main === module) {
  void runCli({ name: 'reach', usage: USAGE, options: OPTIONS, errorExit: 1 }, ({ values }) => {
    if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
    const [env, ...more] = parseSelection(values.env ?? process.env.ENVIRONMENTS);
    if (!values.env || !env || more.length > 0) throw new UserError(`--env: name one environment, e.g. --env prod; got ${JSON.stringify(values.env ?? '')}`);
    let outdir = values.synth;
    const temporary = outdir ? undefined : mkdtempSync(join(tmpdir(), 'moit-reach-'));
    try {
      if (temporary) {
        const app = createApp({ outdir: temporary });
        buildEstate(app, loadEnvironments([env]));
        app.synth();
        outdir = temporary;
      }
      const clusters = clustersInFolder(outdir!, env);
      if (clusters.length === 0) throw new UserError(`${outdir}: no synthesized stack of environment "${env}"`);
      let report;
      try {
        report = reachReport(env, clusters, { ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) });
      } catch (e) {
        throw new UserError((e as Error).message);
      }
      console.log(values.format === 'json' ? JSON.stringify(report, null, 2) : renderReachMarkdown(report));
      return report.blocked.length > 0 || report.undeclared.length > 0 ? 1 : 0;
    } finally {
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    }
  });
}
