/**
 * How the cluster's admission policies (policy/admission/policies.ts) treat what they refuse.
 * Every policy binds with Warn + Audit until the environment lists its rule in `deny`: a
 * policy new to an environment warns first, and moves to Deny by this declared setting.
 */
import { z } from 'zod';
import { enforceableRules } from '../../policy/admission/policies';

const ENFORCEABLE = enforceableRules();

export const admissionSection = z
  .strictObject({
    /** Rules whose admission policies refuse requests (Deny + Audit). @default [] (all Warn + Audit) */
    deny: z
      .array(
        z.string().refine((id) => ENFORCEABLE.includes(id), {
          message: `must be a rule with an admission policy: one of ${ENFORCEABLE.join(', ')}`,
        }),
      )
      .default([]),
  })
  .default({ deny: [] });

export type AdmissionConfig = z.output<typeof admissionSection>;
