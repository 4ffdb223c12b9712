/**
 * `terraform init` only when it is needed. After a successful init, the stack folder's
 * `.terraform/` gets a small record ({@link INIT_RECORD_FILE}): the sha256 of everything init
 * depends on, and the sha256 of the lock file init left. The next plan or deploy skips init
 * when the record still matches; otherwise it runs init, as it always did.
 *
 * What init depends on, read from the folder's `*.tf.json` files:
 * - the `terraform` block (backend or cloud, required_providers, required_version);
 * - each `module` call's `source` and `version`;
 * - the providers the configuration uses without declaring them (the local names of `provider`
 *   blocks and of resource, data and ephemeral types: Terraform installs those too);
 * - the binary: its name, version and platform (`<binary> version -json`, asked once per
 *   command).
 *
 * Init runs (nothing is skipped) when any of these does not hold: `.terraform/` is a folder; the
 * record is there and readable; its sha256 matches; the lock file is as init left it (present with
 * the same sha256, or still absent when init wrote none: a stack of built-in resources only needs
 * no provider, so Terraform writes no lock file); the backend's `.terraform/terraform.tfstate`
 * exists when a backend is configured, `.terraform/providers` when the lock names providers,
 * `.terraform/modules/modules.json` when modules are called. A folder with HCL (`*.tf`) files, a
 * local module (`./…`, whose own requirements are not read here), a binary whose version cannot
 * be read, or arguments given through `TF_CLI_ARGS` / `TF_CLI_ARGS_init` (never read or hashed:
 * they may carry backend credentials) mean init always runs. The record holds hashes and the
 * binary's version only. A wrong skip would not go unnoticed either: Terraform refuses to
 * plan or apply in a folder whose init is stale ("Backend initialization required", "Inconsistent
 * dependency lock file").
 */
import { lstatSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { sha256, stableJson } from '../../lib/hash';
import { TERRAFORM_LOCK_FILE } from '../../lib/output-folder';
import * as tf from './terraform';
import { runTerraform, terraformBinary, type TerraformOptions } from './terraform';

/** The record's file name, inside the folder's `.terraform/` (or `TF_DATA_DIR`). */
export const INIT_RECORD_FILE = 'moit-init.json';
/** Terraform's dependency lock file, beside the configuration. */
export const LOCK_FILE = TERRAFORM_LOCK_FILE;

/** The binary init ran with. */
export interface TerraformIdentity {
  /** The binary as run: `terraform`, `tofu`, or a path. */
  readonly binary: string;
  readonly version: string;
  readonly platform: string;
}

/** What init depends on: one sha256 per part, the binary as text; `sha256` covers them all. */
export interface InitInputs {
  readonly sha256: string;
  readonly parts: { readonly terraform: string; readonly modules: string; readonly providers: string; readonly binary: string };
  /** Files of `.terraform/` that must exist for this configuration (backend state, modules). */
  readonly needs: readonly string[];
}

/** The record written after a successful init. */
export interface InitRecord extends Omit<InitInputs, 'needs'> {
  readonly version: 1;
  /** The sha256 of the lock file init left, or null when it wrote none. */
  readonly lock: string | null;
}

export type InitDecision = { readonly run: false; readonly reason: 'up to date' } | { readonly run: true; readonly reason: string; readonly inputs?: InitInputs };

/** The labelled blocks of a JSON block type (`{name: body}`, or a list of such objects). */
function labelled(value: unknown): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap(labelled);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value);
}

/** Bodies of one label (a body, or a list of bodies). */
const bodies = (value: unknown): Record<string, unknown>[] =>
  (Array.isArray(value) ? value : [value]).filter((b): b is Record<string, unknown> => b !== null && typeof b === 'object' && !Array.isArray(b));

/** Terraform's rule: a local module path starts with `./` or `../`. */
const isLocalSource = (source: unknown): boolean => typeof source === 'string' && /^\.\.?[\\/]/.test(source);

/**
 * What init depends on in these configuration files (each a parsed `*.tf.json`, in file name
 * order), or why it cannot be told (then init always runs).
 */
