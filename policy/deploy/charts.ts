/**
 * What the deployability check knows about each pinned chart (lib/versions.ts and the platform
 * add-ons of ../shared/reference/platform-addons.md): which values keys carry each workload's
 * scheduling (tolerations, nodeSelector, affinity), which keys hold free-form maps, and the
 * few keys a template reads although values.yaml does not list them.
 *
 * Sources: the pinned values.yaml (line numbers at the pinned version) and the chart's templates
 * named per entry (read through the stored GitHub index).
 */

/** One workload a chart runs and where its scheduling comes from in the values. */
export interface ChartComponent {
  readonly name: string;
  /** Values paths, dotted. */
  readonly tolerations: string;
  readonly nodeSelector?: string;
  readonly affinity?: string;
  /** Where the affinity comes from when `affinity` is unset (a defaults block the template merges). @default none */
  readonly affinityDefault?: string;
  /**
   * `every`: a DaemonSet that must run on every node (a CSI node plugin, a CNI agent, a backup
   * node agent); `any`: a Deployment or Job that needs at least one node it can use.
   */
  readonly runsOn: 'any' | 'every';
  /** The component runs only when this values path is true. @default always */
  readonly enabledBy?: string;
  /** The chart's default of `enabledBy`, used when values.yaml is not available. @default false */
  readonly enabledDefault?: boolean;
  /** Why its scheduling comes from where it does, added to findings. @default none */
  readonly note?: string;
  /** Its default when values.yaml is not available (CHART_VALUES_DIR unset). @default no tolerations, no selector */
  readonly fallback?: { readonly tolerations?: readonly Record<string, string>[]; readonly nodeSelector?: Readonly<Record<string, string>> };
}

/** A key a template reads that the pinned values.yaml does not declare, with where it is read. */
export interface AllowedKey {
  readonly path: string;
  readonly citation: string;
}

export interface ChartFacts {
  readonly components: readonly ChartComponent[];
  /** Values paths below which any key is allowed (passed through to an object spec or a map). */
  readonly freeForm: readonly string[];
  readonly allow: readonly AllowedKey[];
}

