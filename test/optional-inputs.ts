/**
 * Tests that need reference data a fresh clone does not have (the upstream CRD schemas; chart
 * values) skip themselves when it is missing, and say so loudly: each skip is recorded here, in
 * the folder test/global-setup.ts names in MOIT_TEST_SKIPS, and test/global-teardown.ts prints
 * one block on stderr at the end of the run naming every skipped test and how to enable it.
 * CI (.ci/run) requires the data, so nothing is skipped there.
 */
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export const SKIPS_VARIABLE = 'MOIT_TEST_SKIPS';

/** Reference data some tests need, and how to get it. */
export interface OptionalInput {
  /** What is missing, e.g. "CRD schemas". */
  readonly name: string;
  /** How to enable the tests, one line. */
  readonly enable: string;
}

interface SkipRecord {
  readonly input: string;
  readonly enable: string;
  readonly test: string;
}

/** Records that `title` (a test or a describe block of the current suite) was skipped for lack of `input`. */
export function recordSkip(input: OptionalInput, title: string): void {
  const testPath: string | undefined = (expect as any).getState?.().testPath;
  const suite = testPath ? relative(process.cwd(), testPath) : 'unknown suite';
  const record: SkipRecord = { input: input.name, enable: input.enable, test: `${suite} › ${title}` };
  const folder = process.env[SKIPS_VARIABLE];
  if (folder && existsSync(folder)) appendFileSync(join(folder, `${process.pid}.jsonl`), `${JSON.stringify(record)}\n`);
  // Without the global setup (a single file run some other way) the skip is said at once.
  else process.stderr.write(`SKIPPED (no ${record.input}): ${record.test}. To run it: ${record.enable}\n`);
}

/** The block printed at the end of a run in which tests were skipped; '' when none were. */
export function skipNotice(folder: string): string {
  if (!existsSync(folder)) return '';
  const records: SkipRecord[] = readdirSync(folder)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(folder, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as SkipRecord);
  if (records.length === 0) return '';
  const byInput = new Map<string, SkipRecord[]>();
  for (const r of records) byInput.set(r.input, [...(byInput.get(r.input) ?? []), r]);
  const rule = '='.repeat(100);
  const lines = [rule, `SKIPPED: ${records.length} test${records.length === 1 ? '' : 's'} (or blocks of tests) did not run because reference data is missing.`, 'This run does NOT prove what they check. CI (.ci/run) requires the data and runs them all.'];
  for (const [input, skipped] of byInput) {
    lines.push('', `No ${input}: ${skipped.length} skipped. To run them: ${skipped[0]!.enable}`);
    for (const test of [...new Set(skipped.map((s) => s.test))].sort()) lines.push(`  - ${test}`);
  }
  lines.push(rule);
  return `${lines.join('\n')}\n`;
}
