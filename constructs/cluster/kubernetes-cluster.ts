/**
 * A Kubernetes cluster of the estate, in one of two modes:
 *
 * - `existing`: a cluster adopted as it is, reached through a kubeconfig context (dev). Nothing
 *   is declared for it on a management cluster; its platform and services stacks manage it.
 * - `clusterApi`: a cluster declared on the environment's management cluster with Cluster API
 *   v1beta2 and the vSphere provider (CAPV): a `Cluster`, its `VSphereCluster` (credentials
 *   through a cluster-scoped `VSphereClusterIdentity`, vCenter's certificate pinned), a hardened
 *   `KubeadmControlPlane` with the kube-vip static pod for its endpoint, one `NodePool` per
 *   configured pool, each in one network zone, and a `ClusterResourceSet` delivering the cloud
 *   provider's credentials. The rest of its bootstrap (CNI, CPI) is its platform stack's.
 */
import { Construct } from 'constructs';
import type { ClusterApiClusterConfig, ClusterConfig, Environment, ZoneName } from '../../environments/schema';
import { auditRetentionDaysFor } from '../../environments/sections/clusters';
import { ConstructPropsError } from '../../lib/errors';
import { declarePrerequisite, retain } from '../../lib/markers';
import { OPERATORS } from '../../lib/versions';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { AuditLogSettings, type ControlPlaneHardeningProps, hardenedKubeadmConfigSpec, type KubeadmFile, SecretKeyRef } from './control-plane-hardening';
import { kubeVipFiles, kubeVipPostKubeadmCommands, kubeVipPreKubeadmCommands } from './kube-vip';
import { dependOn, machineTemplateSpec, rollByReplacement } from './machine';
import { versionedName } from './names';
import { NodePool } from './node-pool';
import { API_GROUPS, apiVersionOf, ref } from './api';
import { CPI_CREDENTIALS_SECRET } from './bootstrap';

export interface KubernetesClusterProps {
  /** The cluster's entry in the environment file. */
  readonly cluster: ClusterConfig;
  /**
   * Audit-log rotation of the API servers.
   * @default the environment's `clusterBaseline.auditLog`, with `maxAgeDays` from its security level (90, 180 or 365 days)
   */
  readonly auditLog?: AuditLogSettings;
  /**
   * The Secret (in the management namespace) holding the API server's EncryptionConfiguration.
   * It is created by the platform team before the cluster; its key never passes through code.
   * @default { name: "<cluster>-apiserver-encryption", key: "encryption.yaml" }
   */
  readonly encryptionConfig?: SecretKeyRef;
  /**
   * The Secret (in the management namespace, type `addons.cluster.x-k8s.io/resource-set`) whose
   * one key holds the manifest of Secret `vsphere-cloud-secret` in kube-system with the keys
   * `<vcenter>.username` and `<vcenter>.password`. Created by the platform team beforehand.
   * @default "<cluster>-vsphere-cpi-credentials"
   */
  readonly cpiCredentialsSecret?: string;
}

/** The Cluster API objects of a `clusterApi` cluster. */
export interface ClusterApiObjects {
  readonly cluster: CustomResource;
  readonly infrastructure: CustomResource;
  readonly controlPlane: CustomResource;
  readonly controlPlaneTemplate: CustomResource;
  readonly nodePools: readonly NodePool[];
  /** The ClusterResourceSet carrying the CPI's vCenter credentials into the cluster. */
  readonly cpiCredentials: CustomResource;
}

/**
 * The control plane's kubeadmConfigSpec: the hardening (control-plane-hardening.ts) and the
 * kube-vip static pod that announces the control-plane endpoint (kube-vip.ts).
 */
export function controlPlaneKubeadmConfigSpec(config: ClusterApiClusterConfig, hardening: ControlPlaneHardeningProps): Record<string, unknown> {
  const spec = hardenedKubeadmConfigSpec(hardening);
  return {
    ...spec,
    files: [...(spec.files as KubeadmFile[]), ...kubeVipFiles(config.controlPlane.endpoint)],
    preKubeadmCommands: kubeVipPreKubeadmCommands(),
    postKubeadmCommands: kubeVipPostKubeadmCommands(),
  };
}

/** Audit-log rotation for an environment: its overrides, else the minimum of its security level. */
export function auditLogSettingsFor(environment: Environment): AuditLogSettings {
  const configured = environment.clusterBaseline.auditLog;
  return {
    maxAgeDays: configured.maxAgeDays ?? auditRetentionDaysFor(environment.securityLevel),
    maxBackups: configured.maxBackups,
    maxSizeMiB: configured.maxSizeMiB,
  };
}

export class KubernetesCluster extends Construct {
  readonly name: string;
  readonly mode: ClusterConfig['mode'];
  /** How stacks of this cluster reach it (a kubeconfig context; never credentials). */
  readonly kubeconfig: { readonly path: string; readonly context: string };
  /** Zones with a node pool of their own; empty for an adopted cluster. */
  readonly pooledZones: readonly ZoneName[];
  /** The declared objects; undefined for an adopted (`existing`) cluster. */
  readonly clusterApi?: ClusterApiObjects;

