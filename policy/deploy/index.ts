/**
 * The deployability model (issue 17): the checks a first install needs beyond schema validity,
 * over the synthesized stacks of one environment. Pure: the same stacks and chart files give the
 * same findings, at synth (stacks/deployability.ts) and in tests.
 */
import { UserError } from '../../lib/errors';
import { asString, parseYaml, type Resource } from '../audit/model';
import { checkReleaseValues, type ChartFilesLoader } from './chart-values';
import { checkClusters } from './cluster';
import { checkPlacement } from './placement';
import { checkReferences } from './references';
import { formatFinding, sortFindings, type Finding } from './types';
import { environmentView, type StackInput } from './view';

export { formatFinding, sortFindings, CHECKS, type Finding, type CheckName } from './types';
export type { StackInput } from './view';
export type { ChartFiles, ChartFilesLoader, ValidatorCache } from './chart-values';

export interface DeployabilityOptions {
  /** The pinned chart files; without it the chart-values check is skipped (and says so). */
  readonly chartFiles?: ChartFilesLoader;
}

export interface DeployabilityResult {
  readonly findings: readonly Finding[];
  /** Charts whose values were not checked because their pinned files are not available (`chart@version`). */
  readonly unchecked: readonly string[];
  /** True when no chart files were given at all. */
  readonly chartValuesSkipped: boolean;
}

/** Runs every check on the stacks of one environment, in deploy order. */
export function checkDeployability(stacks: readonly StackInput[], options: DeployabilityOptions = {}): DeployabilityResult {
  const view = environmentView(stacks);
  const findings: Finding[] = [];
  const unchecked = new Set<string>();
  const filesOf = (r: Resource) => options.chartFiles?.(asString(r.body.chart) ?? '', asString(r.body.version) ?? '');
  const defaults = new Map<Resource, unknown>();
  const defaultsOf = (r: Resource) => {
    if (!defaults.has(r)) {
      const files = filesOf(r);
      let parsed: unknown;
      try {
        parsed = files ? parseYaml(files.valuesYaml) : undefined;
      } catch {
        parsed = undefined;
      }
      defaults.set(r, parsed);
    }
    return defaults.get(r);
  };
  findings.push(...checkReferences(view));
  findings.push(...checkPlacement(view, defaultsOf));
  if (options.chartFiles) {
    for (const s of view.stacks) {
      for (const r of s.model.resources) {
        if (r.type !== 'helm_release') continue;
        const files = filesOf(r);
        if (!files) {
          unchecked.add(`${asString(r.body.chart)}@${asString(r.body.version)}`);
          continue;
        }
        findings.push(...checkReleaseValues(s.name, r, files));
      }
    }
  }
  findings.push(...checkClusters(view));
  return { findings: sortFindings(findings), unchecked: [...unchecked].sort(), chartValuesSkipped: !options.chartFiles };
}

/** Thrown at synth when an environment would not deploy; lists every finding. */
export class DeployabilityError extends UserError {
  constructor(
    readonly environment: string,
    readonly findings: readonly Finding[],
  ) {
    super(
      `Deployability: ${findings.length} problem${findings.length === 1 ? '' : 's'} in environment ${environment} would stop a first install. Nothing was synthesized.\n` +
        findings.map((f) => `  - ${formatFinding(f)}`).join('\n') +
        '\nEach line: [check] stack resource (construct path): field = value: what is wrong. Fix: how. docs/deployability.md explains the checks and how to declare an operational prerequisite.',
    );
    this.name = 'DeployabilityError';
  }
}
