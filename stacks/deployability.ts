/**
 * The deployability check at synth (issue 17; the model is policy/deploy/). When the last stack of
 * an environment has produced its JSON, the stacks of that environment are checked together, in
 * deploy order: references, placement, chart values and cluster completeness. In `enforce` mode a
 * finding stops the synth with a DeployabilityError listing all of them; in `report` mode they are
 * kept for `deployabilityReports(app)` and summarised in one stderr line per environment.
 *
 * The mode: the app's context `moit:deployability`, else the MOIT_DEPLOYABILITY variable, else
 * DEFAULT_MODE. Chart values come from CHART_VALUES_DIR (`<chart>/<version>/values.yaml` and
 * `values.schema.json`, CI: ../shared/charts) or the cache `npm run schemas:fetch` fills; without
 * either, the chart-values check is skipped and says so on stderr.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Construct } from 'constructs';
import { VALIDATOR_CACHE_DIR } from '../lib/caches';
import { UserError } from '../lib/errors';
import type { TerraformStack } from '../lib/tf';
import { checkDeployability, DeployabilityError, type ChartFiles, type ChartFilesLoader, type DeployabilityResult, type ValidatorCache } from '../policy/deploy';
import type { Json } from '../policy/audit/model';
import { projectRoot } from './audit/sources';
import { checksDeferred } from './deferred-checks';

export type DeployabilityMode = 'enforce' | 'report';

/**
 * The mode when nothing else is set: `enforce`, a finding stops the synth. `report` (context or
 * MOIT_DEPLOYABILITY) only prints them, for investigating several at once.
 */
export const DEFAULT_MODE: DeployabilityMode = 'enforce';
export const MODE_CONTEXT = 'moit:deployability';
export const MODE_VARIABLE = 'MOIT_DEPLOYABILITY';
export const CHART_VALUES_DIR_VARIABLE = 'CHART_VALUES_DIR';
/** Where `npm run schemas:fetch` writes the pinned chart files, under the project root. */
export const CHART_CACHE_DIR = '.schema-cache/charts';

/** The stack surface the pass needs (EnvironmentStack implements it). */
export interface CheckedStack extends TerraformStack {
  readonly environment: { readonly name: string };
}

export interface DeployabilityReport extends DeployabilityResult {
  readonly environment: string;
  readonly mode: DeployabilityMode;
}

const produced = new WeakMap<TerraformStack, Json>();
const reports = new WeakMap<Construct, DeployabilityReport[]>();
const announced = new Set<string>();

/** Writes a line to stderr once per process for each `key` (default: the line itself). */
export function announce(line: string, key = line): void {
  if (announced.has(key)) return;
  announced.add(key);
  process.stderr.write(`${line}\n`);
}