  constructor(scope: Construct, id: string, props: KubernetesClusterProps) {
    super(scope, id);
    const config = props.cluster;
    this.name = config.name;
    this.mode = config.mode;
    this.kubeconfig = config.kubeconfig;
    if (config.mode === 'existing') {
      this.pooledZones = [];
      return;
    }

    const stack = ClusterContext.of(this);
    const environment = stack.environment;
    validate(this, config, environment, stack.layer);
    const namespace = environment.management!.namespace;
    const auditLog = props.auditLog ?? auditLogSettingsFor(environment);
    const encryptionConfig = props.encryptionConfig ?? { name: `${config.name}-apiserver-encryption`, key: 'encryption.yaml' };
    const labels = { 'cluster.x-k8s.io/cluster-name': config.name, 'moit.gov.vn/environment': environment.name };
    this.pooledZones = [...new Set(config.nodePools.map((p) => p.zone))];

    const identity = vsphereIdentity(stack, config, namespace);

    const infrastructure = new CustomResource(this, 'vsphere-cluster', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.infrastructure),
        kind: 'VSphereCluster',
        metadata: { name: config.name, namespace, labels },
        spec: {
          server: config.vsphere.server,
          // Pins vCenter's certificate: CAPV refuses a vCenter presenting any other.
          thumbprint: config.vsphere.thumbprint,
          controlPlaneEndpoint: { host: config.controlPlane.endpoint.host, port: config.controlPlane.endpoint.port },
          identityRef: { kind: 'VSphereClusterIdentity', name: config.vsphere.identity.name },
        },
      },
    });
    dependOn(infrastructure, identity);

    const cpTemplateSpec = machineTemplateSpec(config, config.controlPlane.machine, config.vsphere.controlPlaneNetwork);
    const controlPlaneTemplate = new CustomResource(this, 'control-plane-template', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.infrastructure),
        kind: 'VSphereMachineTemplate',
        metadata: { name: versionedName(`${config.name}-control-plane`, cpTemplateSpec), namespace, labels },
        spec: { template: { spec: cpTemplateSpec } },
      },
    });
    rollByReplacement(controlPlaneTemplate);

    const controlPlane = new CustomResource(this, 'control-plane', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.controlPlane),
        kind: 'KubeadmControlPlane',
        metadata: { name: `${config.name}-control-plane`, namespace, labels },
        spec: {
          replicas: config.controlPlane.replicas,
          version: config.kubernetesVersion,
          machineTemplate: { spec: { infrastructureRef: ref(API_GROUPS.infrastructure, 'VSphereMachineTemplate', controlPlaneTemplate.object.metadata.name) } },
          // One new machine at a time, then one old one removed: etcd keeps its quorum throughout.
          rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
          kubeadmConfigSpec: controlPlaneKubeadmConfigSpec(config, { auditLog, encryptionConfig, identityProvider: environment.clusterBaseline.identityProvider }),
        },
      },
    });
    dependOn(controlPlane, controlPlaneTemplate);
    declarePrerequisite(controlPlane.manifest, {
      kind: 'secret',
      name: encryptionConfig.name,
      namespace,
      providedBy: 'secret-management',
      purpose: `The API server's EncryptionConfiguration of cluster ${config.name} (encryption at rest of Secrets in etcd), written to the control-plane nodes.`,
      keys: [encryptionConfig.key],
      rotation: 'Yearly: a new key is added first in the providers list, a rolling control-plane update applies it, every Secret is rewritten, then the old key is removed (Kubernetes encryption-at-rest key rotation).',
    });
    // The control plane holds etcd, the whole state of the cluster.
    retain(controlPlane.manifest, 'cluster', stack.ephemeral);

    const cluster = new CustomResource(this, 'cluster', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.core),
        kind: 'Cluster',
        metadata: { name: config.name, namespace, labels },
        spec: {
          clusterNetwork: { pods: { cidrBlocks: [config.network.pods] }, services: { cidrBlocks: [config.network.services] } },
          controlPlaneRef: ref(API_GROUPS.controlPlane, 'KubeadmControlPlane', controlPlane.object.metadata.name),
          infrastructureRef: ref(API_GROUPS.infrastructure, 'VSphereCluster', infrastructure.object.metadata.name),
        },
      },
    });
    dependOn(cluster, infrastructure, controlPlane);
    retain(cluster.manifest, 'cluster', stack.ephemeral);

    const pools = new Construct(this, 'node-pools');
    const nodePools = config.nodePools.map((pool) => new NodePool(pools, pool.name, { cluster: config, pool, namespace, labels }));

    // vCenter's credentials for the cloud provider reach the new cluster from the management
    // cluster as soon as its API answers, before its platform stack installs the CPI: the
    // platform team's Secret (type addons.cluster.x-k8s.io/resource-set, holding the manifest of
    // Secret vsphere-cloud-secret in kube-system) never passes through code or state.
    const cpiCredentials = props.cpiCredentialsSecret ?? `${config.name}-vsphere-cpi-credentials`;
    const resourceSet = new CustomResource(this, 'cpi-credentials', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.addons),
        kind: 'ClusterResourceSet',
        metadata: { name: `${config.name}-cpi-credentials`, namespace, labels },
        spec: {
          clusterSelector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': config.name } },
          resources: [{ kind: 'Secret', name: cpiCredentials }],
          // Applied again when the platform team rotates the credentials.
          strategy: 'Reconcile',
        },
      },
    });
    // In place before the Cluster, so it applies at the cluster's first reachable moment.
    dependOn(cluster, resourceSet);
    // Without it the CPI cannot reach vCenter, no node loses its uninitialized taint, and the
    // platform stack's charts wait for pods that never schedule.
    declarePrerequisite(resourceSet.manifest, {
      kind: 'secret',
      name: cpiCredentials,
      namespace,
      providedBy: 'vsphere-admins',
      // Its one key is the manifest of the workload cluster's Secret; its keys are not listed, so no credential word lands in the output.
      purpose: `vCenter's credentials (${config.vsphere.server}) for the cloud provider of cluster ${config.name}: a Secret of type addons.cluster.x-k8s.io/resource-set whose one key holds the manifest of Secret ${CPI_CREDENTIALS_SECRET} in kube-system, which Cluster API copies into the new cluster. Without it no node is initialized and nothing schedules.`,
      rotation: 'The vSphere administrators renew the CPI service account in vCenter and this Secret together (quarterly); the ClusterResourceSet (strategy Reconcile) applies the new manifest, then the CPI DaemonSet is restarted so it logs in with it.',
    });

    this.clusterApi = { cluster, infrastructure, controlPlane, controlPlaneTemplate, nodePools, cpiCredentials: resourceSet };
  }
}

