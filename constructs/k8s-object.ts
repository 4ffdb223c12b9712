import { Construct } from 'constructs';
import { Manifest } from '../lib/providers';
import { ClusterContext } from './context';

/** A Kubernetes object as written to the API: the validator checks it against its CRD schema. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: unknown;
  readonly [key: string]: unknown;
}

export interface CustomResourceProps {
  readonly object: KubernetesObject;
  /**
   * Fields the operator fills in, which Terraform must not treat as drift. Needed for
   * `x-kubernetes-preserve-unknown-fields` maps (hashicorp/terraform-provider-kubernetes#2821).
   * @default ["metadata.labels", "metadata.annotations"]
   */
  readonly computedFields?: string[];
}

/**
 * A custom resource declared with `kubernetes_manifest`. It belongs in a services (or
 * clusters) stack, never in the platform stack that installs its CRD: the provider needs the
 * CRD at plan time (hashicorp/terraform-provider-kubernetes#1367).
 */
export class CustomResource extends Construct {
  readonly manifest: Manifest;
  readonly object: KubernetesObject;

  constructor(scope: Construct, id: string, props: CustomResourceProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    if (stack.layer === 'platform') {
      throw new Error(`${this.node.path}: a ${props.object.kind} is a custom resource; declare it in a services or clusters stack, not in ${stack.node.id}`);
    }
    this.object = props.object;
    this.manifest = new Manifest(this, 'manifest', {
      provider: stack.kubernetes,
      manifest: props.object as unknown as Record<string, unknown>,
      computedFields: props.computedFields ?? ['metadata.labels', 'metadata.annotations'],
      fieldManager: { name: 'moit-datacentre', forceConflicts: false },
    });
  }
}