export function initInputs(configs: readonly unknown[], identity: TerraformIdentity): InitInputs | { readonly unsupported: string } {
  const terraform: unknown[] = [];
  const modules: Array<[string, unknown, unknown]> = [];
  const providers = new Set<string>();
  let backend = false;
  for (const config of configs) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) return { unsupported: 'a configuration file is not a JSON object' };
    const c = config as Record<string, unknown>;
    if (c.terraform !== undefined) {
      terraform.push(c.terraform);
      for (const t of bodies(c.terraform)) if (t.backend !== undefined || t.cloud !== undefined) backend = true;
    }
    for (const [name, value] of labelled(c.module)) {
      for (const body of bodies(value)) {
        if (isLocalSource(body.source)) return { unsupported: `module "${name}" is a local module (${String(body.source)}), whose own requirements are not read` };
        modules.push([name, body.source ?? null, body.version ?? null]);
      }
    }
    for (const [name] of labelled(c.provider)) providers.add(name);
    for (const kind of ['resource', 'data', 'ephemeral']) {
      for (const [type, instances] of labelled(c[kind])) {
        providers.add(type.split('_')[0]!);
        for (const [, value] of labelled(instances)) {
          for (const body of bodies(value)) if (typeof body.provider === 'string') providers.add(body.provider.split('.')[0]!);
        }
      }
    }
  }
  modules.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts = {
    terraform: sha256(stableJson(terraform)),
    modules: sha256(stableJson(modules)),
    providers: sha256(stableJson([...providers].sort())),
    binary: `${identity.binary} ${identity.version} ${identity.platform}`,
  };
  const needs = [...(backend ? ['terraform.tfstate'] : []), ...(modules.length > 0 ? [join('modules', 'modules.json')] : [])];
  return { sha256: sha256(stableJson(parts)), parts, needs };
}

/** The folder's data directory: `TF_DATA_DIR` (relative to the folder) or `.terraform`. */
export function dataDirOf(folder: string, env: NodeJS.ProcessEnv = process.env): string {
  const d = env.TF_DATA_DIR?.trim();
  if (!d) return join(folder, '.terraform');
  return isAbsolute(d) ? d : join(folder, d);
}

