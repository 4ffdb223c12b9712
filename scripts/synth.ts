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
import { UserError } from '../lib/errors';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SOURCES, loadEnvironments, parseSelection } from '../environments';
import { type Catalogue, loadCatalogue } from '../environments/catalogue';
import { SYNTH_MARKER, SYNTH_MARKER_TEXT, SYNTH_OPTIONS, checkOutputFolder, replaceOutputFolder } from '../lib/output-folder';
import { projectRoot } from '../tools/validate/schema-sources';
import { type App, createApp } from '../lib/tf';
import { handOffChecks } from '../stacks/check-handoff';
import { ChecksWorker } from '../tools/checks/client';
import { buildEstate } from '../stacks/estate';

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: string[];
}

/** The output folder checked and a staging folder beside it, where the synth writes. */
interface Staged {
  readonly target: string;
  readonly staging: string;
}

/** Refuses (UserError) a folder synth does not own, before writing anything; makes the staging folder. */
function stage(outdir: string): Staged {
  const target = checkOutputFolder(outdir, { projectRoot: projectRoot() });
  return { target, staging: mkdtempSync(join(dirname(target), `.synth-${basename(target)}-`)) };
}

/** Builds the selected environments and synthesizes them into the staging folder; returns the stacks, in deploy order. */
function synthesizeInto(staged: Staged, selection: readonly string[], sources: typeof SOURCES, catalogue: Catalogue | undefined, beforeSynth?: (app: App) => void): string[] {
  const environments = loadEnvironments(selection, sources);
  const app = createApp({ outdir: staged.staging });
  const estate = buildEstate(app, environments, catalogue ?? loadCatalogue());
  beforeSynth?.(app);
  app.synth();
  return estate.flatMap((e) => [
    ...(e.management ? [e.management.platform.node.id, e.management.clusters.node.id] : []),
    ...e.clusters.flatMap((c) => [c.platform.node.id, c.services.node.id]),
  ]);
}

/** Swaps the staged output in as the output folder. */
function commit(staged: Staged): void {
  writeFileSync(join(staged.staging, SYNTH_MARKER), SYNTH_MARKER_TEXT);
  chmodSync(staged.staging, 0o755);
  replaceOutputFolder(staged.staging, staged.target);
}

/**
 * Synthesizes into `outdir` atomically: the old folder is replaced only on success. Refuses
 * (UserError) a folder synth does not own, before writing anything. Every check runs in place,
 * as each stack is produced.
 */
export function synthesize(outdir: string, selection: readonly string[], sources = SOURCES, catalogue?: Catalogue): SynthResult {
  const staged = stage(outdir);
  try {
    const stacks = synthesizeInto(staged, selection, sources, catalogue);
    commit(staged);
    return { outdir: staged.target, stacks };
  } catch (error) {
    rmSync(staged.staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * {@link synthesize} with the checks of each written stack on a second thread
 * (tools/checks/client.ts), when its bundle is built: the same output, the same messages and the
 * same first error, sooner. What `npm run synth` runs.
 */
export async function synthesizeWithChecksWorker(outdir: string, selection: readonly string[]): Promise<SynthResult> {
  const staged = stage(outdir);
  const worker = ChecksWorker.start();
  try {
    const stacks = synthesizeInto(staged, selection, SOURCES, undefined, worker && ((app) => handOffChecks(app, (stack) => worker.written(stack))));
    await worker?.finish();
    commit(staged);
    return { outdir: staged.target, stacks };
  } catch (error) {
    rmSync(staged.staging, { recursive: true, force: true });
    // A stack written before this failure may hold a finding: checking in place, it would have
    // stopped the synth first, and its warnings would have been printed. The worker says.
    throw (await worker?.finish().then(
      () => undefined,
      (earlier: unknown) => (earlier instanceof UserError ? earlier : undefined),
    )) ?? error;
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
    async ({ values }) => {
      const result = await synthesizeWithChecksWorker(values.out!, parseSelection(values.env ?? process.env.ENVIRONMENTS));
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`Synthesized ${result.stacks.length} stacks into ${values.out} in ${ms.toFixed(0)} ms:`);
      for (const s of result.stacks) console.log(`  ${s}`);
    },
  );
}