export function modeOf(scope: Construct): DeployabilityMode {
  const value = scope.node.tryGetContext(MODE_CONTEXT) ?? process.env[MODE_VARIABLE] ?? DEFAULT_MODE;
  if (value !== 'enforce' && value !== 'report') {
    throw new UserError(`${MODE_VARIABLE} (or context ${MODE_CONTEXT}): must be "enforce" or "report", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The folder of pinned chart files: CHART_VALUES_DIR (must exist), else the fetch cache if present. */
export function chartValuesDir(env: NodeJS.ProcessEnv = process.env): { dir: string; origin: string } | undefined {
  const named = env[CHART_VALUES_DIR_VARIABLE];
  if (named) {
    const dir = resolve(named);
    if (!existsSync(dir)) throw new UserError(`${CHART_VALUES_DIR_VARIABLE}=${named}: no such folder. Point it at a folder laid out <chart>/<version>/values.yaml (the team's is ../shared/charts), or unset it and run \`npm run schemas:fetch\`.`);
    return { dir, origin: CHART_VALUES_DIR_VARIABLE };
  }
  const cache = join(projectRoot(), CHART_CACHE_DIR);
  return existsSync(cache) ? { dir: cache, origin: CHART_CACHE_DIR } : undefined;
}

const files = new Map<string, ChartFiles | undefined>();

/**
 * The validator cache of the chart-values check: one file per key, written to a temporary name
 * and renamed (parallel synths never read a half-written file). Without node_modules (or when
 * it is read-only) nothing is kept and the schemas are compiled on every run.
 */
function validatorCache(): ValidatorCache | undefined {
  const modules = join(projectRoot(), 'node_modules');
  if (!existsSync(modules)) return undefined;
  const dir = join(projectRoot(), VALIDATOR_CACHE_DIR);
  const file = (key: string) => join(dir, `${key}.js`);
  return {
    read: (key) => {
      try {
        return readFileSync(file(key), 'utf8');
      } catch {
        return undefined;
      }
    },
    write: (key, code) => {
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file(key)}.${process.pid}.tmp`;
        writeFileSync(tmp, code);
        renameSync(tmp, file(key));
      } catch {
        // Not kept: the next synth compiles again.
      }
    },
  };
}

/** Reads `<dir>/<chart>/<version>/values.yaml` (+ values.schema.json), once per process. */
export function chartFilesLoader(dir: string): ChartFilesLoader {
  return (chart, version) => {
    const folder = join(dir, chart, version);
    if (!files.has(folder)) {
      const values = join(folder, 'values.yaml');
      const schema = join(folder, 'values.schema.json');
      files.set(
        folder,
        existsSync(values)
          ? { valuesYaml: readFileSync(values, 'utf8'), ...(existsSync(schema) ? { schema: JSON.parse(readFileSync(schema, 'utf8')), validatorCache: validatorCache() } : {}) }
          : undefined,
      );
    }
    return files.get(folder);
  };
}

/** The stacks of `stack`'s environment in the app, in construct (deploy) order. */
export function siblingsOf(stack: CheckedStack): CheckedStack[] {
  // Stacks are the app's children (stacks/estate.ts), so the rest of the tree is not walked.
  return stack.node.root.node.children
    .filter((c): c is CheckedStack => (c as Partial<CheckedStack>).environment !== undefined && 'toTerraform' in c && (c as CheckedStack).environment.name === stack.environment.name);
}

/** A stack of an environment, as the check reads it. */
export interface ProducedStack {
  readonly name: string;
  readonly json: Json;
  /** The stacks it depends on, by name. */
  readonly dependsOn: readonly string[];
}

/** What the check finds in one environment: lines for stderr (each printed once per process, by key), the report, the error that stops the synth. */
export interface EnvironmentVerdict {
  readonly notices: readonly { readonly line: string; readonly key: string }[];
  readonly report: DeployabilityReport;
  readonly error?: DeployabilityError;
}

/**
 * The check of one environment's stacks (in deploy order), as a synth applies it: in `enforce`
 * mode a finding is an error, in `report` mode a notice. Chart values come from
 * {@link chartValuesDir}; without them that part is skipped and a notice says so.
 */
export function judgeEnvironment(environment: string, stacks: readonly ProducedStack[], mode: DeployabilityMode): EnvironmentVerdict {
  const notices: { line: string; key: string }[] = [];
  const notice = (line: string, key = line): void => void notices.push({ line, key });
  const source = chartValuesDir();
  if (!source) {
    notice(
      `deployability: chart values NOT checked (skipped): set ${CHART_VALUES_DIR_VARIABLE} to the pinned chart files (../shared/charts) or run \`npm run schemas:fetch\`; references, placement and cluster completeness were checked.`,
    );
  }
  const result = checkDeployability(stacks, source ? { chartFiles: chartFilesLoader(source.dir) } : {});
  if (result.unchecked.length > 0) notice(`deployability: chart values NOT checked for ${result.unchecked.join(', ')}: no pinned files in ${source!.dir}.`);
  const report: DeployabilityReport = { ...result, environment, mode };
  if (result.findings.length === 0) return { notices, report };
  if (mode === 'enforce') return { notices, report, error: new DeployabilityError(environment, result.findings) };
  notice(`deployability (report only): environment ${environment} has ${result.findings.length} problem${result.findings.length === 1 ? '' : 's'} that would stop a first install; ${MODE_VARIABLE}=enforce lists them and stops the synth.`, `report ${environment}`);
  return { notices, report };
}

/**
 * Called by each EnvironmentStack with the JSON it produced. When it is the last stack of its
 * environment and every sibling produced JSON in this synth, the environment is checked (unless
 * the synth checks off its own thread: stacks/deferred-checks.ts).
 */
export function stackProduced(stack: CheckedStack, json: Json): void {
  if (checksDeferred(stack)) return;
  produced.set(stack, json);
  const siblings = siblingsOf(stack);
  if (siblings[siblings.length - 1] !== stack || siblings.some((s) => !produced.has(s))) return;
  const verdict = judgeEnvironment(
    stack.environment.name,
    siblings.map((s) => ({ name: s.node.id, json: produced.get(s)!, dependsOn: s.dependencies.map((d) => d.node.id) })),
    modeOf(stack),
  );
  for (const n of verdict.notices) announce(n.line, n.key);
  recordReport(stack, verdict.report);
  if (verdict.error) throw verdict.error;
}

/** Keeps an environment's report for {@link deployabilityReports}. */
function recordReport(scope: Construct, report: DeployabilityReport): void {
  const list = reports.get(scope.node.root) ?? [];
  list.push(report);
  reports.set(scope.node.root, list);
}

/** The reports of the environments synthesized in `app` (in synth order). */
export function deployabilityReports(app: Construct): readonly DeployabilityReport[] {
  return reports.get(app.node.root) ?? [];
}
