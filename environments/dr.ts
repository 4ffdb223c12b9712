import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';

/**
 * The disaster-recovery site: a smaller copy of prod in Ho Chi Minh City, far beyond the 30 km
 * a level-5 system would need. Its state lives at the DR site (pg backend), so losing the
 * primary site loses nothing the recovery needs.
 */
export const dr: EnvironmentInput = {
  name: 'dr',
  description: 'Disaster-recovery copy of prod at the Ho Chi Minh City site.',
  class: 'recovery',
  securityLevel: 4,
  site: { name: 'hcm-1', location: 'TP. Hồ Chí Minh recovery data centre', distanceFromPrimaryKm: 1140 },
  state: { type: 'pg', schemaPrefix: 'tfstate_dr' },
  zones: standardZones(4),
  management: { kubeconfig: { path: '~/.kube/config', context: 'moit-mgmt-hcm' }, namespace: 'capi-dr' },
  clusters: [
    {
      name: 'core',
      mode: 'clusterApi',
      kubeconfig: { path: '~/.kube/config', context: 'moit-dr-core' },
      kubernetesVersion: 'v1.35.2',
      controlPlane: { replicas: 3, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 100 }, endpoint: { host: '10.40.0.10', port: 6443 } },
      vsphere: {
        server: 'vcenter.hcm-1.dc.moit.gov.vn',
        thumbprint: '9C:12:E4:70:AB:3D:58:C1:06:F2:7B:94:DE:21:8A:45:C3:0F:67:B9',
        datacenter: 'HCM1',
        datastore: 'vsan-gold',
        folder: '/HCM1/vm/k8s/dr-core',
        resourcePool: '/HCM1/host/cluster-a/Resources/k8s-dr',
        template: 'ubuntu-2404-kube-v1.35.2',
        identity: { name: 'hcm-vcenter', secretName: 'hcm-vcenter-credentials' },
        controlPlaneNetwork: 'seg-dr-mgmt',
      },
      network: { pods: '10.245.0.0/16', services: '10.97.0.0/16' },
      nodeCidr: '10.40.0.0/22',
      nodePools: [
        { name: 'edge', zone: 'dmz', replicas: 2, machine: { cpus: 4, memoryMiB: 8192, diskGiB: 60 }, network: 'seg-dr-dmz' },
        { name: 'app', zone: 'app', replicas: 3, machine: { cpus: 8, memoryMiB: 32768, diskGiB: 100 }, network: 'seg-dr-app' },
        { name: 'data', zone: 'data', replicas: 3, machine: { cpus: 16, memoryMiB: 65536, diskGiB: 200 }, network: 'seg-dr-data' },
        { name: 'ops', zone: 'mgmt', replicas: 2, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 100 }, network: 'seg-dr-mgmt' },
        { name: 'exchange', zone: 'exchange', replicas: 2, machine: { cpus: 4, memoryMiB: 16384, diskGiB: 80 }, network: 'seg-dr-exchange' },
      ],
    },
  ],
};