const CONTROL_PLANE_TOLERATIONS = [
  { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.cloudprovider.kubernetes.io/uninitialized', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
];

const CSI_DRIVER_TOLERATIONS =
  "the chart writes each driver's own tolerations (an empty list by default) into its Driver CR, and ceph-csi-operator fills only unset fields from operatorConfig.driverSpecDefaults, so tolerations set there do not reach the driver's pods";

/** Keyed by chart name; the version is the pinned one (the values files are per version). */
export const CHARTS: Readonly<Record<string, ChartFacts>> = {
  // values.yaml: nodeSelector l.510 (default kubernetes.io/os: linux), affinity l.594, tolerations l.611;
  // webhook l.969-1001, cainjector l.1361-1393, startupapicheck l.1619-1650 (templates/deployment.yaml,
  // webhook-deployment.yaml, cainjector-deployment.yaml, startupapicheck-job.yaml). No global tolerations.
  'cert-manager': {
    components: [
      { name: 'controller', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' },
      { name: 'webhook', tolerations: 'webhook.tolerations', nodeSelector: 'webhook.nodeSelector', affinity: 'webhook.affinity', runsOn: 'any' },
      { name: 'cainjector', tolerations: 'cainjector.tolerations', nodeSelector: 'cainjector.nodeSelector', affinity: 'cainjector.affinity', runsOn: 'any', enabledBy: 'cainjector.enabled', enabledDefault: true },
      { name: 'startupapicheck', tolerations: 'startupapicheck.tolerations', nodeSelector: 'startupapicheck.nodeSelector', affinity: 'startupapicheck.affinity', runsOn: 'any', enabledBy: 'startupapicheck.enabled', enabledDefault: true },
    ],
    freeForm: [],
    allow: [],
  },
  // values.yaml l.171 nodeSelector, l.177 tolerations, l.180 affinity (templates/deployment.yaml).
  'cloudnative-pg': {
    components: [{ name: 'operator', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' }],
    freeForm: ['config.data'],
    allow: [],
  },
  // values.yaml l.167 nodeSelector, l.179 tolerations, l.185 affinity (templates/deployment.yaml).
  'plugin-barman-cloud': {
    components: [{ name: 'plugin', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' }],
    freeForm: [],
    allow: [],
  },
  // values.yaml l.38 tolerations, l.40 affinity, l.43 nodeSelector (templates/060-Deployment-strimzi-cluster-operator.yaml).
  'strimzi-kafka-operator': {
    components: [{ name: 'cluster-operator', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' }],
    freeForm: [],
    allow: [],
  },
  // values.yaml l.32 nodeSelector, l.38 tolerations (templates/deployment.yaml); the CSI operator is the
  // subchart ceph-csi-operator 1.0.4 (values.yaml l.52 nodeSelector, l.56 tolerations, under key
  // `ceph-csi-operator.controllerManager`, rook-ceph values.yaml l.86).
  'rook-ceph': {
    components: [
      { name: 'operator', tolerations: 'tolerations', nodeSelector: 'nodeSelector', runsOn: 'any' },
      { name: 'csi-operator', tolerations: 'ceph-csi-operator.controllerManager.tolerations', nodeSelector: 'ceph-csi-operator.controllerManager.nodeSelector', runsOn: 'any' },
    ],
    // `ceph-csi-operator` is a subchart: its keys are in its own values.yaml.
    freeForm: ['ceph-csi-operator'],
    allow: [],
  },
  // The chart's CephCluster, CephBlockPool and CephObjectStore specs are passed through verbatim and
  // checked against the CRD schemas by `npm run validate` (templates/cephcluster.yaml etc.).
  'rook-ceph-cluster': {
    components: [],
    freeForm: ['cephClusterSpec', 'cephBlockPools[].spec', 'cephBlockPools[].storageClass.parameters', 'cephObjectStores[].spec', 'cephObjectStores[].storageClass.parameters', 'cephFileSystems[].spec'],
    allow: [],
  },
  // ceph-csi-drivers 1.0.4: templates render only `affinity` and `tolerations` for each plugin
  // (templates/operatorConfig.yaml, templates/driver.yaml): there is no `nodeAffinity` key.
  // driver.yaml writes each driver's `tolerations` (an empty list by default) into its Driver CR,
  // and ceph-csi-operator's mergeDriverSpecs copies the defaults only into a nil list
  // (internal/controller/driver_controller.go): tolerations must be set per driver.
  'ceph-csi-drivers': {
    components: ['rbd', 'cephfs', 'nfs', 'nvmeof'].flatMap((d): ChartComponent[] => [
      { name: `${d} node plugin`, tolerations: `drivers.${d}.nodePlugin.tolerations`, affinity: `drivers.${d}.nodePlugin.affinity`, affinityDefault: 'operatorConfig.driverSpecDefaults.nodePlugin.affinity', runsOn: 'every', enabledBy: `drivers.${d}.enabled`, enabledDefault: d !== 'nfs', note: CSI_DRIVER_TOLERATIONS },
      { name: `${d} controller plugin`, tolerations: `drivers.${d}.controllerPlugin.tolerations`, affinity: `drivers.${d}.controllerPlugin.affinity`, affinityDefault: 'operatorConfig.driverSpecDefaults.controllerPlugin.affinity', runsOn: 'any', enabledBy: `drivers.${d}.enabled`, enabledDefault: d !== 'nfs', note: CSI_DRIVER_TOLERATIONS },
    ]),
    freeForm: [],
    allow: [
      {
        path: 'operatorConfig.driverSpecDefaults.controllerPlugin.priorityClassName',
        citation: 'ceph/ceph-csi-operator deploy/charts/ceph-csi-drivers/templates/operatorConfig.yaml @0c6862cd: `{{- if $config.driverSpecDefaults.controllerPlugin.priorityClassName }}`',
      },
      // values.yaml gives the drivers' controller plugins no affinity key, but driver.yaml renders one into
      // the Driver's spec.controllerPlugin.affinity (read in the chart both before and after 1.0.4).
      ...['rbd', 'cephfs', 'nfs', 'nvmeof'].map((d) => ({
        path: `drivers.${d}.controllerPlugin.affinity`,
        citation:
          'ceph/ceph-csi-operator deploy/charts/ceph-csi-drivers/templates/driver.yaml @814d4797 and @1f328ae2 (either side of v1.0.4): `affinity: {{ $driver.controllerPlugin.affinity | toYaml | nindent 8 }}`',
      })),
    ],
  },
  // values.yaml l.191 tolerations, l.194 affinity, l.197 nodeSelector; node agent l.698, l.764, l.767
  // (templates/deployment.yaml, templates/node-agent-daemonset.yaml).
  velero: {
    components: [
      { name: 'server', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' },
      { name: 'node-agent', tolerations: 'nodeAgent.tolerations', nodeSelector: 'nodeAgent.nodeSelector', affinity: 'nodeAgent.affinity', runsOn: 'every', enabledBy: 'deployNodeAgent' },
    ],
    freeForm: ['configuration.backupStorageLocation[].config', 'configuration.volumeSnapshotLocation[].config', 'schedules', 'initContainers'],
    allow: [],
  },
  // values.yaml l.151 affinity, l.166 tolerations (control-plane and master); no nodeSelector key.
  // Provider deployments: `<kind>.<name>.deployment.{nodeSelector,tolerations,affinity}` (values comments).
  'cluster-api-operator': {
    components: [{ name: 'operator', tolerations: 'tolerations', affinity: 'affinity', runsOn: 'any', fallback: { tolerations: CONTROL_PLANE_TOLERATIONS.slice(0, 1) } }],
    freeForm: ['core', 'bootstrap', 'controlPlane', 'infrastructure', 'addon', 'ipam', 'fetchConfig'],
    allow: [
      {
        path: 'securityContext',
        citation: 'kubernetes-sigs/cluster-api-operator hack/charts/cluster-api-operator/templates/deployment.yaml @1b35d3b7 (stored commit; the v0.28.0 copy is not in the index): `{{- with .Values.securityContext }}` on the pod spec',
      },
    ],
  },
  // values.yaml l.43-47 controller, l.135-139 webhook (templates/deployment_controller.yaml).
  'snapshot-controller': {
    components: [
      { name: 'controller', tolerations: 'controller.tolerations', nodeSelector: 'controller.nodeSelector', affinity: 'controller.affinity', runsOn: 'any' },
      { name: 'webhook', tolerations: 'webhook.tolerations', nodeSelector: 'webhook.nodeSelector', affinity: 'webhook.affinity', runsOn: 'any', enabledBy: 'webhook.enabled' },
    ],
    freeForm: [],
    allow: [],
  },
  // values.yaml l.439 nodeSelector, l.441 tolerations, l.445 affinity (templates/deployment.yaml);
  // webhook l.563, l.615, l.619 (webhook-deployment.yaml); certController l.800, l.805, l.809
  // (cert-controller-deployment.yaml). Global tolerations (l.2-4) are not used: each is placed itself.
  'external-secrets': {
    components: [
      { name: 'controller', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' },
      { name: 'webhook', tolerations: 'webhook.tolerations', nodeSelector: 'webhook.nodeSelector', affinity: 'webhook.affinity', runsOn: 'any', enabledBy: 'webhook.create', enabledDefault: true },
      { name: 'cert-controller', tolerations: 'certController.tolerations', nodeSelector: 'certController.nodeSelector', affinity: 'certController.affinity', runsOn: 'any', enabledBy: 'certController.create', enabledDefault: true },
    ],
    freeForm: [],
    allow: [],
  },
  // values.yaml l.752 server.tolerations, l.759 server.nodeSelector (templates/server-statefulset.yaml);
  // server.affinity (l.733) is a templated string, not followed here.
  openbao: {
    components: [{ name: 'server', tolerations: 'server.tolerations', nodeSelector: 'server.nodeSelector', runsOn: 'any' }],
    freeForm: ['server.extraEnvironmentVars'],
    allow: [],
  },
  // values.yaml l.241 nodeSelector, l.255 affinity, l.264 tolerations (templates/deployment.yaml).
  'trust-manager': {
    components: [{ name: 'controller', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' }],
    freeForm: [],
    allow: [],
  },
  // charts/vsphere-cpi values.yaml `daemonset.tolerations` (uninitialized, control-plane, not-ready) and
  // `daemonset.affinity`; templates/daemonset.yaml.
  'vsphere-cpi': {
    components: [{ name: 'cloud-controller-manager', tolerations: 'daemonset.tolerations', nodeSelector: 'daemonset.nodeSelector', affinity: 'daemonset.affinity', runsOn: 'any', fallback: { tolerations: CONTROL_PLANE_TOLERATIONS } }],
    freeForm: [],
    allow: [],
  },
  // values.yaml l.281-282 agent tolerations [{operator: Exists}] (every taint), nodeSelector kubernetes.io/os;
  // operator.tolerations: control-plane, master, not-ready, uninitialized.
  cilium: {
    components: [
      { name: 'agent', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'every', fallback: { tolerations: [{ operator: 'Exists' }], nodeSelector: { 'kubernetes.io/os': 'linux' } } },
      { name: 'operator', tolerations: 'operator.tolerations', nodeSelector: 'operator.nodeSelector', affinity: 'operator.affinity', runsOn: 'any', fallback: { tolerations: CONTROL_PLANE_TOLERATIONS } },
    ],
    freeForm: [],
    allow: [],
  },
  // values.yaml 88.5.3: prometheusOperator.{nodeSelector,tolerations,affinity}; the admission webhooks'
  // certificate patch Jobs prometheusOperator.admissionWebhooks.patch.* (enabled by default) and their
  // optional Deployment .deployment.* (off by default); prometheus.prometheusSpec.*, alertmanager.alertmanagerSpec.*,
  // crds.upgradeJob.* (off by default). grafana, kube-state-metrics and prometheus-node-exporter are subcharts
  // (Chart.yaml dependencies): the parent values.yaml lists only some of their keys, the rest pass through.
  'kube-prometheus-stack': {
    components: [
      { name: 'operator', tolerations: 'prometheusOperator.tolerations', nodeSelector: 'prometheusOperator.nodeSelector', affinity: 'prometheusOperator.affinity', runsOn: 'any' },
      {
        name: 'admission webhook patch jobs',
        tolerations: 'prometheusOperator.admissionWebhooks.patch.tolerations',
        nodeSelector: 'prometheusOperator.admissionWebhooks.patch.nodeSelector',
        affinity: 'prometheusOperator.admissionWebhooks.patch.affinity',
        runsOn: 'any',
        enabledBy: 'prometheusOperator.admissionWebhooks.patch.enabled',
        enabledDefault: true,
      },
      {
        name: 'admission webhook',
        tolerations: 'prometheusOperator.admissionWebhooks.deployment.tolerations',
        nodeSelector: 'prometheusOperator.admissionWebhooks.deployment.nodeSelector',
        affinity: 'prometheusOperator.admissionWebhooks.deployment.affinity',
        runsOn: 'any',
        enabledBy: 'prometheusOperator.admissionWebhooks.deployment.enabled',
      },
      { name: 'prometheus', tolerations: 'prometheus.prometheusSpec.tolerations', nodeSelector: 'prometheus.prometheusSpec.nodeSelector', affinity: 'prometheus.prometheusSpec.affinity', runsOn: 'any' },
      { name: 'alertmanager', tolerations: 'alertmanager.alertmanagerSpec.tolerations', nodeSelector: 'alertmanager.alertmanagerSpec.nodeSelector', affinity: 'alertmanager.alertmanagerSpec.affinity', runsOn: 'any', enabledBy: 'alertmanager.enabled', enabledDefault: true },
      { name: 'grafana', tolerations: 'grafana.tolerations', nodeSelector: 'grafana.nodeSelector', affinity: 'grafana.affinity', runsOn: 'any', enabledBy: 'grafana.enabled', enabledDefault: true },
      { name: 'kube-state-metrics', tolerations: 'kube-state-metrics.tolerations', nodeSelector: 'kube-state-metrics.nodeSelector', affinity: 'kube-state-metrics.affinity', runsOn: 'any', enabledBy: 'kubeStateMetrics.enabled', enabledDefault: true },
      { name: 'node exporter', tolerations: 'prometheus-node-exporter.tolerations', nodeSelector: 'prometheus-node-exporter.nodeSelector', affinity: 'prometheus-node-exporter.affinity', runsOn: 'every', enabledBy: 'nodeExporter.enabled', enabledDefault: true },
      { name: 'CRD upgrade job', tolerations: 'crds.upgradeJob.tolerations', nodeSelector: 'crds.upgradeJob.nodeSelector', affinity: 'crds.upgradeJob.affinity', runsOn: 'any', enabledBy: 'crds.upgradeJob.enabled' },
    ],
    freeForm: ['grafana', 'kube-state-metrics', 'prometheus-node-exporter', 'prometheus-windows-exporter', 'alertmanager.config', 'additionalPrometheusRulesMap'],
    allow: [],
  },
  // values.yaml 0.58.1: kind DaemonSet; nodeSelector, tolerations, affinity at the top level (templates/daemonset.yaml).
  // The estate's release ships the API servers' audit logs, so it runs on the control-plane nodes only (its nodeSelector).
  'fluent-bit': {
    components: [{ name: 'daemonset', tolerations: 'tolerations', nodeSelector: 'nodeSelector', affinity: 'affinity', runsOn: 'any' }],
    freeForm: ['config'],
    allow: [],
  },
};

/** The keys whose value is a map of the user's own keys anywhere in a chart's values. */
export const FREE_FORM_KEYS = new Set([
  'podAnnotations',
  'podLabels',
  'annotations',
  'labels',
  'nodeSelector',
  'affinity',
  'tolerations',
  'resources',
  'securityContext',
  'podSecurityContext',
  'containerSecurityContext',
  'extraEnvs',
  'extraEnv',
  'env',
  'topologySpreadConstraints',
  'commonLabels',
  'serviceAnnotations',
]);
