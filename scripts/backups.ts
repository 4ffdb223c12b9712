/**
 * `npm run backups [-- --env prod] [--format md|json] [--today YYYY-MM-DD] [--dir cdktf.out]
 * [--runbook <service>]`: prints the backup coverage table — every stateful resource and every
 * namespace Velero backs up, with its tier, schedule, retention, off-site copy, immutable copy
 * and last restore drill — then its gaps and the drills due.
 *
 * It synthesizes the selected environments (all by default) into a temporary folder and reads
 * the markers and records synth wrote, so it cannot drift from what would be deployed. With
 * `--dir`, it reads an existing synthesized folder instead (an auditor's artefact). With
 * `--runbook`, it prints the restore-drill runbook of one service instead of the table.
 *
 * Exit status: 0, or 1 when a stateful resource has a gap (or the input is wrong). Overdue
 * drills are reported, not failed on: they are a finding for the audit, not a broken build.
 */
import { runCli } from '../lib/cli';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { todayFrom } from '../lib/dates';
import { backupRecordOf } from '../policy/backup/record';
import { coverageReport, renderCoverageMarkdown, type CoverageReport, type SynthesizedStack } from '../tools/reports/backup-report';
import { drillRunbook } from '../tools/reports/backup-runbook';
import { loadEnvironments, parseSelection } from '../environments';
import { UserError } from '../lib/errors';
import { readSynthesized } from '../lib/synthesized';
import { createApp } from '../lib/tf';
import { buildEstate } from '../stacks/estate';

/** Reads every stack of a synthesized folder (lib/synthesized.ts), by name. */
export function readStacks(dir: string): SynthesizedStack[] {
  return readSynthesized(dir, { requireManifest: false })
    .stacks.map(({ name, json }) => ({ name, json }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Synthesizes the selected environments into a temporary folder and reads their stacks. */
export function synthesizeStacks(selection: readonly string[]): SynthesizedStack[] {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-backups-'));
  try {
    const app = createApp({ outdir });
    buildEstate(app, loadEnvironments(selection));
    app.synth();
    return readStacks(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The coverage report of the selected environments on `today`. */
export function backupCoverage(selection: readonly string[], today: string, dir?: string): CoverageReport {
  const stacks = dir ? readStacks(dir) : synthesizeStacks(selection);
  const envOf = (s: SynthesizedStack) => ((s.json['//'] as Record<string, unknown> | undefined)?.environment as { name?: string } | undefined)?.name;
  return coverageReport(
    stacks.filter((s) => {
      const env = envOf(s);
      return env === undefined || selection.includes(env);
    }),
    today,
  );
}

/** The runbook of one service, from the synthesized stacks of its environment. */
export function runbookOf(stacks: readonly SynthesizedStack[], service: string, today: string): string {
  for (const s of stacks) {
    const record = backupRecordOf(s.json);
    const found = record?.services.find((x) => x.service === service);
    if (record && found) return drillRunbook(record, found, today);
  }
  const known = stacks.flatMap((s) => backupRecordOf(s.json)?.services.map((x) => x.service) ?? []);
  throw new UserError(`--runbook: no service ${JSON.stringify(service)} in the selected environments; known: ${[...new Set(known)].sort().join(', ')}`);
}

const USAGE = `Usage: npm run backups [-- --env <a,b>] [options]

  --env <a,b>            only these environments (default: all, or the ENVIRONMENTS variable)
  --format <md|json>     default md
  --today <YYYY-MM-DD>   the day drills are judged against (default MOIT_TODAY, else today in UTC)
  --dir <folder>         read this synthesized folder instead of synthesizing
  --runbook <service>    print the restore-drill runbook of one service instead of the table
  --help                 this text

Exit code: 0, or 1 when a stateful resource has a gap, or on an error (an unknown option, a
missing value, an unknown environment or service too).`;

if (require.main === module) {
  void runCli(
    {
      name: 'backups',
      usage: USAGE,
      options: {
        env: { type: 'string' },
        format: { type: 'string', default: 'md' },
        today: { type: 'string' },
        dir: { type: 'string' },
        runbook: { type: 'string' },
      },
      errorExit: 1,
    },
    ({ values }) => {
      if (values.format !== 'md' && values.format !== 'json') throw new UserError(`--format: must be md or json, got ${JSON.stringify(values.format)}`);
      const today = todayFrom(values.today);
      const selection = parseSelection(values.env ?? process.env.ENVIRONMENTS);
      if (values.runbook) {
        const stacks = values.dir ? readStacks(values.dir) : synthesizeStacks(selection);
        console.log(runbookOf(stacks, values.runbook, today));
        return 0;
      }
      const report = backupCoverage(selection, today, values.dir);
      console.log(values.format === 'json' ? JSON.stringify(report, null, 2) : renderCoverageMarkdown(report));
      return report.rows.some((r) => r.gaps.length > 0) ? 1 : 0;
    },
  );
}
