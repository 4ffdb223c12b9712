/**
 * `npm run validate [-- --dir cdktf.out] [--json]`: checks every kubernetes_manifest of the
 * synthesized stacks against the CRD schemas of the pinned operator versions (tools/validate).
 * Schemas come from CRD_SCHEMA_DIR, else `.schema-cache/` (`npm run schemas:fetch`).
 *
 * Exit status: 0 no problems, 1 problems found, 2 nothing could be checked (no schemas, no
 * synthesized output).
 */
import { runCli, type Parsed } from '../lib/cli';
import { relative } from 'node:path';
import { UserError } from '../lib/errors';
import { SchemaSourceError, SynthesizedOutputError, formatFinding, validateSynthesized, type ValidationReport } from '../tools/validate';

const USAGE = `Usage: npm run validate [-- --dir <synthesized folder>] [--json]

  --dir <folder>   the synthesized output (default cdktf.out)
  --json           print the report as JSON
  --help           this text

Schemas come from CRD_SCHEMA_DIR, else .schema-cache/ (npm run schemas:fetch).
Exit code: 0 no problems, 1 problems found, 2 nothing could be checked (no schemas, no
synthesized output, an unknown option or a missing value).`;

function main({ values }: Parsed<typeof OPTIONS>): number {
  let report: ValidationReport;
  try {
    report = validateSynthesized(values.dir!);
  } catch (error) {
    if (error instanceof SchemaSourceError || error instanceof SynthesizedOutputError) throw new UserError(`validate: ${error.message}`);
    throw error;
  }
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    print(report, values.dir!);
  }
  return report.findings.length > 0 ? 1 : 0;
}

const OPTIONS = {
  dir: { type: 'string', default: 'cdktf.out' },
  json: { type: 'boolean', default: false },
} as const;

function print(report: ValidationReport, dir: string): void {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const schemas = relative(process.cwd(), report.schemaRoot) || '.';
  const problems = report.findings.length;
  console.log(
    `Validated ${count(report.manifests, 'manifest')} (${count(report.kinds.length, 'kind')}) in ${count(report.stacks, 'stack')} of ${dir} ` +
      `against the CRD schemas in ${schemas} in ${report.durationMs.toFixed(0)} ms: ${problems === 0 ? 'no problems' : count(problems, 'problem')}.`,
  );
  for (const f of report.findings) console.log(`  - ${formatFinding(f)}`);
  const { cel } = report;
  console.log(
    `CEL rules (x-kubernetes-validations) of these kinds: ${cel.rules}: ${cel.evaluated} evaluated (${count(cel.evaluations, 'run')}), ` +
      `${cel.notReached} not reached (no manifest has their field), ${cel.transition.length} transition (read oldSelf: skipped), ${cel.notEvaluated.length} not evaluated.`,
  );
  if (cel.notEvaluated.length > 0) {
    console.log('CEL rules not evaluated (no offline implementation; no verdict given):');
    for (const n of cel.notEvaluated) console.log(`  - ${n.kind}: ${n.schemaPath}: ${n.rule}: ${n.reason}`);
  }
  if (report.celSkipped.length > 0) {
    console.log('CEL rules not evaluated on these manifests (no verdict given):');
    for (const f of report.celSkipped) console.log(`  - ${formatFinding(f)}`);
  }
  if (report.unchecked.length > 0) {
    console.log('Not checked (JavaScript cannot run them):');
    for (const u of report.unchecked) console.log(`  - ${u}`);
  }
}

if (require.main === module) void runCli({ name: 'validate', usage: USAGE, options: OPTIONS, errorExit: 2 }, main);
