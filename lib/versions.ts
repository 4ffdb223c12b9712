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
   * `files` says where each comes from in `upstream` (GitHub owner/name) at `tag`, for
   * `npm run schemas:fetch` (from ../shared/crds/MANIFEST.md).
   */
  readonly crdSource?: {
    readonly project: string;
    readonly version: string;
    readonly upstream: string;
    readonly tag: string;
    readonly files?: readonly CrdFileSource[];
  };
}

/** One CRD file of a `crdSource` and where it comes from upstream. */
export interface CrdFileSource {
  /** The file name under `<CRD root>/<project>/<version>/`: `<plural>.<group>.yaml`. */
  readonly file: string;
  /** Its path in the upstream repository at the tag. */
  readonly path: string;
  /** When `path` holds many CRDs (Rook's crds.yaml): the metadata.name of the one to take. */
  readonly document?: string;
  /** First 16 hex digits of the sha256 of the file as written (MANIFEST.md): a moved tag fails the fetch. */
  readonly sha256: string;
}

export const OPERATORS = {
  certManager: {
    repository: 'https://charts.jetstack.io',
    chart: 'cert-manager',
    chartVersion: 'v1.21.1',
    appVersion: 'v1.21.1',
    namespace: 'cert-manager',
    apiVersions: ['cert-manager.io/v1'],
    crdSource: {
      project: 'cert-manager',
      version: 'v1.21.1',
      upstream: 'cert-manager/cert-manager',
      tag: 'v1.21.1',
      files: [
        { file: 'certificates.cert-manager.io.yaml', path: 'deploy/crds/cert-manager.io_certificates.yaml', sha256: '7ad91029c00ec959' },
        { file: 'clusterissuers.cert-manager.io.yaml', path: 'deploy/crds/cert-manager.io_clusterissuers.yaml', sha256: '30008001b78aafb8' },
        { file: 'issuers.cert-manager.io.yaml', path: 'deploy/crds/cert-manager.io_issuers.yaml', sha256: '05e37efb02777e03' },
      ],
    },
  },
  cloudnativePg: {
    repository: 'https://cloudnative-pg.github.io/charts',
    chart: 'cloudnative-pg',
    chartVersion: '0.29.0',
    appVersion: '1.30.0',
    namespace: 'cnpg-system',
    apiVersions: ['postgresql.cnpg.io/v1'],
    crdSource: {
      project: 'cloudnative-pg',
      version: 'v1.30.0',
      upstream: 'cloudnative-pg/cloudnative-pg',
      tag: 'v1.30.0',
      files: [
        { file: 'backups.postgresql.cnpg.io.yaml', path: 'config/crd/bases/postgresql.cnpg.io_backups.yaml', sha256: '694bafce2eda4603' },
        { file: 'clusters.postgresql.cnpg.io.yaml', path: 'config/crd/bases/postgresql.cnpg.io_clusters.yaml', sha256: 'ae47f4a00f6e998f' },
        { file: 'poolers.postgresql.cnpg.io.yaml', path: 'config/crd/bases/postgresql.cnpg.io_poolers.yaml', sha256: '9e0dad05355f72dc' },
        { file: 'scheduledbackups.postgresql.cnpg.io.yaml', path: 'config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml', sha256: '1dffb969a92ed6b0' },
        { file: 'databases.postgresql.cnpg.io.yaml', path: 'config/crd/bases/postgresql.cnpg.io_databases.yaml', sha256: '53f7dfca6d23eb70' },
        { file: 'databaseroles.postgresql.cnpg.io.yaml', path: 'config/crd/bases/postgresql.cnpg.io_databaseroles.yaml', sha256: 'bbe900fb057c5ea2' },
      ],
    },
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
    crdSource: {
      project: 'plugin-barman-cloud',
      version: 'v0.14.0',
      upstream: 'cloudnative-pg/plugin-barman-cloud',
      tag: 'v0.14.0',
      files: [
        { file: 'objectstores.barmancloud.cnpg.io.yaml', path: 'config/crd/bases/barmancloud.cnpg.io_objectstores.yaml', sha256: '7c98720494253421' },
      ],
    },
  },
  strimzi: {
    repository: 'https://strimzi.io/charts/',
    chart: 'strimzi-kafka-operator',
    chartVersion: '1.2.0',
    appVersion: '1.2.0',
    namespace: 'strimzi-system',
    apiVersions: ['kafka.strimzi.io/v1'],
    crdSource: {
      project: 'strimzi',
      version: '1.2.0',
      upstream: 'strimzi/strimzi-kafka-operator',
      tag: '1.2.0',
      files: [
        { file: 'kafkamirrormaker2s.kafka.strimzi.io.yaml', path: 'install/cluster-operator/048-Crd-kafkamirrormaker2.yaml', sha256: 'ca92dcb51e198283' },
        { file: 'kafkanodepools.kafka.strimzi.io.yaml', path: 'install/cluster-operator/045-Crd-kafkanodepool.yaml', sha256: '411c1b32ef8c1a64' },
        { file: 'kafkas.kafka.strimzi.io.yaml', path: 'install/cluster-operator/040-Crd-kafka.yaml', sha256: 'b5b27fc8d52068a7' },
        { file: 'kafkatopics.kafka.strimzi.io.yaml', path: 'install/cluster-operator/043-Crd-kafkatopic.yaml', sha256: '36390f0731c69944' },
        { file: 'kafkausers.kafka.strimzi.io.yaml', path: 'install/cluster-operator/044-Crd-kafkauser.yaml', sha256: 'c7e91b9b027a516b' },
      ],
    },
  },
  rookCeph: {
    repository: 'https://charts.rook.io/release',
    chart: 'rook-ceph',
    chartVersion: 'v1.20.6',
    appVersion: 'v1.20.6',
    // The operator namespace of the cluster layout (NS.rookSystem); the Ceph cluster is in rook-ceph.
    namespace: 'rook-ceph-system',
    apiVersions: ['ceph.rook.io/v1', 'objectbucket.io/v1alpha1'],
    crdSource: {
      project: 'rook-ceph',
      version: 'v1.20.6',
      upstream: 'rook/rook',
      tag: 'v1.20.6',
      files: [
        // Rook ships all CRDs in one multi-document file; each is split out by metadata.name.
        { file: 'cephblockpools.ceph.rook.io.yaml', path: 'deploy/examples/crds.yaml', document: 'cephblockpools.ceph.rook.io', sha256: '87654ffe10db747c' },
        { file: 'cephclusters.ceph.rook.io.yaml', path: 'deploy/examples/crds.yaml', document: 'cephclusters.ceph.rook.io', sha256: '96669197605811e9' },
        { file: 'cephobjectstores.ceph.rook.io.yaml', path: 'deploy/examples/crds.yaml', document: 'cephobjectstores.ceph.rook.io', sha256: '03b1c41b23e9be87' },
        { file: 'cephobjectstoreusers.ceph.rook.io.yaml', path: 'deploy/examples/crds.yaml', document: 'cephobjectstoreusers.ceph.rook.io', sha256: 'ad92038ab2e83cac' },
        { file: 'objectbucketclaims.objectbucket.io.yaml', path: 'deploy/examples/crds.yaml', document: 'objectbucketclaims.objectbucket.io', sha256: '6b1d53863ffccd7c' },
        { file: 'objectbuckets.objectbucket.io.yaml', path: 'deploy/examples/crds.yaml', document: 'objectbuckets.objectbucket.io', sha256: 'b555aec9842ad014' },
        { file: 'cephobjectrealms.ceph.rook.io.yaml', path: 'deploy/examples/crds.yaml', document: 'cephobjectrealms.ceph.rook.io', sha256: '54a6fe79ef6c7b96' },
        { file: 'cephobjectzonegroups.ceph.rook.io.yaml', path: 'deploy/examples/crds.yaml', document: 'cephobjectzonegroups.ceph.rook.io', sha256: 'b01a061607870eee' },
        { file: 'cephobjectzones.ceph.rook.io.yaml', path: 'deploy/examples/crds.yaml', document: 'cephobjectzones.ceph.rook.io', sha256: 'e92cabe3ffe6af38' },
      ],
    },
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
    // The operator namespace of the cluster layout (NS.rookSystem); the Ceph cluster is in rook-ceph.
    namespace: 'rook-ceph-system',
    apiVersions: [],
  },
  velero: {
    repository: 'https://vmware-tanzu.github.io/helm-charts',
    chart: 'velero',
    chartVersion: '12.1.0',
    appVersion: '1.18.1',
    namespace: 'velero',
    apiVersions: ['velero.io/v1'],
    crdSource: {
      project: 'velero',
      version: 'v1.18.1',
      upstream: 'vmware-tanzu/velero',
      tag: 'v1.18.1',
      files: [
        { file: 'backupstoragelocations.velero.io.yaml', path: 'config/crd/v1/bases/velero.io_backupstoragelocations.yaml', sha256: 'bd6e8fb1169d6e92' },
        { file: 'schedules.velero.io.yaml', path: 'config/crd/v1/bases/velero.io_schedules.yaml', sha256: 'd2276c19d93b63ed' },
        { file: 'volumesnapshotlocations.velero.io.yaml', path: 'config/crd/v1/bases/velero.io_volumesnapshotlocations.yaml', sha256: 'ec1b87c3f1b83053' },
        { file: 'restores.velero.io.yaml', path: 'config/crd/v1/bases/velero.io_restores.yaml', sha256: '55ef18748fbb16ed' },
        { file: 'backups.velero.io.yaml', path: 'config/crd/v1/bases/velero.io_backups.yaml', sha256: '38107fa5fad6bff2' },
      ],
    },
  },
  clusterApiOperator: {
    repository: 'https://kubernetes-sigs.github.io/cluster-api-operator',
    chart: 'cluster-api-operator',
    chartVersion: '0.28.0',
    appVersion: '0.28.0',
    namespace: 'capi-operator-system',
    apiVersions: ['operator.cluster.x-k8s.io/v1alpha2'],
    crdSource: {
      project: 'cluster-api-operator',
      version: 'v0.28.0',
      upstream: 'kubernetes-sigs/cluster-api-operator',
      tag: 'v0.28.0',
      files: [
        { file: 'bootstrapproviders.operator.cluster.x-k8s.io.yaml', path: 'config/crd/bases/operator.cluster.x-k8s.io_bootstrapproviders.yaml', sha256: 'a8404b87f8700423' },
        { file: 'controlplaneproviders.operator.cluster.x-k8s.io.yaml', path: 'config/crd/bases/operator.cluster.x-k8s.io_controlplaneproviders.yaml', sha256: 'ec67e9050d7ebb0a' },
        { file: 'coreproviders.operator.cluster.x-k8s.io.yaml', path: 'config/crd/bases/operator.cluster.x-k8s.io_coreproviders.yaml', sha256: 'bfe9514f2e84765f' },
        { file: 'infrastructureproviders.operator.cluster.x-k8s.io.yaml', path: 'config/crd/bases/operator.cluster.x-k8s.io_infrastructureproviders.yaml', sha256: 'ad94514ae8407a90' },
      ],
    },
  },
  clusterApi: {
    // Installed by the cluster-api-operator (CoreProvider, BootstrapProvider, ControlPlaneProvider);
    // v1.13.5 is the release CAPV v1.16 is CI-tested against.
    repository: 'https://github.com/kubernetes-sigs/cluster-api/releases',
    chart: '(installed by cluster-api-operator)',
    chartVersion: 'v1.13.5',
    appVersion: 'v1.13.5',
    namespace: 'capi-system',
    apiVersions: ['cluster.x-k8s.io/v1beta2', 'controlplane.cluster.x-k8s.io/v1beta2', 'bootstrap.cluster.x-k8s.io/v1beta2', 'addons.cluster.x-k8s.io/v1beta2'],
    crdSource: {
      project: 'cluster-api',
      version: 'v1.13.5',
      upstream: 'kubernetes-sigs/cluster-api',
      tag: 'v1.13.5',
      files: [
        // v1.14 moved the core CRDs to core/config/crd/bases/; v1.13 still has them in config/crd/bases/.
        { file: 'clusters.cluster.x-k8s.io.yaml', path: 'config/crd/bases/cluster.x-k8s.io_clusters.yaml', sha256: 'b72f04bb258d22fa' },
        { file: 'kubeadmconfigtemplates.bootstrap.cluster.x-k8s.io.yaml', path: 'bootstrap/kubeadm/config/crd/bases/bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml', sha256: 'aadda63815de4d76' },
        { file: 'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io.yaml', path: 'controlplane/kubeadm/config/crd/bases/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml', sha256: 'e3e7f305634f6d10' },
        { file: 'machinedeployments.cluster.x-k8s.io.yaml', path: 'config/crd/bases/cluster.x-k8s.io_machinedeployments.yaml', sha256: '00d008944bac866b' },
        { file: 'clusterresourcesets.addons.cluster.x-k8s.io.yaml', path: 'config/crd/bases/addons.cluster.x-k8s.io_clusterresourcesets.yaml', sha256: '29fb8de1d198c312' },
        { file: 'clusterresourcesetbindings.addons.cluster.x-k8s.io.yaml', path: 'config/crd/bases/addons.cluster.x-k8s.io_clusterresourcesetbindings.yaml', sha256: '8f57a031e0c79e2a' },
      ],
    },
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

      files: [
        { file: 'vsphereclusteridentities.infrastructure.cluster.x-k8s.io.yaml', path: 'config/default/crd/bases/infrastructure.cluster.x-k8s.io_vsphereclusteridentities.yaml', sha256: '1e19dccd121a6678' },
        { file: 'vsphereclusters.infrastructure.cluster.x-k8s.io.yaml', path: 'config/default/crd/bases/infrastructure.cluster.x-k8s.io_vsphereclusters.yaml', sha256: 'fbc8267afb58e5c5' },
        { file: 'vspheremachinetemplates.infrastructure.cluster.x-k8s.io.yaml', path: 'config/default/crd/bases/infrastructure.cluster.x-k8s.io_vspheremachinetemplates.yaml', sha256: '5fd83451d50c2ed9' },
      ],
    },
  },
  /*
   * The cluster bootstrap of a Cluster API cluster (constructs/cluster/bootstrap.ts), facts from
   * ../shared/reference/platform-addons.md and ../shared/charts/SOURCES.md. Installed into
   * kube-system, the namespace the control plane's own pods live in.
   */
  cilium: {
    repository: 'https://helm.cilium.io',
    chart: 'cilium',
    // 1.19.6 (2026-07-16): the newest 1.19; 1.20.0 exists but was not taken for a first install.
    chartVersion: '1.19.6',
    appVersion: '1.19.6',
    namespace: 'kube-system',
    apiVersions: [],
  },
  vsphereCpi: {
    repository: 'https://kubernetes.github.io/cloud-provider-vsphere',
    chart: 'vsphere-cpi',
    // The CPI's minor follows the Kubernetes minor (v1.35 clusters).
    chartVersion: '1.35.1',
    appVersion: 'v1.35.1',
    namespace: 'kube-system',
    apiVersions: [],
  },
  snapshotController: {
    // Upstream (kubernetes-csi/external-snapshotter) ships kustomize only; piraeus packages it.
    repository: 'https://piraeus.io/helm-charts/',
    chart: 'snapshot-controller',
    chartVersion: '5.2.0',
    appVersion: 'v8.6.0',
    namespace: 'kube-system',
    // The VolumeSnapshotClass (written by the rook-ceph-cluster chart) and the snapshots Velero cuts.
    apiVersions: ['snapshot.storage.k8s.io/v1'],
    // The chart renders these same upstream files (templates/crds.yaml, installCRDs: true).
    crdSource: {
      project: 'external-snapshotter',
      version: 'v8.6.0',
      upstream: 'kubernetes-csi/external-snapshotter',
      tag: 'v8.6.0',
      files: [
        { file: 'volumesnapshotclasses.snapshot.storage.k8s.io.yaml', path: 'client/config/crd/snapshot.storage.k8s.io_volumesnapshotclasses.yaml', sha256: '75e6565aac2c0f29' },
        { file: 'volumesnapshots.snapshot.storage.k8s.io.yaml', path: 'client/config/crd/snapshot.storage.k8s.io_volumesnapshots.yaml', sha256: 'b032116e987fb1d7' },
        { file: 'volumesnapshotcontents.snapshot.storage.k8s.io.yaml', path: 'client/config/crd/snapshot.storage.k8s.io_volumesnapshotcontents.yaml', sha256: '895a3c1e73b60f06' },
      ],
    },
  },
  kubePrometheusStack: {
    // Prometheus Operator v0.93.1, Prometheus, Alertmanager, Grafana, kube-state-metrics and the
    // node exporter (../shared/reference/platform-addons.md "Pins"). The CRDs are the operator's
    // own files at v0.93.1, which the chart's CRD subchart copies (../shared/crds/MANIFEST.md).
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    chartVersion: '88.5.3',
    appVersion: 'v0.93.1',
    namespace: 'monitoring',
    apiVersions: ['monitoring.coreos.com/v1'],
    crdSource: {
      project: 'prometheus-operator',
      version: 'v0.93.1',
      upstream: 'prometheus-operator/prometheus-operator',
      tag: 'v0.93.1',
      files: [
        { file: 'servicemonitors.monitoring.coreos.com.yaml', path: 'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml', sha256: '7dd4206947c94bc7' },
        { file: 'podmonitors.monitoring.coreos.com.yaml', path: 'example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml', sha256: 'eef45bb50df838a8' },
        { file: 'prometheusrules.monitoring.coreos.com.yaml', path: 'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml', sha256: '2d72928f7ceb99d1' },
        { file: 'alertmanagerconfigs.monitoring.coreos.com.yaml', path: 'example/prometheus-operator-crd/monitoring.coreos.com_alertmanagerconfigs.yaml', sha256: '405d1e8f8c7f99cc' },
      ],
    },
  },
  fluentBit: {
    // Ships the API servers' audit logs off the control-plane nodes (platform-addons.md "Audit logs").
    repository: 'https://fluent.github.io/helm-charts',
    chart: 'fluent-bit',
    chartVersion: '0.58.1',
    appVersion: '5.1.1',
    namespace: 'monitoring',
    apiVersions: [],
  },
  /*
   * Secrets as code (issue #23), facts from ../shared/reference/secrets.md and
   * ../shared/crds/MANIFEST.md. ESO reads OpenBao through its stable `provider.vault`.
   */
  externalSecrets: {
    repository: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    chartVersion: '2.9.0',
    appVersion: 'v2.9.0',
    namespace: 'external-secrets',
    apiVersions: ['external-secrets.io/v1', 'external-secrets.io/v1alpha1', 'generators.external-secrets.io/v1alpha1'],
    crdSource: {
      project: 'external-secrets',
      version: 'v2.9.0',
      upstream: 'external-secrets/external-secrets',
      tag: 'v2.9.0',
      files: [
        { file: 'externalsecrets.external-secrets.io.yaml', path: 'config/crds/bases/external-secrets.io_externalsecrets.yaml', sha256: '5044be5a610ca90a' },
        { file: 'clustersecretstores.external-secrets.io.yaml', path: 'config/crds/bases/external-secrets.io_clustersecretstores.yaml', sha256: 'f847c69ae317a765' },
        { file: 'secretstores.external-secrets.io.yaml', path: 'config/crds/bases/external-secrets.io_secretstores.yaml', sha256: '7f750858d3939139' },
        { file: 'pushsecrets.external-secrets.io.yaml', path: 'config/crds/bases/external-secrets.io_pushsecrets.yaml', sha256: '1d97b97b4aca0799' },
        { file: 'passwords.generators.external-secrets.io.yaml', path: 'config/crds/bases/generators.external-secrets.io_passwords.yaml', sha256: '72ef666dcd0e24b7' },
        // Not written by the estate, fetched with the others so the folder matches ../shared/crds.
        { file: 'clusterexternalsecrets.external-secrets.io.yaml', path: 'config/crds/bases/external-secrets.io_clusterexternalsecrets.yaml', sha256: '9f5563a19efb4bce' },
        { file: 'clusterpushsecrets.external-secrets.io.yaml', path: 'config/crds/bases/external-secrets.io_clusterpushsecrets.yaml', sha256: '04a739caa297b02c' },
        { file: 'clustergenerators.generators.external-secrets.io.yaml', path: 'config/crds/bases/generators.external-secrets.io_clustergenerators.yaml', sha256: 'b6d04f02297d5010' },
      ],
    },
  },
  openbao: {
    repository: 'https://openbao.github.io/openbao-helm',
    chart: 'openbao',
    chartVersion: '0.29.2',
    // The server image tag defaults to the appVersion without the "v": quay.io/openbao/openbao:2.6.2.
    appVersion: 'v2.6.2',
    namespace: 'openbao',
    // OpenBao has no CRDs: it is configured through its HTTP API and its configuration file.
    apiVersions: [],
  },
  trustManager: {
    repository: 'oci://quay.io/jetstack/charts',
    chart: 'trust-manager',
    chartVersion: 'v0.24.0',
    appVersion: 'v0.24.0',
    // trust-manager reads its Bundle sources from its own namespace (`app.trust.namespace`):
    // cert-manager's, where the internal CA keypair lives.
    namespace: 'cert-manager',
    apiVersions: ['trust.cert-manager.io/v1alpha1'],
    crdSource: {
      project: 'trust-manager',
      version: 'v0.24.0',
      upstream: 'cert-manager/trust-manager',
      tag: 'v0.24.0',
      files: [{ file: 'bundles.trust.cert-manager.io.yaml', path: 'deploy/crds/trust.cert-manager.io_bundles.yaml', sha256: '712b2ede1c7cd9c9' }],
    },
  },
} as const satisfies Record<string, OperatorRelease>;

