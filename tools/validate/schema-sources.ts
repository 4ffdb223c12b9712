/**
 * Where the CRD schemas come from: one folder laid out as `<root>/<project>/<version>/<plural>.<group>.yaml`,
 * named by CRD_SCHEMA_DIR (../shared/crds) or `.schema-cache/` filled by `npm run schemas:fetch`,
 * holding exactly the operator versions pinned in lib/versions.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { OPERATORS, type OperatorRelease } from '../../lib/versions';

/** The environment variable naming the CRD folder (CI and the team: ../shared/crds). */
export const CRD_SCHEMA_DIR_VARIABLE = 'CRD_SCHEMA_DIR';
/** The folder, at the project root, that `npm run schemas:fetch` fills. */
export const SCHEMA_CACHE_DIR = '.schema-cache';

/** What to do when there are no schemas: said by every error about a missing schema source. */
export const SCHEMA_SOURCE_HELP =
  `set ${CRD_SCHEMA_DIR_VARIABLE} to a folder of CRD files laid out as <project>/<version>/<plural>.<group>.yaml ` +
  `(the team's copy is ../shared/crds), or run \`npm run schemas:fetch\` to download the pinned ones into ${SCHEMA_CACHE_DIR}/`;

/** No usable schema source: the validator cannot check anything, so it refuses to run. */
export class SchemaSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaSourceError';
  }
}

/** Where the CRD files were found. */
export interface SchemaRoot {
  readonly dir: string;
  /** `CRD_SCHEMA_DIR` when the variable named it, `cache` for `.schema-cache/`. */
  readonly origin: 'CRD_SCHEMA_DIR' | 'cache';
}

/** The project root: the nearest folder above this file with a package.json (works from dist/ too). */
export function projectRoot(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/**
 * Finds the CRD folder: `CRD_SCHEMA_DIR` if set (it must exist), else `<project>/.schema-cache`.
 * Throws {@link SchemaSourceError} when there is none.
 */
export function resolveSchemaRoot(options: { readonly env?: NodeJS.ProcessEnv; readonly projectDir?: string } = {}): SchemaRoot {
  const env = options.env ?? process.env;
  const named = env[CRD_SCHEMA_DIR_VARIABLE];
  if (named !== undefined && named !== '') {
    const dir = resolve(named);
    if (!isDirectory(dir)) {
      throw new SchemaSourceError(`${CRD_SCHEMA_DIR_VARIABLE}=${named}: no such folder. Fix the variable: ${SCHEMA_SOURCE_HELP}.`);
    }
    return { dir, origin: 'CRD_SCHEMA_DIR' };
  }
  const cache = join(options.projectDir ?? projectRoot(), SCHEMA_CACHE_DIR);
  if (isDirectory(cache)) return { dir: cache, origin: 'cache' };
  throw new SchemaSourceError(`No CRD schemas to validate against: ${CRD_SCHEMA_DIR_VARIABLE} is not set and ${cache} does not exist. To fix it, ${SCHEMA_SOURCE_HELP}.`);
}

/** A CRD source pinned in lib/versions.ts, with the operators that use it. */
export interface PinnedSource {
  /** `<project>/<version>`, the folder under the CRD root. */
  readonly folder: string;
  /** Names of the OPERATORS entries pointing there (usually one). */
  readonly operators: readonly string[];
  /** The apiVersions those operators write (lib/versions.ts `apiVersions`). */
  readonly apiVersions: readonly string[];
}

/** The distinct CRD folders pinned by the given operators. */
export function pinnedSources(operators: Readonly<Record<string, OperatorRelease>> = OPERATORS): PinnedSource[] {
  const byFolder = new Map<string, { operators: string[]; apiVersions: string[] }>();
  for (const [name, op] of Object.entries(operators)) {
    if (!op.crdSource) continue;
    const folder = `${op.crdSource.project}/${op.crdSource.version}`;
    const entry = byFolder.get(folder) ?? { operators: [], apiVersions: [] };
    entry.operators.push(name);
    entry.apiVersions.push(...op.apiVersions);
    byFolder.set(folder, entry);
  }
  return [...byFolder].map(([folder, e]) => ({ folder, operators: e.operators, apiVersions: [...new Set(e.apiVersions)] }));
}

/** True when the path is an existing folder. */
export function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
