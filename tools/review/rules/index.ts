/**
 * The review rules, one per file; a rule's id is its file name. Destructive rules make `diff`
 * and `plan` exit 2; security and caution rules are warnings at the top of the report.
 */
import type { EstateRule, ResourceRule, ReviewRule, StackRule } from '../rule-support';
import { rule as admissionWeakened } from './admission-weakened';
import { rule as authenticationDisabled } from './authentication-disabled';
import { rule as backendChanged } from './backend-changed';
import { rule as networkPolicyRemoved } from './network-policy-removed';
import { rule as networkPolicyWidened } from './network-policy-widened';
import { rule as preventDestroyRemoved } from './prevent-destroy-removed';
import { rule as reachabilityChanged } from './reachability-changed';
import { rule as retentionShortened } from './retention-shortened';
import { rule as sharingGranted } from './sharing-granted';
import { rule as stackRemoved } from './stack-removed';
import { rule as statefulDestroyed } from './stateful-destroyed';
import { rule as tlsDisabled } from './tls-disabled';
import { rule as volumeShrunk } from './volume-shrunk';

export const RULES: readonly ReviewRule[] = [
  statefulDestroyed,
  preventDestroyRemoved,
  networkPolicyRemoved,
  networkPolicyWidened,
  reachabilityChanged,
  tlsDisabled,
  authenticationDisabled,
  admissionWeakened,
  retentionShortened,
  volumeShrunk,
  sharingGranted,
  backendChanged,
  stackRemoved,
];

export const RESOURCE_RULES = RULES.filter((r): r is ResourceRule => r.scope === 'resource');
export const STACK_RULES = RULES.filter((r): r is StackRule => r.scope === 'stack');
export const ESTATE_RULES = RULES.filter((r): r is EstateRule => r.scope === 'estate');
