/**
 * The backup coverage table, derived from synthesized stacks (`cdk.tf.json`): every stateful
 * resource and every namespace Velero backs up, with its tier, schedule, retention, off-site
 * copy, immutable copy and last restore drill. It reads only markers and records the synth
 * wrote, so it shows what would be deployed, not what someone believes. No cdktf import.
 */
import { constructPathOf, statefulKindOf } from '../../lib/markers';
import { addMonths, lastDrill, type DrillKind } from '../../policy/backup/drills';
import { backupRecordOf, type BackupMechanism, type BackupRecord, type BackupServiceRecord } from '../../policy/backup/record';
import type { BackupTierName } from '../../policy/backup/tiers';

export type DrillStatus = 'ok' | 'overdue' | 'never' | 'not-required';

export interface CoverageRow {
  readonly environment: string;
  readonly stack: string;
  readonly service: string;
  readonly serviceKind: string;
  /** The construct path of the resource (a stateful resource, or the Velero Schedule of a namespace). */
  readonly resource: string;
  /** The stateful kind, or `namespace`. */
  readonly resourceKind: string;
  readonly tier?: BackupTierName;
  readonly rpo?: string;
  readonly rto?: string;
  /** How and when it is backed up: `base-backup 0 1 * * *; wal-archiving continuous`. */
  readonly schedule: string;
  readonly retentionDays?: number;
  /** Where the off-site copy goes, or undefined. */
  readonly offsite?: string;
  /** What makes a copy immutable, or undefined. */
  readonly immutable?: string;
  readonly drill: { readonly kind?: DrillKind; readonly status: DrillStatus; readonly lastSuccess?: string; readonly dueBy?: string; readonly evidence?: string };
  /** What this row lacks against its tier (empty when covered). */
  readonly gaps: readonly string[];
}

export interface CoverageReport {
  readonly today: string;
  readonly rows: readonly CoverageRow[];
  /** Environments whose minimums are waived, with the reason. */
  readonly waivers: ReadonlyArray<{ readonly environment: string; readonly reason: string }>;
}

/** A synthesized stack: its name and parsed `cdk.tf.json`. */
export interface SynthesizedStack {
  readonly name: string;
  readonly json: Record<string, unknown>;
}

function comment(body: unknown): Record<string, unknown> {
  const c = body && typeof body === 'object' ? (body as Record<string, unknown>)['//'] : undefined;
  return c && typeof c === 'object' ? (c as Record<string, unknown>) : {};
}

function mechanismText(m: BackupMechanism): string {
  return `${m.kind} ${m.schedule}`;
}

/** What a service lacks against its tier; empty when covered. */
export function serviceGaps(record: BackupRecord, service: BackupServiceRecord | undefined, tier: BackupTierName | undefined): string[] {
  if (!tier) return ['no backup tier'];
  if (!service) return ['not in the stack backup record'];
  if (service.kind === 'other') return [];
  const t = record.tiers[tier];
  const m = service.mechanisms;
  const receives = m.some((x) => x.kind === 'receives');
  const out: string[] = [];
  if (m.length === 0) out.push('no backup mechanism');
  if (record.waiver || receives) return out;
  if (t.offsiteCopy && !m.some((x) => x.offsite)) out.push(`tier ${tier} keeps an off-site copy; none is made`);
  if (t.immutableCopy && !m.some((x) => x.offsite && x.immutable)) out.push(`tier ${tier} keeps an immutable copy; none is made`);
  return out;
}

function drillOf(record: BackupRecord, service: string, today: string): CoverageRow['drill'] {
  const required = record.required.find((r) => r.service === service);
  if (!required) return { status: 'not-required' };
  const last = lastDrill(record.drills, service, required.kind, today);
  if (!last) return { kind: required.kind, status: record.requireDrills ? 'never' : 'not-required' };
  const dueBy = addMonths(last.lastSuccess, required.everyMonths);
  const status: DrillStatus = !record.requireDrills ? 'not-required' : today > dueBy ? 'overdue' : 'ok';
  return { kind: required.kind, status, lastSuccess: last.lastSuccess, dueBy, ...(last.evidence ? { evidence: last.evidence } : {}) };
}

