/**
 * `node dist/scripts/bench/synth-large.js [--out <folder>]`: synthesizes the benchmark's
 * generated estate (scripts/bench/large-estate.ts: ten times the data domains, three workload
 * clusters per environment) exactly as `npm run synth` synthesizes the real one, and prints the
 * same summary line, so the benchmark times both the same way.
 */
import { parseArgs } from 'node:util';
import { parseSelection } from '../../environments';
import { loadCatalogue } from '../../environments/catalogue';
import { synthesize } from '../synth';
import { largeCatalogueInput, largeSources } from './large-estate';

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'cdktf.out.large' } } });
  const started = process.hrtime.bigint();
  const result = synthesize(values.out!, parseSelection(undefined), largeSources(), loadCatalogue(largeCatalogueInput()));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`Synthesized ${result.stacks.length} stacks into ${values.out} in ${ms.toFixed(0)} ms:`);
  for (const s of result.stacks) console.log(`  ${s}`);
}

if (require.main === module) main();
