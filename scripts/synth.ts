/**
 * `npm run synth [-- --env prod,dr] [--out cdktf.out]`: synthesizes the selected environments
 * (all by default; the ENVIRONMENTS variable works too) from compiled JavaScript. It writes to
 * a temporary folder beside the output and swaps it in only when everything succeeded, so a
 * failed synth leaves the previous output intact. It replaces only a folder it owns (new, empty,
 * or its own previous output: lib/output-folder.ts), never the checkout or the home folder.
 * What Terraform created in a stack folder of the previous output (`.terraform/` and
 * `.terraform.lock.hcl`) is carried over into the new one, so a plan after a synth need not
 * initialize the stack again (tools/review/init-record.ts).
 */
import { runCli } from '../lib/cli';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SOURCES, loadEnvironments, parseSelection } from '../environments';
import { type Catalogue, loadCatalogue } from '../environments/catalogue';
import { SYNTH_MARKER, SYNTH_MARKER_TEXT, SYNTH_OPTIONS, checkOutputFolder, replaceOutputFolder } from '../lib/output-folder';
import { projectRoot } from '../tools/validate/schema-sources';
import { createApp } from '../lib/tf';
import { buildEstate } from '../stacks/estate';

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: string[];
}

/**
 * Synthesizes into `outdir` atomically: the old folder is replaced only on success. Refuses
 * (UserError) a folder synth does not own, before writing anything.
 */
export function synthesize(outdir: string, selection: readonly string[], sources = SOURCES, catalogue?: Catalogue): SynthResult {
  const target = checkOutputFolder(outdir, { projectRoot: projectRoot() });
  const staging = mkdtempSync(join(dirname(target), `.synth-${basename(target)}-`));
  try {
    const environments = loadEnvironments(selection, sources);
    const app = createApp({ outdir: staging });
    const estate = buildEstate(app, environments, catalogue ?? loadCatalogue());
    app.synth();
    const stacks = estate.flatMap((e) => [
      ...(e.management ? [e.management.platform.node.id, e.management.clusters.node.id] : []),
      ...e.clusters.flatMap((c) => [c.platform.node.id, c.services.node.id]),
    ]);
    writeFileSync(join(staging, SYNTH_MARKER), SYNTH_MARKER_TEXT);
    chmodSync(staging, 0o755);
    replaceOutputFolder(staging, target);
    return { outdir: target, stacks };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

const USAGE = `Usage: npm run synth [-- --env <a,b>] [--out <folder>]

  --env <a,b>      only these environments (default: all, or the ENVIRONMENTS variable)
  --out <folder>   where to write (default cdktf.out). Replaced as a whole, so it must be new,
                   empty, or a previous synth output; never the checkout or the home folder.
                   Each stack's .terraform/ and .terraform.lock.hcl are kept from the previous output.

Exit code: 0 synthesized, 1 error (nothing written; a previous output is left as it was).`;

if (require.main === module) {
  const started = process.hrtime.bigint();
  void runCli(
    {
      name: 'synth',
      usage: USAGE,
      options: SYNTH_OPTIONS,
      errorExit: 1,
      afterError: () => 'Nothing was written; a previous output is unchanged.',
    },
    ({ values }) => {
      const result = synthesize(values.out!, parseSelection(values.env ?? process.env.ENVIRONMENTS));
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`Synthesized ${result.stacks.length} stacks into ${values.out} in ${ms.toFixed(0)} ms:`);
      for (const s of result.stacks) console.log(`  ${s}`);
    },
  );
}
