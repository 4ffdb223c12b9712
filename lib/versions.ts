/**
 * The single source of truth for what the estate installs: each operator's Helm chart
 * (repository, name, version), the application version it runs, and the CRD API versions its
 * custom resources are written against. Constructs read chart versions from here; the schema
 * validator reads `crdSource` to find the CRD files for exactly these versions.
 *
 * Facts from ../shared/reference/operators.md (section 0 and a-f). Re-check every pin before
 * production: that research stops around August 2026.
 */

export interface OperatorRelease {
  /** Helm repository URL (classic) or OCI registry prefix. */
  readonly repository: string;
  readonly chart: string;
  readonly chartVersion: string;
  readonly appVersion: string;
  /** The namespace the chart is installed into. */
  readonly namespace: string;
  /** apiVersions of the custom resources this project writes for this operator. */
  readonly apiVersions: readonly string[];
  /**
   * Where the CRD files live, relative to the CRD root (`<project>/<version>`), as in
   * ../shared/crds. Undefined when the project writes no custom resource of this operator.
   */
  readonly crdSource?: { readonly project: string; readonly version: string; readonly upstream: string; readonly tag: string };
}

export const OPERATORS = {
  certManager: {
    repository: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    chartVersion: 'v1.21.1',
    appVersion: 'v1.21.1',
    namespace: 'cert-manager',
    apiVersions: ['cert-manager.io/v1'],
    crdSource: { project: 'cert-manager', version: 'v1.21.1', upstream: 'cert-manager/cert-manager', tag: 'v1.21.1' },
  },
  cloudnativePg: {
    repository: 'https://cloudnative-pg.github.io/charts',
    chart: 'cloudnative-pg',
    chartVersion: '0.29.0',
    appVersion: '1.30.0',
    namespace: 'cnpg-system',
    apiVersions: ['postgresql.cnpg.io/v1'],
    crdSource: { project: 'cloudnative-pg', version: 'v1.30.0', upstream: 'cloudnative-pg/cloudnative-pg', tag: 'v1.30.0' },
  },
  barmanCloudPlugin: {
    repository: 'https://cloudnative-pg.github.io/charts',
    chart: 'plugin-barman-cloud',
    chartVersion: '0.7.0',
    appVersion: 'v0.13.0',
    // The plugin must be installed in the operator's namespace.
    namespace: 'cnpg-system',
    apiVersions: ['barmancloud.cnpg.io/v1'],
    // The CRD of v0.13.0 (the chart's appVersion) is byte-identical to v0.14.0's (MANIFEST.md).
    crdSource: { project: 'plugin-barman-cloud', version: 'v0.14.0', upstream: 'cloudnative-pg/plugin-barman-cloud', tag: 'v0.14.0' },
  },
  strimzi: {
    repository: 'https://strimzi.io/charts/',
    chart: 'strimzi-kafka-operator',
    chartVersion: '1.2.0',
    appVersion: '1.2.0',
    namespace: 'strimzi-system',
    apiVersions: ['kafka.strimzi.io/v1'],
    crdSource: { project: 'strimzi', version: '1.2.0', upstream: 'strimzi/strimzi-kafka-operator', tag: '1.2.0' },
  },
  rookCeph: {
    repository: 'https://charts.rook.io/release',
    chart: 'rook-ceph',
    chartVersion: 'v1.20.6',
    appVersion: 'v1.20.6',
    namespace: 'rook-ceph',
    apiVersions: ['ceph.rook.io/v1', 'objectbucket.io/v1alpha1'],
    crdSource: { project: 'rook-ceph', version: 'v1.20.6', upstream: 'rook/rook', tag: 'v1.20.6' },
  },
  rookCephCluster: {
    repository: 'https://charts.rook.io/release',
    chart: 'rook-ceph-cluster',
    chartVersion: 'v1.20.6',
    appVersion: 'v1.20.6',
    namespace: 'rook-ceph',
    apiVersions: [],
  },
  cephCsiDrivers: {
    repository: 'https://ceph.github.io/ceph-csi-operator',
    chart: 'ceph-csi-drivers',
    // Rook's docs do not pin it; the rook-ceph chart depends on ceph-csi-operator 1.0.4.
    chartVersion: '1.0.4',
    appVersion: '1.0.4',
    namespace: 'rook-ceph',
    apiVersions: [],
  },
  velero: {
    repository: 'https://vmware-tanzu.github.io/helm-charts',
    chart: 'velero',
    chartVersion: '12.1.0',
    appVersion: '1.18.1',
    namespace: 'velero',
    apiVersions: ['velero.io/v1'],
    crdSource: { project: 'velero', version: 'v1.18.1', upstream: 'vmware-tanzu/velero', tag: 'v1.18.1' },
  },
  clusterApiOperator: {
    repository: 'https://kubernetes-sigs.github.io/cluster-api-operator',
    chart: 'cluster-api-operator',
    chartVersion: '0.28.0',
    appVersion: '0.28.0',
    namespace: 'capi-operator-system',
    apiVersions: ['operator.cluster.x-k8s.io/v1alpha2'],
    crdSource: { project: 'cluster-api-operator', version: 'v0.28.0', upstream: 'kubernetes-sigs/cluster-api-operator', tag: 'v0.28.0' },
  },
  clusterApi: {
    // Installed by the cluster-api-operator (CoreProvider, BootstrapProvider, ControlPlaneProvider);
    // v1.13.5 is the release CAPV v1.16 is CI-tested against.
    repository: 'https://github.com/kubernetes-sigs/cluster-api/releases',
    chart: '(installed by cluster-api-operator)',
    chartVersion: 'v1.13.5',
    appVersion: 'v1.13.5',
    namespace: 'capi-system',
    apiVersions: ['cluster.x-k8s.io/v1beta2', 'controlplane.cluster.x-k8s.io/v1beta2', 'bootstrap.cluster.x-k8s.io/v1beta2'],
    crdSource: { project: 'cluster-api', version: 'v1.13.5', upstream: 'kubernetes-sigs/cluster-api', tag: 'v1.13.5' },
  },
  capv: {
    repository: 'https://github.com/kubernetes-sigs/cluster-api-provider-vsphere/releases',
    chart: '(installed by cluster-api-operator)',
    chartVersion: 'v1.16.1',
    appVersion: 'v1.16.1',
    namespace: 'capv-system',
    apiVersions: ['infrastructure.cluster.x-k8s.io/v1beta2'],
    crdSource: {
      project: 'cluster-api-provider-vsphere',
      version: 'v1.16.1',
      upstream: 'kubernetes-sigs/cluster-api-provider-vsphere',
      tag: 'v1.16.1',
    },
  },
} as const satisfies Record<string, OperatorRelease>;

export type OperatorName = keyof typeof OPERATORS;
