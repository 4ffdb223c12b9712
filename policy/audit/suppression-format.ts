/** What makes a suppression valid. Shared by `suppress()` (at declaration) and rule AUD-001. */
import { dayNumber, type SuppressionRecord } from './model';

/** `team/person`: the team that answers for the exception and the person who accepted it. */
export const OWNER_PATTERN = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._@-]*$/i;
export const MIN_REASON_LENGTH = 10;

/** Problems with a suppression's fields (not its expiry), each naming the value and the fix. */
export function formatProblems(s: SuppressionRecord, ruleIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (typeof s.rule !== 'string' || !ruleIds.has(s.rule)) problems.push(`rule must be the ID of a rule in the pack (e.g. NET-003), got ${JSON.stringify(s.rule)}`);
  if (typeof s.reason !== 'string' || s.reason.trim().length < MIN_REASON_LENGTH) problems.push(`reason must explain the exception in at least ${MIN_REASON_LENGTH} characters, got ${JSON.stringify(s.reason)}`);
  if (typeof s.owner !== 'string' || !OWNER_PATTERN.test(s.owner)) problems.push(`owner must name a team and a person as "team/person", got ${JSON.stringify(s.owner)}`);
  if (dayNumber(s.expires) === undefined) problems.push(`expires must be a real date written YYYY-MM-DD, got ${JSON.stringify(s.expires)}`);
  return problems;
}

/** True when the suppression's expiry date is before `today` (a suppression lasts through its expiry day). */
export function isExpired(s: SuppressionRecord, today: string): boolean {
  const end = dayNumber(s.expires);
  return end !== undefined && end < dayNumber(today)!;
}

/** A suppression that may silence a finding: well-formed and not expired. */
export function isEffective(s: SuppressionRecord, ruleIds: ReadonlySet<string>, today: string): boolean {
  return formatProblems(s, ruleIds).length === 0 && !isExpired(s, today);
}
