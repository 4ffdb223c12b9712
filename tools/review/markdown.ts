/**
 * Renders a review report as Markdown for a pull-request comment, shared by `diff` and `plan`:
 *
 * 1. a title and one summary line, then a table of counts per environment and stack;
 * 2. the warnings: destructive changes first, then security-relevant ones, then cautions;
 * 3. per stack, a folded `<details>` block listing each resource change, attribute by
 *    attribute (delete → replace → update → create), with moved and imported resources.
 *
 * A comment never exceeds the limit (65,000 characters by default, under GitHub's 65,536):
 * the summary and warnings come first and are kept; stack details are added while they fit,
 * a stack that does not fit is cut at a resource boundary with its `<details>` closed, and a
 * closing note names the full report (a file, optionally a link). Rendering with
 * `limit: Infinity` gives that full report.
 */
import { structuredPatch } from 'diff';
import type { AttributeChange, Counts, Finding, ResourceChange, ReviewReport, Severity, StackReport } from './model';
import { hasChanges } from './model';
import type { Json } from './paths';
import { MASK } from './sensitive';

/** The default size limit of a comment, in characters (JavaScript string length). */
export const COMMENT_LIMIT = 65_000;

export interface RenderOptions {
  /** Maximum length of the output. @default COMMENT_LIMIT; `Infinity` for the full report */
  readonly limit?: number;
  /** Where the full report is written, named when the comment is cut. */
  readonly fullReportPath?: string;
  /** A link to the full report (a CI artefact), added to the cut notice. */
  readonly artifactUrl?: string;
  /** Longest value shown inline. @default 200 in a comment, 4000 in the full report */
  readonly valueChars?: number;
  /** Most attributes listed per resource. @default 40 in a comment, all in the full report */
  readonly attributesPerResource?: number;
}

export interface Rendered {
  readonly text: string;
  /** True when stack details or warnings were left out to fit the limit. */
  readonly truncated: boolean;
}

const SYMBOL: Record<string, string> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  forget: '.',
  'no-op': ' ',
  read: '<=',
};

