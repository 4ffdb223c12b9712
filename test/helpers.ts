/** Shared test helpers: synthesize stacks and read their JSON. */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCES, loadEnvironments, type EnvironmentInput } from '../environments';
import { createApp } from '../lib/tf';
import { buildEstate, type EnvironmentStacks } from '../stacks/estate';

export type Json = Record<string, any>;

/** A deep copy of an environment file's config, to mutate in a test. */
export function configOf(name: string): EnvironmentInput {
  const source = SOURCES.find((s) => s.config.name === name);
  if (!source) throw new Error(`no environment ${name}`);
  return structuredClone(source.config) as EnvironmentInput;
}

/** Synthesizes the given environments (default: all) into a fresh temp folder. */
export function synthEstate(selection?: string[]): { outdir: string; estate: EnvironmentStacks[]; stack: (name: string) => Json; stackNames: string[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-test-'));
  const app = createApp({ outdir });
  const estate = buildEstate(app, loadEnvironments(selection));
  app.synth();
  const stackNames = readdirSync(join(outdir, 'stacks')).sort();
  const stack = (name: string): Json => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  return { outdir, estate, stack, stackNames };
}

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
