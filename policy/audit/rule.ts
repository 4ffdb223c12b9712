import { basename } from 'node:path';
import type { Evaluation, Rule, RuleContext, Severity } from './types';
import type { StackModel } from './model';

/** What a rule file declares; the ID and slug come from its file name. */
export interface RuleDefinition {
  readonly severity: Severity;
  /** One sentence: what is wrong when the rule fires. */
  readonly title: string;
  /** One sentence: why it matters. */
  readonly why: string;
  /** Control IDs from policy/audit/controls.ts. */
  readonly controls: readonly string[];
  /** @default true */
  readonly suppressible?: boolean;
  readonly check: (stack: StackModel, context: RuleContext) => Evaluation[];
}

const FILE_NAME = /^([A-Z]{2,5}-\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/**
 * Declares a rule, cdk-nag style: the ID is the file name's prefix, so
 * `rules/NET-001-default-deny.ts` is rule `NET-001` (slug `default-deny`). Pass `__filename`.
 */
export function defineRule(file: string, definition: RuleDefinition): Rule {
  const stem = basename(file).replace(/\.(ts|js)$/, '');
  const match = FILE_NAME.exec(stem);
  if (!match) throw new Error(`audit rule file ${JSON.stringify(basename(file))}: name it <ID>-<slug>.ts, e.g. NET-001-default-deny.ts`);
  return { id: match[1]!, slug: match[2]!, suppressible: definition.suppressible ?? true, ...definition };
}
