/** Small helpers the rules share. Rules stay pure: they only read the stack model. */
import type { KubeObject, Resource, StackModel } from './model';
import { asArray, isObject } from './model';
import type { BuiltInException, Evaluation } from './types';

/** `Kind namespace/name`, for messages. */
export function describeObject(o: KubeObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

export function pass(object: KubeObject | undefined, message: string, exception?: BuiltInException, resource?: Resource): Evaluation {
  return { resource: resource ?? object?.resource, object, ok: true, message, ...(exception ? { exception } : {}) };
}

export function fail(object: KubeObject | undefined, message: string, resource?: Resource): Evaluation {
  return { resource: resource ?? object?.resource, object, ok: false, message };
}

/** A label selector that selects everything (`{}` or no labels and no expressions). */
export function isEmptySelector(selector: unknown): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isObject(selector)) return false;
  const labels = selector.matchLabels;
  const expressions = asArray(selector.matchExpressions);
  return (!isObject(labels) || Object.keys(labels).length === 0) && expressions.length === 0;
}

/** True when the environment keeps its data (stateful resources may not be destroyed). */
export function keepsData(stack: StackModel): boolean {
  return stack.environment !== undefined && !stack.environment.ephemeral;
}

/** Kubernetes apiServer extraArgs in either v1beta2 list form or v1beta1 map form. */
export function extraArgs(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(value)) {
    for (const a of value) if (isObject(a) && typeof a.name === 'string') out.set(a.name, String(a.value ?? ''));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) out.set(k, String(v));
  }
  return out;
}

/** Parses a retention such as "30d", "4w", "3m" (CNPG) or "720h0m0s" (Velero) into days. */
export function retentionDays(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const cnpg = /^(\d+)([dwm])$/.exec(value.trim());
  if (cnpg) return Number(cnpg[1]) * ({ d: 1, w: 7, m: 30 } as const)[cnpg[2] as 'd' | 'w' | 'm'];
  const go = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value.trim());
  if (go && value.trim() !== '') return (Number(go[1] ?? 0) + Number(go[2] ?? 0) / 60 + Number(go[3] ?? 0) / 3600) / 24;
  return undefined;
}
