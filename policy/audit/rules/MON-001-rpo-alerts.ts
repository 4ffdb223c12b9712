import { fail, pass } from '../checks';
import { asArray, isObject, type KubeObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';
import { backupRecordOf } from '../../backup/record';

/** The namespaces whose exporters a service's RPO alerts read. */
function exporterNamespaces(service: { service: string; kind: string; mechanisms: ReadonlyArray<{ kind: string }> }): string[] {
  const ns = service.service.split('/')[1] ?? '';
  if (service.kind === 'postgres' || service.kind === 'kafka') return [ns];
  return service.mechanisms.some((m) => m.kind === 'velero') ? ['velero'] : ['rook-ceph'];
}

/** The namespaces a Pod- or ServiceMonitor scrapes. */
function scrapedNamespaces(m: KubeObject): string[] {
  const sel = isObject(m.spec.namespaceSelector) ? m.spec.namespaceSelector : undefined;
  const names = asArray(sel?.matchNames).filter((x): x is string => typeof x === 'string');
  return names.length > 0 ? names : m.namespace ? [m.namespace] : [];
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'A tiered service has no alert that fires when its backups fall behind its RPO, or nothing scrapes the metrics that alert reads.',
  why: 'A backup that silently stops is found only when a restore is needed; an alert on the tier’s own RPO, fed by a scraped exporter, finds it while it can still be fixed.',
  controls: ['ISO-8.16', 'NIST-SI-4', 'NIST-CP-9', 'VN-L3'],
  check(stack) {
    const record = backupRecordOf(stack.json);
    if (!record || stack.environment?.layer !== 'services') return [];
    const rules = stack.objectsOf('PrometheusRule', 'monitoring.coreos.com').flatMap((o) =>
      asArray(o.spec.groups).flatMap((g) => (isObject(g) ? asArray(g.rules) : [])).filter(isObject).map((r) => ({ object: o, rule: r })),
    );
    const monitors = [...stack.objectsOf('PodMonitor', 'monitoring.coreos.com'), ...stack.objectsOf('ServiceMonitor', 'monitoring.coreos.com')];
    const scraped = new Set(monitors.flatMap(scrapedNamespaces));
    const out: Evaluation[] = [];
    for (const s of record.services.filter((x) => x.kind !== 'other')) {
      const rpo = record.tiers[s.tier]?.rpo;
      const own = rules.filter(({ rule }) => isObject(rule.labels) && rule.labels.service === s.service && rule.labels.rpo === rpo);
      if (own.length === 0) {
        out.push(fail(undefined, `service ${s.service} (tier ${s.tier}, RPO ${rpo}) has no alert labelled with its RPO in a PrometheusRule of this stack; nothing fires when its backups stop (policy/monitoring/alerts.ts compiles them)`));
        continue;
      }
      const missing = exporterNamespaces(s).filter((ns) => !scraped.has(ns));
      if (missing.length > 0) {
        out.push(fail(own[0]!.object, `service ${s.service}: its alerts (${[...new Set(own.map((x) => x.rule.alert))].join(', ')}) read metrics from namespace ${missing.join(', ')}, which no PodMonitor or ServiceMonitor of this stack scrapes`));
        continue;
      }
      out.push(pass(own[0]!.object, `service ${s.service} (RPO ${rpo}) is watched by ${[...new Set(own.map((x) => x.rule.alert))].join(', ')}, scraped in ${exporterNamespaces(s).join(', ')}`));
    }
    return out;
  },
});
