/**
 * The one place that imports provider classes. Each comes from its submodule, never the
 * package root: the root of @cdktf/provider-kubernetes loads every resource class and costs
 * over a second per process (synth, every test file).
 */
export { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
export { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
export { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
export { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
export { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
export { LimitRangeV1 } from '@cdktf/provider-kubernetes/lib/limit-range-v1';
export { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
export { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
export { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
export { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
export { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
export { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
export { Annotations } from '@cdktf/provider-kubernetes/lib/annotations';
export { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
export { CronJobV1 } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
export { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
export { HelmProvider } from '@cdktf/provider-helm/lib/provider';
export { Release } from '@cdktf/provider-helm/lib/release';
