import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';

/** Pre-production at the primary site: one Cluster API cluster, three control-plane nodes, small pools. */
export const staging: EnvironmentInput = {
  name: 'staging',
  description: 'Pre-production at the Hanoi primary site; mirrors prod at small scale.',
  class: 'staging',
  securityLevel: 3,
  site: { name: 'hanoi-1', location: 'Hà Nội primary data centre' },
  state: { type: 's3', bucket: 'tfstate-staging', keyPrefix: 'moit/staging', endpoint: 'https://s3.mgmt.dc.moit.gov.vn', region: 'hanoi-1' },
  zones: standardZones(3),
  management: { kubeconfig: { path: '~/.kube/config', context: 'moit-mgmt-hanoi' }, namespace: 'capi-staging' },
  clusters: [
    {
      name: 'core',
      mode: 'clusterApi',
      kubeconfig: { path: '~/.kube/config', context: 'moit-staging-core' },
      kubernetesVersion: 'v1.35.2',
      controlPlane: { replicas: 3, machine: { cpus: 4, memoryMiB: 8192, diskGiB: 60 }, endpoint: { host: '10.20.0.10', port: 6443 } },
      vsphere: {
        server: 'vcenter.hanoi-1.dc.moit.gov.vn',
        thumbprint: '3A:7F:21:9C:0B:44:D2:E8:51:6A:9F:13:C7:80:2D:4E:B5:61:F0:9A',
        datacenter: 'HN1',
        datastore: 'vsan-silver',
        folder: '/HN1/vm/k8s/staging-core',
        resourcePool: '/HN1/host/cluster-b/Resources/k8s-staging',
        template: 'ubuntu-2404-kube-v1.35.2',
        identity: { name: 'hanoi-vcenter', secretName: 'hanoi-vcenter-credentials' },
        controlPlaneNetwork: 'seg-staging-mgmt',
      },
      network: { pods: '10.244.0.0/16', services: '10.96.0.0/12' },
      nodeCidr: '10.20.0.0/22',
      nodePools: [
        { name: 'app', zone: 'app', replicas: 2, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 80 }, network: 'seg-staging-app' },
        { name: 'data', zone: 'data', replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 120 }, network: 'seg-staging-data' },
        { name: 'edge', zone: 'dmz', replicas: 2, machine: { cpus: 2, memoryMiB: 4096, diskGiB: 40 }, network: 'seg-staging-dmz' },
      ],
    },
  ],
};
