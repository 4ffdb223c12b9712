/**
 * What a construct may know about the cluster it is declared for, found by one branded lookup
 * (`ClusterContext.of(this)`, as aws-cdk's `Stack.of`). Stacks implement it; constructs read
 * it instead of importing the stack classes, so dependencies point one way:
 * constructs ← stacks.
 */
import type { IConstruct } from 'constructs';
import type { Environment } from '../environments';
import type { HelmProvider, KubernetesProvider } from '../lib/providers';
import type { ITerraformDependable } from '../lib/tf';
import type { NamespacePlan } from '../policy/layout';
import type { Layer } from '../policy/names';
import type { ZoneName } from '../policy/zones';

/** A namespace created in the same stack, as the objects placed in it depend on it. */
export interface CreatedNamespace {
  readonly namespace: ITerraformDependable;
  readonly baseline: readonly ITerraformDependable[];
}

const BRAND = Symbol.for('moit.gov.vn/ClusterContext');

/** The cluster, environment and providers of the stack a construct is declared in. */
export interface ClusterContext extends IConstruct {
  readonly environment: Environment;
  /** The cluster the stack targets (`mgmt` for the Cluster API management cluster). */
  readonly cluster: string;
  readonly layer: Layer;
  /** The provider reaching the cluster's API; constructs never create providers themselves. */
  readonly kubernetes: KubernetesProvider;
  /** The helm provider (created on first use). */
  readonly helm: HelmProvider;
  /** The cluster's namespaces and their zones (policy/layout.ts). */
  readonly namespaces: readonly NamespacePlan[];
  /** True when stateful resources of this stack may be destroyed by a plan. */
  readonly ephemeral: boolean;
  /** The zone of one of the cluster's namespaces; an unknown namespace is an error. */
  zoneOf(namespace: string): ZoneName;
  /**
   * The namespace `name` when this same stack creates it: the namespace itself, and its
   * baseline (default deny, DNS, quota, limits) that a chart installed into it waits for.
   * Undefined when another stack creates it.
   */
  createdNamespace(name: string): CreatedNamespace | undefined;
  /**
   * What every chart of this cluster that runs pods waits for: the CNI and the cloud provider
   * of a Cluster API cluster (constructs/cluster/bootstrap.ts). Empty until registered.
   */
  readonly bootstrapDependencies: readonly ITerraformDependable[];
  /** Registers part of the cluster bootstrap; charts declared afterwards wait for it. */
  addBootstrapDependency(dependency: ITerraformDependable): void;
}

export const ClusterContext = {
  /** Marks `stack` as the context of everything declared inside it. */
  brand(stack: ClusterContext): void {
    Object.defineProperty(stack, BRAND, { value: true, enumerable: false });
  },

  /** The context `scope` is declared in, or undefined outside any. */
  tryOf(scope: IConstruct): ClusterContext | undefined {
    for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
      if ((node as unknown as Record<symbol, unknown>)[BRAND] === true) return node as ClusterContext;
    }
    return undefined;
  },

  /** The context `scope` is declared in; an error naming the construct outside any. */
  of(scope: IConstruct): ClusterContext {
    const found = ClusterContext.tryOf(scope);
    if (!found) throw new Error(`${scope.node.path}: must be created inside an environment's stack (a ClusterContext, stacks/base.ts)`);
    return found;
  },
};
