/** Hand-made synthesized stacks for rule tests: the shapes cdktf writes, nothing more. */
import { auditStackJson, type Outcome } from '../../policy/audit/engine';
import { RULES } from '../../policy/audit/rules';
import type { Rule } from '../../policy/audit/types';

export type Json = Record<string, any>;

export const TODAY = '2026-11-27';

export interface EnvOptions {
  readonly name?: string;
  readonly class?: string;
  readonly securityLevel?: number;
  readonly ephemeral?: boolean;
}

/** A stack of environment `prod` (production, level 4) unless told otherwise, with namespaces and zones. */
export function stack(resources: Record<string, Record<string, Json>>, env: EnvOptions = {}, top: Json = {}): Json {
  return {
    '//': {
      metadata: { stackName: 'prod-core-services' },
      environment: {
        name: env.name ?? 'prod',
        class: env.class ?? 'production',
        securityLevel: env.securityLevel ?? 4,
        ephemeral: env.ephemeral ?? false,
        site: 'hanoi-1',
        cluster: 'core',
        layer: 'services',
        namespaces: { postgres: 'data', kafka: 'data', gateway: 'dmz', exchange: 'exchange', 'app-trade': 'app', 'rook-ceph': 'data' },
      },
      ...top,
    },
    resource: resources,
  };
}

/** A kubernetes_manifest resource body. */
export function manifest(object: Json, comment: Json = {}, extra: Json = {}): Json {
  return { '//': { metadata: { path: `prod-core-services/${object.kind.toLowerCase()}-${object.metadata.name}/manifest` }, ...comment }, manifest: object, ...extra };
}

export function manifests(...objects: Array<Json | [Json, Json?, Json?]>): Record<string, Record<string, Json>> {
  const byName: Record<string, Json> = {};
  objects.forEach((o, i) => {
    const [object, comment, extra] = Array.isArray(o) ? o : [o];
    byName[`${object.kind.toLowerCase()}_${object.metadata.name}_${i}`] = manifest(object, comment, extra);
  });
  return { kubernetes_manifest: byName };
}

export function ruleOf(id: string): Rule {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
}

/** The outcomes of one rule on a stack. */
export function run(id: string, json: Json, today = TODAY): readonly Outcome[] {
  return auditStackJson('prod-core-services', json, { today, rules: [ruleOf(id)] }).outcomes;
}

export const failed = (outcomes: readonly Outcome[]) => outcomes.filter((o) => o.status === 'fail');
export const passed = (outcomes: readonly Outcome[]) => outcomes.filter((o) => o.status === 'pass' || o.status === 'excepted');

/** Expects the rule to fire at least once, with a message matching `pattern`. */
export function expectFires(id: string, json: Json, pattern: RegExp, today = TODAY): void {
  const out = failed(run(id, json, today));
  if (out.length === 0) throw new Error(`${id} did not fire`);
  expect(out.map((o) => o.message).join('\n')).toMatch(pattern);
}

/** Expects the rule to evaluate something and find nothing wrong. */
export function expectSilent(id: string, json: Json, today = TODAY): void {
  const out = run(id, json, today);
  expect(failed(out).map((o) => o.message)).toEqual([]);
  expect(out.length).toBeGreaterThan(0);
}

/**
 * Expects exactly these outcomes, in order, as [status, message]: the messages are the audit's
 * evidence (what was verified, where), so a test pins them whole.
 */
export function expectOutcomes(id: string, json: Json, expected: ReadonlyArray<readonly [Outcome['status'], string]>, today = TODAY): void {
  expect(run(id, json, today).map((o) => [o.status, o.message])).toEqual(expected);
}
