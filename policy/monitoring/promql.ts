/**
 * PromQL checked with the Prometheus project's own grammar (`@prometheus-io/lezer-promql`, the
 * parser of the Prometheus web UI): an expression that does not parse, or names a metric no
 * pinned exporter exposes (policy/monitoring/metrics.ts), is refused before it reaches a
 * PrometheusRule.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { isKnownMetric } from './metrics';

/** What the parser found in an expression. */
export interface ParsedPromql {
  /** Where the grammar failed, as "at column N near `...`"; empty when it parsed. */
  readonly errors: readonly string[];
  /** The metric names of its vector selectors, in order of appearance, without duplicates. */
  readonly metrics: readonly string[];
}

/** Parses one PromQL expression. */
export function parsePromql(expr: string): ParsedPromql {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`at column ${node.from + 1} near \`${expr.slice(Math.max(0, node.from - 10), node.to + 10)}\``);
        return;
      }
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        const name = expr.slice(node.from, node.to);
        if (!metrics.includes(name)) metrics.push(name);
      }
    },
  });
  if (expr.trim().length === 0) errors.push('the expression is empty');
  return { errors, metrics };
}

/** What is wrong with an expression: parse errors and metrics outside the pinned list. */
export function promqlProblems(expr: string): string[] {
  const parsed = parsePromql(expr);
  const out = parsed.errors.map((e) => `does not parse as PromQL ${e}`);
  for (const m of parsed.metrics) {
    if (!isKnownMetric(m)) out.push(`names metric "${m}", which no pinned exporter exposes (policy/monitoring/metrics.ts lists the known ones and their sources)`);
  }
  return out;
}
