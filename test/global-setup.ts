/**
 * Jest globalSetup: synthesizes the whole estate once, before any suite runs, into a temp folder
 * whose path goes to the suites in MOIT_TEST_ESTATE. `synthEstate()` (test/helpers.ts) with no
 * selection reads that folder instead of synthesizing the estate again in every suite (a dozen
 * suites did, about 2–4 s each on two cores). The synth is the same code the suites ran (the
 * TypeScript sources, transpiled by jest), in the same environment variables. Suites that need
 * another configuration still synthesize their own. The folder is removed by global-teardown.ts.
 * It also makes the folder of skip records (MOIT_TEST_SKIPS) that global-teardown.ts reports.
 *
 * Every temporary folder of the run lives under one folder made here: TMPDIR points at it for the
 * workers and the CLIs they spawn (os.tmpdir() reads TMPDIR), and global-teardown.ts removes it,
 * so a run leaves nothing behind in the system's temporary folder, whatever a suite forgot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../environments';
import { createApp } from '../lib/tf';
import { buildEstate } from '../stacks/estate';
import { SKIPS_VARIABLE } from './optional-inputs';

export const SHARED_ESTATE_VARIABLE = 'MOIT_TEST_ESTATE';

export const RUN_TMPDIR_VARIABLE = 'MOIT_TEST_RUN_TMPDIR';

export default function globalSetup(): void {
  const run = mkdtempSync(join(tmpdir(), 'moit-test-run-'));
  process.env[RUN_TMPDIR_VARIABLE] = run;
  process.env.TMPDIR = run;
  // Where suites record the tests they skip for lack of reference data (test/optional-inputs.ts).
  process.env[SKIPS_VARIABLE] = mkdtempSync(join(tmpdir(), 'moit-test-skips-'));
  if (process.env.MOIT_TEST_SHARED_ESTATE === '0') return;
  const outdir = mkdtempSync(join(tmpdir(), 'moit-test-shared-'));
  try {
    const app = createApp({ outdir });
    buildEstate(app, loadEnvironments());
    app.synth();
  } catch {
    // The estate does not synthesize: leave the variable unset, so each suite synthesizes its
    // own and reports the error where its assertions are.
    rmSync(outdir, { recursive: true, force: true });
    return;
  }
  process.env[SHARED_ESTATE_VARIABLE] = outdir;
}