/** The coverage rows of synthesized stacks, on `today` (YYYY-MM-DD). */
export function coverageReport(stacks: readonly SynthesizedStack[], today: string): CoverageReport {
  const rows: CoverageRow[] = [];
  const waivers = new Map<string, string>();
  for (const stack of [...stacks].sort((a, b) => a.name.localeCompare(b.name))) {
    const record = backupRecordOf(stack.json);
    const environment = (comment(stack.json).environment as { name?: string } | undefined)?.name ?? record?.environment ?? stack.name;
    if (record?.waiver) waivers.set(record.environment, record.waiver);
    const resources = (stack.json.resource ?? {}) as Record<string, Record<string, unknown>>;
    for (const [type, byId] of Object.entries(resources)) {
      for (const [id, body] of Object.entries(byId)) {
        const c = comment(body);
        const stateful = statefulKindOf(body);
        const tier = typeof c.backupTier === 'string' ? (c.backupTier as BackupTierName) : undefined;
        if (!stateful && !tier) continue;
        const serviceId = typeof c.backupService === 'string' ? c.backupService : `${type}.${id}`;
        const resource = constructPathOf(body) ?? `${type}.${id}`;
        if (!record) {
          rows.push({ environment, stack: stack.name, service: serviceId, serviceKind: 'unknown', resource, resourceKind: stateful ?? 'namespace', schedule: '', drill: { status: 'not-required' }, gaps: ['no backup record in the stack (synthesized without backup tiers?)'], ...(tier ? { tier } : {}) });
          continue;
        }
        const service = record.services.find((s) => s.service === serviceId);
        const t = tier ? record.tiers[tier] : undefined;
        const m = service?.mechanisms ?? [];
        const offsite = m.filter((x) => x.offsite).map((x) => x.target ?? x.description);
        const immutable = m.filter((x) => x.immutable).map((x) => `${x.offsite ? 'off-site' : 'local'}: ${x.target ?? x.description}`);
        const retention = m.map((x) => x.retentionDays).filter((d): d is number => d !== undefined);
        rows.push({
          environment,
          stack: stack.name,
          service: serviceId,
          serviceKind: service?.kind ?? 'unknown',
          resource,
          resourceKind: stateful ?? 'namespace',
          ...(tier ? { tier } : {}),
          ...(t ? { rpo: t.rpo, rto: t.rto } : {}),
          schedule: [...new Set(m.map(mechanismText))].join('; '),
          ...(retention.length > 0 ? { retentionDays: Math.min(...retention) } : t && service?.kind !== 'other' ? { retentionDays: t.retentionDays } : {}),
          ...(offsite.length > 0 ? { offsite: [...new Set(offsite)].join('; ') } : {}),
          ...(immutable.length > 0 ? { immutable: [...new Set(immutable)].join('; ') } : {}),
          drill: drillOf(record, serviceId, today),
          gaps: serviceGaps(record, service, tier),
        });
      }
    }
  }
  rows.sort((a, b) => a.environment.localeCompare(b.environment) || a.service.localeCompare(b.service) || a.resource.localeCompare(b.resource));
  return { today, rows, waivers: [...waivers.entries()].map(([environment, reason]) => ({ environment, reason })) };
}

const cell = (v: unknown): string => (v === undefined || v === '' ? '—' : String(v).replace(/\|/g, '\\|').replace(/\n/g, ' '));

function drillCell(d: CoverageRow['drill']): string {
  switch (d.status) {
    case 'not-required':
      return d.lastSuccess ? `${d.lastSuccess} (not required)` : 'not required';
    case 'never':
      return `never (${d.kind} required)`;
    case 'ok':
      return `${d.lastSuccess} ok, next by ${d.dueBy}${d.evidence ? `, ${d.evidence}` : ''}`;
    case 'overdue':
      return `${d.lastSuccess} OVERDUE since ${d.dueBy}${d.evidence ? `, ${d.evidence}` : ''}`;
  }
}

/** The report as Markdown: one table per environment, then gaps and overdue drills. */
export function renderCoverageMarkdown(report: CoverageReport): string {
  const out: string[] = [`# Backup coverage (${report.today})`, ''];
  const envs = [...new Set(report.rows.map((r) => r.environment))];
  for (const env of envs) {
    const rows = report.rows.filter((r) => r.environment === env);
    out.push(`## ${env}`, '');
    const waiver = report.waivers.find((w) => w.environment === env);
    if (waiver) out.push(`Security-level minimums waived: ${waiver.reason}`, '');
    out.push('| service | resource | kind | tier | RPO / RTO | schedule | retention | off-site copy | immutable copy | last drill |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      out.push(
        `| ${cell(r.service)} | ${cell(r.resource)} | ${cell(r.resourceKind)} | ${cell(r.tier)} | ${cell(r.rpo ? `${r.rpo} / ${r.rto}` : '')} | ${cell(r.schedule)} | ${cell(r.retentionDays !== undefined ? `${r.retentionDays} d` : '')} | ${cell(r.offsite)} | ${cell(r.immutable)} | ${cell(drillCell(r.drill))} |`,
      );
    }
    out.push('');
    const gaps = rows.filter((r) => r.gaps.length > 0);
    out.push(gaps.length === 0 ? `No gaps: every stateful resource of ${env} has a tier and the copies its tier asks for.` : `Gaps (${gaps.length}):`);
    for (const g of gaps) out.push(`- ${g.resource} (${g.service}): ${g.gaps.join('; ')}`);
    const due = [...new Map(rows.filter((r) => r.drill.status === 'never' || r.drill.status === 'overdue').map((r) => [r.service, r])).values()];
    if (due.length > 0) {
      out.push('', `Restore drills due (${due.length}):`);
      for (const r of due) out.push(`- ${r.service}: ${drillCell(r.drill)}`);
    }
    out.push('');
  }
  return out.join('\n');
}
