import type { TerraformResource } from '../../lib/tf';

/**
 * Adds `on` to the `depends_on` of `resource` as the plain address Terraform reads
 * (`kubernetes_manifest.<id>`), the form cdktf writes for a `dependsOn` given at construction.
 * Used where a dependency is known only later (a grant adds a user a claim must wait for).
 * Setting `fqn` instead would write a `${...}` token, which renders differently on the two
 * synth paths.
 */
export function addDependency(resource: TerraformResource, on: TerraformResource): void {
  const address = `${on.terraformResourceType}.${on.friendlyUniqueId}`;
  const current = resource.dependsOn ?? [];
  if (!current.includes(address)) resource.dependsOn = [...current, address];
}
