/** Jest globalTeardown: removes the estate global-setup.ts synthesized for the suites. */
import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
  const outdir = process.env.MOIT_TEST_ESTATE;
  if (outdir && outdir.includes('moit-test-shared-')) rmSync(outdir, { recursive: true, force: true });
}
