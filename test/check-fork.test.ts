/**
 * `npm run check:fork` (scripts/check-fork.ts): its comparison, its package.json rewrite and its
 * answer when the registry cannot be reached. The full check (an npm install of cdktn) needs the
 * registry and a minute, so CI runs it from .ci/run, not here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_REGISTRY_UNREACHABLE, aliasToFork, compareSynthesized, isRegistryUnreachable } from '../scripts/check-fork';

const stack = (version: string, resources: Record<string, unknown>) => ({
  '//': { metadata: { backend: 'local', stackName: 'prod-core-services', version }, outputs: {} },
  resource: resources,
});

function writeOut(dir: string, version: string, stacks: Record<string, unknown>): void {
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version, stacks: Object.fromEntries(Object.keys(stacks).map((s) => [s, { name: s }])) }));
  for (const [name, body] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(body, null, 2));
  }
}

describe('check:fork comparison', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'moit-check-fork-test-'));
    mkdirSync(join(root, 'a'));
    mkdirSync(join(root, 'b'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const topic = { kubernetes_manifest: { topic: { manifest: { spec: { partitions: 6, replicas: 3 } } } } };

  it('treats stacks that differ only in the cdktf version stamp and key order as identical', () => {
    writeOut(join(root, 'a'), '0.21.0', { 'prod-core-services': stack('0.21.0', topic) });
    const reordered = { kubernetes_manifest: { topic: { manifest: { spec: { replicas: 3, partitions: 6 } } } } };
    writeOut(join(root, 'b'), '0.24.0', { 'prod-core-services': stack('0.24.0', reordered) });
    const result = compareSynthesized(join(root, 'a'), join(root, 'b'));
    expect(result.stacks).toEqual(['prod-core-services']);
    expect(result.differences).toEqual([]);
  });

  it('names the stack and the path of any other difference', () => {
    writeOut(join(root, 'a'), '0.21.0', { 'prod-core-services': stack('0.21.0', topic) });
    const changed = { kubernetes_manifest: { topic: { manifest: { spec: { partitions: 6, replicas: 2 } } } } };
    writeOut(join(root, 'b'), '0.24.0', { 'prod-core-services': stack('0.24.0', changed) });
    const result = compareSynthesized(join(root, 'a'), join(root, 'b'));
    expect(result.differences).toEqual([
      { stack: 'prod-core-services', count: 1, paths: ['.resource.kubernetes_manifest.topic.manifest.spec.replicas: 3 → 2'] },
    ]);
  });

  it('reports another metadata field, and a stack synthesized on one side only', () => {
    writeOut(join(root, 'a'), '0.21.0', { 'prod-core-services': stack('0.21.0', topic), 'dr-core-services': stack('0.21.0', topic) });
    const other = stack('0.24.0', topic);
    (other['//'].metadata as Record<string, string>).backend = 's3';
    writeOut(join(root, 'b'), '0.24.0', { 'prod-core-services': other });
    const result = compareSynthesized(join(root, 'a'), join(root, 'b'));
    expect(result.differences.map((d) => d.stack)).toEqual(['manifest.json', 'dr-core-services', 'prod-core-services']);
    expect(result.differences[1].paths).toEqual(['the stack is synthesized only under cdktf']);
    expect(result.differences[2].paths).toEqual(['.//.metadata.backend: "local" → "s3"']);
  });
});

describe('check:fork package.json rewrite', () => {
  const pkg = JSON.stringify({ dependencies: { cdktf: '0.21.0', constructs: '10.8.1' }, devDependencies: { 'cdktf-cli': '0.21.0' } });

  it('installs cdktn, and its CLI when there is one, under the cdktf names by an npm alias', () => {
    expect(JSON.parse(aliasToFork(pkg, '0.24.0', '0.24.0'))).toEqual({
      dependencies: { cdktf: 'npm:cdktn@0.24.0', constructs: '10.8.1' },
      devDependencies: { 'cdktf-cli': 'npm:cdktn-cli@0.24.0' },
    });
    expect(JSON.parse(aliasToFork(pkg, '0.24.0')).devDependencies).toEqual({ 'cdktf-cli': '0.21.0' });
  });
});

describe('check:fork without the registry', () => {
  it('recognises npm network errors, but not a refusal by the registry', () => {
    expect(isRegistryUnreachable({ stderr: 'npm error code ECONNREFUSED\n', error: undefined, signal: null })).toBe(true);
    expect(isRegistryUnreachable({ stderr: 'npm error code EAI_AGAIN\n', error: undefined, signal: null })).toBe(true);
    expect(isRegistryUnreachable({ stderr: '', error: undefined, signal: 'SIGTERM' })).toBe(true);
    expect(isRegistryUnreachable({ stderr: 'npm error code E404\n', error: undefined, signal: null })).toBe(false);
  });

  it('says the registry is unreachable and exits 3, comparing nothing', () => {
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'scripts', 'check-fork.js')], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', CHECK_FORK_REGISTRY_TIMEOUT_MS: '5000' },
    });
    expect(run.stderr).toContain('the npm registry is unreachable');
    expect(run.stderr).toContain('nothing was compared');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(EXIT_REGISTRY_UNREACHABLE);
    expect(EXIT_REGISTRY_UNREACHABLE).toBe(3);
  });
});
