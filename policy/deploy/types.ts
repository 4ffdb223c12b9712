/**
 * The deployability check's findings (issue 17): a mistake that passes every schema yet stops a
 * first install, each with where it is (stack, Terraform address, construct path, field path),
 * the value found, what is wrong and how to fix it.
 */
import { describeValue } from '../../lib/errors';

/** The four checks, in the order they are reported. */
export const CHECKS = ['references', 'placement', 'chart-values', 'cluster'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Finding {
  readonly check: CheckName;
  /** The stack the offending resource is in. */
  readonly stack: string;
  /** Terraform address, e.g. `helm_release.velero_release_A557CCA0`. */
  readonly address: string;
  /** Construct path, e.g. `prod-core-platform/velero/release`. @default unknown (a hand-made fixture) */
  readonly constructPath?: string;
  /** Where in the resource: `values.credentials.extraSecretRef`, `manifest.spec.kafka.rack.topologyKey`. */
  readonly field: string;
  /** The value found there. */
  readonly value: unknown;
  /** What is wrong, in the operator's terms. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** One finding as a line of an error message. */
export function formatFinding(f: Finding): string {
  const where = f.constructPath ? `${f.address} (${f.constructPath})` : f.address;
  return `[${f.check}] ${f.stack} ${where}: ${f.field} = ${describeValue(f.value)}: ${f.message}. Fix: ${f.fix}`;
}

/** Findings in a stable order: by check, stack, address, field. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (c: CheckName) => CHECKS.indexOf(c);
  return [...findings].sort(
    (a, b) => rank(a.check) - rank(b.check) || a.stack.localeCompare(b.stack) || a.address.localeCompare(b.address) || a.field.localeCompare(b.field) || a.message.localeCompare(b.message),
  );
}