/**
 * Container images the estate names outside any chart, pulled through the registry mirror the
 * machine template's containerd is configured with (the data centre is air-gapped).
 */
export const IMAGES = {
  /**
   * The control-plane VIP's static pod, as CAPV writes it (internal/kubevip). v0.8.7 is the
   * image of CAPV's newer kube-vip lineage; which lineage v1.16.1 ships is not verified
   * (../shared/reference/platform-addons.md says v0.6.4): re-check against the tag.
   */
  kubeVip: 'ghcr.io/kube-vip/kube-vip:v0.8.7',
} as const;

export type OperatorName = keyof typeof OPERATORS;

/**
 * The Kubernetes API server's own OpenAPI document (swagger 2.0) of the version the clusters
 * run: the validator checks the few built-in kinds written as manifests against it
 * (tools/validate/built-in.ts), and `npm run schemas:fetch` downloads it with the CRDs.
 * Source and provenance: ../shared/k8s-openapi/SOURCES.md.
 */
export const KUBERNETES_OPENAPI = {
  kubernetesVersion: '1.35',
  file: 'kubernetes-v1.35-swagger.json',
  upstream: 'kubernetes-sigs/reference-docs',
  /** A commit: the document is generated there per release, not tagged. */
  tag: '76972d42ef6c709e22614ef58b718bbc10d9b391',
  path: 'gen-resourcesdocs/api/v1.35/swagger.json',
  sha256: '9898530bdae02924',
} as const;

