/**
 * Compares two synthesized folders (base and head, each shaped like `cdktf.out`) without
 * Terraform: which resources each stack adds, changes, replaces and removes, attribute by
 * attribute, and the warnings of the rules.
 *
 * Matching resources across the two sides:
 * - the same address on both sides is the same resource (update, or replace when a field that
 *   the provider cannot update changes, see {@link FORCES_REPLACEMENT});
 * - a `moved` block in head (cdktf `moveTo`/`moveFromId`) moves the state: a move, not a replace;
 * - otherwise a resource whose logical id changed but whose construct path did not is the
 *   same construct under a new address: Terraform destroys the old and creates the new one,
 *   so it is reported as a replace;
 * - what is left is created (head only) or deleted (base only).
 */
import { buildChange, maskLeaf, type RawChange } from './changes';
import { addCounts, count, emptyCounts, sortChanges, type AttributeChange, type Finding, type ResourceChange, type ReviewReport, type StackReport } from './model';
import { deepEqual, formatPath, withoutComments, type Json, type Path } from './paths';
import { ESTATE_RULES, STACK_RULES } from './rules';
import { Masker } from './sensitive';
import { statefulFromSynth } from './stateful';
import { environmentOf, reportOrder, type SynthesizedApp, type SynthesizedResource, type SynthesizedStack } from './synthesized';
import { diffValues, type LeafChange } from './value-diff';

/**
 * Fields that force a replacement, for kinds we know (paths with list indexes removed). The
 * list is deliberately short: a plan (npm run plan) is authoritative.
 */
export const FORCES_REPLACEMENT: Readonly<Record<string, readonly Path[]>> = {
  kubernetes_manifest: [['manifest', 'apiVersion'], ['manifest', 'kind'], ['manifest', 'metadata', 'name'], ['manifest', 'metadata', 'namespace']],
  helm_release: [['name'], ['namespace']],
  terraform_data: [['triggers_replace']],
};
/** Every typed `kubernetes_*` resource is replaced when its name or namespace changes. */
const KUBERNETES_TYPED: readonly Path[] = [['metadata', 'name'], ['metadata', 'namespace']];

function forcingPaths(type: string): readonly Path[] {
  return FORCES_REPLACEMENT[type] ?? (type.startsWith('kubernetes_') ? KUBERNETES_TYPED : []);
}

/** The leaves (paths) of a change that force a replacement. */
export function replacementPaths(type: string, leaves: readonly LeafChange[]): Path[] {
  const patterns = forcingPaths(type);
  const hits = new Map<string, Path>();
  for (const leaf of leaves) {
    const keys = leaf.path.filter((s) => typeof s === 'string');
    for (const p of patterns) {
      if (p.every((s, i) => keys[i] === s)) {
        // Report the pattern's own path, with the list indexes it crossed.
        let seen = 0;
        const cut = leaf.path.findIndex((s) => typeof s === 'string' && ++seen === p.length);
        const path = leaf.path.slice(0, cut + 1);
        hits.set(formatPath(path), path);
      }
    }
  }
  return [...hits.values()];
}

export interface ConfigDiffOptions {
  /** How to name the two sides in the title: `HEAD~1 (24fcf25)`, `working tree`. */
  readonly baseLabel: string;
  readonly headLabel: string;
  /** Only these environments (stack name's first segment); all when omitted. */
  readonly environments?: readonly string[];
}

function raw(stack: string, r: SynthesizedResource | undefined, h: SynthesizedResource | undefined, extra: Partial<RawChange> & Pick<RawChange, 'action'>): RawChange {
  const any = (h ?? r)!;
  return {
    source: 'config',
    stack,
    address: any.address,
    mode: any.mode,
    type: any.type,
    replacePaths: [],
    before: r ? withoutComments(r.body) : undefined,
    after: h ? withoutComments(h.body) : undefined,
    constructPath: any.constructPath,
    stateful: statefulFromSynth(r) ?? statefulFromSynth(h),
    sharingBefore: r?.sharing ?? [],
    sharingAfter: h?.sharing ?? [],
    preventDestroyBefore: r?.preventDestroy,
    preventDestroyAfter: h?.preventDestroy,
    ...extra,
  };
}

