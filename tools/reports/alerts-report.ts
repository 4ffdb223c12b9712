/**
 * The alerts table, derived from synthesized stacks (`cdk.tf.json`): every alerting rule of the
 * PrometheusRules the synth compiled from policy (policy/monitoring/alerts.ts), with the service
 * it watches, its condition, threshold, where the threshold comes from, severity and receiver.
 * It reads only what the synth wrote, like the backup coverage table it is checked against, so
 * it shows what would be deployed. No cdktf import.
 */
import type { SynthesizedStack } from './backup-report';

export interface AlertRow {
  readonly environment: string;
  readonly stack: string;
  readonly alert: string;
  /** rpo, drill, postgres, kafka, ceph, certificates, velero, scrape. */
  readonly kind: string;
  readonly service: string;
  readonly domain: string;
  readonly tier?: string;
  readonly rpo?: string;
  readonly condition: string;
  readonly threshold: string;
  /** Where the threshold comes from. */
  readonly source: string;
  readonly severity: string;
  /** The Alertmanager receiver of its severity, or undefined when the environment routes none. */
  readonly receiver?: string;
  readonly runbook: string;
  readonly expr: string;
}

export interface AlertsReport {
  readonly rows: readonly AlertRow[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The alert rows of synthesized stacks, sorted by environment, service and alert. */
export function alertsReport(stacks: readonly SynthesizedStack[]): AlertsReport {
  const rows: AlertRow[] = [];
  for (const stack of stacks) {
    const top = isObject(stack.json['//']) ? stack.json['//'] : {};
    const environment = str(isObject(top.environment) ? top.environment.name : undefined) ?? stack.name;
    const receivers = isObject(top.alerting) && isObject(top.alerting.receivers) ? top.alerting.receivers : {};
    const manifests = isObject(stack.json.resource) && isObject(stack.json.resource.kubernetes_manifest) ? stack.json.resource.kubernetes_manifest : {};
    for (const body of Object.values(manifests)) {
      const m = isObject(body) && isObject(body.manifest) ? body.manifest : undefined;
      if (!m || m.kind !== 'PrometheusRule' || !isObject(m.spec) || !Array.isArray(m.spec.groups)) continue;
      for (const g of m.spec.groups) {
        if (!isObject(g) || !Array.isArray(g.rules)) continue;
        for (const r of g.rules) {
          if (!isObject(r) || typeof r.alert !== 'string') continue;
          const labels = isObject(r.labels) ? r.labels : {};
          const ann = isObject(r.annotations) ? r.annotations : {};
          const severity = str(labels.severity) ?? 'none';
          const receiver = str(receivers[severity]);
          const tier = str(labels.tier);
          const rpo = str(labels.rpo);
          rows.push({
            environment,
            stack: stack.name,
            alert: r.alert,
            kind: str(ann.kind) ?? g.name?.toString() ?? '',
            service: str(labels.service) ?? '',
            domain: str(labels.domain) ?? '',
            ...(tier ? { tier } : {}),
            ...(rpo ? { rpo } : {}),
            condition: str(ann.condition) ?? str(ann.summary) ?? '',
            threshold: str(ann.threshold) ?? '',
            source: str(ann.threshold_source) ?? '',
            severity,
            ...(receiver ? { receiver } : {}),
            runbook: str(ann.runbook_url) ?? '',
            expr: str(r.expr) ?? '',
          });
        }
      }
    }
  }
  rows.sort((a, b) => a.environment.localeCompare(b.environment) || a.service.localeCompare(b.service) || a.alert.localeCompare(b.alert));
  return { rows };
}

const cell = (v: unknown): string => (v === undefined || v === '' ? '—' : String(v).replace(/\|/g, '\\|').replace(/\n/g, ' '));

/** The report as Markdown: one table per environment. */
export function renderAlertsMarkdown(report: AlertsReport): string {
  const out: string[] = ['# Alerts', ''];
  for (const env of [...new Set(report.rows.map((r) => r.environment))]) {
    const rows = report.rows.filter((r) => r.environment === env);
    const unrouted = rows.filter((r) => !r.receiver).length;
    out.push(`## ${env}`, '', `${rows.length} alerts; ${rows.filter((r) => r.kind === 'rpo').length} watch a service's RPO.${unrouted > 0 ? ` ${unrouted} have no receiver: monitoring.route is not set in environments/${env}.ts, so they show only in Alertmanager and Grafana.` : ''}`, '');
    out.push('| service | alert | condition | threshold | where it comes from | RPO | severity | receiver | domain | runbook |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      out.push(`| ${cell(r.service)} | ${cell(r.alert)} | ${cell(r.condition)} | ${cell(r.threshold)} | ${cell(r.source)} | ${cell(r.rpo)} | ${cell(r.severity)} | ${cell(r.receiver)} | ${cell(r.domain)} | ${cell(r.runbook)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
