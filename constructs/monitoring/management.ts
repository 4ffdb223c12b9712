/**
 * Monitoring of a management cluster: the Cluster API controllers, which create, repair and
 * upgrade every workload cluster, and cert-manager, whose certificates their webhooks serve.
 *
 * The management cluster runs its own kube-prometheus-stack (the same pinned chart as the
 * workload clusters, {@link MonitoringStack}) rather than being scraped from a workload cluster's
 * Prometheus: the controllers are what brings a broken workload cluster back, so what watches
 * them must not live on a cluster they manage; and a remote scrape would need each controller's
 * metrics endpoint exposed off the management cluster's pod network, through its node network, to
 * a workload cluster. Alerts go to the environment's own receivers, as on the workload clusters.
 *
 * The chart and its scraping flows go in the management platform stack ({@link
 * managementMonitoringStack}); the monitors and the PrometheusRule are
 * custom resources of the CRDs that chart installs, so they go in the clusters stack, which
 * deploys after it ({@link ManagementMonitors}).
 */
import { Construct } from 'constructs';
import type { BackupRecord } from '../../policy/backup/record';
import type { Environment } from '../../environments';
import { resolveTiers } from '../../policy/backup/tiers';
import { OPERATORS } from '../../lib/versions';
import { CLUSTER_API_PROVIDERS, managementApiServer } from '../cluster/cluster-api-operator';
import { ClusterContext } from '../context';
import { Peer } from '../network/peer';
import { Port } from '../network/port';
import { AlertRules } from './alert-rules';
import { MonitoringStack, certManagerTarget, type ScrapeTarget } from './monitoring-stack';
import { Monitors } from './monitors';

/**
 * Cluster API's diagnostics endpoint: every provider (and the operator) serves its metrics on
 * `--diagnostics-address=:8443` over HTTPS with Kubernetes authentication and authorization
 * (`--insecure-diagnostics=false`), Cluster API's default since v1.6 and the operator chart's
 * `diagnosticsAddress: ":8443"` / `insecureDiagnostics: false`.
 */
export const CAPI_DIAGNOSTICS_PORT = Port.tcp(8443);

/** What a management cluster's Prometheus scrapes: the Cluster API operator and providers, and cert-manager. */
export function managementScrapeTargets(): ScrapeTarget[] {
  const controller = (name: string, namespace: string, selector: Record<string, string>, what: string): ScrapeTarget => ({
    // Named and selected as constructs/cluster/cluster-api-operator.ts names these pods.
    peer: Peer.workload({ name, namespace, zone: 'mgmt', selector }),
    port: CAPI_DIAGNOSTICS_PORT,
    what,
    monitor: 'pod',
    secure: true,
  });
  return [
    controller('capi-operator', OPERATORS.clusterApiOperator.namespace, { 'app.kubernetes.io/name': OPERATORS.clusterApiOperator.chart }, 'the Cluster API operator'),
    ...CLUSTER_API_PROVIDERS.map((p) => controller(p.peerName, p.namespace, { 'cluster.x-k8s.io/provider': p.podLabel }, `the Cluster API ${p.type} provider "${p.name}" ${p.version}`)),
    certManagerTarget(),
  ];
}

/** The namespaces whose controllers the management alerts watch. */
export function clusterApiNamespaces(): string[] {
  return [OPERATORS.clusterApiOperator.namespace, ...CLUSTER_API_PROVIDERS.map((p) => p.namespace)];
}

/** kube-prometheus-stack on the management cluster, with the flows to the controllers it scrapes. */
export function managementMonitoringStack(scope: Construct, id: string, environment: Environment): MonitoringStack {
  return new MonitoringStack(scope, id, {
    config: environment.monitoring,
    targets: managementScrapeTargets(),
    apiServer: managementApiServer(environment),
    // No Ceph here: the management cluster's default StorageClass, as OpenBao's volumes.
    storageClass: null,
  });
}

/**
 * The monitors and the alerts of a management cluster (in its
 * clusters stack, after the platform stack that installs the CRDs).
 */
export class ManagementMonitors extends Construct {
  readonly monitors: Monitors;
  readonly alerts: AlertRules;
  /** Who receives each severity, for `npm run alerts`: the stack records it at `//.alerting`. */
  readonly alerting: { readonly receivers: Readonly<Record<string, string>> };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    this.monitors = new Monitors(this, 'monitors', { targets: managementScrapeTargets() });
    this.alerts = new AlertRules(this, 'alerts');
    const route = stack.environment.monitoring.route;
    this.alerting = { receivers: route ? { critical: route.critical, warning: route.warning } : {} };
  }

  /**
   * Compiles the management cluster's alerts once its backups are prepared (the stack's
   * prepareStack): the controllers', and the RPO alerts of the services its own record holds
   * (OpenBao's Raft snapshots), but not of the workload clusters it declares, whose own
   * Prometheus watches them (stacks/monitoring.ts clusterServices).
   */
  compile(record: BackupRecord | undefined): void {
    const stack = ClusterContext.of(this);
    const env = stack.environment;
    const workload = new Set(env.clusters.flatMap((c) => [c.name, `${c.name}-control-plane`]));
    this.alerts.compile({
      environment: env.name,
      cluster: stack.cluster,
      tiers: record?.tiers ?? resolveTiers(env.backup.tiers),
      services: (record?.services ?? []).filter((s) => !workload.has(s.service.split('/')[2] ?? '')),
      requireDrills: false,
      required: [],
      drills: [],
      namespaceDomains: {},
      postgres: [],
      kafka: [],
      clusterApiNamespaces: clusterApiNamespaces(),
      certManager: true,
    });
  }
}
