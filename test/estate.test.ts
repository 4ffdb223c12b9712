import { MANIFEST_BUILT_INS } from '../tools/validate/built-in';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../lib/errors';
import { SOURCES } from '../environments';
import { synthesize } from '../scripts/synth';
import { resourcesOf, synthEstate } from './helpers';
import { danglingReferences } from '../stacks/base';
import { buildEstate } from '../stacks/estate';
import { loadEnvironments } from '../environments';
import { createApp, TerraformResource } from '../lib/tf';

const { stack, stackNames, outdir } = synthEstate();
const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
const dependenciesOf = (name: string): string[] => manifest.stacks[name].dependencies;

describe('the estate', () => {
  it('synthesizes every environment into cdktf.out/stacks/<stack>/cdk.tf.json', () => {
    for (const env of ['dev', 'staging', 'prod', 'dr']) {
      expect(stackNames).toEqual(expect.arrayContaining([`${env}-core-platform`, `${env}-core-services`]));
    }
    expect(stackNames.filter((s) => s.includes('-mgmt-'))).toEqual(
      ['dr-mgmt-clusters', 'dr-mgmt-platform', 'prod-mgmt-clusters', 'prod-mgmt-platform', 'staging-mgmt-clusters', 'staging-mgmt-platform'],
    );
  });

  it('gives dev no management cluster: it adopts one existing cluster', () => {
    expect(stackNames.filter((s) => s.startsWith('dev-'))).toEqual(['dev-core-platform', 'dev-core-services']);
    expect(dependenciesOf('dev-core-platform')).toEqual([]);
  });

  it.each(['staging', 'prod', 'dr'])('orders %s: management platform, Cluster API objects, workload platform, services', (env) => {
    expect(dependenciesOf(`${env}-mgmt-platform`)).toEqual([]);
    expect(dependenciesOf(`${env}-mgmt-clusters`)).toEqual([`${env}-mgmt-platform`]);
    expect(dependenciesOf(`${env}-core-platform`)).toEqual([`${env}-mgmt-clusters`]);
    expect(dependenciesOf(`${env}-core-services`)).toEqual([`${env}-core-platform`]);
  });

  it('keeps custom resources out of platform stacks, whose charts install the CRDs (manifests there are only the built-in admission kinds)', () => {
    for (const name of stackNames.filter((s) => s.endsWith('-platform'))) {
      const manifests = resourcesOf(stack(name)).filter(([type]) => type === 'kubernetes_manifest');
      expect(manifests.filter(([, , body]) => !MANIFEST_BUILT_INS.has(`${body.manifest.apiVersion}|${body.manifest.kind}`))).toEqual([]);
    }
  });

  it('points each stack at its own cluster through a kubeconfig context, never credentials', () => {
    expect(stack('prod-core-services').provider.kubernetes).toEqual([{ config_path: '~/.kube/config', config_context: 'moit-prod-core' }]);
    expect(stack('prod-mgmt-platform').provider.helm).toEqual([{ kubernetes: { config_path: '~/.kube/config', config_context: 'moit-mgmt-hanoi' } }]);
    expect(stack('dev-core-platform').provider.kubernetes[0].config_context).toBe('moit-dev');
    const all = stackNames.map((s) => JSON.stringify(stack(s).provider));
    for (const providers of all) expect(providers).not.toMatch(/token|password|client_key|client_certificate/);
  });

  it('takes the state backend from the environment: local for dev, s3 with locking, pg via PG_CONN_STR', () => {
    expect(stack('dev-core-platform').terraform.backend).toEqual({ local: { path: '../../../terraform-state/dev-core-platform.tfstate' } });
    expect(stack('prod-core-platform').terraform.backend.s3).toMatchObject({
      bucket: 'tfstate-prod',
      key: 'moit/prod/prod-core-platform.tfstate',
      endpoints: { s3: 'https://s3.mgmt.dc.moit.gov.vn' },
      use_lockfile: true,
      use_path_style: true,
    });
    expect(stack('dr-core-services').terraform.backend).toEqual({ pg: { schema_name: 'tfstate_dr_dr_core_services' } });
  });

  it('installs charts at the versions pinned in lib/versions.ts', () => {
    const release = Object.values(stack('prod-core-platform').resource.helm_release).find((r: any) => r.chart === 'cert-manager') as any;
    expect(release).toMatchObject({ chart: 'cert-manager', version: 'v1.21.1', repository: 'https://charts.jetstack.io', atomic: true });
  });
});

