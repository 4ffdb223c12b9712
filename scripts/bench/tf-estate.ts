/**
 * The benchmark's estate for plan and deploy: the shape of the real estate's dependency graph,
 * wider. Per site, `<env>-<site>-mgmt-platform` → `<env>-<site>-mgmt-clusters` → for each
 * workload cluster `<env>-<site>-<cluster>-platform` → `<env>-<site>-<cluster>-services`.
 * Each stack holds one built-in `terraform_data` whose `local-exec` provisioner sleeps a fixed
 * time on create (standing in for a provider waiting on a remote API), with local state, so it
 * runs with no provider download and no network. Written as a synthesized folder
 * (`manifest.json` and `stacks/<stack>/cdk.tf.json`, the shape cdktf 0.21 writes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TerraformEstateOptions {
  /** The environment: every stack's name starts with it. @default "bench" */
  readonly environment?: string;
  /** @default 3 */
  readonly sites?: number;
  /** Workload clusters per site. @default 4 */
  readonly clustersPerSite?: number;
  /** What the provisioner of each stack sleeps on apply, seconds. @default 2 */
  readonly sleepSeconds?: number;
}

export interface TerraformEstate {
  readonly environment: string;
  readonly stacks: readonly { readonly name: string; readonly dependencies: readonly string[] }[];
}

/** Writes the estate into `dir` with local state in `stateDir`; returns its stacks. */
export function writeTerraformEstate(dir: string, stateDir: string, options: TerraformEstateOptions = {}): TerraformEstate {
  const env = options.environment ?? 'bench';
  const sleep = options.sleepSeconds ?? 2;
  const stacks: { name: string; dependencies: string[] }[] = [];
  for (let s = 1; s <= (options.sites ?? 3); s++) {
    const site = `${env}-s${s}`;
    stacks.push({ name: `${site}-mgmt-platform`, dependencies: [] }, { name: `${site}-mgmt-clusters`, dependencies: [`${site}-mgmt-platform`] });
    for (let c = 1; c <= (options.clustersPerSite ?? 4); c++) {
      stacks.push(
        { name: `${site}-c${c}-platform`, dependencies: [`${site}-mgmt-clusters`] },
        { name: `${site}-c${c}-services`, dependencies: [`${site}-c${c}-platform`] },
      );
    }
  }
  mkdirSync(stateDir, { recursive: true });
  const manifest: Record<string, unknown> = {};
  for (const st of stacks) {
    const folder = join(dir, 'stacks', st.name);
    mkdirSync(folder, { recursive: true });
    const config = {
      terraform: { backend: { local: { path: join(stateDir, `${st.name}.tfstate`) } } },
      resource: { terraform_data: { work: { input: st.name, provisioner: [{ 'local-exec': { command: `sleep ${sleep}` } }] } } },
    };
    writeFileSync(join(folder, 'cdk.tf.json'), `${JSON.stringify(config, null, 2)}\n`);
    manifest[st.name] = { name: st.name, constructPath: st.name, workingDirectory: `stacks/${st.name}`, synthesizedStackPath: `stacks/${st.name}/cdk.tf.json`, annotations: [], dependencies: st.dependencies };
  }
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ version: '0.21.0', stacks: manifest }, null, 2)}\n`);
  return { environment: env, stacks };
}
