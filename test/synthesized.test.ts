/**
 * The one reader of synthesized output (lib/synthesized.ts), used by the review (diff, plan,
 * deploy), the standalone audit, the schema validator and the backup report.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../lib/errors';
import { listStacks, readSynthesized, SynthesizedOutputError } from '../lib/synthesized';

const tmp = () => mkdtempSync(join(tmpdir(), 'moit-synthesized-'));

/** A folder with the given manifest (omitted when undefined) and stack files. */
function folder(manifest: unknown, stacks: Record<string, string>): string {
  const dir = tmp();
  if (manifest !== undefined) writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const [file, text] of Object.entries(stacks)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('reading a synthesized folder', () => {
  it('reads stacks in manifest order, with their dependencies, text and JSON, at the path the manifest gives', () => {
    const dir = folder(
      { stacks: { 'dev-b': { dependencies: ['dev-a'] }, 'dev-a': { synthesizedStackPath: 'elsewhere/a.tf.json' } } },
      { 'stacks/dev-b/cdk.tf.json': '{"resource":{}}', 'elsewhere/a.tf.json': '{"a":1}' },
    );
    const out = readSynthesized(dir);
    expect(out.stacks.map((s) => [s.name, s.dependencies, s.file, s.json])).toEqual([
      ['dev-b', ['dev-a'], 'stacks/dev-b/cdk.tf.json', { resource: {} }],
      ['dev-a', [], 'elsewhere/a.tf.json', { a: 1 }],
    ]);
    expect(out.stacks[0]!.text).toBe('{"resource":{}}');
    expect(out.stacks[0]!.path).toBe(join(dir, 'stacks/dev-b/cdk.tf.json'));
    expect(readSynthesized(dir, { stackFilter: (n) => n === 'dev-a' }).stacks.map((s) => s.name)).toEqual(['dev-a']);
  });

  it('explains what a synthesized folder needs', () => {
    expect(() => readSynthesized(tmp())).toThrow(/manifest.json is missing or unreadable.*npm run synth/);
    expect(() => readSynthesized(join(tmp(), 'nowhere'))).toThrow(/nowhere: no such folder\. Run `npm run synth` first, or pass a synthesized folder such as cdktf.out/);
    expect(() => readSynthesized(folder({ stack: {} }, {}))).toThrow(/manifest.json must have a "stacks" object/);
    expect(() => readSynthesized(folder({ stacks: { 'dev-a': {} } }, {}))).toThrow(/stacks\/dev-a\/cdk.tf.json: the synthesized stack dev-a is missing or unreadable\. Synthesize again/);
    expect(() => readSynthesized(folder({ stacks: { 'dev-a': {} } }, { 'stacks/dev-a/cdk.tf.json': '{' }))).toThrow(/the synthesized stack dev-a is not valid JSON/);
    expect(() => readSynthesized(folder({ stacks: { 'dev-a': {} } }, { 'stacks/dev-a/cdk.tf.json': '[]' }))).toThrow(/must be a JSON object, got an array/);
  });

  it('throws a user error (printed without a stack trace), of one type every tool recognises', () => {
    let error: unknown;
    try {
      readSynthesized(tmp());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthesizedOutputError);
    expect(error).toBeInstanceOf(UserError);
  });

  it('reads stacks/ by name when a tool allows a folder without manifest.json, and only then', () => {
    const dir = folder(undefined, { 'stacks/b/cdk.tf.json': '{}', 'stacks/a/cdk.tf.json': '{}', 'stacks/not-a-stack/readme': '' });
    expect(listStacks(dir, { requireManifest: false })).toEqual([
      { name: 'a', dependencies: [], file: join('stacks', 'a', 'cdk.tf.json') },
      { name: 'b', dependencies: [], file: join('stacks', 'b', 'cdk.tf.json') },
    ]);
    expect(() => listStacks(dir)).toThrow(/manifest.json is missing or unreadable/);
    expect(() => listStacks(tmp(), { requireManifest: false })).toThrow(/has neither manifest.json nor stacks\//);
  });
});
