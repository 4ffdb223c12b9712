/**
 * The PrometheusRule of a workload cluster: the alerts compiled from policy
 * (policy/monitoring/alerts.ts) for the services the cluster's stacks record, grouped by what
 * they watch. It is compiled when the services stack is prepared, once the backup records of
 * the cluster exist (constructs/backup/coverage.ts), and refused, naming each service, when a
 * tiered service has no RPO alert or an expression fails the Prometheus grammar or names a
 * metric no pinned exporter exposes.
 */
import { Construct } from 'constructs';
import { UserError } from '../../lib/errors';
import { NS } from '../../policy/layout';
import { alertProblems, compileAlerts, ruleGroup, type AlertKind, type AlertRule, type MonitoringInput } from '../../policy/monitoring/alerts';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';

/** Thrown at synth when the compiled alerts fail their checks; lists every problem. */
export class AlertRulesError extends UserError {
  constructor(
    readonly stackName: string,
    readonly problems: readonly string[],
  ) {
    super(`Alerts (${stackName}): ${problems.length} problem${problems.length === 1 ? '' : 's'}. Nothing was synthesized.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AlertRulesError';
  }
}

/** The name of the PrometheusRule (the operator picks up rules in every namespace). */
export const ALERT_RULES_NAME = 'moit-alerts';

const GROUPS: ReadonlyArray<[AlertKind, string]> = [
  ['rpo', 'backup-rpo'],
  ['drill', 'restore-drills'],
  ['postgres', 'postgres'],
  ['kafka', 'kafka'],
  ['ceph', 'ceph'],
  ['certificates', 'certificates'],
  ['velero', 'velero'],
  ['secrets', 'secrets'],
  ['cluster-api', 'cluster-api'],
  ['scrape', 'scrape'],
];

/** Where the compiled alerts go: call {@link AlertRules.compile} once the backup records exist. */
export class AlertRules extends Construct {
  private compiled?: readonly AlertRule[];
  resource?: CustomResource;

  /** The rules compiled (empty before {@link compile}). */
  get rules(): readonly AlertRule[] {
    return this.compiled ?? [];
  }

  /** Compiles, checks and declares the rules; throws an {@link AlertRulesError} listing every problem. */
  compile(input: MonitoringInput): readonly AlertRule[] {
    if (this.compiled) return this.compiled;
    const stack = ClusterContext.of(this);
    const rules = compileAlerts(input);
    const problems = alertProblems(input, rules);
    if (problems.length > 0) throw new AlertRulesError(stack.node.id, problems);
    this.compiled = rules;
    this.resource = new CustomResource(this, 'rules', {
      object: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: {
          name: ALERT_RULES_NAME,
          namespace: NS.monitoring,
          labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', 'app.kubernetes.io/part-of': 'moit-monitoring' },
          annotations: { 'moit.gov.vn/purpose': `Alerts compiled from the backup tiers and services of ${input.environment} cluster ${input.cluster} (policy/monitoring/alerts.ts); do not edit by hand.` },
        },
        spec: {
          groups: GROUPS.map(([kind, name]) => ruleGroup(name, input.environment, rules.filter((r) => r.kind === kind))).filter((g) => g.rules.length > 0),
        },
      },
    });
    return rules;
  }
}
