import { Construct } from 'constructs';
import { ClusterAccess } from '../constructs/baseline/rbac';
import { CertManager } from '../constructs/cert-manager';
import { ClusterBootstrap } from '../constructs/cluster/bootstrap';
import { grantDomainOwners } from './domains';
import type { Catalogue } from '../environments/catalogue';
import { ZonedNamespace } from '../constructs/network/zoned-namespace';
import { CloudNativePg } from '../constructs/postgres/operator';
import { CephPlatform } from '../constructs/storage/ceph-platform';
import { installStrimzi } from './kafka';
import type { StrimziOperator } from '../constructs/kafka';
import { VeleroChart, veleroBucketName } from '../constructs/backup/velero';
import { EnvironmentStack, EnvironmentStackProps } from './base';
import { AdmissionPolicies } from '../constructs/admission/admission-policies';
import { EXPOSED_ZONES } from '../policy/zones';
import { RETAINED_ZONES, RETAINING_CLASSES } from '../policy/audit/rules/RET-003-data-claims-retained';
import type { NamespacePlan } from '../policy/layout';
import { MonitoringStack } from '../constructs/monitoring/monitoring-stack';
import { ExternalSecretsOperator, TrustManager } from '../constructs/secrets/operator';

/**
 * Creates the planned namespaces of a cluster, each with its zone and baseline, under a
 * `namespaces` construct (construct ids are the namespace names).
 */
export function createNamespaces(stack: EnvironmentStack, plan: readonly NamespacePlan[]): Map<string, ZonedNamespace> {
  const scope = new Construct(stack, 'namespaces');
  const created = new Map(plan.map((ns) => [ns.name, new ZonedNamespace(scope, ns.name, ns)]));
  stack.adoptNamespaces(created);
  return created;
}

/**
 * Per workload cluster: the namespaces with their baseline, operators installed with Helm
 * (which brings their CRDs), and other plain cluster objects. No custom resource may be
 * declared here (see CustomResource).
 */
export class PlatformStack extends EnvironmentStack {
  readonly namespaceObjects: Map<string, ZonedNamespace>;
  /** CNI, cloud provider and snapshot controller (constructs/cluster/bootstrap.ts). */
  readonly bootstrap: ClusterBootstrap;
  readonly certManager: CertManager;
  /** Administrators, auditors and data-domain owners (constructs/baseline/rbac.ts): `access.grantDomainOwner(ns, group)`. */
  readonly access: ClusterAccess;
  /** CloudNativePG and its Barman Cloud plugin (constructs/postgres/operator.ts). */
  readonly cloudnativePg: CloudNativePg;
  /** Rook, Ceph-CSI and the Ceph cluster with its retained StorageClasses (constructs/storage/ceph-platform.ts). */
  readonly objectStorage: CephPlatform;
  /** The Strimzi operator, where the environment runs Kafka on this cluster (constructs/kafka/operator.ts). */
  readonly strimzi?: StrimziOperator;
  /** Velero, with its node agents (constructs/backup/velero.ts); its location and Schedules are in the services stack. */
  readonly velero: VeleroChart;
  /** trust-manager: distributes the internal CA to the namespaces that verify internal TLS. */
  readonly trustManager: TrustManager;
  /** External Secrets Operator: produces the Secrets the estate consumes from OpenBao (constructs/secrets). */
  readonly externalSecrets: ExternalSecretsOperator;
  /** The audit rules that also hold at admission (constructs/admission), bound per the environment's `admission`. */
  readonly admission: AdmissionPolicies;
  /** kube-prometheus-stack and its scraping flows (constructs/monitoring/monitoring-stack.ts). */
  readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: Omit<EnvironmentStackProps, 'layer'> & { readonly catalogue?: Catalogue }) {
    super(scope, id, { ...props, layer: 'platform' });
    this.namespaceObjects = createNamespaces(this, this.namespaces);
    // First: the CNI and cloud provider every later chart waits for, and the snapshot controller.
    this.bootstrap = new ClusterBootstrap(this, 'bootstrap');
    this.certManager = new CertManager(this, 'cert-manager');
    this.trustManager = new TrustManager(this, 'trust-manager', { dependsOn: [this.certManager] });
    this.externalSecrets = new ExternalSecretsOperator(this, 'external-secrets', { store: this.environment.secrets.store, dependsOn: [this.certManager] });
    this.access = new ClusterAccess(this, 'access');
    // The data domains' tenant namespaces are administered by their owners' groups.
    if (props.catalogue) grantDomainOwners(this.access, props.catalogue);
    this.cloudnativePg = new CloudNativePg(this, 'cloudnative-pg', { certManager: this.certManager });
    // The RBD driver's snapshotter and the VolumeSnapshotClass need the snapshot CRDs.
    this.objectStorage = new CephPlatform(this, 'object-storage', { dependsOn: [this.bootstrap.snapshotController] });
    this.strimzi = installStrimzi(this);
    this.admission = new AdmissionPolicies(this, 'admission', {
      params: {
        exposedZones: EXPOSED_ZONES,
        podSecurityExceptions: Object.fromEntries(this.namespaces.filter((n) => n.podSecurityException).map((n) => [n.name, n.podSecurityException!.level])),
        retainingClasses: RETAINING_CLASSES,
        retainedZones: RETAINED_ZONES,
        development: this.environment.class === 'development',
      },
      deny: new Set(this.environment.admission.deny),
    });
    this.velero = new VeleroChart(this, 'velero', { credentialsSecret: veleroBucketName(this.environment.name, this.cluster) });
    this.monitoring = new MonitoringStack(this, 'monitoring', { config: this.environment.monitoring });
  }
}
