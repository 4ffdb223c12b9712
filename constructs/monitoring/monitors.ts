/**
 * The ServiceMonitors and PodMonitors of a workload cluster: one per metrics endpoint of the
 * operators and services this estate installs ({@link scrapeTargets}, the same list the
 * monitoring stack declares its scraping flows from), all in the monitoring namespace and
 * selecting their target's namespace. Custom resources: they belong in the services stack.
 */
import { Construct } from 'constructs';
import { NS } from '../../policy/layout';
import { CustomResource } from '../k8s-object';
import { AUTHENTICATED_SCRAPE_CLASS, scrapeTargets, type ScrapeTarget } from './monitoring-stack';

const LABELS = { 'app.kubernetes.io/managed-by': 'moit-datacentre', 'app.kubernetes.io/part-of': 'moit-monitoring' };

/** The endpoint settings beyond port and interval: honoured labels, HTTPS for a secure endpoint (its token and TLS settings are the scrape class's). */
function endpointExtras(t: ScrapeTarget): Record<string, unknown> {
  return { ...(t.honorLabels ? { honorLabels: true } : {}), ...(t.secure ? { scheme: 'https' } : {}) };
}

/** The monitor-level settings: the scrape class of a secure endpoint. */
function specExtras(t: ScrapeTarget): Record<string, unknown> {
  return t.secure ? { scrapeClass: AUTHENTICATED_SCRAPE_CLASS.name } : {};
}

/** The monitor object of a scrape target. */
export function monitorObject(t: ScrapeTarget) {
  const selector = { matchLabels: { ...t.peer.selector } };
  const namespaceSelector = { matchNames: [t.peer.namespace] };
  const metadata = { name: t.peer.name, namespace: NS.monitoring, labels: { ...LABELS }, annotations: { 'moit.gov.vn/purpose': `Scrapes ${t.what} (namespace ${t.peer.namespace}, port ${t.port.port}).` } };
  return t.monitor === 'pod'
    ? {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata,
        spec: { ...specExtras(t), selector, namespaceSelector, podMetricsEndpoints: [{ ...(t.portName ? { port: t.portName } : { portNumber: t.port.port }), interval: '30s', ...endpointExtras(t) }], ...(t.targetLabels ? { podTargetLabels: [...t.targetLabels] } : {}) },
      }
    : {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata,
        spec: { ...specExtras(t), selector, namespaceSelector, endpoints: [{ port: t.portName ?? String(t.port.port), interval: '30s', ...endpointExtras(t) }], ...(t.targetLabels ? { podTargetLabels: [...t.targetLabels] } : {}) },
      };
}

/** Every monitor of the cluster. */
export class Monitors extends Construct {
  readonly monitors: readonly CustomResource[];

  constructor(scope: Construct, id: string, props: { readonly targets?: readonly ScrapeTarget[] } = {}) {
    super(scope, id);
    this.monitors = (props.targets ?? scrapeTargets()).map((t) => new CustomResource(this, t.peer.name, { object: monitorObject(t) }));
  }
}
