/**
 * One comment per merge/pull request, kept up to date (`npm run comment`): the comment starts
 * with a hidden marker (an HTML comment, invisible once rendered) by which the next run finds
 * it again and edits it in place. A run whose body is the same as the comment's changes
 * nothing (no request that writes), so a push that does not change the plan does not notify
 * anyone.
 *
 * The body comes from a review report: the JSON of `npm run diff`/`npm run plan`
 * (`--format json`), rendered by the review renderer (tools/review/markdown.ts) with its size
 * limit, or a Markdown file, cut the same way (at a line, closing what is open, with a pointer
 * to the full report).
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../../lib/errors';
import { code, renderMarkdown } from '../review/markdown';
import type { ReviewReport } from '../review/model';
import type { CiPlatform } from './platform';

/** The hidden marker of the comment (or issue) named `key`. */
export function markerOf(key: string, kind = 'comment'): string {
  if (!/^[A-Za-z0-9][\w.-]*$/.test(key)) throw new UserError(`--key: must be letters, digits, ".", "_" or "-", got ${JSON.stringify(key)}.`);
  return `<!-- moit-datacentre:${kind}:${key} -->`;
}

/** Bodies compare equal when they differ only in line endings or trailing blanks (servers normalize both). */
export function sameBody(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').trimEnd();
  return norm(a) === norm(b);
}

export interface CutOptions {
  /** Where the full report is, named in the notice. */
  readonly fullReportPath?: string;
  /** A link to it (the pipeline's artefacts). */
  readonly artifactUrl?: string;
}

/** The notice the review renderer ends a cut comment with. */
function cutNotice(limit: number, options: CutOptions): string {
  const where = options.fullReportPath
    ? ` The full report is ${code(options.fullReportPath)}${options.artifactUrl ? ` ([download](${options.artifactUrl}))` : ''}.`
    : options.artifactUrl
      ? ` [Full report](${options.artifactUrl}).`
      : '';
  return `\n---\n✂️ **Cut to stay under ${limit.toLocaleString('en-US')} characters.**${where}\n`;
}

/**
 * Cuts Markdown to `limit` characters as the review renderer does: whole lines only, open code
 * fences and `<details>` closed, and a notice naming the full report. Text within the limit is
 * returned as is.
 */
export function cutMarkdown(text: string, limit: number, options: CutOptions = {}): { text: string; truncated: boolean } {
  if (text.length <= limit) return { text, truncated: false };
  const notice = cutNotice(limit, options);
  const room = limit - notice.length - 200; // 200: closing fences and tags
  let kept = text.slice(0, Math.max(0, room));
  const lastNewline = kept.lastIndexOf('\n');
  if (lastNewline > 0) kept = kept.slice(0, lastNewline + 1);
  const closers: string[] = [];
  const fences = kept.match(/^\s*(```|~~~)/gm) ?? [];
  if (fences.length % 2 === 1) closers.push(fences[fences.length - 1]!.trim().slice(0, 3));
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < Math.min(open, 20); i++) closers.push('</details>');
  const out = `${kept}${closers.length ? `\n${closers.join('\n\n')}\n` : ''}${notice}`;
  return { text: out.length <= limit ? out : `${out.slice(0, limit - notice.length)}${notice}`, truncated: true };
}

export function isReviewReport(value: unknown): value is ReviewReport {
  const v = value as Partial<ReviewReport> | null;
  return !!v && typeof v === 'object' && v.schemaVersion === 1 && (v.kind === 'config-diff' || v.kind === 'plan') && Array.isArray(v.stacks) && Array.isArray(v.findings) && !!v.totals;
}

/** Reads a review report JSON file (`npm run diff|plan -- --format json`); errors name the file and the fix. */
export function readReviewReport(file: string): ReviewReport {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`--report ${file}: cannot read it as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Write it with npm run diff -- --format json --out ${file}.`);
  }
  if (!isReviewReport(value)) throw new UserError(`--report ${file}: not a review report (expected schemaVersion 1, kind config-diff or plan, stacks, findings, totals). Write it with npm run diff -- --format json.`);
  return value;
}

export interface ReportComment {
  /** The comment, within the limit. */
  readonly text: string;
  readonly truncated: boolean;
  /** The whole report as Markdown (for the artefacts). */
  readonly full: string;
}

/**
 * Reads a report file: review JSON (`npm run diff|plan -- --format json`), rendered by the
 * review renderer; or Markdown, cut to the limit. Errors name the file and the fix.
 */
export function commentFromReport(file: string, limit: number, options: CutOptions = {}): ReportComment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`--report ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Pass the file written by npm run diff or npm run plan (--out).`);
  }
  if (/\.json$/i.test(file) || /^\s*\{/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new UserError(`--report ${file}: not valid JSON (${(e as Error).message}). Write it with npm run diff -- --format json --out ${file}.`);
    }
    if (!isReviewReport(value)) {
      throw new UserError(`--report ${file}: not a review report (expected schemaVersion 1, kind config-diff or plan, stacks, findings, totals). Write it with npm run diff -- --format json, or pass a Markdown file.`);
    }
    const rendered = renderMarkdown(value, { limit, fullReportPath: options.fullReportPath ?? file, artifactUrl: options.artifactUrl });
    return { text: rendered.text, truncated: rendered.truncated, full: renderMarkdown(value, { limit: Infinity }).text };
  }
  if (text.trim() === '') throw new UserError(`--report ${file}: the file is empty. Check the step that writes it.`);
  const cut = cutMarkdown(text, limit, { fullReportPath: options.fullReportPath ?? file, artifactUrl: options.artifactUrl });
  return { ...cut, full: text };
}

export type UpsertAction = 'created' | 'updated' | 'unchanged';

export interface UpsertOutcome {
  readonly action: UpsertAction;
  readonly id: number;
  /** Other comments with the same marker (left alone; only the oldest is kept up to date). */
  readonly duplicates: number;
}

/**
 * Posts `text` as the comment named `key` on the merge/pull request, or edits the one posted
 * before; does nothing when it already says the same.
 */
export async function upsertComment(platform: CiPlatform, mergeRequest: number, key: string, text: string): Promise<UpsertOutcome> {
  const marker = markerOf(key);
  const body = `${marker}\n${text}`;
  // The oldest one is kept up to date (GitLab lists notes newest first, GitHub oldest first).
  const mine = (await platform.listComments(mergeRequest)).filter((n) => n.body.startsWith(marker)).sort((a, b) => a.id - b.id);
  const first = mine[0];
  if (!first) {
    const created = await platform.createComment(mergeRequest, body);
    return { action: 'created', id: created.id, duplicates: 0 };
  }
  if (sameBody(first.body, body)) return { action: 'unchanged', id: first.id, duplicates: mine.length - 1 };
  await platform.updateComment(mergeRequest, first.id, body);
  return { action: 'updated', id: first.id, duplicates: mine.length - 1 };
}