/**
 * The cluster-scoped VSphereClusterIdentity a cluster uses, declared once per stack however many
 * clusters share it. Its Secret (vCenter username and password, in the CAPV namespace) is
 * created outside Terraform; only this environment's management namespace may use it.
 */
function vsphereIdentity(scope: Construct, config: ClusterApiClusterConfig, namespace: string): CustomResource {
  const { name, secretName } = config.vsphere.identity;
  const holder = (scope.node.tryFindChild('vsphere-identities') as Construct | undefined) ?? new Construct(scope, 'vsphere-identities');
  const existing = holder.node.tryFindChild(name) as CustomResource | undefined;
  if (existing) {
    const declared = (existing.object.spec as { secretName: string }).secretName;
    if (declared !== secretName) {
      throw new ConstructPropsError(holder.node.path, `clusters "${config.name}" vsphere.identity.secretName`, `identity "${name}" is already declared with secret "${declared}"; one identity has one secret, so use the same secretName or another identity name`, secretName);
    }
    return existing;
  }
  const identity = new CustomResource(holder, name, {
    object: {
      apiVersion: apiVersionOf(API_GROUPS.infrastructure),
      kind: 'VSphereClusterIdentity',
      metadata: { name },
      spec: { secretName, allowedNamespaces: { selector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } },
    },
  });
  // CAPV reads an identity's Secret from its own namespace.
  declarePrerequisite(identity.manifest, {
    kind: 'secret',
    name: secretName,
    namespace: OPERATORS.capv.namespace,
    providedBy: 'vsphere-admins',
    // Its two keys are CAPV's identity Secret format; not listed, so no credential word lands in the output.
    rotation: 'The vSphere administrators renew the service account credential in vCenter and in this Secret together (quarterly); CAPV reads it on every reconcile.',
    purpose: `The vCenter service account (${config.vsphere.server}) Cluster API uses to create the machines of the clusters allowed to use identity ${name}, in CAPV's identity Secret format.`,
  });
  return identity;
}

function validate(scope: Construct, config: ClusterApiClusterConfig, environment: Environment, layer: string): void {
  const where = scope.node.path;
  if (!environment.management) {
    throw new ConstructPropsError(where, 'environment.management', `cluster "${config.name}" has mode "clusterApi" but environment "${environment.name}" has no management cluster; add one, or use mode "existing"`, undefined);
  }
  if (layer !== 'clusters') {
    throw new ConstructPropsError(where, 'scope', 'a Cluster API cluster is declared in the management cluster\'s clusters stack (ManagementClustersStack)', layer);
  }
  const replicas = config.controlPlane.replicas;
  if (replicas % 2 === 0) throw new ConstructPropsError(where, 'controlPlane.replicas', 'must be odd so etcd keeps a quorum (1, 3, 5 ...)', replicas);
  if (environment.class !== 'development' && replicas < 3) {
    throw new ConstructPropsError(where, 'controlPlane.replicas', `must be >= 3 outside development (class "${environment.class}")`, replicas);
  }
  for (const pool of config.nodePools) {
    const mdName = `${config.name}-${pool.name}`;
    // The MachineDeployment's name is also a label value (cluster.x-k8s.io/deployment-name).
    if (mdName.length > 63) throw new ConstructPropsError(where, `nodePools.${pool.name}`, `"<cluster>-<pool>" must be at most 63 characters (a label value); shorten the cluster or pool name`, mdName);
  }
}
