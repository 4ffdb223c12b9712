import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { OPERATORS, OperatorName } from '../lib/versions';
import { Release } from '../lib/providers';
import { ClusterContext } from './context';

export interface OperatorChartProps {
  /** Which operator, by its entry in lib/versions.ts; chart and version come from there. */
  readonly operator: OperatorName;
  /** Chart values, rendered to YAML (plain data: never secrets). @default {} */
  readonly values?: Record<string, unknown>;
  /**
   * The namespace to install into; it must be one the stack created (a ZonedNamespace, so it
   * has its zone, Pod Security labels and default deny before the chart lands).
   * @default the operator's namespace from lib/versions.ts
   */
  readonly namespace?: string;
  /** Releases that must be installed first (cert-manager before its users). @default [] */
  readonly dependsOn?: readonly OperatorChart[];
  /**
   * Part of the cluster bootstrap (the CNI, the cloud provider): it waits for nothing but its
   * `dependsOn`, while every other chart waits for the stack's bootstrap dependencies.
   * @default false
   */
  readonly bootstrap?: boolean;
}

/**
 * The one namespace a chart may be installed into without the stack creating it: the control
 * plane's own, where the CNI, the cloud provider and the snapshot controller run as every
 * Kubernetes distribution runs them (Pod Security exempt, see control-plane-hardening.ts).
 */
export const SYSTEM_NAMESPACE = 'kube-system';

/**
 * One operator installed with Helm at the version pinned in lib/versions.ts. Values are
 * passed as one YAML document so the plan shows them readably; `atomic` rolls back a failed
 * upgrade, and `cleanup_on_fail` removes what a failed install created.
 */
export class OperatorChart extends Construct {
  readonly release: Release;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: OperatorChartProps) {
    super(scope, id);
    const op = OPERATORS[props.operator];
    const stack = ClusterContext.of(this);
    this.namespace = props.namespace ?? op.namespace;
    // A services stack is applied after its cluster's platform stack, which creates every
    // namespace of the layout with its baseline; zoneOf throws for a namespace outside it.
    const afterPlatform = stack.layer === 'services';
    if (afterPlatform) stack.zoneOf(this.namespace);
    const created = this.namespace === SYSTEM_NAMESPACE || afterPlatform ? { namespace: undefined, baseline: [] } : stack.createdNamespace(this.namespace);
    if (!created) {
      throw new Error(`${this.node.path}: namespace "${this.namespace}" is not created by ${stack.node.id}; add it to the cluster layout (policy/layout.ts) so it gets its zone and default deny`);
    }
    this.release = new Release(this, 'release', {
      provider: stack.helm,
      name: op.chart,
      repository: op.repository,
      chart: op.chart,
      version: op.chartVersion,
      namespace: this.namespace,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      timeout: 900,
      // No YAML anchors: a placement shared by several workloads is written out for each.
      values: [stringify(props.values ?? {}, { sortMapEntries: true, aliasDuplicateObjects: false })],
      // The namespace with its default deny, quota and limits exists before the chart lands.
      // Pods need the CNI (and, on tainted nodes, the cloud provider's initialization) first.
      dependsOn: [...created.baseline, ...(props.bootstrap ? [] : stack.bootstrapDependencies), ...(props.dependsOn ?? []).map((d) => d.release)],
    });
  }
}
