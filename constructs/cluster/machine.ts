import type { ClusterApiClusterConfig } from '../../environments/schema';
import type { CustomResource } from '../k8s-object';

/** The vSphere machine spec shared by control-plane and pool templates. */
export function machineTemplateSpec(config: ClusterApiClusterConfig, machine: ClusterApiClusterConfig['controlPlane']['machine'], network: string): Record<string, unknown> {
  const v = config.vsphere;
  return {
    server: v.server,
    thumbprint: v.thumbprint,
    datacenter: v.datacenter,
    datastore: v.datastore,
    folder: v.folder,
    resourcePool: v.resourcePool,
    template: v.template,
    // Independent disks: a full clone can be resized and outlives its template.
    cloneMode: 'fullClone',
    numCPUs: machine.cpus,
    memoryMiB: machine.memoryMiB,
    diskGiB: machine.diskGiB,
    os: 'Linux',
    powerOffMode: 'trySoft',
    network: { devices: [{ networkName: network, dhcp4: true }] },
  };
}

/**
 * A template's name changes with its spec, so Terraform replaces it: the new one is created
 * first, the MachineDeployment or control plane is repointed (which rolls the machines), and
 * only then is the old one deleted.
 */
export function rollByReplacement(template: CustomResource): void {
  template.manifest.addOverride('lifecycle.create_before_destroy', true);
}


/**
 * Orders Terraform: `resource` is applied after `others`. Cluster API objects refer to each other
 * by name, which Terraform cannot see, so the order is declared.
 */
export function dependOn(resource: CustomResource, ...others: CustomResource[]): void {
  resource.manifest.dependsOn = [...(resource.manifest.dependsOn ?? []), ...others.map((o) => o.manifest.fqn)];
}