describe('npm run synth', () => {
  it('swaps the new output in only on success: a broken environment leaves the previous output intact', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'moit-swap-')), 'cdktf.out');
    synthesize(target, ['dev']);
    const marker = join(target, 'stacks', 'dev-core-platform', 'marker');
    writeFileSync(marker, 'previous output');

    const broken = SOURCES.map((s) => ({ file: s.file, config: structuredClone(s.config) as any }));
    broken[0]!.config.clusters = [];
    broken[0]!.config.securityLevel = 'three';
    expect(() => synthesize(target, ['dev'], broken)).toThrow(ConfigError);
    expect(readFileSync(marker, 'utf8')).toBe('previous output');
    expect(readdirSync(join(target, '..')).filter((f) => f.startsWith('.synth-'))).toEqual([]);

    synthesize(target, ['dev']);
    expect(existsSync(marker)).toBe(false);
  });

  it('prints every problem and exits non-zero when an environment is invalid', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'moit-cli-')), 'cdktf.out');
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['dist/scripts/synth.js', '--env', 'nowhere', '--out', out], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e: any) {
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(1);
    expect(stderr).toContain('selection: unknown environment; known: dev, staging, prod, dr, got "nowhere"');
    expect(existsSync(out)).toBe(false);
  });
});

describe('npx cdktf synth', () => {
  it('writes exactly what the fast path writes', () => {
    const fast = join(mkdtempSync(join(tmpdir(), 'moit-fast-')), 'cdktf.out');
    synthesize(fast, ['dev', 'staging', 'prod', 'dr']);
    const cli = join(mkdtempSync(join(tmpdir(), 'moit-cli-')), 'cdktf.out');
    execFileSync('npx', ['cdktf', 'synth', '--output', cli], { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, CI: 'true' } });
    const names = readdirSync(join(fast, 'stacks')).sort();
    expect(readdirSync(join(cli, 'stacks')).sort()).toEqual(names);
    for (const name of names) {
      const file = (root: string) => readFileSync(join(root, 'stacks', name, 'cdk.tf.json'), 'utf8');
      expect(file(cli)).toBe(file(fast));
    }
  });
});

describe('no cross-stack references', () => {
  it('finds references to resources a stack does not declare, in expressions and depends_on', () => {
    const tf = {
      resource: {
        kubernetes_manifest: { a: { manifest: { spec: { x: '${kubernetes_manifest.a.object}', y: '${kubernetes_manifest.elsewhere.object.spec}' } } } },
        helm_release: { r: { depends_on: ['kubernetes_manifest.a', '${kubernetes_namespace_v1.gone}'] } },
      },
    };
    expect(danglingReferences(tf)).toEqual(['kubernetes_manifest.elsewhere', 'kubernetes_namespace_v1.gone']);
    expect(danglingReferences({ resource: { kubernetes_manifest: { a: { depends_on: ['kubernetes_manifest.a'] } } } })).toEqual([]);
  });

  it('refuses to synthesize a stack that received another stack\'s token', () => {
    const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'moit-xref-')) });
    const [dev] = buildEstate(app, loadEnvironments(['dev']));
    const platform = dev!.clusters[0]!.platform;
    const services = dev!.clusters[0]!.services;
    const origin = new TerraformResource(platform, 'origin', { terraformResourceType: 'terraform_data' });
    const consumer = new TerraformResource(services, 'consumer', { terraformResourceType: 'terraform_data' });
    consumer.addOverride('input', `\${${origin.terraformResourceType}.${origin.friendlyUniqueId}.id}`);
    expect(() => app.synth()).toThrow(/dev-core-services: refers to resources it does not declare: terraform_data\.origin/);
  });
});
