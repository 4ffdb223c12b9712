/**
 * `npm run audit -- --dir <synthesized output> [--env prod,dr] [--format md|json|sarif|junit]
 *  [--out <file>] [--threshold error|warning|info] [--today YYYY-MM-DD] [--diagram] [--access]`
 *
 * Audits any build artefact: reads only manifest.json and each stack's cdk.tf.json, runs the
 * rule pack (policy/audit/rules), and writes the report (Markdown by default) to --out or stdout.
 * Exit status: 0 when no unsuppressed finding at or above the threshold remains (default
 * error), 1 when one does, 2 when the audit could not run (bad option, unreadable folder).
 *
 * --diagram and --access add the network diagram and the access matrix, rendered from the source
 * code of this checkout (npm run diagram, npm run access), not from the artefact.
 */
import { runCli } from '../lib/cli';
import { writeFileSync } from 'node:fs';
import { todayFrom } from '../lib/dates';
import { parseSelection } from '../lib/selection';
import { expiringSoon } from '../policy/audit/engine';
import { loadSynthesized } from '../tools/audit/load';
import { renderJson } from '../tools/audit/report/json';
import { renderJunit } from '../tools/audit/report/junit';
import { renderMarkdown } from '../tools/audit/report/markdown';
import { buildReport, type AuditReport, type ReportSections } from '../tools/audit/report/model';
import { renderSarif } from '../tools/audit/report/sarif';
import { SEVERITIES, type Severity } from '../policy/audit/types';
import { UserError } from '../lib/errors';

export const FORMATS = ['md', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export interface AuditRun {
  readonly report: AuditReport;
  readonly output: string;
  /** Suppressions and agreements that expire within 30 days, one line each. */
  readonly expiring: readonly string[];
}

export interface AuditCliOptions {
  readonly dir: string;
  /** Comma-separated environment names. @default every environment in the folder */
  readonly env?: string;
  /** @default 'md' */
  readonly format?: string;
  /** @default 'error' */
  readonly threshold?: string;
  /** @default today in UTC */
  readonly today?: string;
  /** @default {} */
  readonly sections?: ReportSections;
}

/** Runs the audit and renders it; throws UserError on bad options. */
export function runAudit(options: AuditCliOptions): AuditRun {
  const format = (options.format ?? 'md') as Format;
  if (!FORMATS.includes(format)) throw new UserError(`--format: must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(options.format)}`);
  const threshold = (options.threshold ?? 'error') as Severity;
  if (!SEVERITIES.includes(threshold)) throw new UserError(`--threshold: must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(options.threshold)}`);
  const today = todayFrom(options.today);
  let stacks = loadSynthesized(options.dir);
  if (options.env !== undefined) {
    const envOf = (s: (typeof stacks)[number]) => s.model.environment?.name ?? s.name.split('-')[0]!;
    const wanted = parseSelection(options.env, [...new Set(stacks.map(envOf))], { option: '--env', noun: 'environment', where: `in ${options.dir}` });
    stacks = stacks.filter((s) => wanted.includes(envOf(s)));
  }
  const report = buildReport({ stacks, today, threshold, sections: options.sections ?? {} });
  const expiring = [...new Set(stacks.flatMap((s) => expiringSoon(s.model, today).map((n) => n.message)))];
  const output =
    format === 'json' ? renderJson(report) : format === 'sarif' ? renderSarif(report, { outputPrefix: `${options.dir.replace(/\/+$/, '')}/` }) : format === 'junit' ? renderJunit(report) : renderMarkdown(report);
  return { report, output, expiring };
}

/** The sections rendered from this checkout's code, loaded only when asked for. */
function codeSections(diagram: boolean, access: boolean, today: string): ReportSections {
  const sections: { networkDiagram?: ReportSections['networkDiagram']; accessMatrix?: ReportSections['accessMatrix'] } = {};
  if (diagram) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { renderDiagrams } = require('./diagram') as typeof import('./diagram');
    const { ENVIRONMENT_NAMES } = require('../environments') as typeof import('../environments');
    let diagrams: Map<string, string> | undefined;
    sections.networkDiagram = (env) => {
      if (!ENVIRONMENT_NAMES.includes(env)) return undefined;
      diagrams ??= renderDiagrams([...ENVIRONMENT_NAMES]);
      return diagrams.get(env);
    };
  }
  if (access) {
    const { loadCatalogue } = require('../environments/catalogue') as typeof import('../environments/catalogue');
    const { accessMatrix, renderAccessMarkdown } = require('../environments/catalogue/access') as typeof import('../environments/catalogue/access');
    const catalogue = loadCatalogue({ today });
    const markdown = renderAccessMarkdown(accessMatrix(catalogue), catalogue, 'Access matrix (the data-domain catalogue, shared by every environment)');
    sections.accessMatrix = () => markdown;
  }
  return sections;
}

const USAGE = `Usage: npm run audit -- [--dir <synthesized folder>] [options]

  --dir <folder>          the synthesized output to audit (default cdktf.out)
  --env <a,b>             only these environments of the folder (default: all it holds)
  --format <md|json|sarif|junit>   default md
  --out <file>            write the report here (default: stdout)
  --threshold <error|warning|info> the lowest severity that fails the audit (default error)
  --today <YYYY-MM-DD>    the day suppressions and agreements are judged against (default
                          MOIT_TODAY, else today in UTC)
  --diagram               add the network diagram (from this checkout's code)
  --access                add the access matrix (from this checkout's code)
  --help                  this text

Exit code: 0 passed, 1 a finding at or above the threshold, 2 the audit could not run (an
unknown option, a missing value, an unknown environment, an unreadable folder).`;

if (require.main === module) {
  void runCli(
    {
      name: 'audit',
      usage: USAGE,
      options: {
        dir: { type: 'string', default: 'cdktf.out' },
        env: { type: 'string' },
        format: { type: 'string', default: 'md' },
        out: { type: 'string' },
        threshold: { type: 'string', default: 'error' },
        today: { type: 'string' },
        diagram: { type: 'boolean', default: false },
        access: { type: 'boolean', default: false },
      },
      errorExit: 2,
    },
    ({ values }) => {
      const today = todayFrom(values.today);
      const { report, output, expiring } = runAudit({ ...values, dir: values.dir!, today, sections: codeSections(values.diagram!, values.access!, today) });
      if (values.out) writeFileSync(values.out, output);
      else process.stdout.write(output);
      const byEnv = report.environments.map((e) => `${e.name}: ${e.findings.length} finding${e.findings.length === 1 ? '' : 's'}, ${e.suppressed.length} suppressed, ${e.exceptions.length} exceptions`).join('; ');
      for (const line of expiring) console.error(`audit: warning: ${line}`);
      console.error(`audit ${report.passed ? 'PASS' : 'FAIL'}: ${report.blocking.length} at or above ${report.threshold} (${byEnv})${values.out ? `; report written to ${values.out}` : ''}`);
      return report.passed ? 0 : 1;
    },
  );
}
