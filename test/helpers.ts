/** Shared test helpers: synthesize stacks and read their JSON. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCES, loadEnvironments, parseEnvironment, type EnvironmentInput } from '../environments';
import { createApp } from '../lib/tf';
import { OPERATORS } from '../lib/versions';
import { buildEnvironment, buildEstate, type EnvironmentStacks } from '../stacks/estate';

export type Json = Record<string, any>;

/** A deep copy of an environment file's config, to mutate in a test. */
export function configOf(name: string): EnvironmentInput {
  const source = SOURCES.find((s) => s.config.name === name);
  if (!source) throw new Error(`no environment ${name}`);
  return structuredClone(source.config) as EnvironmentInput;
}

export interface SynthesizedEstate {
  /** The synthesized folder. Read it, never write into it: with no selection it is shared by every suite. */
  readonly outdir: string;
  readonly estate: EnvironmentStacks[];
  readonly stack: (name: string) => Json;
  readonly stackNames: string[];
}

/**
 * Synthesizes the given environments (default: all) into a fresh temp folder. With no
 * selection, the whole estate synthesized once per jest run by test/global-setup.ts
 * (MOIT_TEST_ESTATE) is read instead: the same code and inputs, so the same files. `estate`
 * (the construct tree) cannot cross processes; reading it synthesizes the estate in this suite
 * as before, on first use.
 */
export function synthEstate(selection?: string[]): SynthesizedEstate {
  const shared = process.env.MOIT_TEST_ESTATE;
  if (selection === undefined && shared && existsSync(join(shared, 'manifest.json'))) {
    let own: SynthesizedEstate | undefined;
    return {
      outdir: shared,
      get estate() {
        own ??= synthesizeInto(mkdtempSync(join(tmpdir(), 'moit-test-')), undefined);
        return own.estate;
      },
      stack: stackReader(shared),
      stackNames: readdirSync(join(shared, 'stacks')).sort(),
    };
  }
  return synthesizeInto(mkdtempSync(join(tmpdir(), 'moit-test-')), selection);
}

function synthesizeInto(outdir: string, selection: string[] | undefined): SynthesizedEstate {
  const app = createApp({ outdir });
  const estate = buildEstate(app, loadEnvironments(selection));
  app.synth();
  const stackNames = readdirSync(join(outdir, 'stacks')).sort();
  return { outdir, estate, stack: stackReader(outdir), stackNames };
}

const stackReader =
  (outdir: string) =>
  (name: string): Json =>
    JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));

/** Every resource of a synthesized stack as [type, logical id, body]. */
export function resourcesOf(stackJson: Json): Array<[string, string, Json]> {
  const out: Array<[string, string, Json]> = [];
  for (const [type, byId] of Object.entries(stackJson.resource ?? {})) {
    for (const [id, body] of Object.entries(byId as Json)) out.push([type, id, body as Json]);
  }
  return out;
}

/** The manifests (kubernetes_manifest) of a stack, optionally of one kind. */
export function manifestsOf(stackJson: Json, kind?: string): Json[] {
  return resourcesOf(stackJson)
    .filter(([type]) => type === 'kubernetes_manifest')
    .map(([, , body]) => body.manifest as Json)
    .filter((m) => !kind || m.kind === kind);
}

/**
 * Synthesizes one environment after `mutate` changed a copy of its config and `declare` added to
 * its stacks; returns the stacks and a reader of each stack's JSON.
 */
export function synthEnvironment(
  env: string,
  options: { readonly mutate?: (config: any) => void; readonly declare?: (stacks: EnvironmentStacks) => void } = {},
): { outdir: string; stacks: EnvironmentStacks; read: (stackId: string) => Json } {
  const config = configOf(env) as any;
  options.mutate?.(config);
  const outdir = mkdtempSync(join(tmpdir(), `moit-${env}-`));
  const app = createApp({ outdir });
  const stacks = buildEnvironment(app, parseEnvironment(config, `environments/${env}.ts`));
  options.declare?.(stacks);
  app.synth();
  return { outdir, stacks, read: (id) => JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) };
}

/**
 * A folder of pinned chart files (CHART_VALUES_DIR) in which cert-manager's values.yaml knows
 * none of the keys the estate sets and no other chart has files: the deployability check finds
 * chart-values problems and says the other charts were not checked. Needs no ../shared.
 */
export function unknownKeysCharts(): string {
  const charts = mkdtempSync(join(tmpdir(), 'moit-charts-'));
  const folder = join(charts, OPERATORS.certManager.chart, OPERATORS.certManager.chartVersion);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'values.yaml'), 'unrelated: true\n');
  return charts;
}
