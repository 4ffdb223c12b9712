/**
 * The cdktf app entry point, used by `npx cdktf synth|diff|deploy` (see cdktf.json). It writes
 * to the folder the CLI gives (CDKTF_OUTDIR). `npm run synth` uses scripts/synth.ts instead,
 * which adds the safe swap of the output folder.
 */
import { runCli } from './lib/cli';
import { loadEnvironments, parseSelection } from './environments';
import { createApp } from './lib/tf';
import { buildEstate } from './stacks/estate';

const USAGE = 'The cdktf app: run by `npx cdktf synth` (see cdktf.json), configured by ENVIRONMENTS and CDKTF_OUTDIR, no arguments.';

void runCli({ name: 'cdktf app', usage: USAGE, options: {}, positionals: true, errorExit: 1 }, () => {
  const environments = loadEnvironments(parseSelection(process.env.ENVIRONMENTS));
  const app = createApp();
  buildEstate(app, environments);
  app.synth();
});
