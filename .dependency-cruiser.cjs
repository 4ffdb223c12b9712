/**
 * The layering of the project, enforced in `npm test` (test/layering.test.ts):
 *
 *   lib ← policy ← environments ← constructs ← stacks ← tools ← scripts (and main.ts)
 *
 * A layer imports only the layers to its left. `lib` holds the only imports of cdktf and the
 * providers; `policy` is pure rules and data (no cdktf, no constructs).
 */
const LAYERS = ['lib', 'policy', 'environments', 'constructs', 'stacks', 'tools', 'scripts'];

const upward = LAYERS.map((layer, i) => ({
  name: `${layer}-imports-upward`,
  comment: `${layer}/ may import only ${LAYERS.slice(0, i).join(', ') || 'node and npm packages'}; move the shared piece down a layer, or pass it in as a prop.`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: `^(${[...LAYERS.slice(i + 1), 'main\\.ts', 'test'].join('|')})(/|$)` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'cdktf-outside-lib',
      comment: 'cdktf and the provider packages are imported in lib/ only (lib/tf.ts, lib/providers.ts), so the move to the maintained fork (cdktn) stays a change in one place.',
      severity: 'error',
      from: { path: '^(policy|environments|constructs|stacks|tools|scripts)/|^main\\.ts$' },
      to: { path: 'node_modules/(cdktf|@cdktf/)' },
    },
    {
      name: 'no-circular-layers',
      comment: 'A cycle between modules hides which one owns the shared piece.',
      severity: 'error',
      from: { path: '^(lib|policy|environments|constructs|stacks|tools|scripts)/' },
      to: { circular: true, pathNot: '^(constructs|stacks|tools)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|cdktf\\.out|node_modules)/' },
  },
};