/** The sha256 of the folder's lock file, or null when there is none. */
function lockSha(folder: string): string | null {
  try {
    return sha256(readFileSync(join(folder, LOCK_FILE)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function readRecord(file: string): InitRecord | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const r = JSON.parse(text) as Partial<InitRecord> | null;
    const p = r?.parts as Partial<InitRecord['parts']> | undefined;
    const hex = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
    const ok = r?.version === 1 && hex(r.sha256) && (r.lock === null || hex(r.lock)) && !!p && hex(p.terraform) && hex(p.modules) && hex(p.providers) && typeof p.binary === 'string';
    return ok ? (r as InitRecord) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** The parsed `*.tf.json` files of the folder, or why they cannot be read for this. */
function configsOf(folder: string): unknown[] | { readonly unsupported: string } {
  const names = readdirSync(folder).sort();
  const hcl = names.filter((n) => n.endsWith('.tf'));
  if (hcl.length > 0) return { unsupported: `the folder has HCL files (${hcl.join(', ')}), whose requirements are not read` };
  const out: unknown[] = [];
  for (const n of names.filter((x) => x.endsWith('.tf.json'))) {
    try {
      out.push(JSON.parse(readFileSync(join(folder, n), 'utf8')));
    } catch {
      return { unsupported: `${n} is not valid JSON` };
    }
  }
  return out;
}

const isDir = (p: string): boolean => lstatSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
const exists = (p: string): boolean => lstatSync(p, { throwIfNoEntry: false }) !== undefined;

/**
 * Whether `folder` needs `terraform init`, and why; `identity` is the binary that will run
 * (undefined when its version could not be read: then init runs).
 */
export function initDecision(folder: string, identity: TerraformIdentity | undefined, env: NodeJS.ProcessEnv = process.env): InitDecision {
  // Arguments given through the environment (-backend-config=…, perhaps with credentials) are
  // neither read nor hashed: when there are any, init always runs.
  const args = ['TF_CLI_ARGS', 'TF_CLI_ARGS_init'].filter((v) => env[v]?.trim());
  if (args.length > 0) return { run: true, reason: `${args.join(' and ')} ${args.length > 1 ? 'are' : 'is'} set: init's arguments are not tracked` };
  const configs = configsOf(folder);
  if (!Array.isArray(configs)) return { run: true, reason: configs.unsupported };
  if (!identity) return { run: true, reason: 'the version of the Terraform binary could not be read' };
  const inputs = initInputs(configs, identity);
  if (!('sha256' in inputs)) return { run: true, reason: inputs.unsupported };
  const data = dataDirOf(folder, env);
  if (!isDir(data)) return { run: true, reason: 'not initialized yet', inputs };
  const record = readRecord(join(data, INIT_RECORD_FILE));
  if (record === 'missing') return { run: true, reason: 'no record of an earlier init', inputs };
  if (record === 'unreadable') return { run: true, reason: 'the record of the last init is unreadable', inputs };
  if (record.sha256 !== inputs.sha256) {
    const p = record.parts;
    const what =
      p.binary !== inputs.parts.binary
        ? `the binary changed (${p.binary} → ${inputs.parts.binary})`
        : p.terraform !== inputs.parts.terraform
          ? 'the terraform block (backend, required providers) changed'
          : p.modules !== inputs.parts.modules
            ? 'module sources or versions changed'
            : p.providers !== inputs.parts.providers
              ? 'the providers the configuration uses changed'
              : 'the record of the last init does not match';
    return { run: true, reason: `${what} since the last init`, inputs };
  }
  const lock = lockSha(folder);
  if (record.lock !== lock) {
    const what = lock === null ? `the lock file ${LOCK_FILE} is missing` : record.lock === null ? `a lock file ${LOCK_FILE} appeared since the last init` : `the lock file ${LOCK_FILE} changed since the last init`;
    return { run: true, reason: what, inputs };
  }
  const needs = [...inputs.needs, ...(record.lock !== null ? ['providers'] : [])];
  const missing = needs.find((n) => !exists(join(data, n)));
  if (missing) return { run: true, reason: `${join(data, missing)} is missing`, inputs };
  return { run: false, reason: 'up to date' };
}

/** Writes the record of a successful init (to a temporary name, then renamed). */
export function writeInitRecord(folder: string, inputs: InitInputs, env: NodeJS.ProcessEnv = process.env): void {
  const { needs: _needs, ...rest } = inputs;
  const record: InitRecord = { version: 1, ...rest, lock: lockSha(folder) };
  const file = join(dataDirOf(folder, env), INIT_RECORD_FILE);
  writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.${process.pid}`, file);
}

/** Per binary and PATH: its identity (asked once per process). */
const identities = new Map<string, Promise<TerraformIdentity | undefined>>();

/** `<binary> version -json`: its version and platform, or undefined when that fails. */
export function terraformIdentity(options: TerraformOptions = {}): Promise<TerraformIdentity | undefined> {
  const env = options.env ?? process.env;
  const binary = options.binary ?? terraformBinary(env);
  const key = `${binary}\0${env.PATH ?? ''}`;
  let found = identities.get(key);
  if (!found) {
    // No update check (it would reach out to the network): only the version is wanted.
    found = runTerraform(['version', '-json'], process.cwd(), { binary, env: { ...env, CHECKPOINT_DISABLE: '1' } })
      .then((r) => {
        const v = JSON.parse(r.stdout) as { terraform_version?: unknown; platform?: unknown };
        return typeof v.terraform_version === 'string' ? { binary, version: v.terraform_version, platform: typeof v.platform === 'string' ? v.platform : 'unknown' } : undefined;
      })
      .catch(() => undefined);
    identities.set(key, found);
  }
  return found;
}

/** Whether `folder` needs init, with the binary `options` name. */
export async function needsInit(folder: string, options: TerraformOptions = {}): Promise<InitDecision> {
  return initDecision(folder, await terraformIdentity(options), options.env ?? process.env);
}

/**
 * Runs init as `decision` says: the old record is removed first (a failed init leaves none),
 * and a new one is written when init succeeded.
 */
export async function runInit(folder: string, decision: InitDecision, options: TerraformOptions = {}): Promise<void> {
  if (!decision.run) return;
  const env = options.env ?? process.env;
  rmSync(join(dataDirOf(folder, env), INIT_RECORD_FILE), { force: true });
  await tf.init(folder, options);
  if (decision.inputs) writeInitRecord(folder, decision.inputs, env);
}
