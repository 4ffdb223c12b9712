/**
 * The monitoring stack of a workload cluster: kube-prometheus-stack (chart pinned in
 * lib/versions.ts) in the `monitoring` namespace of the mgmt zone, and the network flows that
 * let it scrape through every namespace's default deny.
 *
 * - Prometheus keeps the environment's retention on its own volume (`monitoring.prometheus`)
 *   and picks up every ServiceMonitor, PodMonitor and PrometheusRule of every namespace (the
 *   chart's `*SelectorNilUsesHelmValues: false`, platform-addons.md), so the monitors and the
 *   compiled alerts of the services stack (constructs/monitoring) are seen.
 * - Alertmanager routes by severity to the environment's receivers; every credential is a
 *   Secret mounted into Alertmanager (secret volumes in `alertmanagerSpec.volumes`) and read through `*_file`
 *   settings: no URL or password is ever in the values, the plan or the state.
 * - Grafana's admin credentials come from a Secret; its Prometheus datasource is the chart's.
 * - The node exporter runs on every node, control plane included (it tolerates every zone's
 *   taint), so nodes of every pool are watched.
 * - The control-plane components kubeadm binds to localhost (controller manager, scheduler,
 *   etcd) and kube-proxy (replaced by Cilium) are not scraped: they would be targets always down.
 */
import { Construct } from 'constructs';
import type { AlertReceiverConfig, MonitoringSection } from '../../environments/sections/monitoring';
import { NS, STORAGE_CLASSES } from '../../policy/layout';
import { ClusterContext } from '../context';
import { ZONE_LABEL, Peer, type ExternalPeer, type WorkloadPeer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS, apiServerPeer } from '../network/system';
import { OperatorChart } from '../operator-chart';
import { declarePrerequisite } from '../../lib/markers';
import { OPERATORS } from '../../lib/versions';

/** Where Alertmanager mounts a receiver's Secret (a secret volume, see {@link alertmanagerSecretVolumes}). */
export function alertmanagerSecretPath(secret: string, key: string): string {
  return `/etc/alertmanager/secrets/${secret}/${key}`;
}

