/**
 * `npm run diagram [-- --env prod] [--out diagrams]`: writes, per environment, a Markdown file
 * with a Mermaid diagram of zones, namespaces and declared flows with ports, and the same as
 * tables. It synthesizes the estate in a temporary folder first, so zone rules are enforced
 * and the diagram shows exactly what synth produces.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderNetworkDiagram } from '../tools/reports/network-diagram';
import { loadEnvironments, parseSelection } from '../environments';
import { runCommand } from '../lib/errors';
import { createApp } from '../lib/tf';
import { buildEstate } from '../stacks/estate';
import { networkOf } from '../tools/reports/network-model';

/** Renders the diagram of each selected environment; returns Markdown by environment name. */
export function renderDiagrams(selection: readonly string[]): Map<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-diagram-'));
  try {
    const app = createApp({ outdir });
    const estate = buildEstate(app, loadEnvironments(selection));
    app.synth();
    return new Map(estate.map((e) => [e.environment.name, renderNetworkDiagram(networkOf(e, outdir))]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function main(): void {
  const { values } = parseArgs({ options: { env: { type: 'string' }, out: { type: 'string', default: 'diagrams' } } });
  runCommand(() => {
    const diagrams = renderDiagrams(parseSelection(values.env ?? process.env.ENVIRONMENTS));
    mkdirSync(values.out!, { recursive: true });
    for (const [env, markdown] of diagrams) {
      const file = join(values.out!, `network-${env}.md`);
      writeFileSync(file, markdown);
      const flows = (markdown.match(/-->\|/g) ?? []).length;
      console.log(`${file}: ${flows} flows`);
    }
  });
}

if (require.main === module) main();