/** Inline code that survives backticks in the value. */
export function code(text: string): string {
  if (!text.includes('`')) return `\`${text}\``;
  return `\`\` ${text} \`\``;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `3 to add, 1 to change, 1 to replace, 2 to destroy, 1 moved` (zeros left out). */
export function describeCounts(c: Counts): string {
  const parts = [
    c.add && `${c.add} to add`,
    c.change && `${c.change} to change`,
    c.replace && `${c.replace} to replace`,
    c.remove && `${c.remove} to destroy`,
    c.move && `${c.move} moved`,
    c.import && `${c.import} to import`,
    c.forget && `${c.forget} to forget`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no resource changes';
}

function formatValue(value: Json | undefined, max: number): string {
  if (value === undefined) return '(absent)';
  if (value === MASK) return MASK;
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

function isMultiline(v: Json | undefined): v is string {
  return typeof v === 'string' && v.includes('\n') && v !== MASK;
}

/** A unified diff of two multi-line strings, as an indented fenced block. */
function textDiff(before: string, after: string, indent: string, maxLines: number): string {
  const patch = structuredPatch('before', 'after', before, after, undefined, undefined, { context: 2 });
  const lines = patch.hunks.flatMap((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines]);
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push(`… ${lines.length - maxLines} more lines`);
  const fence = shown.some((l) => l.includes('```')) ? '~~~~' : '```';
  return [`${indent}${fence}diff`, ...shown.map((l) => `${indent}${l}`), `${indent}${fence}`].join('\n');
}

function attributeLine(a: AttributeChange, o: Pick<Layout, 'valueChars'>, indent: string): string {
  const path = code(a.path);
  const force = a.forcesReplacement ? ' **(forces replacement)**' : '';
  if (isMultiline(a.before) && isMultiline(a.after)) {
    return `${indent}- ${path}: text changed${force}\n\n${textDiff(a.before, a.after, `${indent}  `, 60)}\n`;
  }
  const after = a.afterUnknown ? '(known after apply)' : formatValue(a.after, o.valueChars);
  if (a.before === undefined && !a.afterUnknown) return `${indent}- ${path}: ${code(after)}${force}`;
  if (a.after === undefined && !a.afterUnknown) return `${indent}- ${path}: ${code(formatValue(a.before, o.valueChars))} → (removed)${force}`;
  return `${indent}- ${path}: ${code(formatValue(a.before, o.valueChars))} → ${a.afterUnknown ? '_(known after apply)_' : code(after)}${force}`;
}

function statefulText(c: ResourceChange): string | undefined {
  if (!c.stateful) return undefined;
  if (c.stateful.source === 'marker') return `stateful: ${c.stateful.kind}`;
  if (c.stateful.source === 'prevent_destroy') return 'prevent_destroy';
  return `stateful (by kind): ${c.stateful.kind}`;
}

function resourceHead(c: ResourceChange): string {
  const verb = c.action === 'no-op' ? (c.moved ? 'move' : c.importing ? 'import' : 'markers only') : c.action;
  const address = c.moved && c.previousAddress ? `${code(c.previousAddress)} → ${code(c.address)}` : code(c.address);
  const facts = [
    c.label,
    statefulText(c),
    c.sharing.length ? `sharing: ${c.sharing.join(', ')}` : undefined,
    c.moved && c.action !== 'no-op' ? 'moved' : undefined,
    c.importing ? `import${c.importing.id ? ` id ${code(c.importing.id)}` : ''}` : undefined,
    c.mode === 'data' ? 'data source' : undefined,
    c.createBeforeDestroy ? 'create before destroy' : undefined,
  ].filter(Boolean);
  const why = [c.reason, c.replacePaths.length ? `forced by ${c.replacePaths.map(code).join(', ')}` : undefined].filter(Boolean).join('; ');
  return `- ${code(SYMBOL[c.action] ?? '?')} **${verb}** ${address}${facts.length ? ` (${escapeText(facts.join(' · '))})` : ''}${why ? `: ${escapeText(why)}` : ''}`;
}

/** How much of each resource is shown: all attributes, none for creates, or none at all. */
type Detail = 'attributes' | 'no-create-attributes' | 'headlines';

interface Layout {
  readonly valueChars: number;
  readonly attributesPerResource: number;
  readonly detail: Detail;
}

function resourceBlock(c: ResourceChange, o: Layout): string {
  const lines = [resourceHead(c)];
  const show = o.detail === 'attributes' || (o.detail === 'no-create-attributes' && c.action !== 'create');
  if (show && c.action !== 'delete' && c.action !== 'forget') {
    const attrs = c.attributes.slice(0, o.attributesPerResource);
    for (const a of attrs) lines.push(attributeLine(a, o, '  '));
    const more = c.attributes.length - attrs.length;
    if (more > 0) lines.push(`  - … ${plural(more, 'more attribute')} in the full report`);
  }
  return lines.join('\n');
}

function stackSummary(s: StackReport): string {
  const status = s.status === 'added' ? ' (new stack)' : s.status === 'removed' ? ' (stack removed)' : s.status === 'errored' ? ' (plan errored)' : '';
  return `<details><summary><b>${s.name}</b>${status}: ${describeCounts(s.counts)}</summary>`;
}

/** The body of one stack's details, as separate blocks (so it can be cut between resources). */
function stackBlocks(s: StackReport, o: Layout): string[] {
  const blocks: string[] = [];
  for (const n of s.notes) blocks.push(`_${escapeText(n)}_`);
  for (const c of s.changes) blocks.push(resourceBlock(c, o));
  if (s.settings.length) {
    const title = s.settings.every((a) => a.path.startsWith('output.')) ? 'Outputs' : 'Stack settings (providers, backend, variables, outputs)';
    const shown = o.detail === 'headlines' ? [] : s.settings.slice(0, o.attributesPerResource);
    blocks.push([`- **${title}**${shown.length < s.settings.length ? ` (${plural(s.settings.length, 'change')}${shown.length ? ', first shown' : ''})` : ''}`, ...shown.map((a) => attributeLine(a, o, '  '))].join('\n'));
  }
  if (s.drift.length) {
    blocks.push(`**Changed outside Terraform** (the plan brings these back to the configuration):`);
    for (const c of s.drift) blocks.push(resourceBlock(c, o));
  }
  return blocks;
}

const SEVERITY: Record<Severity, { alert: string; title: string }> = {
  destructive: { alert: 'CAUTION', title: 'Destructive changes: data can be lost' },
  security: { alert: 'WARNING', title: 'Security-relevant changes' },
  caution: { alert: 'NOTE', title: 'Also check' },
};

/** Escapes `<`, `>` and `&` outside code spans, so `<stack>` is not taken for an HTML tag. */
export function escapeText(text: string): string {
  return text
    .split(/(`+[^`]*`+)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

function findingLine(f: Finding): string {
  return `> - ${code(f.stack)}${f.address ? ` ${code(f.address)}` : ''}: ${escapeText(f.message)} <sub>${f.rule}</sub>`;
}

function summaryTable(report: ReviewReport): string {
  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  if (changed.length === 0) return '';
  const warn = (stack: string): string => {
    const fs = report.findings.filter((f) => f.stack === stack);
    const d = fs.filter((f) => f.severity === 'destructive').length;
    const s = fs.filter((f) => f.severity !== 'destructive').length;
    return [d && `🛑 ${d}`, s && `⚠️ ${s}`].filter(Boolean).join(' ');
  };
  const other = (c: Counts): string => [c.move && `${c.move} moved`, c.import && `${c.import} imported`, c.forget && `${c.forget} forgotten`].filter(Boolean).join(', ');
  const rows = ['| environment | stack | add | change | replace | destroy | other | warnings |', '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |'];
  const envs = [...new Set(changed.map((s) => s.environment))];
  for (const env of envs) {
    const stacks = changed.filter((s) => s.environment === env);
    const t = stacks.reduce((acc, s) => {
      for (const k of Object.keys(acc) as Array<keyof Counts>) acc[k] += s.counts[k];
      return acc;
    }, { add: 0, change: 0, replace: 0, remove: 0, move: 0, import: 0, forget: 0 } as Counts);
    for (const s of stacks) {
      rows.push(`| ${env} | ${code(s.name)}${s.status === 'added' ? ' (new)' : s.status === 'removed' ? ' (removed)' : s.status === 'errored' ? ' (errored)' : ''} | ${s.counts.add} | ${s.counts.change} | ${s.counts.replace} | ${s.counts.remove} | ${other(s.counts)} | ${warn(s.name)} |`);
    }
    if (stacks.length > 1) rows.push(`| **${env}** | **total** | **${t.add}** | **${t.change}** | **${t.replace}** | **${t.remove}** | ${other(t)} | |`);
  }
  return rows.join('\n');
}

function headline(report: ReviewReport): string {
  const changed = report.stacks.filter((s) => s.status !== 'unchanged').length;
  const total = report.stacks.length;
  const bySeverity = (s: Severity): number => report.findings.filter((f) => f.severity === s).length;
  const warnings = [
    bySeverity('destructive') && `🛑 **${plural(bySeverity('destructive'), 'destructive change')}**`,
    bySeverity('security') && `⚠️ ${plural(bySeverity('security'), 'security-relevant change')}`,
    bySeverity('caution') && `${plural(bySeverity('caution'), 'note')}`,
  ].filter(Boolean);
  if (changed === 0 && !hasChanges(report.totals)) return `No changes in ${plural(total, 'stack')}.${warnings.length ? ` ${warnings.join(' · ')}` : ''}`;
  return `**${changed} of ${plural(total, 'stack')} change:** ${describeCounts(report.totals)}.${warnings.length ? ` ${warnings.join(' · ')}` : ''}`;
}

function unchangedLine(report: ReviewReport): string {
  const unchanged = report.stacks.filter((s) => s.status === 'unchanged').map((s) => s.name);
  if (unchanged.length === 0 || unchanged.length === report.stacks.length) return '';
  const shown = unchanged.slice(0, 30).map(code).join(', ');
  return `Unchanged: ${shown}${unchanged.length > 30 ? `, and ${unchanged.length - 30} more` : ''}.`;
}

/**
 * Renders the report; see the module comment for the layout and the size limit. When the
 * details do not fit, it first drops the attributes of created resources, then all attribute
 * lines (one line per resource), and only then cuts stacks.
 */
export function renderMarkdown(report: ReviewReport, options: RenderOptions = {}): Rendered {
  const limit = options.limit ?? COMMENT_LIMIT;
  const full = limit === Infinity;
  const base = {
    valueChars: options.valueChars ?? (full ? 4000 : 200),
    attributesPerResource: options.attributesPerResource ?? (full ? Infinity : 40),
  };
  const levels: Detail[] = full ? ['attributes'] : ['attributes', 'no-create-attributes', 'headlines'];
  let result: Rendered | undefined;
  for (const detail of levels) {
    result = renderAt(report, options, limit, { ...base, detail });
    if (!result.truncated) return result;
  }
  return result!;
}

function renderAt(report: ReviewReport, options: RenderOptions, limit: number, o: Layout): Rendered {
  const full = limit === Infinity;
  // Room kept for the cut notice, which is bounded below.
  const reserve = full ? 0 : 1200;
  const budget = limit - reserve;
  let truncated = false;

  const head = [`### ${report.title}`, '', headline(report), '', summaryTable(report), '', unchangedLine(report)].filter((x, i, a) => x !== '' || (i > 0 && a[i - 1] !== '')).join('\n');
  let out = `${head.trimEnd()}\n`;

  // Warnings, most severe first. Kept whole when they fit; otherwise cut with a count.
  let findingsLeft = 0;
  for (const severity of ['destructive', 'security', 'caution'] as const) {
    const fs = report.findings.filter((f) => f.severity === severity);
    if (fs.length === 0) continue;
    const { alert, title } = SEVERITY[severity];
    const rules = [...new Set(fs.map((f) => f.rule))];
    const why = rules.map((r) => `> <sub>**${r}**: ${escapeText(fs.find((f) => f.rule === r)!.why)}</sub>`).join('\n>\n');
    let block = `\n> [!${alert}]\n> **${title} (${fs.length})**\n>\n`;
    let shown = 0;
    for (const f of fs) {
      const line = `${findingLine(f)}\n`;
      if (out.length + block.length + line.length + why.length + 200 > budget) break;
      block += line;
      shown++;
    }
    if (shown < fs.length) {
      block += `> - … and ${fs.length - shown} more in the full report\n`;
      findingsLeft += fs.length - shown;
      truncated = true;
    }
    block += `>\n${why}\n`;
    if (out.length + block.length <= budget) out += block;
    else truncated = true;
  }

  // Details per stack.
  const sections = report.stacks.filter((s) => s.status !== 'unchanged' || s.notes.length > 0);
  const omitted: string[] = [];
  if (sections.length > 0) out += '\n#### Details per stack\n';
  if (sections.length > 0 && o.detail !== 'attributes') {
    const what = o.detail === 'no-create-attributes' ? 'created resources are listed without their attributes' : 'resources are listed without their attributes';
    out += `\n_To fit the comment, ${what}${options.fullReportPath ? `; the full report ${code(options.fullReportPath)} has them` : ''}._\n`;
  }
  for (const s of sections) {
    const open = `\n${stackSummary(s)}\n\n`;
    const close = '\n\n</details>\n';
    const blocks = stackBlocks(s, o);
    const whole = open + blocks.join('\n') + close;
    if (omitted.length === 0 && out.length + whole.length <= budget) {
      out += whole;
      continue;
    }
    truncated = true;
    let body = '';
    let n = 0;
    if (omitted.length === 0) {
      for (const b of blocks) {
        if (out.length + open.length + body.length + b.length + 1 + close.length + 120 > budget) break;
        body += `${b}\n`;
        n++;
      }
    }
    if (n === 0) {
      omitted.push(s.name);
      continue;
    }
    out += `${open}${body}- … ${plural(blocks.length - n, 'more entry', 'more entries')} of this stack in the full report${close}`;
  }

  if (truncated) {
    const where = options.fullReportPath ? ` The full report is ${code(options.fullReportPath)}${options.artifactUrl ? ` ([download](${options.artifactUrl}))` : ''}.` : options.artifactUrl ? ` [Full report](${options.artifactUrl}).` : '';
    const names = omitted.slice(0, 20).map(code).join(', ') + (omitted.length > 20 ? `, and ${omitted.length - 20} more` : '');
    const parts = [
      `✂️ **Cut to stay under ${limit.toLocaleString('en-US')} characters.**`,
      omitted.length ? ` Details of ${plural(omitted.length, 'stack')} are not shown: ${names}.` : '',
      findingsLeft ? ` ${plural(findingsLeft, 'warning')} not shown.` : '',
      where,
    ];
    let notice = `\n---\n${parts.join('')}\n`;
    if (notice.length > reserve) notice = `\n---\n✂️ **Cut to stay under ${limit.toLocaleString('en-US')} characters.**${where}\n`.slice(0, reserve);
    out += notice;
  }
  if (out.length > limit) {
    // Unreachable by construction; kept so that the promise holds whatever the input.
    out = `${out.slice(0, limit - 80)}\n\n✂️ Cut at ${limit} characters.\n`;
    truncated = true;
  }
  return { text: out, truncated };
}

/** The report as JSON (values already masked), for bots: `--format json`. */
export function renderJson(report: ReviewReport): string {
  return `${JSON.stringify(report, (key, value) => (key === 'steps' ? undefined : value), 2)}\n`;
}
