/**
 * The cdktf app entry point, used by `npx cdktf synth|diff|deploy` (see cdktf.json). It writes
 * to the folder the CLI gives (CDKTF_OUTDIR). `npm run synth` uses scripts/synth.ts instead,
 * which adds the safe swap of the output folder.
 */
import { loadEnvironments, parseSelection } from './environments';
import { runCommand } from './lib/errors';
import { createApp } from './lib/tf';
import { buildEstate } from './stacks/estate';

runCommand(() => {
  const environments = loadEnvironments(parseSelection(process.env.ENVIRONMENTS));
  const app = createApp();
  buildEstate(app, environments);
  app.synth();
});
