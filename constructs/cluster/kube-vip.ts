/**
 * The control-plane VIP of a Cluster API cluster: a kube-vip static pod on every control-plane
 * node, written by cloud-init before kubeadm runs, as CAPV's own cluster template does
 * (internal/kubevip of cluster-api-provider-vsphere). The VIP is the cluster's
 * `controlPlaneEndpoint`: kubeadm, the nodes, Cluster API and Terraform all reach the API
 * server there, and nothing else announces it (no load balancer in front of the cluster).
 *
 * kube-vip holds the address by ARP on the control-plane network with leader election through
 * a Lease, so it needs the API server it fronts: during `kubeadm init` (Kubernetes >= 1.29)
 * `admin.conf` has no rights yet, so on the first node the pod uses `super-admin.conf` until
 * init has finished (kube-vip#684; CAPV's kube-vip-prepare.sh), then it is switched back to
 * `admin.conf`, so no static pod keeps a `system:masters` credential. Joining control-plane
 * nodes use `admin.conf` throughout. Whether CAPV v1.16.1 still applies the switch for
 * Kubernetes >= 1.31 is not verified; doing it is the conservative choice (without it the VIP
 * never comes up on the first node and `kubeadm init` fails).
 *
 * kube-vip does not serve LoadBalancer Services here (`svc_enable: false`): the estate declares
 * none, and the API server refuses external IPs (DenyServiceExternalIPs).
 */
import { stringify } from 'yaml';
import { IMAGES } from '../../lib/versions';
import type { KubeadmFile } from './control-plane-hardening';

export const KUBE_VIP_PATHS = {
  manifest: '/etc/kubernetes/manifests/kube-vip.yaml',
  /** Mounted as the pod's /etc/hosts: kube-vip resolves "kubernetes" to itself (kube-vip#692). */
  hosts: '/etc/kube-vip.hosts',
  prepare: '/etc/kube-vip-prepare.sh',
  adminConf: '/etc/kubernetes/admin.conf',
  superAdminConf: '/etc/kubernetes/super-admin.conf',
  /** Written by cloud-init on the node that runs `kubeadm init` only. */
  initMarker: '/run/kubeadm/kubeadm.yaml',
} as const;

/** The static pod announcing `address` and serving the control plane behind it on `port`. */
export function kubeVipPod(endpoint: { readonly host: string; readonly port: number }): Record<string, unknown> {
  const env: Record<string, string> = {
    address: endpoint.host,
    port: String(endpoint.port),
    // Empty: the interface of the node's default route, the control-plane network's.
    vip_interface: '',
    vip_cidr: '32',
    vip_arp: 'true',
    cp_enable: 'true',
    cp_namespace: 'kube-system',
    vip_ddns: 'false',
    svc_enable: 'false',
    vip_leaderelection: 'true',
    vip_leasename: 'plndr-cp-lock',
    vip_leaseduration: '15',
    vip_renewdeadline: '10',
    vip_retryperiod: '2',
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-vip', namespace: 'kube-system' },
    spec: {
      hostNetwork: true,
      containers: [
        {
          name: 'kube-vip',
          image: IMAGES.kubeVip,
          imagePullPolicy: 'IfNotPresent',
          args: ['manager'],
          env: Object.entries(env).map(([name, value]) => ({ name, value })),
          securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
          volumeMounts: [
            { name: 'kubeconfig', mountPath: KUBE_VIP_PATHS.adminConf },
            { name: 'etchosts', mountPath: '/etc/hosts' },
          ],
        },
      ],
      volumes: [
        { name: 'kubeconfig', hostPath: { path: KUBE_VIP_PATHS.adminConf } },
        { name: 'etchosts', hostPath: { path: KUBE_VIP_PATHS.hosts, type: 'File' } },
      ],
    },
  };
}

/** Repoints the pod's kubeconfig from one file to another, on the init node only. */
function repointOnInitNode(from: string, to: string): string {
  return `if [ -f ${KUBE_VIP_PATHS.initMarker} ]; then sed -i 's#path: ${from}#path: ${to}#' ${KUBE_VIP_PATHS.manifest}; fi`;
}

/** The files cloud-init writes on every control-plane node for kube-vip (public content, no secret). */
export function kubeVipFiles(endpoint: { readonly host: string; readonly port: number }): KubeadmFile[] {
  return [
    { path: KUBE_VIP_PATHS.manifest, owner: 'root:root', permissions: '0644', content: stringify(kubeVipPod(endpoint), { lineWidth: 0 }) },
    { path: KUBE_VIP_PATHS.hosts, owner: 'root:root', permissions: '0644', content: '127.0.0.1 localhost kubernetes\n' },
    {
      path: KUBE_VIP_PATHS.prepare,
      owner: 'root:root',
      permissions: '0700',
      content: ['#!/bin/sh', '# kubeadm >= 1.29: admin.conf has no rights before init finishes; use super-admin.conf until then.', 'set -e', repointOnInitNode(KUBE_VIP_PATHS.adminConf, KUBE_VIP_PATHS.superAdminConf), ''].join('\n'),
    },
  ];
}

/** Run before kubeadm on every control-plane node. */
export function kubeVipPreKubeadmCommands(): string[] {
  return [KUBE_VIP_PATHS.prepare];
}

/** Run after kubeadm: back to admin.conf on the init node, whose RBAC now exists. */
export function kubeVipPostKubeadmCommands(): string[] {
  return [repointOnInitNode(KUBE_VIP_PATHS.superAdminConf, KUBE_VIP_PATHS.adminConf)];
}