/**
 * Where the pinned charts' values.yaml and values.schema.json come from, for the deployability
 * check's chart-values and placement checks (`npm run schemas:fetch` downloads them into
 * `.schema-cache/charts/<chart>/<version>/`; CI reads ../shared/charts through CHART_VALUES_DIR).
 * Facts from ../shared/charts/SOURCES.md: the files at the tag that released each chart version;
 * `sha256` is the first 16 hex digits of the file.
 */
export interface ChartValuesSource {
  readonly chart: string;
  readonly version: string;
  /** GitHub `owner/name`. */
  readonly upstream: string;
  readonly tag: string;
  /** The chart's folder in the repository at the tag. */
  readonly path: string;
  readonly files: ReadonlyArray<{ readonly file: 'values.yaml' | 'values.schema.json'; readonly sha256: string }>;
}

const values = (sha256: string, schema?: string) => [{ file: 'values.yaml' as const, sha256 }, ...(schema ? [{ file: 'values.schema.json' as const, sha256: schema }] : [])];

/**
 * Pinned charts whose values files are published only inside the chart archive, not as raw files
 * at a tag, so `npm run schemas:fetch` cannot get them; the deployability check reads them from
 * CHART_VALUES_DIR (CI: ../shared/charts) and says loudly when it could not.
 */