/** The changes of one stack present on at least one side. */
function diffStack(name: string, base: SynthesizedStack | undefined, head: SynthesizedStack | undefined): { report: StackReport; findings: Finding[] } {
  const before = base?.resources ?? new Map<string, SynthesizedResource>();
  const after = head?.resources ?? new Map<string, SynthesizedResource>();
  const raws: RawChange[] = [];
  const pairedBase = new Set<string>();
  const pairedHead = new Set<string>();
  const stackGone = base !== undefined && head === undefined;

  // 1. Same address.
  for (const [address, h] of after) {
    const b = before.get(address);
    if (!b) continue;
    pairedBase.add(address);
    pairedHead.add(address);
    const leaves = diffValues(withoutComments(b.body), withoutComments(h.body));
    const markersChanged = !deepEqual(b.sharing, h.sharing) || b.stateful !== h.stateful;
    if (leaves.length === 0 && !markersChanged) continue;
    const forcing = replacementPaths(h.type, leaves);
    raws.push(
      raw(name, b, h, {
        action: leaves.length === 0 ? 'no-op' : forcing.length > 0 ? 'replace' : 'update',
        replacePaths: forcing,
        ...(forcing.length > 0 ? { reason: `${forcing.map((p) => `\`${formatPath(p)}\``).join(', ')} changed, which the provider cannot update in place` } : {}),
      }),
    );
  }
  // 2. Moved blocks.
  for (const m of head?.moved ?? []) {
    const b = before.get(m.from);
    const h = after.get(m.to);
    if (!b || !h || pairedBase.has(m.from) || pairedHead.has(m.to)) continue;
    pairedBase.add(m.from);
    pairedHead.add(m.to);
    const leaves = diffValues(withoutComments(b.body), withoutComments(h.body));
    const forcing = replacementPaths(h.type, leaves);
    raws.push(
      raw(name, b, h, {
        action: forcing.length > 0 ? 'replace' : leaves.length > 0 ? 'update' : 'no-op',
        previousAddress: m.from,
        moved: true,
        replacePaths: forcing,
      }),
    );
  }
  // 3. Same construct path under a new logical id: Terraform sees delete + create.
  const headByPath = new Map<string, SynthesizedResource>();
  for (const [address, h] of after) if (!pairedHead.has(address) && h.constructPath) headByPath.set(`${h.mode}|${h.constructPath}`, h);
  for (const [address, b] of before) {
    if (pairedBase.has(address) || !b.constructPath) continue;
    const h = headByPath.get(`${b.mode}|${b.constructPath}`);
    if (!h || pairedHead.has(h.address)) continue;
    pairedBase.add(address);
    pairedHead.add(h.address);
    raws.push(
      raw(name, b, h, {
        action: 'replace',
        previousAddress: b.address,
        reason: `its logical id changed from \`${b.address}\` to \`${h.address}\` while its construct path \`${b.constructPath}\` did not: Terraform destroys the old and creates the new (add a moved block with moveTo/moveFromId if it is a rename)`,
      }),
    );
  }
  // 4. The rest.
  for (const [address, b] of before) {
    if (pairedBase.has(address)) continue;
    raws.push(raw(name, b, undefined, { action: 'delete', reason: stackGone ? 'its stack is no longer synthesized' : 'removed from the configuration' }));
  }
  for (const [address, h] of after) if (!pairedHead.has(address)) raws.push(raw(name, undefined, h, { action: 'create' }));

  const findings: Finding[] = [];
  const changes: ResourceChange[] = [];
  const counts = emptyCounts();
  for (const r of raws) {
    const built = buildChange(r);
    changes.push(built.change);
    findings.push(...built.findings);
    count(counts, built.change);
  }

  const settingLeaves = diffValues((base?.settings ?? {}) as Json, (head?.settings ?? {}) as Json);
  const status: StackReport['status'] = !base ? 'added' : !head ? 'removed' : changes.length > 0 || settingLeaves.length > 0 ? 'changed' : 'unchanged';
  // Settings of a stack that appears or disappears are not interesting: its resources are.
  const shownSettings = status === 'changed' ? settingLeaves : [];
  const masker = new Masker('stack settings');
  const settings: AttributeChange[] = shownSettings.map((leaf) => maskLeaf(masker, leaf));
  for (const rule of STACK_RULES) {
    for (const message of rule.check({ source: 'config', stack: name, status, settings: shownSettings, resourceCount: before.size })) {
      findings.push({ rule: rule.id, severity: rule.severity, stack: name, message, why: rule.why });
    }
  }
  const notes: string[] = [];
  if (status === 'added') notes.push('New stack: every resource is created.');
  if (status === 'removed') notes.push('The stack is no longer synthesized.');
  return {
    report: { name, environment: environmentOf(name), status, changes: sortChanges(changes), settings, drift: [], counts, notes },
    findings,
  };
}

/** Compares two synthesized folders. Stacks are listed per environment, in dependency order. */
export function diffSynthesized(base: SynthesizedApp, head: SynthesizedApp, options: ConfigDiffOptions): ReviewReport {
  const keep = (n: string): boolean => !options.environments || options.environments.includes(environmentOf(n));
  const removed = [...base.stacks.values()].filter((s) => keep(s.name) && !head.stacks.has(s.name));
  const names = reportOrder([...[...head.stacks.values()].filter((s) => keep(s.name)), ...removed]).map((s) => s.name);
  const stacks: StackReport[] = [];
  const findings: Finding[] = [];
  const totals = emptyCounts();
  for (const name of names) {
    const { report, findings: f } = diffStack(name, base.stacks.get(name), head.stacks.get(name));
    stacks.push(report);
    findings.push(...f);
    addCounts(totals, report.counts);
  }
  for (const rule of ESTATE_RULES) {
    for (const f of rule.check({ base, head, ...(options.environments ? { environments: options.environments } : {}) })) findings.push({ rule: rule.id, severity: rule.severity, stack: f.stack, message: f.message, why: rule.why });
  }
  return { schemaVersion: 1, kind: 'config-diff', title: `Config diff: ${options.baseLabel} → ${options.headLabel}`, stacks, findings, totals };
}
