import type { CustomResource } from '../k8s-object';

/**
 * Makes Terraform apply `resource` after `others` (added to what it already waits for) (`depends_on`, written as plain addresses
 * like cdktf's own `dependsOn`: `kubernetes_manifest.<id>`). Kubernetes retries anyway; this
 * only saves the operators a round of errors while a Secret or ObjectStore does not exist yet.
 */
export function dependOn(resource: CustomResource, ...others: CustomResource[]): void {
  const addresses = others.map((o) => `${o.manifest.terraformResourceType}.${o.manifest.friendlyUniqueId}`);
  resource.manifest.dependsOn = [...new Set([...(resource.manifest.dependsOn ?? []), ...addresses])];
}
