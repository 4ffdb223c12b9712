import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';

/** Production at the primary site: security level 4, a node pool per zone. */
export const prod: EnvironmentInput = {
  name: 'prod',
  description: 'Production at the Hanoi primary site.',
  class: 'production',
  securityLevel: 4,
  site: { name: 'hanoi-1', location: 'Hà Nội primary data centre' },
  state: { type: 's3', bucket: 'tfstate-prod', keyPrefix: 'moit/prod', endpoint: 'https://s3.mgmt.dc.moit.gov.vn', region: 'hanoi-1' },
  zones: standardZones(4),
  management: { kubeconfig: { path: '~/.kube/config', context: 'moit-mgmt-hanoi' }, namespace: 'capi-prod' },
  clusters: [
    {
      name: 'core',
      mode: 'clusterApi',
      kubeconfig: { path: '~/.kube/config', context: 'moit-prod-core' },
      kubernetesVersion: 'v1.35.2',
      controlPlane: { replicas: 3, machine: { cpus: 8, memoryMiB: 16384, diskGiB: 100 }, endpoint: { host: '10.10.0.10', port: 6443 } },
      vsphere: {
        server: 'vcenter.hanoi-1.dc.moit.gov.vn',
        thumbprint: '3A:7F:21:9C:0B:44:D2:E8:51:6A:9F:13:C7:80:2D:4E:B5:61:F0:9A',
        datacenter: 'HN1',
        datastore: 'vsan-gold',
        folder: '/HN1/vm/k8s/prod-core',
        resourcePool: '/HN1/host/cluster-a/Resources/k8s-prod',
        template: 'ubuntu-2404-kube-v1.35.2',
        identity: { name: 'hanoi-vcenter', secretName: 'hanoi-vcenter-credentials' },
        controlPlaneNetwork: 'seg-prod-mgmt',
      },
      network: { pods: '10.244.0.0/16', services: '10.96.0.0/12' },
      nodeCidr: '10.10.0.0/22',
      nodePools: [
        { name: 'edge', zone: 'dmz', replicas: 3, machine: { cpus: 4, memoryMiB: 8192, diskGiB: 60 }, network: 'seg-prod-dmz' },
        { name: 'app', zone: 'app', replicas: 6, machine: { cpus: 8, memoryMiB: 32768, diskGiB: 100 }, network: 'seg-prod-app' },
        { name: 'data', zone: 'data', replicas: 6, machine: { cpus: 16, memoryMiB: 65536, diskGiB: 200 }, network: 'seg-prod-data' },
        { name: 'ops', zone: 'mgmt', replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 100 }, network: 'seg-prod-mgmt' },
        { name: 'exchange', zone: 'exchange', replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 80 }, network: 'seg-prod-exchange' },
      ],
    },
  ],
};
