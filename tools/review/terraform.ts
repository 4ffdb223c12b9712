/**
 * Runs Terraform or OpenTofu for one stack folder. The binary is `terraform` unless the
 * `TF_BINARY` variable names another (`TF_BINARY=tofu`, or a full path). Commands run
 * non-interactively (`-input=false`, `TF_IN_AUTOMATION`), without colour, and their output is
 * kept so a failure can show its tail.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TerraformError, problem } from './errors';

export interface TerraformOptions {
  /** The binary to run. @default process.env.TF_BINARY ?? "terraform" */
  readonly binary?: string;
  /** The environment of the child process. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives every line Terraform prints (stdout and stderr), e.g. for `--verbose`. */
  readonly onLine?: (line: string) => void;
}

export interface TerraformResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The binary from `TF_BINARY`, or `terraform`. */
export function terraformBinary(env: NodeJS.ProcessEnv = process.env): string {
  const b = env.TF_BINARY?.trim();
  return b ? b : 'terraform';
}

function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).map((l) => `    ${l}`).join('\n');
}

/**
 * Runs `<binary> <args>` in `cwd`. Resolves with its output when it exits 0; rejects with a
 * {@link TerraformError} (command, folder, exit code, last lines of output) otherwise, or a
 * clear error when the binary is not found.
 */
export function runTerraform(args: readonly string[], cwd: string, options: TerraformOptions = {}): Promise<TerraformResult> {
  const env = options.env ?? process.env;
  const binary = options.binary ?? terraformBinary(env);
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { cwd, env: { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const forward = (chunk: string, partial: { text: string }): void => {
      if (!options.onLine) return;
      partial.text += chunk;
      const lines = partial.text.split('\n');
      partial.text = lines.pop() ?? '';
      for (const l of lines) options.onLine(l);
    };
    const po = { text: '' };
    const pe = { text: '' };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      forward(c, po);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      forward(c, pe);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(problem(`TF_BINARY=${binary}`, 'the Terraform binary was not found on PATH', undefined, 'Install Terraform >= 1.10 or OpenTofu, or set TF_BINARY to its name (tofu) or full path.'));
      } else reject(e);
    });
    child.on('close', (code) => {
      for (const p of [po, pe]) if (p.text && options.onLine) options.onLine(p.text);
      const ms = Date.now() - started;
      if (code === 0) resolvePromise({ stdout, stderr, ms });
      else reject(new TerraformError(`${binary} ${args.join(' ')}`, cwd, code, tail(`${stderr}\n${stdout}`.trim())));
    });
  });
}

/**
 * The shared provider plugin cache Terraform will use, if one is configured: `TF_PLUGIN_CACHE_DIR`,
 * or `plugin_cache_dir` in the CLI configuration (`TF_CLI_CONFIG_FILE`, else `~/.terraformrc`).
 */
export function pluginCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.TF_PLUGIN_CACHE_DIR?.trim();
  if (fromEnv) return fromEnv;
  const config = env.TF_CLI_CONFIG_FILE?.trim() || join(env.HOME ?? homedir(), '.terraformrc');
  if (!existsSync(config)) return undefined;
  try {
    return /^\s*plugin_cache_dir\s*=\s*"([^"]+)"/m.exec(readFileSync(config, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Per plugin cache: the end of the last `init` queued on it. */
const initQueue = new Map<string, Promise<unknown>>();

/**
 * `init`: backend and providers of the stack folder. Stacks planned in parallel each run their
 * own `init` at the same time, except when a shared plugin cache is configured: Terraform's
 * cache is not safe for concurrent installs (two inits unpacking the same provider into it race:
 * hashicorp/terraform#31964), so inits sharing a cache run one at a time, in the order asked.
 * The plans themselves stay parallel; with the cache warm an init only links the providers.
 */
export function init(cwd: string, options?: TerraformOptions): Promise<TerraformResult> {
  const args = ['init', '-input=false', '-no-color'];
  const cache = pluginCacheDir(options?.env ?? process.env);
  if (cache === undefined) return runTerraform(args, cwd, options);
  const previous = initQueue.get(cache) ?? Promise.resolve();
  // `previous` never rejects (it is the settled end of the last init).
  const mine = previous.then(() => runTerraform(args, cwd, options));
  const settled = mine.catch(() => undefined);
  initQueue.set(cache, settled);
  void settled.then(() => {
    if (initQueue.get(cache) === settled) initQueue.delete(cache);
  });
  return mine;
}

/** `plan -out`: writes the binary plan that `apply` will carry out exactly. */
export function plan(cwd: string, planFile: string, options?: TerraformOptions): Promise<TerraformResult> {
  return runTerraform(['plan', '-input=false', '-no-color', '-lock-timeout=60s', `-out=${planFile}`], cwd, options);
}

/** `show -json <plan>`: the plan as JSON (needs the initialized folder for provider schemas). */
export async function showJson(cwd: string, planFile: string, options?: TerraformOptions): Promise<string> {
  return (await runTerraform(['show', '-json', '-no-color', planFile], cwd, options)).stdout;
}

/** `apply <plan>`: carries out a saved plan; Terraform refuses a stale one. */
export function apply(cwd: string, planFile: string, options?: TerraformOptions): Promise<TerraformResult> {
  return runTerraform(['apply', '-input=false', '-no-color', '-lock-timeout=60s', planFile], cwd, options);
}