export const CHART_VALUES_ARCHIVE_ONLY: Readonly<Record<string, string>> = {
  'cilium@1.19.6': 'helm.cilium.io publishes cilium-1.19.6.tgz; the cilium/cilium repository at v1.19.6 holds a values.yaml not compared with the archive (../shared/charts/SOURCES.md)',
};

export const CHART_VALUES_SOURCES: readonly ChartValuesSource[] = [
  { chart: 'cert-manager', version: 'v1.21.1', upstream: 'cert-manager/cert-manager', tag: 'v1.21.1', path: 'deploy/charts/cert-manager', files: values('4d818a0facf6c846', '47730ad9154f6cde') },
  { chart: 'cloudnative-pg', version: '0.29.0', upstream: 'cloudnative-pg/charts', tag: 'cloudnative-pg-v0.29.0', path: 'charts/cloudnative-pg', files: values('ace42f8958c68f4e', 'b9fd2c036e961aee') },
  { chart: 'plugin-barman-cloud', version: '0.7.0', upstream: 'cloudnative-pg/charts', tag: 'plugin-barman-cloud-v0.7.0', path: 'charts/plugin-barman-cloud', files: values('98213f09b95248f5', 'f06f753fb236f59c') },
  { chart: 'strimzi-kafka-operator', version: '1.2.0', upstream: 'strimzi/strimzi-kafka-operator', tag: '1.2.0', path: 'packaging/helm-charts/helm3/strimzi-kafka-operator', files: values('daad8911c0bd0a77') },
  { chart: 'rook-ceph', version: 'v1.20.6', upstream: 'rook/rook', tag: 'v1.20.6', path: 'deploy/charts/rook-ceph', files: values('d29fe08beb96aba1') },
  { chart: 'rook-ceph-cluster', version: 'v1.20.6', upstream: 'rook/rook', tag: 'v1.20.6', path: 'deploy/charts/rook-ceph-cluster', files: values('0b72bcd2b902b1a7') },
  { chart: 'ceph-csi-drivers', version: '1.0.4', upstream: 'ceph/ceph-csi-operator', tag: 'v1.0.4', path: 'deploy/charts/ceph-csi-drivers', files: values('980bb85074b76780') },
  { chart: 'velero', version: '12.1.0', upstream: 'vmware-tanzu/helm-charts', tag: 'velero-12.1.0', path: 'charts/velero', files: values('cddd350f3fdcdf8f', '3ea8040262a908a7') },
  { chart: 'cluster-api-operator', version: '0.28.0', upstream: 'kubernetes-sigs/cluster-api-operator', tag: 'v0.28.0', path: 'hack/charts/cluster-api-operator', files: values('580c6ba9f842eb7a', 'e24b54c328598a1c') },
  // Platform add-ons (../shared/reference/platform-addons.md). Cilium's files come from the published
  // chart archive, not a raw file at a tag, so schemas:fetch cannot get them: use CHART_VALUES_DIR.
  { chart: 'vsphere-cpi', version: '1.35.1', upstream: 'kubernetes/cloud-provider-vsphere', tag: 'v1.35.1', path: 'charts/vsphere-cpi', files: values('035daffb35474969') },
  { chart: 'snapshot-controller', version: '5.2.0', upstream: 'piraeusdatastore/helm-charts', tag: 'snapshot-controller-5.2.0', path: 'charts/snapshot-controller', files: values('fd24d22ef73cea2a') },
  { chart: 'kube-prometheus-stack', version: '88.5.3', upstream: 'prometheus-community/helm-charts', tag: 'kube-prometheus-stack-88.5.3', path: 'charts/kube-prometheus-stack', files: values('659289e3cc0ff503') },
  { chart: 'fluent-bit', version: '0.58.1', upstream: 'fluent/helm-charts', tag: 'fluent-bit-0.58.1', path: 'charts/fluent-bit', files: values('e562eb0094e123e3') },
  // Secrets add-ons (../shared/charts/SOURCES.md).
  { chart: 'external-secrets', version: '2.9.0', upstream: 'external-secrets/external-secrets', tag: 'helm-chart-2.9.0', path: 'deploy/charts/external-secrets', files: values('13811e7dd028c69c', 'a6cdce7b4f5ca9de') },
  { chart: 'openbao', version: '0.29.2', upstream: 'openbao/openbao-helm', tag: 'openbao-0.29.2', path: 'charts/openbao', files: values('8a8c8cf48ceaac0b', '2a77b5003139dcfd') },
  { chart: 'trust-manager', version: 'v0.24.0', upstream: 'cert-manager/trust-manager', tag: 'v0.24.0', path: 'deploy/charts/trust-manager', files: values('e94abd835b8b2e33', 'c724d271d37e0c69') },
];
