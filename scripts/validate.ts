/**
 * `npm run validate [-- --dir cdktf.out] [--json]`: checks every kubernetes_manifest of the
 * synthesized stacks against the CRD schemas of the pinned operator versions (tools/validate).
 * Schemas come from CRD_SCHEMA_DIR, else `.schema-cache/` (`npm run schemas:fetch`).
 *
 * Exit status: 0 no problems, 1 problems found, 2 nothing could be checked (no schemas, no
 * synthesized output).
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { SchemaSourceError, SynthesizedOutputError, formatFinding, validateSynthesized, type ValidationReport } from '../tools/validate';

function main(): void {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: 'cdktf.out' },
      json: { type: 'boolean', default: false },
    },
  });
  let report: ValidationReport;
  try {
    report = validateSynthesized(values.dir!);
  } catch (error) {
    if (error instanceof SchemaSourceError || error instanceof SynthesizedOutputError) {
      console.error(`validate: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    print(report, values.dir!);
  }
  process.exit(report.findings.length > 0 ? 1 : 0);
}

function print(report: ValidationReport, dir: string): void {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const schemas = relative(process.cwd(), report.schemaRoot) || '.';
  const problems = report.findings.length;
  console.log(
    `Validated ${count(report.manifests, 'manifest')} (${count(report.kinds.length, 'kind')}) in ${count(report.stacks, 'stack')} of ${dir} ` +
      `against the CRD schemas in ${schemas} in ${report.durationMs.toFixed(0)} ms: ${problems === 0 ? 'no problems' : count(problems, 'problem')}.`,
  );
  for (const f of report.findings) console.log(`  - ${formatFinding(f)}`);
  if (report.unchecked.length > 0) {
    console.log('Not checked (no offline evaluator):');
    for (const u of report.unchecked) console.log(`  - ${u}`);
  }
}

if (require.main === module) main();
