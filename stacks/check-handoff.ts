/**
 * Hands the checks of a synth to another thread (issue 22): once cdktf has written a stack's
 * JSON, the file is passed on with what its checks need, and the rule pack and the deployability
 * check, which then skip the stack here (deferred-checks.ts), are run on it by the receiver
 * (tools/checks/). The checks are the same functions either way (`judgeStack`,
 * `judgeEnvironment`), on the same JSON: the file is exactly what they would have read here.
 */
import type { Construct } from 'constructs';
import { onStackWritten, TerraformStack } from '../lib/tf';
import { securityAuditOf } from './audit/aspect';
import { deferChecks } from './deferred-checks';
import { modeOf, siblingsOf, type CheckedStack, type DeployabilityMode } from './deployability';

/** A written stack and what its checks need; plain data, so it can cross to a worker. */
export interface WrittenStack {
  readonly name: string;
  /** The stack's cdk.tf.json, as written. */
  readonly file: string;
  /** Whether the rule pack judges it (the stack carries the SecurityAudit aspect), and the day it judges expiry by. */
  readonly audit?: { readonly today?: string };
  /** Its environment's deployability check, for an EnvironmentStack. */
  readonly environment?: {
    readonly name: string;
    /** The environment's stacks in deploy order: the check runs once every one of them is written. */
    readonly stacks: readonly string[];
    readonly dependsOn: readonly string[];
    /** On the environment's last stack only (read then, as a synth checking in place reads it). */
    readonly mode?: DeployabilityMode;
  };
}

function isChecked(stack: TerraformStack): stack is CheckedStack {
  return (stack as Partial<CheckedStack>).environment !== undefined;
}

/** What the environment's check needs from `stack`; the mode is read at the environment's last stack only. */
function environmentOf(stack: CheckedStack): NonNullable<WrittenStack['environment']> {
  const stacks = siblingsOf(stack).map((s) => s.node.id);
  const last = stacks[stacks.length - 1] === stack.node.id;
  return { name: stack.environment.name, stacks, dependsOn: stack.dependencies.map((d) => d.node.id), ...(last ? { mode: modeOf(stack) } : {}) };
}

/** Defers the checks of every stack of `app` and calls `written` for each stack cdktf writes. Call after the stacks are built, before `app.synth()`. */
export function handOffChecks(app: Construct, written: (stack: WrittenStack) => void): void {
  deferChecks(app);
  for (const stack of app.node.findAll().filter(TerraformStack.isStack)) {
    onStackWritten(stack, (file) => {
      const options = securityAuditOf(stack);
      if (options?.rules) throw new Error(`${stack.node.id}: a rule pack of its own cannot be handed to another thread; check in place`);
      written({
        name: stack.node.id,
        file,
        ...(options ? { audit: options.today === undefined ? {} : { today: options.today } } : {}),
        ...(isChecked(stack) ? { environment: environmentOf(stack) } : {}),
      });
    });
  }
}
