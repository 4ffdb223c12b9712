/**
 * Jest globalTeardown: removes the estate global-setup.ts synthesized for the suites, and prints,
 * last in the run, the tests skipped for lack of reference data (test/optional-inputs.ts).
 */
import { rmSync } from 'node:fs';
import { SKIPS_VARIABLE, skipNotice } from './optional-inputs';

export default function globalTeardown(): void {
  const outdir = process.env.MOIT_TEST_ESTATE;
  if (outdir && outdir.includes('moit-test-shared-')) rmSync(outdir, { recursive: true, force: true });
  const skips = process.env[SKIPS_VARIABLE];
  if (skips && skips.includes('moit-test-skips-')) {
    process.stderr.write(skipNotice(skips));
    rmSync(skips, { recursive: true, force: true });
  }
  // Everything the suites made under the run's temporary folder (global-setup.ts).
  const run = process.env.MOIT_TEST_RUN_TMPDIR;
  if (run && run.includes('moit-test-run-')) rmSync(run, { recursive: true, force: true });
}
