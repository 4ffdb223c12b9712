/**
 * Downloads the CRD files pinned in lib/versions.ts from their upstream repositories at the
 * pinned tags (raw.githubusercontent.com), checks each against the sha256 recorded there, and
 * writes them as `<dest>/<project>/<version>/<plural>.<group>.yaml`, the layout the validator
 * reads. Nothing is written unless every file arrived and matched: the previous folder is
 * replaced in one rename.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { CHART_VALUES_SOURCES, KUBERNETES_OPENAPI, OPERATORS, type ChartValuesSource, type CrdFileSource, type OperatorRelease } from '../../lib/versions';
import { KUBERNETES_OPENAPI_FOLDER } from './built-in';

/** A download failed, a file did not match its pin, or lib/versions.ts lacks what is needed. */
export class SchemaFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaFetchError';
  }
}

/** The raw.githubusercontent.com URL of a file in `owner/name` at a tag. */
export function rawGithubUrl(upstream: string, tag: string, path: string): string {
  if (!/^[\w.-]+\/[\w.-]+$/.test(upstream)) throw new SchemaFetchError(`upstream must be a GitHub "owner/name", got ${JSON.stringify(upstream)}`);
  if (!tag || tag.includes('/')) throw new SchemaFetchError(`tag must be a non-empty tag name without "/", got ${JSON.stringify(tag)}`);
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new SchemaFetchError(`path must be relative to the repository root, got ${JSON.stringify(path)}`);
  return `https://raw.githubusercontent.com/${upstream}/${encodeURIComponent(tag)}/${segments.map(encodeURIComponent).join('/')}`;
}

/** One URL to download, and the CRD files it yields. */
export interface PlannedDownload {
  readonly url: string;
  /** `<project>/<version>`, the folder under the destination. */
  readonly folder: string;
  readonly files: readonly CrdFileSource[];
}

/**
 * The downloads for every `crdSource` in the operators: one per distinct upstream file (Rook's
 * crds.yaml once for all its CRDs). Throws when a source lists no files.
 */
export function planFetch(operators: Readonly<Record<string, OperatorRelease>> = OPERATORS): PlannedDownload[] {
  const byUrl = new Map<string, { folder: string; files: CrdFileSource[] }>();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [name, op] of Object.entries(operators)) {
    const source = op.crdSource;
    if (!source) continue;
    const folder = `${source.project}/${source.version}`;
    if (seen.has(folder)) continue;
    seen.add(folder);
    if (!source.files || source.files.length === 0) {
      problems.push(`OPERATORS.${name}.crdSource.files is empty: list each CRD file and its upstream path (see ../shared/crds/MANIFEST.md)`);
      continue;
    }
    for (const file of source.files) {
      const url = rawGithubUrl(source.upstream, source.tag, file.path);
      const entry = byUrl.get(url) ?? { folder, files: [] };
      entry.files.push(file);
      byUrl.set(url, entry);
    }
  }
  if (problems.length > 0) throw new SchemaFetchError(`lib/versions.ts: ${problems.join('; ')}`);
  return [...byUrl].map(([url, e]) => ({ url, folder: e.folder, files: e.files }));
}

/** The Kubernetes OpenAPI document (lib/versions.ts KUBERNETES_OPENAPI), into `k8s-openapi/`. */
export function kubernetesOpenApiDownload(): PlannedDownload {
  const k = KUBERNETES_OPENAPI;
  return { url: rawGithubUrl(k.upstream, k.tag, k.path), folder: KUBERNETES_OPENAPI_FOLDER, files: [{ file: k.file, path: k.path, sha256: k.sha256 }] };
}

/**
 * Splits a multi-document YAML file the way ../shared/crds did for Rook: each document keeps
 * its leading `---` line and its text byte for byte; comments before the first `---` go.
 */
export function splitYamlDocuments(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  const docs: string[] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (/^---[ \t]*\r?\n?$/.test(line)) {
      if (current) docs.push(current.join(''));
      current = [line];
    } else if (current) {
      current.push(line);
    }
  }
  if (current) docs.push(current.join(''));
  return docs.filter((d) => d.replace(/^---.*\n?/, '').trim() !== '');
}

