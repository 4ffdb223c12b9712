/**
 * `npm run bench [-- --runs 3] [--reference-runs 2] [--no-references] [--no-terraform | --only-terraform] [--tf-sleep 2] [--with-tests] [--no-save]`
 *
 * Measures `npm run synth` as a user types it (npm, the build check, the app), start to finish:
 * synthesizing, with nothing changed since the last synth (the result cache), and after a source
 * change (the rebuild included).
 * Measures synth, audit, diff and validation on the real estate (every environment, as
 * `npm run synth` builds it) and on a generated estate ten times larger
 * (scripts/bench/large-estate.ts), every measurement a child process timed from outside (process
 * start and module loading count), its peak memory reported by the child itself
 * (scripts/bench/rss.ts, so /usr/bin/time is not needed). Two references run on the real estate,
 * alternating with the fast path so their ratio holds on a noisy machine: `npx cdktf synth` as
 * cdktf.json configures it, and cdktf's stock path (`--app "npx ts-node main.ts"`). Each figure
 * is the median of its runs. Then plan and deploy of a generated Terraform estate
 * (scripts/bench/tf-estate.ts: 30 stacks of `terraform_data` whose provisioner sleeps
 * --tf-sleep seconds), one stack at a time and in parallel, against the critical path.
 * Prints a table and the goals (met / not met), and appends both,
 * with the date and the git commit, to bench/results.md.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CRD_SCHEMA_CACHE_DIR } from '../lib/caches';
import { replaceOutputFolder } from '../lib/output-folder';
import { readSynthesized } from '../lib/synthesized';
import { scheduleOf } from '../tools/review/schedule';
import { writeTerraformEstate } from './bench/tf-estate';

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const RSS_PRELOAD = join(DIST, 'scripts', 'bench', 'rss.js');
const RESULTS = join(ROOT, 'bench', 'results.md');
/** What scripts/build.mjs writes after a build: the hash of the sources it built from. */
const BUILD_STAMP = join(DIST, '.build-hash');
/** Where tools/validate keeps converted CRD schemas between runs (emptied for the cold run). */
const VALIDATE_CACHE = join(ROOT, CRD_SCHEMA_CACHE_DIR);
/** A fixed day, so agreements (and so the output) do not depend on when the bench runs. */
const TODAY = process.env.MOIT_TODAY ?? '2026-06-01';

