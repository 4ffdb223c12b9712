/**
 * Building blocks of the review tooling: masking, attribute diffs, the rule registry, stack
 * order, the Terraform runner's errors, and the git-worktree side of `npm run diff`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatPath, DECODED_YAML } from '../tools/review/paths';
import { RULES } from '../tools/review/rules';
import { Masker, MASK } from '../tools/review/sensitive';
import { Sources } from '../tools/review/sources';
import { dependencyOrder, loadSynthesized } from '../tools/review/synthesized';
import { runTerraform } from '../tools/review/terraform';
import { diffValues } from '../tools/review/value-diff';
import { tmp } from './fixtures/review/apps';

describe('masking', () => {
  it("masks what Terraform marks sensitive, Secret data, and key material, wherever it is", () => {
    const m = new Masker('kubernetes_manifest', { body: { manifest: { kind: 'Secret' } }, marks: { input: { db: true } } }, {});
    expect(m.mask({ db: { host: 'h', port: 5432 } }, ['input'], 'before')).toEqual({ db: MASK });
    expect(m.mask({ username: 'app' }, ['manifest', 'stringData'], 'before')).toBe(MASK);
    expect(m.mask('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', ['note'], 'after')).toBe(MASK);
    expect(m.mask('crds:\n  enabled: true\nadmin:\n  password: x\n', ['values', 0], 'after')).toBe(MASK);
    expect(m.mask({ privateKey: { algorithm: 'ECDSA', size: 256 } }, ['spec'], 'after')).toEqual({ privateKey: { algorithm: 'ECDSA', size: 256 } });
  });

  it('shows (sensitive) only for values that are sensitive: names in references and template placeholders stay readable', () => {
    // An External Secrets item names a key of the target Secret and a property in the store; its template places it.
    const externalSecret = {
      manifest: {
        kind: 'ExternalSecret',
        spec: {
          data: [{ secretKey: 'password', remoteRef: { key: 'postgres/core/main/app', property: 'password' } }],
          target: { template: { data: { username: 'app', password: '{{ .password }}' } } },
        },
      },
    };
    const es = new Masker('kubernetes_manifest', { body: externalSecret }, { body: externalSecret });
    expect(es.mask(externalSecret, [], 'after')).toEqual(externalSecret);
    // A Strimzi password source names a Secret and the key in it.
    const user = { spec: { authentication: { password: { valueFrom: { secretKeyRef: { name: 'mirror', key: 'password' } } } }, passwordSecret: { secretName: 'mm2', password: 'password' } } };
    expect(new Masker('kubernetes_manifest', { body: user }, { body: user }).mask(user, [], 'after')).toEqual(user);
    // A command that mentions no secret value is shown as written.
    const job = { command: ['sh', '-c', 'bao write auth/kubernetes/role/eso policies=postgres password_policy=strong'] };
    expect(new Masker('kubernetes_job_v1', { body: job }, { body: job }).mask(job, [], 'after')).toEqual(job);
    // Literal secrets are still masked, also beside a reference and wherever they are repeated.
    const literal = { password: 'hunter2-secret', template: 'user=app password=hunter2-secret', ref: { secretKey: 'password', remoteRef: { key: 'k' } } };
    const masked = new Masker('kubernetes_manifest', { body: literal }, { body: literal }).mask(literal, [], 'after');
    expect(masked).toEqual({ password: MASK, template: MASK, ref: { secretKey: 'password', remoteRef: { key: 'k' } } });
  });
});

describe('attribute diff', () => {
  it('reports leaves with readable paths, and known-after-apply values', () => {
    const leaves = diffValues({ manifest: { spec: { instances: 3, config: { 'retention.ms': 1 } } }, id: 'a' }, { manifest: { spec: { instances: 5, config: { 'retention.ms': 2 } } } }, { afterUnknown: { id: true } });
    expect(leaves.map((l) => formatPath(l.path))).toEqual(['id', 'manifest.spec.config["retention.ms"]', 'manifest.spec.instances']);
    expect(leaves[0]).toMatchObject({ before: 'a', afterUnknown: true });
  });

  it('aligns lists whose length changed, so one inserted rule is one change', () => {
    const a = [{ port: 1 }, { port: 2 }, { port: 3 }];
    const b = [{ port: 1 }, { port: 9 }, { port: 2 }, { port: 3 }];
    expect(diffValues({ ports: a }, { ports: b })).toEqual([{ path: ['ports', 1, 'port'], after: 9 }]);
  });

  it('decodes YAML documents held in strings', () => {
    expect(diffValues({ v: 'a: 1\nb: 2\n' }, { v: 'a: 1\nb: 3\n' })).toEqual([{ path: ['v', DECODED_YAML, 'b'], before: 2, after: 3 }]);
  });
});

describe('rules', () => {
  it('names each rule after its file, and registers every rule file', () => {
    const files = readdirSync(join(__dirname, '..', 'tools', 'review', 'rules')).filter((f) => f !== 'index.ts').map((f) => basename(f, '.ts'));
    expect(RULES.map((r) => r.id).sort()).toEqual(files.sort());
    for (const r of RULES) expect(r.why).toMatch(/^[A-Z].*\.$/);
  });
});

describe('stack order', () => {
  it('puts each stack after its dependencies and reports a cycle by name', () => {
    const order = dependencyOrder([
      { name: 'a-services', dependencies: ['a-platform'] },
      { name: 'a-platform', dependencies: ['a-clusters'] },
      { name: 'a-clusters', dependencies: [] },
    ]);
    expect(order.map((s) => s.name)).toEqual(['a-clusters', 'a-platform', 'a-services']);
    expect(() => dependencyOrder([{ name: 'x', dependencies: ['y'] }, { name: 'y', dependencies: ['x'] }])).toThrow('cycle among x, y');
  });
});

describe('terraform runner', () => {
  it('says which binary was not found and how to choose another', async () => {
    await expect(runTerraform(['version'], tmp('moit-tf-'), { binary: 'no-such-tofu-binary' })).rejects.toThrow(
      'TF_BINARY=no-such-tofu-binary: the Terraform binary was not found on PATH. Install Terraform >= 1.10 or OpenTofu, or set TF_BINARY',
    );
  });
});

describe('npm run diff: git refs', () => {
  /** A repository whose "synth" writes one stack with the input in version.txt. */
  function repo(): { root: string; commit: (version: string) => void } {
    const root = tmp('moit-git-');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe', encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.invalid');
    git('config', 'user.name', 'test');
    mkdirSync(join(root, 'scripts'));
    mkdirSync(join(root, 'node_modules'));
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    writeFileSync(join(root, '.gitignore'), 'node_modules/\ndist/\n');
    // The "build" writes dist/scripts/synth.js, like the real one (esbuild) does.
    writeFileSync(
      join(root, 'scripts', 'build.mjs'),
      `import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
       mkdirSync('dist/scripts', { recursive: true });
       const v = readFileSync('version.txt', 'utf8').trim();
       writeFileSync('dist/scripts/synth.js', \`
         const fs = require('node:fs'); const out = process.argv[process.argv.indexOf('--out') + 1];
         fs.mkdirSync(out + '/stacks/dev-s', { recursive: true });
         fs.writeFileSync(out + '/manifest.json', JSON.stringify({ stacks: { 'dev-s': { dependencies: [] } } }));
         fs.writeFileSync(out + '/stacks/dev-s/cdk.tf.json', JSON.stringify({ resource: { terraform_data: { a: { input: '\${v}' } } } }));\`);`,
    );
    return {
      root,
      commit: (version) => {
        writeFileSync(join(root, 'version.txt'), version);
        git('add', '.');
        git('commit', '-q', '-m', version);
      },
    };
  }

  it('synthesizes each ref in a temporary worktree with the main node_modules, and removes it afterwards', async () => {
    const { root, commit } = repo();
    commit('one');
    commit('two');
    const sources = new Sources({ repoRoot: root });
    try {
      const base = await sources.resolve('HEAD~1', '--base');
      const head = await sources.resolve('main', '--head');
      expect(base.label).toMatch(/^HEAD~1 \([0-9a-f]{7}\)$/);
      const input = (dir: string) => loadSynthesized(dir).stacks.get('dev-s')!.resources.get('terraform_data.a')!.body.input;
      expect([input(base.dir), input(head.dir)]).toEqual(['one', 'two']);
    } finally {
      await sources.cleanup();
    }
    expect(execFileSync('git', ['worktree', 'list'], { cwd: root, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(root, 'node_modules'))).toBe(true);
  });
});
