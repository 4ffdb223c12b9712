/**
 * Where `--allow-destroy` comes from in CI: the merge request, never the pipeline. The author
 * lists the stateful resources the change may destroy in a fenced block of the merge request
 * description, where reviewers see it next to the diff comment:
 *
 *     ```allow-destroy
 *     dev-data:kubernetes_manifest.orders-db_manifest_1A2B3C4D
 *     ```
 *
 * - On the merge request, `npm run allow-destroy -- --report plans/diff.json` fails the
 *   pipeline while a destructive change of the diff is not in the block, and prints the exact
 *   block to add.
 * - On the default branch, `npm run deploy-approved` finds the merge request the commit was
 *   merged by, and passes its block to the deploy only when the merge request was approved by
 *   someone other than its author. Otherwise the block is ignored, and the deploy guard
 *   refuses any stateful destroy as it would without allowances.
 */
import { UserError } from '../../lib/errors';
import { parseAllowances, type Allowance } from '../review/guard';
import type { Finding, ReviewReport } from '../review/model';
import type { CiPlatform, MergeRequest } from './platform';

const BLOCK = /^[ \t]*(`{3,}|~{3,})[ \t]*allow-destroy[ \t]*\r?\n([\s\S]*?)^[ \t]*\1[ \t]*$/gm;

/**
 * The entries of every ```allow-destroy block of a description: one `<stack>:<address>` per
 * line; blank lines, `#` comments and list bullets are ignored. Every bad entry is reported at
 * once, naming `source`.
 */
export function allowListOf(description: string, source: string): Allowance[] {
  const entries: string[] = [];
  for (const m of description.replace(/\r\n/g, '\n').matchAll(BLOCK)) {
    for (const raw of m[2]!.split('\n')) {
      const line = raw.replace(/#.*$/, '').replace(/^\s*[-*]\s+/, '').trim();
      if (line) entries.push(line);
    }
  }
  try {
    return parseAllowances(entries);
  } catch (e) {
    throw new UserError(`${source}, allow-destroy block: ${(e as Error).message.replace(/^Invalid --allow-destroy: /, '')}`);
  }
}

/** The block that allows these findings, ready to paste. */
export function allowBlock(findings: readonly Pick<Finding, 'stack' | 'address'>[]): string {
  return ['```allow-destroy', ...findings.map((f) => `${f.stack}:${f.address ?? ''}`), '```'].join('\n');
}

export interface AllowCheck {
  readonly allowed: readonly Finding[];
  /** Destructive findings not in the block. */
  readonly refused: readonly Finding[];
  /** Entries that match no destructive finding (a typo, or the change was dropped). */
  readonly unused: readonly Allowance[];
}

/** Compares the destructive findings of a review report with the allow list. */
export function checkAllowed(report: ReviewReport, allowances: readonly Allowance[]): AllowCheck {
  const destructive = report.findings.filter((f) => f.severity === 'destructive');
  const used = new Set<Allowance>();
  const allowed: Finding[] = [];
  const refused: Finding[] = [];
  for (const f of destructive) {
    const a = f.address ? allowances.find((x) => x.stack === f.stack && x.address === f.address) : undefined;
    if (a) {
      used.add(a);
      allowed.push(f);
    } else refused.push(f);
  }
  return { allowed, refused, unused: allowances.filter((a) => !used.has(a)) };
}

export interface ApprovedAllowances {
  /** The merged merge request the commit belongs to, if any. */
  readonly mergeRequest?: MergeRequest;
  /** Approvers other than the author. */
  readonly approvers: readonly string[];
  /** The block's entries, when the merge request was approved by someone other than its author; else empty. */
  readonly allowances: readonly Allowance[];
  /** What was decided, in words, for the job log. */
  readonly notes: readonly string[];
}

/**
 * The allow list a deploy of `sha` may use: the block of the merged merge request of that
 * commit, if it was approved by someone other than its author.
 */
export async function approvedAllowances(platform: CiPlatform, sha: string): Promise<ApprovedAllowances> {
  const ref = (n: number): string => (platform.name === 'gitlab' ? `merge request !${n}` : `pull request #${n}`);
  const merged = (await platform.mergeRequestsOfCommit(sha)).filter((m) => m.state === 'merged').sort((a, b) => b.number - a.number);
  const mr = merged[0];
  if (!mr) return { approvers: [], allowances: [], notes: [`No merged merge request contains commit ${sha.slice(0, 12)} (a direct push?): no destroy is allowed.`] };
  const notes: string[] = [];
  if (merged.length > 1) notes.push(`Commit ${sha.slice(0, 12)} is in ${merged.length} merged requests; using the latest, ${ref(mr.number)}.`);
  const allowances = allowListOf(mr.description, ref(mr.number));
  const approvers = (await platform.approvers(mr.number)).filter((u) => u !== mr.author);
  if (allowances.length === 0) return { mergeRequest: mr, approvers, allowances: [], notes: [...notes, `${ref(mr.number)} allows no destroy.`] };
  if (approvers.length === 0) {
    return {
      mergeRequest: mr,
      approvers,
      allowances: [],
      notes: [...notes, `${ref(mr.number)} lists ${allowances.length} allowed destroy(s), but nobody other than its author (${mr.author || 'unknown'}) approved it: the list is ignored.`],
    };
  }
  return {
    mergeRequest: mr,
    approvers,
    allowances,
    notes: [...notes, `${ref(mr.number)} by ${mr.author || 'unknown'}, approved by ${approvers.join(', ')}, allows: ${allowances.map((a) => a.text).join(', ')}.`],
  };
}