export interface Run {
  readonly wallMs: number;
  /** Peak resident memory of the measured node process, MiB (undefined if it did not report). */
  readonly maxRssMiB?: number;
  /** CPU time (user + system) of every node process of the run, summed, ms: steadier than wall time on a busy machine. */
  readonly cpuMs?: number;
  /**
   * CPU time (user + system) of the run's whole process tree, Terraform included, ms: the growth of
   * this process's reaped-children times (/proc/self/stat), so only processes whose parent waited
   * for them count (node and npm wait for theirs). Undefined where /proc is missing.
   */
  readonly treeCpuMs?: number;
  /** The synth time the child printed ("in N ms"), when it prints one. */
  readonly inProcessMs?: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Command {
  readonly label: string;
  readonly cmd: string;
  readonly args: readonly string[];
  /** Exit codes that mean the command ran (audit 1 = findings, diff 2 = destructive). @default [0] */
  readonly ok?: readonly number[];
  readonly env?: Record<string, string>;
  /** Variables the child must not inherit (npm test runs as a developer runs it, on today's date). */
  readonly unset?: readonly string[];
  readonly before?: () => void;
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** User + system time of this process's waited-for descendants, ms (fields 16 and 17 of /proc/self/stat, in clock ticks of 10 ms). */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 is at index 0: cutime (16) and cstime (17) are at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function run(c: Command, workDir: string): Run {
  c.before?.();
  const rssFile = join(workDir, `rss-${process.hrtime.bigint()}.jsonl`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MOIT_TODAY: TODAY,
    CHECKPOINT_DISABLE: '1',
    CRD_SCHEMA_DIR: process.env.CRD_SCHEMA_DIR ?? join(ROOT, '..', 'shared', 'crds'),
    BENCH_RSS_FILE: rssFile,
    // Every node process started under this run reports its peak memory (npx, the cdktf CLI, the app).
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${RSS_PRELOAD}`.trim(),
    ...c.env,
  };
  for (const name of c.unset ?? []) delete env[name];
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
  const treeCpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  if (r.error) throw r.error;
  if (!(c.ok ?? [0]).includes(r.status ?? -1)) {
    throw new Error(`${c.label}: \`${c.cmd} ${c.args.join(' ')}\` exited ${r.status}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  }
  let maxRssMiB: number | undefined;
  let cpuMs: number | undefined;
  if (existsSync(rssFile)) {
    // The largest single process: with a CLI that spawns the app, it is the heaviest of them.
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { maxRssKiB: number; cpuMs?: number });
    maxRssMiB = Math.max(...lines.map((l) => l.maxRssKiB)) / 1024;
    cpuMs = lines.reduce((sum, l) => sum + (l.cpuMs ?? 0), 0);
    rmSync(rssFile);
  }
  const m = /in (\d+) ms/.exec(r.stdout);
  return { wallMs, maxRssMiB, cpuMs, treeCpuMs, inProcessMs: m ? Number(m[1]) : undefined, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Stacks and resources of a synthesized folder. */
export function countEstate(dir: string): { stacks: number; resources: number } {
  let resources = 0;
  const { stacks } = readSynthesized(dir, { requireManifest: false });
  for (const { json } of stacks) {
    for (const byId of Object.values((json as { resource?: Record<string, object> }).resource ?? {})) resources += Object.keys(byId).length;
  }
  return { stacks: stacks.length, resources };
}

/**
 * A copy of a synthesized folder with a few changes a pull request might make: one manifest's
 * label changed in place, one resource removed, one added (a copy under a new id).
 */
export function changedCopy(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
  const stacks = readdirSync(join(to, 'stacks')).sort();
  const edit = (i: number, f: (json: any) => void) => {
    const file = join(to, 'stacks', stacks[i % stacks.length]!, 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    f(json);
    writeFileSync(file, JSON.stringify(json, null, 2));
  };
  const pick = (json: any, type: string): [string, any] | undefined => {
    const byId = json.resource?.[type] as Record<string, any> | undefined;
    const id = byId && Object.keys(byId).sort()[0];
    return id ? [id, byId![id]] : undefined;
  };
  edit(stacks.length - 1, (json) => {
    const found = pick(json, 'kubernetes_manifest');
    if (found) found[1].manifest.metadata.labels = { ...(found[1].manifest.metadata.labels ?? {}), 'bench.moit.gov.vn/changed': 'true' };
  });
  edit(stacks.length - 2, (json) => {
    const types = Object.keys(json.resource ?? {}).filter((t) => t.startsWith('kubernetes_network_policy'));
    const found = types[0] ? pick(json, types[0]) : undefined;
    if (found) delete json.resource[types[0]!][found[0]];
  });
  edit(stacks.length - 3, (json) => {
    const types = Object.keys(json.resource ?? {}).filter((t) => t.startsWith('kubernetes_network_policy'));
    const found = types[0] ? pick(json, types[0]) : undefined;
    if (found) {
      const copy = structuredClone(found[1]);
      if (copy.metadata?.[0]) copy.metadata[0].name = `${copy.metadata[0].name}-bench`;
      else if (copy.metadata) copy.metadata.name = `${copy.metadata.name}-bench`;
      json.resource[types[0]!][`${found[0]}_bench`] = copy;
    }
  });
}

const fmtMs = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtMiB = (m: number | undefined): string => (m === undefined || Number.isNaN(m) ? '–' : `${Math.round(m)} MB`);

interface Row {
  readonly what: string;
  readonly runs: readonly Run[];
  readonly note?: string;
}

/** Per-stack durations from the progress lines of plan or deploy (`[3/30] name: … (0.43 s)`). */
export function stackDurations(stderr: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stderr.matchAll(/^\[\d+\/\d+\] (\S+): .*\(([\d.]+) s\)$/gm)) out.set(m[1]!, Number(m[2]) * 1000);
  return out;
}

/** The longest chain of `durations` through the estate's dependencies, ms, and its stacks. */
export function criticalPath(stacks: readonly { name: string; dependencies: readonly string[] }[], durations: ReadonlyMap<string, number>): { ms: number; path: readonly string[] } {
  const path = scheduleOf(stacks, (n) => durations.get(n) ?? 0).criticalPath;
  return { ms: path.reduce((sum, n) => sum + (durations.get(n) ?? 0), 0), path };
}

interface TerraformBench {
  readonly rows: Row[];
  readonly lines: string[];
  readonly goals: { text: string; met: boolean }[];
}

/**
 * Plan and deploy of the generated Terraform estate (scripts/bench/tf-estate.ts), one stack at a
 * time (--parallelism 1) and in parallel (--parallelism = the widest wave), each on a fresh copy
 * with empty state; plans `planRuns` times, alternating, deploys once (of the last plans).
 *
 * Each fresh estate is planned twice: first as a new checkout is (every stack needs `terraform
 * init`), then again after the estate was written anew and swapped in the way `npm run synth`
 * swaps its output (lib/output-folder.ts replaceOutputFolder: each stack keeps its `.terraform/`
 * and lock file), as a user plans again after changing the code: init is then up to date and
 * skipped (tools/review/init-record.ts).
 *
 * The ideal is the critical path: the longest dependency chain of the per-stack times measured
 * one at a time, plus the command's fixed cost, which is on every path (node start-up, loading the
 * synthesized folder, the index and the report: the one-at-a-time wall time minus the sum of its
 * stacks). The critical path assumes a core for every stack that can run; the CPU time of the
 * parallel run's whole process tree divided by the cores is the other bound no schedule beats.
 */
function terraformBench(work: string, sleepSeconds: number, planRuns: number, log: (s: string) => void): TerraformBench {
  const node = process.execPath;
  const rc = join(work, 'terraformrc');
  writeFileSync(rc, '');
  const tfEnv = { TF_CLI_CONFIG_FILE: rc, TF_BINARY: '', CI: 'true' };
  const make = (tag: string) => {
    const dir = join(work, `tf-${tag}`);
    const estate = writeTerraformEstate(join(dir, 'out'), join(dir, 'state'), { sleepSeconds });
    return { dir, estate, plans: join(dir, 'plans') };
  };
  type Estate = ReturnType<typeof make>;
  /** The estate written anew beside its folder and swapped in as synth does. */
  const synthAgain = (x: Estate): void => {
    const staging = mkdtempSync(join(x.dir, '.synth-out-'));
    writeTerraformEstate(staging, join(x.dir, 'state'), { sleepSeconds });
    replaceOutputFolder(staging, join(x.dir, 'out'));
  };
  const stacks = make('shape').estate.stacks;
  const widest = Math.max(...scheduleOf(stacks).waves.map((w) => w.length));
  const plan = (x: Estate, parallelism: number): Command => ({
    label: `plan, ${stacks.length} stacks, --parallelism ${parallelism}`,
    cmd: node,
    args: [join(DIST, 'scripts', 'plan.js'), '--env', x.estate.environment, '--dir', join(x.dir, 'out'), '--plans', x.plans, '--parallelism', String(parallelism), '--out', join(x.dir, 'plan.md')],
    env: tfEnv,
  });
  const deploy = (x: Estate, parallelism: number): Command => ({
    label: `deploy, ${stacks.length} stacks, --parallelism ${parallelism}`,
    cmd: node,
    args: [join(DIST, 'scripts', 'deploy.js'), '--env', x.estate.environment, '--plans', x.plans, '--parallelism', String(parallelism)],
    env: tfEnv,
  });
  const once = (c: Command, what = ''): Run => (log(`bench: ${c.label}${what}`), run(c, work));
  const planSeq: Run[] = [];
  const planPar: Run[] = [];
  const replanSeq: Run[] = [];
  const replanPar: Run[] = [];
  let seq = make('seq-0');
  let par = make('par-0');
  for (let i = 0; i < planRuns; i++) {
    if (i > 0) [seq, par] = [make(`seq-${i}`), make(`par-${i}`)];
    planSeq.push(once(plan(seq, 1), ', fresh estate'));
    planPar.push(once(plan(par, widest), ', fresh estate'));
    synthAgain(seq);
    synthAgain(par);
    replanSeq.push(once(plan(seq, 1), ', again after a synth'));
    replanPar.push(once(plan(par, widest), ', again after a synth'));
  }
  const deploySeq = once(deploy(seq, 1));
  const deployPar = once(deploy(par, widest));
  const wallOf = (rs: readonly Run[]) => median(rs.map((r) => r.wallMs));
  /** Critical path, fixed cost and their sum for one one-at-a-time run. */
  const ideal = (r: Run) => {
    const durations = stackDurations(r.stderr);
    const cp = criticalPath(stacks, durations);
    const fixed = Math.max(0, r.wallMs - [...durations.values()].reduce((a, b) => a + b, 0));
    return { ...cp, fixed, total: cp.ms + fixed };
  };
  const cores = cpus().length;
  const cpuBound = (rs: readonly Run[]) => median(rs.map((r) => r.treeCpuMs ?? NaN)) / cores;
  /** Inits run and skipped in the runs (from the progress lines). */
  const inits = (rs: readonly Run[]) => {
    const all = rs.map((r) => r.stderr).join('\n');
    return { skipped: (all.match(/: \S+ init \(up to date, skipped\)$/gm) ?? []).length, ran: (all.match(/: \S+ init \((?!up to date, skipped\)).*\)$/gm) ?? []).length };
  };
  const planLine = (label: string, seqRuns: readonly Run[], parRuns: readonly Run[]) => {
    const ideals = seqRuns.map(ideal);
    const cp = { ms: median(ideals.map((x) => x.ms)), fixed: median(ideals.map((x) => x.fixed)), total: median(ideals.map((x) => x.total)) };
    const ratio = wallOf(parRuns) / cp.total;
    const bound = Math.max(cp.total, cpuBound(parRuns));
    const i = inits([...seqRuns, ...parRuns]);
    const line =
      `${label} (${planRuns} runs each, alternating, medians; inits run ${i.ran}, skipped ${i.skipped}): one at a time ${fmtMs(wallOf(seqRuns))}, parallel ${fmtMs(wallOf(parRuns))} (${(wallOf(seqRuns) / wallOf(parRuns)).toFixed(1)}× faster); ` +
      `critical path ${fmtMs(cp.ms)} + fixed ${fmtMs(cp.fixed)} = ${fmtMs(cp.total)}; parallel / critical path = ${ratio.toFixed(2)} (${(wallOf(parRuns) / cp.ms).toFixed(2)} against the chain alone). ` +
      `CPU bound ${fmtMs(cpuBound(parRuns))}; parallel / max(critical path, CPU bound) = ${(wallOf(parRuns) / bound).toFixed(2)}.`;
    return { line, ratio };
  };
  const cpDeploy = ideal(deploySeq);
  const waves = scheduleOf(stacks).waves.length;
  const what = `${stacks.length} stacks, ${waves} waves, widest ${widest}`;
  const rows: Row[] = [
    { what: `plan, Terraform estate (${what}), fresh (every stack initialized), one at a time`, runs: planSeq },
    { what: `plan, Terraform estate, fresh, --parallelism ${widest}`, runs: planPar },
    { what: `plan again after a synth (init up to date, skipped), one at a time`, runs: replanSeq },
    { what: `plan again after a synth, --parallelism ${widest}`, runs: replanPar },
    { what: `deploy, Terraform estate (each stack sleeps ${sleepSeconds} s), one at a time`, runs: [deploySeq] },
    { what: `deploy, Terraform estate, --parallelism ${widest}`, runs: [deployPar] },
  ];
  const fresh = planLine('Plan, fresh estate', planSeq, planPar);
  const again = planLine('Plan again after a synth', replanSeq, replanPar);
  const deployRatio = deployPar.wallMs / cpDeploy.total;
  const deployBound = Math.max(cpDeploy.total, cpuBound([deployPar]));
  const lines = [
    `Terraform estate: ${what}; critical path ${cpDeploy.path.length} stacks (${cpDeploy.path.join(' → ')}). ` +
      `Critical path = the longest chain of per-stack times measured one at a time + the command's fixed cost (start-up, loading, index, report: one-at-a-time wall − the sum of its stacks). ` +
      `CPU bound = CPU time of the parallel run's whole process tree (Terraform included) ÷ ${cores} cores.`,
    fresh.line,
    again.line,
    `Deploy (of the plans made after the synth): one at a time ${fmtMs(deploySeq.wallMs)}, parallel ${fmtMs(deployPar.wallMs)} (${(deploySeq.wallMs / deployPar.wallMs).toFixed(1)}× faster); ` +
      `critical path ${fmtMs(cpDeploy.ms)} + fixed ${fmtMs(cpDeploy.fixed)} = ${fmtMs(cpDeploy.total)}; parallel / critical path = ${deployRatio.toFixed(2)} (${(deployPar.wallMs / cpDeploy.ms).toFixed(2)} against the chain alone). ` +
      `CPU bound ${fmtMs(cpuBound([deployPar]))}; parallel / max(critical path, CPU bound) = ${(deployPar.wallMs / deployBound).toFixed(2)}.`,
  ];
  const goals = [
    { text: `parallel deploy of the Terraform estate within 1.3× of its critical path (${deployRatio.toFixed(2)}×)`, met: deployRatio <= 1.3 },
    { text: `parallel plan of the Terraform estate within 1.3× of its critical path: fresh (${fresh.ratio.toFixed(2)}×)`, met: fresh.ratio <= 1.3 },
    { text: `parallel plan of the Terraform estate within 1.3× of its critical path: again after a synth (${again.ratio.toFixed(2)}×)`, met: again.ratio <= 1.3 },
  ];
  return { rows, lines, goals };
}

function gitCommit(): string {
  const sha = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return dirty ? `${sha} (with uncommitted changes)` : sha;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      'reference-runs': { type: 'string', default: '2' },
      'no-references': { type: 'boolean', default: false },
      'with-tests': { type: 'boolean', default: false },
      'no-terraform': { type: 'boolean', default: false },
      'tf-sleep': { type: 'string', default: '2' },
      'only-terraform': { type: 'boolean', default: false },
      'no-save': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const runs = Math.max(1, Number(values.runs));
  const refRuns = Math.max(1, Number(values['reference-runs']));
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const work = mkdtempSync(join(tmpdir(), 'moit-bench-'));
  const node = process.execPath;
  const real = join(work, 'real');
  const large = join(work, 'large');
  const largeHead = join(work, 'large-head');
  try {
    if (!existsSync(RSS_PRELOAD)) throw new Error(`${RSS_PRELOAD} is missing: run the bench through \`npm run bench\`, which builds dist/ first`);
    const fast: Command = { label: 'synth (real)', cmd: node, args: [join(DIST, 'scripts', 'synth.js'), '--out', real] };
    const synthLarge: Command = { label: 'synth (large)', cmd: node, args: [join(DIST, 'scripts', 'bench', 'synth-large.js'), '--out', large] };
    // --only-terraform: the synth, audit, diff and validate measurements (and the references) are skipped.
    const synthParts = !values['only-terraform'];
    const many = (c: Command, n: number): Run[] => (synthParts ? [...Array(n)].map((_, i) => (log(`bench: ${c.label} ${i + 1}/${n}`), run(c, work))) : []);

    // `npm run synth` as a user types it: npm, the build check, the app. dist/ is up to date
    // (npm run bench built it), so the build step is the check alone. Measured synthesizing (the
    // result cache off, as after any change of an input), with nothing changed since the last
    // synth into the folder (the result cache: lib/synth-cache.ts; one run first makes the
    // record), and after a source change (the build stamp removed, as an edit would change it).
    const typed: Command = { label: 'npm run synth (as typed)', cmd: 'npm', args: ['run', 'synth', '--', '--out', join(work, 'typed')], env: { MOIT_SYNTH_CACHE: 'off' } };
    const typedUnchanged: Command = { label: 'npm run synth (as typed, nothing changed)', cmd: 'npm', args: ['run', 'synth', '--', '--out', join(work, 'typed-unchanged')], env: { MOIT_SYNTH_CACHE: 'on' } };
    const typedRebuild: Command = { ...typedUnchanged, label: 'npm run synth (as typed, after a source change)', before: () => rmSync(BUILD_STAMP, { force: true }) };
    const typedRuns = many(typed, runs);
    const typedRebuildRuns = many(typedRebuild, 1);
    const typedUnchangedRuns = many(typedUnchanged, runs);
    const reused = typedUnchangedRuns.filter((r) => /nothing changed since the synth of/.test(r.stderr)).length;
    const realRuns = many(fast, runs);
    const largeRuns = many(synthLarge, runs);
    const realSize = synthParts ? countEstate(real) : { stacks: 0, resources: 0 };
    const largeSize = synthParts ? countEstate(large) : { stacks: 0, resources: 0 };
    if (synthParts) changedCopy(large, largeHead);

    const audit: Command = { label: 'audit (large)', cmd: node, args: [join(DIST, 'scripts', 'audit.js'), '--dir', large, '--today', TODAY, '--out', join(work, 'audit.md')], ok: [0, 1] };
    const diff: Command = {
      label: 'diff (large)',
      cmd: node,
      args: [join(DIST, 'scripts', 'diff.js'), '--base', large, '--head', largeHead, '--out', join(work, 'diff.md')],
      ok: [0, 2],
    };
    const validate = (cold: boolean): Command => ({
      label: `validate ${cold ? 'cold' : 'warm'} (large)`,
      cmd: node,
      args: [join(DIST, 'scripts', 'validate.js'), '--dir', large],
      ok: [0, 1],
      before: cold ? () => rmSync(VALIDATE_CACHE, { recursive: true, force: true }) : undefined,
    });
    const auditRuns = many(audit, runs);
    const diffRuns = many(diff, runs);
    const coldRuns = many(validate(true), runs);
    const warmRuns = many(validate(false), runs);
    const validationProblems = !warmRuns[0] ? '?' : /(\d+) problems?/.exec(warmRuns[0].stdout)?.[1] ?? (/no problems/.test(warmRuns[0]!.stdout) ? '0' : '?');

    // References, alternating with the fast path run by run.
    const refFast: Run[] = [];
    const refCached: Run[] = [];
    const refCdktf: Run[] = [];
    const refStock: Run[] = [];
    if (!values['no-references'] && synthParts) {
      const cdktf: Command = { label: 'npx cdktf synth', cmd: 'npx', args: ['cdktf', 'synth', '--output', join(work, 'ref-cdktf')] };
      const stock: Command = { label: 'npx cdktf synth --app "npx ts-node main.ts"', cmd: 'npx', args: ['cdktf', 'synth', '--app', 'npx ts-node main.ts', '--output', join(work, 'ref-stock')] };
      for (let i = 0; i < refRuns; i++) {
        log(`bench: references ${i + 1}/${refRuns} (npm run synth, npx cdktf synth, stock path)`);
        refFast.push(run(typed, work));
        refCached.push(run(typedUnchanged, work));
        refCdktf.push(run(cdktf, work));
        refStock.push(run(stock, work));
      }
    }

    const terraform = values['no-terraform'] ? undefined : terraformBench(work, Number(values['tf-sleep']), runs, log);

    let testRun: Run | undefined;
    if (values['with-tests']) {
      log('bench: npm test (once) …');
      testRun = run({ label: 'npm test', cmd: 'npm', args: ['test', '--silent'], env: { NODE_OPTIONS: '' }, unset: ['MOIT_TODAY'], ok: [0, 1] }, work);
    }

    const wall = (rs: readonly Run[]) => median(rs.map((r) => r.wallMs));
    const inProc = (rs: readonly Run[]) => median(rs.map((r) => r.inProcessMs ?? NaN));
    const rss = (rs: readonly Run[]) => median(rs.map((r) => r.maxRssMiB ?? NaN));
    const marginalWall = (wall(largeRuns) - wall(realRuns)) / (largeSize.resources - realSize.resources);
    const marginalIn = (inProc(largeRuns) - inProc(realRuns)) / (largeSize.resources - realSize.resources);

    const rows: Row[] = [
      { what: `\`npm run synth\` as typed, real estate, synthesizing (dist/ up to date; result cache off)`, runs: typedRuns },
      { what: `\`npm run synth\` as typed, real estate, nothing changed since the last synth (result cache)`, runs: typedUnchangedRuns, note: `${reused} of ${typedUnchangedRuns.length} reused` },
      { what: `\`npm run synth\` as typed, after a source change (rebuilds dist/, synthesizes)`, runs: typedRebuildRuns },
      { what: `synth, real estate (${realSize.stacks} stacks, ${realSize.resources} resources)`, runs: realRuns },
      { what: `synth, large estate (${largeSize.stacks} stacks, ${largeSize.resources} resources)`, runs: largeRuns },
      { what: 'audit, large estate', runs: auditRuns },
      { what: 'diff, large estate (a few changes)', runs: diffRuns },
      { what: 'validate, large estate, cold cache', runs: coldRuns, note: `${validationProblems} problems` },
      { what: 'validate, large estate, warm cache', runs: warmRuns, note: `${validationProblems} problems` },
      ...(refRuns && !values['no-references']
        ? [
            { what: 'reference: `npm run synth` as typed, synthesizing (alternating)', runs: refFast },
            { what: 'reference: `npm run synth` as typed, nothing changed (alternating)', runs: refCached },
            { what: 'reference: `npx cdktf synth` (cdktf.json)', runs: refCdktf },
            { what: 'reference: stock path (`--app "npx ts-node main.ts"`)', runs: refStock },
          ]
        : []),
      ...(terraform?.rows ?? []),
      ...(testRun ? [{ what: '`npm test` (typecheck, build, jest)', runs: [testRun], note: testRun.status === 0 ? 'passed' : `FAILED, exit ${testRun.status}` }] : []),
    ];
    const cpu = (rs: readonly Run[]) => median(rs.map((r) => r.cpuMs ?? NaN));
    const treeCpu = (rs: readonly Run[]) => median(rs.map((r) => r.treeCpuMs ?? NaN));
    const table = [
      '| measurement | runs | wall (median) | in-process synth | node CPU (median) | CPU, whole tree (median) | peak memory |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.filter((r) => r.runs.length > 0).map((r) => `| ${r.what}${r.note ? ` (${r.note})` : ''} | ${r.runs.length} | ${fmtMs(wall(r.runs))} | ${fmtMs(inProc(r.runs))} | ${fmtMs(cpu(r.runs))} | ${fmtMs(treeCpu(r.runs))} | ${fmtMiB(rss(r.runs))} |`),
    ];
    const ratio = refStock.length ? wall(refStock) / wall(refFast) : NaN;
    const ratioCdktf = refCdktf.length ? wall(refCdktf) / wall(refFast) : NaN;
    const ratioCached = refStock.length ? wall(refStock) / wall(refCached) : NaN;
    const summary = [
      ...(!synthParts
        ? ['Synth, audit, diff and validate not measured (--only-terraform).']
        : [
            `Marginal cost at ten-times scale: ${marginalWall.toFixed(3)} ms per resource wall (${marginalIn.toFixed(3)} in-process), ` +
              `(${fmtMs(wall(largeRuns))} − ${fmtMs(wall(realRuns))}) / (${largeSize.resources} − ${realSize.resources}).`,
          ]),
      ...(refStock.length
        ? [
            `\`npm run synth\` as typed, synthesizing, vs the stock path: ${ratio.toFixed(1)}× faster; vs \`npx cdktf synth\`: ${ratioCdktf.toFixed(1)}× faster (alternating runs). ` +
              `With nothing changed since the last synth (result cache): ${ratioCached.toFixed(1)}× faster than the stock path.`,
          ]
        : []),
      ...(terraform?.lines ?? []),
    ];
    const goal = (text: string, met: boolean | undefined) => `- ${met === undefined || (!synthParts && !/Terraform/.test(text)) ? 'not measured' : met ? 'met' : 'NOT MET'}: ${text}`;
    const goals = [
      goal(`\`npm run synth\` as typed synthesizes the real estate in under 1.0 s wall (${fmtMs(wall(typedRuns))})`, wall(typedRuns) < 1000),
      goal(`\`npm run synth\` as typed, nothing changed since the last synth (result cache), under 1.0 s wall (${fmtMs(wall(typedUnchangedRuns))}; ${reused} of ${typedUnchangedRuns.length} reused)`, wall(typedUnchangedRuns) < 1000 && reused === typedUnchangedRuns.length),
      goal(`the app alone synthesizes the real estate in under 1.0 s wall (${fmtMs(wall(realRuns))})`, wall(realRuns) < 1000),
      goal(`\`npm run synth\` as typed, synthesizing, at least 10× faster than the stock path (${Number.isNaN(ratio) ? '–' : `${ratio.toFixed(1)}×`})`, Number.isNaN(ratio) ? undefined : ratio >= 10),
      goal(`\`npm run synth\` as typed, nothing changed (result cache), at least 10× faster than the stock path (${Number.isNaN(ratioCached) ? '–' : `${ratioCached.toFixed(1)}×`})`, Number.isNaN(ratioCached) ? undefined : ratioCached >= 10),
      goal(`marginal cost under 1 ms per resource at ten-times scale (${marginalWall.toFixed(3)} ms)`, marginalWall < 1),
      goal(`peak memory under 400 MB at ten-times scale (${fmtMiB(rss(largeRuns))})`, rss(largeRuns) < 400),
      goal(`audit of the large estate under 2 s (${fmtMs(wall(auditRuns))})`, wall(auditRuns) < 2000),
      goal(`diff of the large estate under 2 s (${fmtMs(wall(diffRuns))})`, wall(diffRuns) < 2000),
      goal(`validation of the large estate under 2 s, cold (${fmtMs(wall(coldRuns))}) and warm (${fmtMs(wall(warmRuns))})`, wall(coldRuns) < 2000 && wall(warmRuns) < 2000),
      ...(terraform ? terraform.goals.map((g) => goal(g.text, g.met)) : [goal('plan and deploy of the Terraform estate within 1.3× of the critical path (run without --no-terraform)', undefined)]),
      goal(`\`npm test\` under 120 s (${testRun ? fmtMs(testRun.wallMs) : 'run with --with-tests'})`, testRun ? testRun.wallMs < 120_000 : undefined),
    ];
    const header = `## ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} — commit ${gitCommit()}`;
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    const machine =
      `Node ${process.version}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; load average at the end ${load} (at ${cpus().length} or more, wall times include waiting for a core); ` +
      `MOIT_TODAY=${TODAY}; ${runs} runs (${values['no-references'] ? 'no references' : `references ${refRuns}`}), medians; bench took ${Math.round((Date.now() - started) / 1000)} s. ` +
      `Node CPU: user + system time of the run's node processes (npm, the CLIs, the app), not Terraform's. ` +
      `CPU, whole tree: user + system time of every process the run started and waited for, Terraform included.`;
    const text = [header, '', machine, '', ...table, '', ...summary, '', 'Goals:', ...goals, ''].join('\n');
    console.log(text);
    if (!values['no-save']) {
      mkdirSync(join(ROOT, 'bench'), { recursive: true });
      if (!existsSync(RESULTS)) writeFileSync(RESULTS, '# Benchmark results\n\nAppended by `npm run bench` (scripts/bench.ts), newest last.\n\n');
      appendFileSync(RESULTS, `${text}\n`);
      log(`bench: appended to ${RESULTS}`);
    }
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else log(`bench: kept ${work}`);
  }
}

if (require.main === module) main();