/** The Alertmanager configuration of an environment's receivers and route (values `alertmanager.config`). */
export function alertmanagerConfig(m: MonitoringSection): Record<string, unknown> {
  const receiver = (r: AlertReceiverConfig): Record<string, unknown> =>
    r.type === 'webhook'
      ? { name: r.name, webhook_configs: [{ url_file: alertmanagerSecretPath(r.urlSecret.name, r.urlSecret.key), send_resolved: true }] }
      : {
          name: r.name,
          email_configs: [
            { to: r.to.join(', '), from: r.from, smarthost: r.smarthost, auth_username: r.from, auth_password_file: alertmanagerSecretPath(r.passwordSecret.name, r.passwordSecret.key), require_tls: true, send_resolved: true },
          ],
        };
  return {
    global: { resolve_timeout: '5m' },
    route: {
      // Without a route, alerts stay visible in Alertmanager and Grafana only (development).
      receiver: m.route?.warning ?? 'none',
      group_by: ['alertname', 'environment', 'service'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: m.route
        ? [
            { receiver: m.route.critical, matchers: ['severity="critical"'], repeat_interval: '1h' },
            { receiver: m.route.warning, matchers: ['severity="warning"'] },
          ]
        : [],
    },
    receivers: [...(m.route ? [] : [{ name: 'none' }]), ...m.receivers.map(receiver)],
  };
}

/** The Secret of Grafana's admin user and password (keys `admin-user`, `admin-password`). */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';

/** Each Secret the receivers name, with the receivers that read it. */
function receiverSecrets(m: MonitoringSection): Map<string, AlertReceiverConfig[]> {
  const out = new Map<string, AlertReceiverConfig[]>();
  for (const r of m.receivers) {
    const name = r.type === 'webhook' ? r.urlSecret.name : r.passwordSecret.name;
    out.set(name, [...(out.get(name) ?? []), r]);
  }
  return out;
}

/** The Secrets Alertmanager mounts (one per distinct Secret a receiver names). */
export function alertmanagerSecrets(m: MonitoringSection): string[] {
  return [...receiverSecrets(m).keys()].sort();
}

/**
 * The receivers' Secrets as read-only secret volumes mounted where {@link alertmanagerSecretPath}
 * says: the same files `alertmanagerSpec.secrets` would mount, declared by Secret name
 * (`secretName`), so no value of the chart is a list under a key that reads as a secret.
 */
export function alertmanagerSecretVolumes(m: MonitoringSection): { volumes: object[]; volumeMounts: object[] } {
  const secrets = alertmanagerSecrets(m);
  const volume = (i: number) => `receiver-secret-${i}`;
  return {
    volumes: secrets.map((name, i) => ({ name: volume(i), secret: { secretName: name } })),
    volumeMounts: secrets.map((name, i) => ({ name: volume(i), mountPath: alertmanagerSecretPath(name, '').replace(/\/$/, ''), readOnly: true })),
  };
}

/** What Prometheus scrapes outside its namespace, with the port; flows are declared for each. */
export interface ScrapeTarget {
  readonly peer: WorkloadPeer;
  readonly port: Port;
  readonly what: string;
  /** Scraped through a PodMonitor (pods) or a ServiceMonitor (the Service in front of them). */
  readonly monitor: 'pod' | 'service';
  /** The name of the port in the pod or Service; without one a PodMonitor names the port by number. */
  readonly portName?: string;
  /** Pod labels copied onto the series (`cnpg.io/cluster` becomes `cnpg_io_cluster`), which the alerts select on. */
  readonly targetLabels?: readonly string[];
  /**
   * Keep the exporter's own `namespace` and `name` labels (the object a series is about, such as an
   * ExternalSecret) instead of renaming them `exported_*` under the target's. @default false
   */
  readonly honorLabels?: boolean;
  /**
   * Served over HTTPS with Kubernetes authentication and authorization (controller-runtime's secure
   * metrics): scraped with the {@link AUTHENTICATED_SCRAPE_CLASS}, in which Prometheus presents
   * its own service account's token, which its ClusterRole's `get` on `/metrics` authorizes.
   * @default plain HTTP
   */
  readonly secure?: boolean;
}

/**
 * The scrape class of secure metrics endpoints: Prometheus presents its service account's
 * mounted token (a file in its pod: no Secret is declared, nothing reaches the plan or the state).
 * controller-runtime serves these endpoints with a certificate it generates itself, for which
 * there is no CA to pin, so the certificate is not verified; the token is only ever sent to the
 * pods the NetworkPolicies let Prometheus reach.
 */
export const AUTHENTICATED_SCRAPE_CLASS = {
  name: 'kubernetes-authenticated',
  authorization: { type: 'Bearer', credentialsFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
  tlsConfig: { insecureSkipVerify: true },
} as const;

/** The metrics endpoints of the operators and services this estate installs. */
export function scrapeTargets(): ScrapeTarget[] {
  const t = (
    name: string,
    namespace: string,
    zone: 'mgmt' | 'data',
    selector: Record<string, string>,
    port: number,
    what: string,
    monitor: 'pod' | 'service',
    portName: string,
    targetLabels?: readonly string[],
    extra: Pick<ScrapeTarget, 'honorLabels'> = {},
  ): ScrapeTarget => ({
    peer: Peer.workload({ name, namespace, zone, selector }),
    port: Port.tcp(port),
    what,
    monitor,
    portName,
    ...(targetLabels ? { targetLabels } : {}),
    ...extra,
  });
  return [
    t('postgres-instances', NS.postgres, 'data', { 'cnpg.io/podRole': 'instance' }, 9187, 'CloudNativePG instances (and the Barman Cloud plugin metrics they serve)', 'pod', 'metrics', ['cnpg.io/cluster']),
    // Named and selected as the other constructs name these pods (one peer name per set of pods).
    t('cnpg-operator', NS.cnpgSystem, 'mgmt', { 'app.kubernetes.io/name': OPERATORS.cloudnativePg.chart, 'app.kubernetes.io/instance': OPERATORS.cloudnativePg.chart }, 8080, 'the CloudNativePG operator', 'pod', 'metrics'),
    t('kafka-pods', NS.kafka, 'data', { 'strimzi.io/kind': 'Kafka' }, 9404, 'Strimzi Kafka brokers and controllers', 'pod', 'tcp-prometheus', ['strimzi.io/cluster']),
    t('kafka-mirror-maker', NS.kafka, 'data', { 'strimzi.io/kind': 'KafkaMirrorMaker2' }, 9404, 'Strimzi MirrorMaker 2', 'pod', 'tcp-prometheus', ['strimzi.io/cluster']),
    t('strimzi-operator', NS.strimziSystem, 'mgmt', { name: 'strimzi-cluster-operator' }, 8080, 'the Strimzi cluster operator', 'pod', 'http'),
    t('rook-ceph-mgr', NS.rookCluster, 'data', { app: 'rook-ceph-mgr' }, 9283, 'the Ceph manager (Ceph health, OSDs, pools)', 'service', 'http-metrics'),
    t('velero-server', NS.velero, 'mgmt', { 'app.kubernetes.io/name': 'velero' }, 8085, 'the Velero server', 'service', 'http-monitoring'),
    certManagerTarget(),
    // The controller's metrics (chart value metrics.listen.port 8080, container port "metrics"); its
    // series carry the ExternalSecret's own namespace and name, kept (honorLabels) for the alerts.
    t('external-secrets-controller', NS.externalSecrets, 'mgmt', { 'app.kubernetes.io/instance': OPERATORS.externalSecrets.chart, 'app.kubernetes.io/name': 'external-secrets' }, 8080, 'the External Secrets Operator controller (ExternalSecret sync status)', 'pod', 'metrics', undefined, { honorLabels: true }),
  ];
}

/** cert-manager's controller: on every workload cluster and on the management cluster. */
export function certManagerTarget(): ScrapeTarget {
  return {
    peer: Peer.workload({ name: 'cert-manager-controller', namespace: NS.certManager, zone: 'mgmt', selector: { 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/component': 'controller' } }),
    port: Port.tcp(9402),
    what: 'the cert-manager controller',
    monitor: 'service',
    portName: 'tcp-prometheus-servicemonitor',
  };
}

/** Prometheus's pods (the operator labels them). */
export function prometheusPeer(): WorkloadPeer {
  return Peer.workload({ name: 'prometheus', namespace: NS.monitoring, zone: 'mgmt', selector: { 'app.kubernetes.io/name': 'prometheus' } });
}

const MONITORING_NAMESPACE_EXCEPTION = {
  reason:
    'The kube-prometheus-stack release runs the operator, Prometheus, Alertmanager, Grafana, kube-state-metrics and their webhook jobs, each subchart labelled its own way; they talk among themselves (scrapes, alerts, queries) and all read the API server.',
};

export interface MonitoringStackProps {
  readonly config: MonitoringSection;
  /** What Prometheus scrapes outside its namespace (a flow is declared for each). @default {@link scrapeTargets} */
  readonly targets?: readonly ScrapeTarget[];
  /** The cluster's API server. @default the workload cluster's control plane ({@link apiServerPeer}) */
  readonly apiServer?: ExternalPeer;
  /** Prometheus's StorageClass; `null` for the cluster's default class. @default the Ceph block class (STORAGE_CLASSES.block) */
  readonly storageClass?: string | null;
}

/** kube-prometheus-stack with the environment's retention, storage and receivers, and its flows. */
export class MonitoringStack extends Construct {
  readonly chart: OperatorChart;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const m = props.config;
    const targets = props.targets ?? scrapeTargets();
    const storageClass = props.storageClass === undefined ? STORAGE_CLASSES.block : props.storageClass;
    const mgmt = placementFor(this, 'mgmt');
    // Fresh objects at each use: the values are rendered to YAML, where a shared object would become an alias.
    const placement = () => JSON.parse(JSON.stringify({ ...(mgmt.nodeSelector ? { nodeSelector: mgmt.nodeSelector } : {}), ...(mgmt.tolerations ? { tolerations: mgmt.tolerations } : {}) })) as Record<string, unknown>;
    const restricted = () => ({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } });
    this.chart = new OperatorChart(this, 'chart', {
      operator: 'kubePrometheusStack',
      namespace: NS.monitoring,
      values: {
        crds: { enabled: true },
        // The alerts of this estate are compiled from policy (constructs/monitoring/alert-rules.ts);
        // the chart's default rules for Kubernetes itself stay on.
        defaultRules: { create: true },
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        // The admission webhooks' certificate patch Jobs run at install and upgrade: on the mgmt pool too.
        prometheusOperator: { ...placement(), securityContext: restricted(), admissionWebhooks: { patch: placement() } },
        prometheus: {
          prometheusSpec: {
            ...placement(),
            replicas: m.prometheus.replicas,
            retention: m.prometheus.retention,
            securityContext: restricted(),
            storageSpec: {
              volumeClaimTemplate: { spec: { ...(storageClass ? { storageClassName: storageClass } : {}), accessModes: ['ReadWriteOnce'], resources: { requests: { storage: m.prometheus.storage } } } },
            },
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            scrapeConfigSelectorNilUsesHelmValues: false,
            serviceMonitorNamespaceSelector: {},
            podMonitorNamespaceSelector: {},
            ruleNamespaceSelector: {},
            externalLabels: { environment: stack.environment.name, cluster: stack.cluster },
            ...(targets.some((t) => t.secure) ? { scrapeClasses: [JSON.parse(JSON.stringify(AUTHENTICATED_SCRAPE_CLASS))] } : {}),
          },
        },
        alertmanager: {
          config: alertmanagerConfig(m),
          alertmanagerSpec: { ...placement(), ...alertmanagerSecretVolumes(m), securityContext: restricted() },
        },
        grafana: {
          ...placement(),
          admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
          persistence: { enabled: false },
        },
        'kube-state-metrics': { ...placement() },
        // Every node, of every pool and the control plane: the exporter tolerates every taint of a zone and the control plane's.
        'prometheus-node-exporter': {
          tolerations: [
            { key: ZONE_LABEL, operator: 'Exists', effect: 'NoSchedule' },
            { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
          ],
        },
      },
    });

    // What the release reads that no stack produces: made by the secret-management process
    // before this stack is applied, and listed by `npm run prereqs`.
    declarePrerequisite(this.chart.release, {
      kind: 'secret',
      name: GRAFANA_ADMIN_SECRET,
      namespace: NS.monitoring,
      providedBy: 'secret-management',
      purpose: "Grafana's admin user and password (the chart's grafana.admin.existingSecret): Grafana's Deployment does not start without it, so the release would not install.",
      keys: ['admin-user', 'admin-password'],
      rotation: 'Replaced in place by the secret-management team (yearly, and when a holder leaves), then Grafana is restarted: it keeps no database (persistence off) and creates its admin from the Secret at each start.',
    });
    for (const [name, receivers] of receiverSecrets(m)) {
      declarePrerequisite(this.chart.release, {
        kind: 'secret',
        name,
        namespace: NS.monitoring,
        providedBy: 'secret-management',
        purpose: `Alertmanager's credentials for receiver ${receivers.map((r) => `${r.name} (${r.type === 'webhook' ? "the webhook URL, which carries the on-call service's token" : 'the mail relay password'})`).join(', ')}, mounted read-only and read through ${[...new Set(receivers.map((r) => (r.type === 'webhook' ? 'url_file' : 'auth_password_file')))].join(' and ')}; until it exists Alertmanager does not start and no alert is sent.`,
        keys: [...new Set(receivers.map((r) => (r.type === 'webhook' ? r.urlSecret.key : r.passwordSecret.key)))].sort(),
        rotation: 'The on-call service (webhook) or the mail team (relay) issues the new credential; the secret-management team replaces the Secret in place and the kubelet refreshes the mounted file, then the old credential is revoked.',
      });
    }

    // Flows: default deny holds everywhere; each path the stack needs is declared.
    const segmentation = Segmentation.of(this);
    const apiServer = props.apiServer ?? apiServerPeer(this);
    const release = Peer.namespace({ namespace: NS.monitoring, zone: 'mgmt', exception: MONITORING_NAMESPACE_EXCEPTION });
    const prometheus = prometheusPeer();
    segmentation.allow(release, apiServer, { ports: API_SERVER_PORTS, description: 'the operator, Prometheus (service discovery), kube-state-metrics and Grafana read the API server', declaredBy: this });
    segmentation.allow(apiServer, release, { ports: [Port.tcp(10250)], description: "the API server calls the Prometheus Operator's admission webhook (PrometheusRule validation)", declaredBy: this });
    segmentation.allow(release, release, {
      ports: [Port.tcp(9090), Port.tcp(9093), Port.tcp(9094), Port.tcp(8080), Port.tcp(8081), Port.tcp(10250), Port.tcp(3000), Port.tcp(9100)],
      description: 'Prometheus scrapes the release (Alertmanager, operator, kube-state-metrics, Grafana) and sends alerts to Alertmanager; Grafana queries Prometheus',
      declaredBy: this,
    });
    segmentation.allow(prometheus, apiServer, { ports: [Port.tcp(10250), Port.tcp(9100)], description: 'Prometheus scrapes the kubelets (cAdvisor) and the node exporters on the node network', declaredBy: this });
    for (const target of targets) {
      segmentation.allow(prometheus, target.peer, { ports: [target.port], description: `Prometheus scrapes ${target.what}`, declaredBy: this });
    }
    const alertmanager = Peer.workload({ name: 'alertmanager', namespace: NS.monitoring, zone: 'mgmt', selector: { 'app.kubernetes.io/name': 'alertmanager' } });
    for (const r of m.receivers) {
      const port = r.type === 'webhook' ? 443 : Number(r.smarthost.split(':')[1]);
      segmentation.allow(alertmanager, Peer.external({ name: `receiver-${r.name}`, cidr: r.cidr }), { ports: [Port.tcp(port)], description: `Alertmanager notifies receiver ${r.name} (${r.type})`, declaredBy: this });
    }
  }
}
