/**
 * `npm run diagram [-- --env prod] [--out diagrams]`: writes, per environment, a Markdown file
 * with a Mermaid diagram of zones, namespaces and declared flows with ports, and the same as
 * tables. It synthesizes the estate in a temporary folder first, so zone rules are enforced
 * and the diagram shows exactly what synth produces.
 */
import { runCli } from '../lib/cli';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNetworkDiagram } from '../tools/reports/network-diagram';
import { loadEnvironments, parseSelection } from '../environments';
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

const USAGE = `Usage: npm run diagram [-- --env <a,b>] [--out <folder>]

  --env <a,b>      only these environments (default: all, or the ENVIRONMENTS variable)
  --out <folder>   where network-<env>.md files are written (default diagrams)
  --help           this text

Exit code: 0, or 1 on an error (an unknown option, a missing value, an unknown environment too).`;

if (require.main === module) {
  void runCli(
    { name: 'diagram', usage: USAGE, options: { env: { type: 'string' }, out: { type: 'string', default: 'diagrams' } }, errorExit: 1 },
    ({ values }) => {
      const diagrams = renderDiagrams(parseSelection(values.env ?? process.env.ENVIRONMENTS));
      mkdirSync(values.out!, { recursive: true });
      for (const [env, markdown] of diagrams) {
        const file = join(values.out!, `network-${env}.md`);
        writeFileSync(file, markdown);
        const flows = (markdown.match(/-->\|/g) ?? []).length;
        console.log(`${file}: ${flows} flows`);
      }
    },
  );
}
