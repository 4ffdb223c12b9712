/**
 * The layering (.dependency-cruiser.cjs): lib ← policy ← environments ← constructs ← stacks ←
 * tools ← scripts. Checked with dependency-cruiser over the real tree, and proven able to fail
 * on a copy of the tree with one upward import seeded in.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const LAYERS = ['lib', 'policy', 'environments', 'constructs', 'stacks', 'tools', 'scripts'];

/** The violations dependency-cruiser (the CLI `npm run lint:layers` runs) finds under `root`. */
function violations(root: string): string[] {
  const bin = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const run = spawnSync(process.execPath, [bin, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'main.ts', ...LAYERS], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!run.stdout) throw new Error(`dependency-cruiser failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('the layering', () => {
  it('holds in the tree: no import points up a layer, and cdktf is imported in lib/ only', () => {
    expect(violations(ROOT)).toEqual([]);
  });

  it('fails on a seeded upward import (a construct importing a stack) and on cdktf outside lib/', () => {
    const copy = mkdtempSync(join(tmpdir(), 'moit-layering-'));
    try {
      for (const entry of ['main.ts', 'tsconfig.json', '.dependency-cruiser.cjs', ...LAYERS]) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
      writeFileSync(join(copy, 'constructs', 'seeded-upward.ts'), "import { EnvironmentStack } from '../stacks/base';\nexport const seeded = EnvironmentStack;\n");
      writeFileSync(join(copy, 'policy', 'seeded-cdktf.ts'), "import { App } from 'cdktf';\nexport const seeded = App;\n");
      const found = violations(copy);
      expect(found).toContain('constructs-imports-upward: constructs/seeded-upward.ts → stacks/base.ts');
      expect(found.some((v) => v.startsWith('cdktf-outside-lib: policy/seeded-cdktf.ts → '))).toBe(true);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