/** The documents of a multi-document file by metadata.name (a name found twice is an error). */
export function documentsByName(text: string, where: string): Map<string, string> {
  const byName = new Map<string, string>();
  for (const doc of splitYamlDocuments(text)) {
    const name = (parseDocument(doc).toJS() as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    if (typeof name !== 'string') continue;
    if (byName.has(name)) throw new SchemaFetchError(`${where}: two documents have metadata.name "${name}"`);
    byName.set(name, doc);
  }
  return byName;
}

/** First 16 hex digits of the sha256 of a text, as MANIFEST.md records them. */
export function sha256Prefix(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** Fetches a URL as text; the signature of the global `fetch` subset used (tests pass a fake). */
export type FetchText = (url: string) => Promise<{ ok: boolean; status: number; statusText: string; text(): Promise<string> }>;

export interface FetchSchemasOptions {
  /** The folder to fill, replaced as a whole on success. */
  readonly dest: string;
  /** @default OPERATORS */
  readonly operators?: Readonly<Record<string, OperatorRelease>>;
  /** @default global fetch with a 60 s timeout */
  readonly fetchText?: FetchText;
  /** Progress lines. @default no output */
  readonly log?: (line: string) => void;
}

export interface FetchSchemasResult {
  readonly dest: string;
  /** Files written, relative to dest. */
  readonly files: string[];
}

/**
 * Downloads, verifies and writes every pinned CRD file. Throws {@link SchemaFetchError}, with
 * every failed URL, when any download fails or any file does not match its sha256; then
 * nothing is written.
 */
export async function fetchSchemas(options: FetchSchemasOptions): Promise<FetchSchemasResult> {
  const dest = resolve(options.dest);
  const get: FetchText = options.fetchText ?? ((url) => fetch(url, { signal: AbortSignal.timeout(60_000) }));
  const log = options.log ?? (() => undefined);
  const plan = [...planFetch(options.operators), kubernetesOpenApiDownload()];

  const results = await Promise.all(
    plan.map(async (download) => {
      try {
        const response = await get(download.url);
        if (!response.ok) {
          return { download, reason: `HTTP ${response.status} ${response.statusText}: the tag or the path may have changed upstream; check crdSource in lib/versions.ts` };
        }
        const text = await response.text();
        log(`  fetched ${download.url}`);
        return { download, text, reason: undefined };
      } catch (error) {
        return { download, reason: describeNetworkError(error) };
      }
    }),
  );
  const failed = results.filter((r) => r.reason !== undefined);
  if (failed.length > 0) {
    const offline = failed.length === results.length;
    const reasons = new Set(failed.map((r) => r.reason));
    // Offline, every URL fails the same way: one line says it.
    const lines =
      offline && reasons.size === 1 && failed.length > 1
        ? [`${failed[0]!.download.url}: ${failed[0]!.reason}`, `... and the ${failed.length - 1} other URLs, the same way`]
        : failed.map((r) => `${r.download.url}: ${r.reason}`);
    throw new SchemaFetchError(
      `Could not download ${failed.length} of ${results.length} schema files; nothing was written.\n` +
        lines.map((f) => `  - ${f}`).join('\n') +
        (offline
          ? `\nschemas:fetch needs HTTPS access to raw.githubusercontent.com. Offline, set CRD_SCHEMA_DIR to a copy of the CRDs instead (the team's is ../shared/crds).`
          : ''),
    );
  }

  const outputs: Array<{ relative: string; text: string }> = [];
  const mismatches: string[] = [];
  for (const { download, text } of results) {
    const documents = download.files.some((f) => f.document) ? documentsByName(text!, download.url) : undefined;
    for (const file of download.files) {
      let content = text!;
      if (file.document) {
        const doc = documents!.get(file.document);
        if (doc === undefined) {
          mismatches.push(`${download.folder}/${file.file} (from ${download.url}): no document with metadata.name "${file.document}"`);
          continue;
        }
        content = doc;
      }
      const relative = `${download.folder}/${file.file}`;
      const actual = sha256Prefix(content);
      if (actual !== file.sha256) mismatches.push(`${relative} (from ${download.url}): sha256 starts ${actual}, pinned ${file.sha256}`);
      outputs.push({ relative, text: content });
    }
  }
  if (mismatches.length > 0) {
    throw new SchemaFetchError(
      `${mismatches.length} CRD file${mismatches.length === 1 ? '' : 's'} did not match lib/versions.ts (sha256 or document name); nothing was written.\n` +
        mismatches.map((m) => `  - ${m}`).join('\n') +
        `\nA tag may have been moved upstream, or the file reorganised. Compare with ../shared/crds/MANIFEST.md before changing a pin.`,
    );
  }

  replaceFolder(dest, outputs);
  return { dest, files: outputs.map((o) => o.relative).sort() };
}

/** "fetch failed" says nothing; its cause says what happened (DNS, refused, timeout). */
function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out after 60 s';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? 'failed'} (${cause})` : (e?.message ?? String(error));
}

// ---------------------------------------------------------------------------------------------
// The pinned charts' values.yaml and values.schema.json (CHART_VALUES_SOURCES), for the
// deployability check: written as `<dest>/<chart>/<version>/<file>`, every file sha256-checked,
// nothing written unless all arrived and matched.
// ---------------------------------------------------------------------------------------------

export interface PlannedChartFile {
  readonly url: string;
  /** `<chart>/<version>/<file>`, relative to the destination. */
  readonly relative: string;
  readonly sha256: string;
}

/** One download per pinned chart file. */
export function planChartFetch(sources: readonly ChartValuesSource[] = CHART_VALUES_SOURCES): PlannedChartFile[] {
  return sources.flatMap((s) => s.files.map((f) => ({ url: rawGithubUrl(s.upstream, s.tag, `${s.path}/${f.file}`), relative: `${s.chart}/${s.version}/${f.file}`, sha256: f.sha256 })));
}

export interface FetchChartValuesOptions {
  /** The folder to fill (`.schema-cache/charts`), replaced as a whole on success. */
  readonly dest: string;
  /** @default CHART_VALUES_SOURCES */
  readonly sources?: readonly ChartValuesSource[];
  /** @default global fetch with a 60 s timeout */
  readonly fetchText?: FetchText;
  readonly log?: (line: string) => void;
}

/** Downloads, verifies and writes every pinned chart file; throws SchemaFetchError listing every failure. */
export async function fetchChartValues(options: FetchChartValuesOptions): Promise<FetchSchemasResult> {
  const dest = resolve(options.dest);
  const get: FetchText = options.fetchText ?? ((url) => fetch(url, { signal: AbortSignal.timeout(60_000) }));
  const plan = planChartFetch(options.sources);
  const results = await Promise.all(
    plan.map(async (p) => {
      try {
        const response = await get(p.url);
        if (!response.ok) return { p, reason: `HTTP ${response.status} ${response.statusText}: the tag or the path may have changed upstream; check CHART_VALUES_SOURCES in lib/versions.ts` };
        const text = await response.text();
        options.log?.(`  fetched ${p.url}`);
        const actual = sha256Prefix(text);
        if (actual !== p.sha256) return { p, reason: `sha256 starts ${actual}, pinned ${p.sha256}: the tag may have been moved upstream; compare with ../shared/charts/SOURCES.md before changing a pin` };
        return { p, text };
      } catch (error) {
        return { p, reason: describeNetworkError(error) };
      }
    }),
  );
  const failed = results.filter((r) => r.reason !== undefined);
  if (failed.length > 0) {
    throw new SchemaFetchError(
      `Could not get ${failed.length} of ${results.length} chart values files; nothing was written.\n` +
        failed.map((r) => `  - ${r.p.relative} (${r.p.url}): ${r.reason}`).join('\n') +
        `\nOffline, set CHART_VALUES_DIR to a copy of the pinned chart files instead (the team's is ../shared/charts).`,
    );
  }
  replaceFolder(dest, results.map((r) => ({ relative: r.p.relative, text: r.text! })));
  return { dest, files: plan.map((p) => p.relative).sort() };
}

/**
 * Writes the files into a staging folder beside `dest`, then swaps it in for `dest`: all of them
 * or, on any error, none (the previous folder is left as it was).
 */
function replaceFolder(dest: string, files: ReadonlyArray<{ readonly relative: string; readonly text: string }>): void {
  mkdirSync(dirname(dest), { recursive: true });
  const staging = mkdtempSync(join(dirname(dest), `.${basename(dest)}-`));
  try {
    for (const { relative, text } of files) {
      mkdirSync(dirname(join(staging, relative)), { recursive: true });
      writeFileSync(join(staging, relative), text);
    }
    const previous = `${dest}.previous-${process.pid}`;
    if (existsSync(dest)) renameSync(dest, previous);
    renameSync(staging, dest);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
