/**
 * One node pool of a Cluster API cluster: a MachineDeployment, its VSphereMachineTemplate and its
 * KubeadmConfigTemplate. Every pool belongs to one network zone: its machines sit on the zone's
 * own vSphere network, and its nodes register with the label `moit.gov.vn/zone=<zone>` and the
 * taint `moit.gov.vn/zone=<zone>:NoSchedule` (the convention of constructs/network/placement.ts),
 * so only workloads placed in that zone (`placementFor`) land there.
 */
import { Construct } from 'constructs';
import type { ClusterApiClusterConfig, NodePoolConfig, ZoneName } from '../../environments/schema';
import { CustomResource } from '../k8s-object';
import { ZONE_LABEL } from '../network/peer';
import { zoneTaint } from '../network/placement';
import { API_GROUPS, apiVersionOf, ref } from './api';
import { kubeletArgs } from './control-plane-hardening';
import { dependOn, machineTemplateSpec, rollByReplacement } from './machine';
import { versionedName } from './names';

export interface NodePoolProps {
  readonly cluster: ClusterApiClusterConfig;
  readonly pool: NodePoolConfig;
  /** The management namespace holding the cluster's objects. */
  readonly namespace: string;
  /** Labels every object of the cluster carries. @default {} */
  readonly labels?: Record<string, string>;
}

/** The kubeadm node registration of a zone's nodes: its label (set by the kubelet at join) and its taint. */
export function zoneNodeRegistration(zone: ZoneName): Record<string, unknown> {
  const taint = zoneTaint(zone);
  return {
    kubeletExtraArgs: kubeletArgs([{ name: 'node-labels', value: `${ZONE_LABEL}=${zone}` }]),
    taints: [{ key: taint.key, value: taint.value, effect: taint.effect }],
  };
}

export class NodePool extends Construct {
  readonly zone: ZoneName;
  readonly machineDeployment: CustomResource;
  readonly machineTemplate: CustomResource;
  readonly bootstrapTemplate: CustomResource;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    const { cluster, pool, namespace } = props;
    const labels = { ...props.labels, [ZONE_LABEL]: pool.zone };
    const base = `${cluster.name}-${pool.name}`;
    this.zone = pool.zone;

    const machineSpec = machineTemplateSpec(cluster, pool.machine, pool.network);
    this.machineTemplate = new CustomResource(this, 'machine-template', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.infrastructure),
        kind: 'VSphereMachineTemplate',
        metadata: { name: versionedName(base, machineSpec), namespace, labels },
        spec: { template: { spec: machineSpec } },
      },
    });
    rollByReplacement(this.machineTemplate);

    const bootstrapSpec = { joinConfiguration: { nodeRegistration: zoneNodeRegistration(pool.zone) } };
    this.bootstrapTemplate = new CustomResource(this, 'bootstrap-template', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.bootstrap),
        kind: 'KubeadmConfigTemplate',
        metadata: { name: versionedName(base, bootstrapSpec), namespace, labels },
        spec: { template: { spec: bootstrapSpec } },
      },
    });
    rollByReplacement(this.bootstrapTemplate);

    // The labels Cluster API's webhook would add to the selector and the machines: declared
    // here, so the stored object equals the plan and Terraform sees no drift.
    const selector = { 'cluster.x-k8s.io/cluster-name': cluster.name, 'cluster.x-k8s.io/deployment-name': base };
    this.machineDeployment = new CustomResource(this, 'machine-deployment', {
      object: {
        apiVersion: apiVersionOf(API_GROUPS.core),
        kind: 'MachineDeployment',
        metadata: { name: base, namespace, labels },
        spec: {
          clusterName: cluster.name,
          replicas: pool.replicas,
          selector: { matchLabels: selector },
          // A new machine joins before an old one leaves: the pool never runs short.
          rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
          template: {
            metadata: { labels: { ...selector, [ZONE_LABEL]: pool.zone } },
            spec: {
              clusterName: cluster.name,
              version: cluster.kubernetesVersion,
              bootstrap: { configRef: ref(API_GROUPS.bootstrap, 'KubeadmConfigTemplate', this.bootstrapTemplate.object.metadata.name) },
              infrastructureRef: ref(API_GROUPS.infrastructure, 'VSphereMachineTemplate', this.machineTemplate.object.metadata.name),
            },
          },
        },
      },
    });
    dependOn(this.machineDeployment, this.machineTemplate, this.bootstrapTemplate);
  }
}
