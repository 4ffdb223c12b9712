import { Construct } from 'constructs';
import { Manifest } from '../../lib/providers';
import { RULES } from '../../policy/audit/rules';
import { admissionPolicies, type AdmissionParams, type AdmissionPolicyDefinition } from '../../policy/admission/policies';
import { ClusterContext } from '../context';

/** How a binding treats a request its policy refuses. */
export type AdmissionMode = 'deny' | 'warn';

/** Labels the audit and the review read on the synthesized objects. */
export const ADMISSION_RULE_LABEL = 'moit.gov.vn/audit-rule';
export const ADMISSION_MODE_LABEL = 'moit.gov.vn/admission-mode';

export interface AdmissionPoliciesProps {
  /** What the expressions depend on (zones, exceptions, retaining classes). */
  readonly params: AdmissionParams;
  /**
   * Rules whose bindings refuse requests (`Deny` + `Audit`). Every other policy binds with
   * `Warn` + `Audit`: a policy new to an environment warns first, and moves to Deny by a
   * declared setting (the environment's `admission.deny`). @default none
   */
  readonly deny?: ReadonlySet<string>;
}

/**
 * The rules of the audit pack that hold at admission, in the cluster itself
 * (policy/admission/policies.ts): one ValidatingAdmissionPolicy and its binding per policy,
 * cluster-scoped, in the platform stack. Built-in API (admissionregistration.k8s.io/v1),
 * so no controller is installed and nothing else must come first.
 */
export class AdmissionPolicies extends Construct {
  /** The policies declared, with the mode each is bound in. */
  readonly policies: ReadonlyArray<{ readonly definition: AdmissionPolicyDefinition; readonly mode: AdmissionMode }>;

  constructor(scope: Construct, id: string, props: AdmissionPoliciesProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const deny = props.deny ?? new Set<string>();
    const out: Array<{ definition: AdmissionPolicyDefinition; mode: AdmissionMode }> = [];
    for (const definition of admissionPolicies(props.params)) {
      const rule = RULES.find((r) => r.id === definition.rule);
      const mode: AdmissionMode = deny.has(definition.rule) ? 'deny' : 'warn';
      const labels = { 'app.kubernetes.io/managed-by': 'moit-datacentre', [ADMISSION_RULE_LABEL]: definition.rule };
      const policy = new Manifest(this, definition.name, {
        provider: stack.kubernetes,
        manifest: policyObject(definition, labels, rule?.title),
        fieldManager: { name: 'moit-datacentre', forceConflicts: false },
      });
      new Manifest(this, `${definition.name}-binding`, {
        provider: stack.kubernetes,
        dependsOn: [policy],
        manifest: {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicyBinding',
          metadata: { name: definition.name, labels: { ...labels, [ADMISSION_MODE_LABEL]: mode } },
          spec: { policyName: definition.name, validationActions: mode === 'deny' ? ['Deny', 'Audit'] : ['Warn', 'Audit'] },
        },
        fieldManager: { name: 'moit-datacentre', forceConflicts: false },
      });
      out.push({ definition, mode });
    }
    this.policies = out;
  }
}

/** The ValidatingAdmissionPolicy object of one definition. */
export function policyObject(definition: AdmissionPolicyDefinition, labels: Record<string, string> = {}, title?: string): Record<string, unknown> {
  const groups = new Map<string, { apiGroups: string[]; apiVersions: string[]; resources: string[] }>();
  for (const r of definition.resources) {
    const key = `${r.apiGroup}/${r.apiVersion}`;
    const entry = groups.get(key) ?? { apiGroups: [r.apiGroup], apiVersions: [r.apiVersion], resources: [] };
    entry.resources.push(r.resource);
    groups.set(key, entry);
  }
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: definition.name, labels, ...(title ? { annotations: { 'moit.gov.vn/rule-title': title } } : {}) },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [...groups.values()].map((g) => ({ ...g, operations: [...definition.operations] })) },
      ...(definition.matchConditions ? { matchConditions: definition.matchConditions.map((c) => ({ ...c })) } : {}),
      validations: definition.validations.map((v) => ({ expression: v.expression, message: v.message, reason: 'Forbidden' })),
    },
  };
}
