/**
 * The CRD schemas the validator checks manifests against: found in one folder laid out as
 * `<root>/<project>/<version>/<plural>.<group>.yaml` (../shared/crds, or `.schema-cache/` filled
 * by `npm run schemas:fetch`), for exactly the operator versions pinned in lib/versions.ts.
 *
 * Files are read lazily, by API group (the file name carries it), and each schema is compiled
 * once per registry, on first use. Parsing YAML is the slow part (about 1.2 s for every pinned
 * CRD), so each converted CRD is also kept as JSON in `node_modules/.cache/moit-crd-schemas/`,
 * keyed by the sha256 of the CRD file (name and content) and of this converter's code.
 */
import { builtInLookup } from './built-in';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { loadAll } from 'js-yaml';
import { OPERATORS, type OperatorRelease } from '../../lib/versions';
import { CHECKED_FORMATS, CONVERTER_FILE, convertCrdSchema, type ConversionNotes, type JsonSchema, type OpenApiSchema } from './openapi';

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

/** One CustomResourceDefinition, as read from its file. */
export interface CrdDocument {
  readonly file: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: ReadonlyArray<{
    readonly name: string;
    readonly served: boolean;
    readonly storage: boolean;
    readonly deprecated: boolean;
    readonly schema?: OpenApiSchema;
  }>;
}

/**
 * Reads a CRD file: exactly one `apiextensions.k8s.io/v1` CustomResourceDefinition, named after
 * the file (`<plural>.<group>.yaml`, as Kubernetes requires `metadata.name` to be).
 */
export function readCrdFile(file: string): CrdDocument {
  const fail = (what: string): never => {
    throw new SchemaSourceError(`${file}: ${what}. Each CRD file must hold exactly one apiextensions.k8s.io/v1 CustomResourceDefinition, named <plural>.<group>.yaml.`);
  };
  // js-yaml, not yaml: it parses these large CRDs about five times faster (1.05 s to 0.19 s for
  // the whole set), which is most of a cold validation.
  let docs: unknown[] = [];
  try {
    docs = loadAll(readFileSync(file, 'utf8')).filter((d) => d !== null && d !== undefined);
  } catch (error) {
    fail(`is not valid YAML (${String((error as Error).message).split('\n')[0]})`);
  }
  if (docs.length !== 1) fail(`holds ${docs.length} YAML documents`);
  const crd = docs[0] as Record<string, any>;
  if (crd?.apiVersion !== 'apiextensions.k8s.io/v1' || crd?.kind !== 'CustomResourceDefinition') {
    fail(`is a ${crd?.apiVersion}/${crd?.kind}, not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
  }
  const spec = crd.spec ?? {};
  const name = String(crd.metadata?.name ?? '');
  const expectedFile = `${name}.yaml`;
  if (!file.endsWith(`/${expectedFile}`) && file !== expectedFile) fail(`holds the CRD "${name}", so it must be named ${expectedFile}`);
  if (name !== `${spec.names?.plural}.${spec.group}`) fail(`metadata.name "${name}" is not <plural>.<group> ("${spec.names?.plural}.${spec.group}")`);
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') fail(`spec.scope must be Namespaced or Cluster, got ${JSON.stringify(spec.scope)}`);
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) fail('has no spec.versions');
  return {
    file,
    name,
    group: spec.group,
    kind: spec.names.kind,
    plural: spec.names.plural,
    scope: spec.scope,
    versions: spec.versions.map((v: Record<string, any>) => ({
      name: String(v.name),
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      schema: v.schema?.openAPIV3Schema,
    })),
  };
}

/** A CRD ready for the validator: its schemas converted to JSON Schema (see openapi.ts). */
export interface ConvertedCrd extends Omit<CrdDocument, 'versions'> {
  readonly versions: ReadonlyArray<{
    readonly name: string;
    readonly served: boolean;
    readonly storage: boolean;
    readonly deprecated: boolean;
    readonly schema?: JsonSchema;
    readonly notes?: ConversionNotes;
  }>;
}

/** Converts every version's schema of a CRD. */
export function convertCrd(crd: CrdDocument): ConvertedCrd {
  return {
    ...crd,
    versions: crd.versions.map(({ schema, ...version }) => (schema && typeof schema === 'object' ? { ...version, ...convertCrdSchema(schema) } : version)),
  };
}

/** The default folder of converted CRDs: `<project>/node_modules/.cache/moit-crd-schemas`. */
export function defaultConvertedCacheDir(): string | undefined {
  const modules = join(projectRoot(), 'node_modules');
  return isDirectory(modules) ? join(modules, '.cache', 'moit-crd-schemas') : undefined;
}

let codeHash: string | undefined;
/** The sha256 of the converter's code (this file and openapi.ts): a change invalidates the cache. */
function converterHash(): string {
  if (codeHash === undefined) {
    const hash = createHash('sha256');
    for (const file of new Set([__filename, CONVERTER_FILE])) hash.update(readFileSync(file));
    codeHash = hash.digest('hex');
  }
  return codeHash;
}

/**
 * Reads and converts a CRD file, through the cache folder when given: an entry is used only if
 * it was written for the same file name and content and the same converter code. Cache write failures
 * are ignored (a read-only checkout still validates, only slower).
 */
export function loadConvertedCrd(file: string, cacheDir?: string): ConvertedCrd {
  if (!cacheDir) return convertCrd(readCrdFile(file));
  const content = readFileSync(file);
  // The file name is part of the key: readCrdFile checks it against the CRD's name.
  const key = createHash('sha256').update(basename(file)).update('\0').update(content).update(converterHash()).digest('hex');
  const entry = join(cacheDir, `${key}.json`);
  if (existsSync(entry)) {
    try {
      return { ...(JSON.parse(readFileSync(entry, 'utf8')) as ConvertedCrd), file };
    } catch {
      // A torn or foreign file: rebuild it below.
    }
  }
  const crd = convertCrd(readCrdFile(file));
  try {
    mkdirSync(cacheDir, { recursive: true });
    const temporary = `${entry}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(crd));
    renameSync(temporary, entry);
  } catch {
    // Not writable: fine, the next run converts again.
  }
  return crd;
}

/**
 * The ajv instance the validator compiles converted schemas with. Large generated schemas:
 * `optimize: false` halves compile time, and `inlineRefs: false` compiles each hoisted
 * subschema once; validation speed is not the bottleneck.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    // Generated schemas: oneOf branches may require fields declared beside them, not in them.
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
    validateSchema: false,
    inlineRefs: false,
    code: { optimize: false },
    // Errors carry their schema: inside a hoisted subschema, schemaPath alone is ambiguous.
    verbose: true,
  });
  addFormats(ajv, [...CHECKED_FORMATS]);
  return ajv;
}

/** A compiled schema for one apiVersion + kind. */
export interface KindSchema {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  /** The CRD file it comes from. */
  readonly file: string;
  /** `<project>/<version>` and the OPERATORS entries that pin it. */
  readonly source: PinnedSource;
  /** The converted JSON Schema (error messages look up field lists in it). */
  readonly jsonSchema: JsonSchema;
  readonly validate: ValidateFunction;
  readonly notes: ConversionNotes;
}

/** The result of looking up the schema of a manifest's apiVersion and kind. */
export type SchemaLookup =
  | { readonly ok: true; readonly schema: KindSchema }
  /** `field`: the manifest field that selects the missing schema. */
  | { readonly ok: false; readonly field: 'apiVersion' | 'kind'; readonly message: string };

/**
 * Kubernetes' built-in API groups (`""` is the core group, apiVersion `v1`). CRDs cannot
 * define kinds there, and the project declares these objects with typed provider resources.
 */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

interface IndexedFile {
  readonly path: string;
  readonly source: PinnedSource;
  crd?: ConvertedCrd;
}

export interface CrdSchemaRegistryOptions {
  /** @default OPERATORS from lib/versions.ts */
  readonly operators?: Readonly<Record<string, OperatorRelease>>;
  /** Where converted CRDs are kept between runs; `null` disables it. @default {@link defaultConvertedCacheDir} */
  readonly cacheDir?: string | null;
}

/**
 * The schemas of every CRD pinned in lib/versions.ts, found under one root folder. Construction
 * only lists files (and fails if a pinned folder is missing); CRDs are loaded by group and
 * schemas compiled by apiVersion + kind on first use, then cached.
 */
export class CrdSchemaRegistry {
  readonly root: string;
  readonly sources: readonly PinnedSource[];
  private readonly ajv: Ajv;
  private readonly cacheDir: string | undefined;
  /** Files by the API group in their name. */
  private readonly filesByGroup = new Map<string, IndexedFile[]>();
  private readonly compiled = new Map<string, SchemaLookup>();

  constructor(root: string, options: CrdSchemaRegistryOptions = {}) {
    this.root = resolve(root);
    this.sources = pinnedSources(options.operators ?? OPERATORS);
    this.cacheDir = options.cacheDir === null ? undefined : (options.cacheDir ?? defaultConvertedCacheDir());
    const missing = this.sources.filter((s) => !isDirectory(join(this.root, s.folder)));
    if (missing.length > 0) {
      throw new SchemaSourceError(
        `${this.root} has no CRD folder for ${missing.map((s) => `${s.folder} (OPERATORS.${s.operators.join(', OPERATORS.')})`).join(', ')}, ` +
          `pinned in lib/versions.ts. To fix it, ${SCHEMA_SOURCE_HELP}.`,
      );
    }
    for (const source of this.sources) {
      const folder = join(this.root, source.folder);
      for (const name of readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort()) {
        // `<plural>.<group>.yaml`: readCrdFile checks the name against the content.
        const group = name.replace(/\.ya?ml$/, '').replace(/^[^.]*\./, '');
        const list = this.filesByGroup.get(group) ?? [];
        list.push({ path: join(folder, name), source });
        this.filesByGroup.set(group, list);
      }
    }
    this.ajv = createAjv();
  }

  /** The API groups the pinned CRDs define. */
  get groups(): string[] {
    return [...this.filesByGroup.keys()].sort();
  }

  /**
   * The compiled schema of an apiVersion + kind, or why there is none. A kind without a schema
   * is an error for the caller, never a silent pass.
   */
  lookup(apiVersion: string, kind: string): SchemaLookup {
    const key = `${apiVersion}|${kind}`;
    let found = this.compiled.get(key);
    if (!found) {
      found = this.resolve(apiVersion, kind);
      this.compiled.set(key, found);
    }
    return found;
  }

  /** The CRDs of one API group, loaded on first use. */
  crdsOf(group: string): ConvertedCrd[] {
    return (this.filesByGroup.get(group) ?? []).map((f) => this.load(f));
  }

  private load(file: IndexedFile): ConvertedCrd {
    return (file.crd ??= loadConvertedCrd(file.path, this.cacheDir));
  }

  private resolve(apiVersion: string, kind: string): SchemaLookup {
    const slash = apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const what = `apiVersion "${apiVersion}" kind "${kind}"`;
    if (!version || (slash >= 0 && !group)) return { ok: false, field: 'apiVersion', message: `no schema: ${what}: apiVersion must be <group>/<version>, or v1 for the core group` };
    if (BUILT_IN_GROUPS.has(group)) {
      return builtInLookup(apiVersion, kind, this.root, this.ajv) ?? {
        ok: false,
        field: 'apiVersion',
        message:
          `no schema: ${what} is a built-in Kubernetes kind and the validator has CRD schemas only; ` +
          `declare it with the typed provider resource (lib/providers.ts, e.g. NamespaceV1, NetworkPolicyV1) instead of kubernetes_manifest`,
      };
    }
    const files = this.filesByGroup.get(group);
    if (!files) {
      return {
        ok: false,
        field: 'apiVersion',
        message: `no schema: ${what}: no CRD pinned in lib/versions.ts defines group "${group}"; known groups: ${this.groups.join(', ')}`,
      };
    }
    // Files are named <plural>.<group>.yaml and plurals nearly always start with the lower-case
    // kind: load those first, and the whole group only when they do not define the kind.
    const likely = files.filter((f) => basename(f.path).startsWith(kind.toLowerCase()));
    let matching = likely.map((f) => this.load(f)).filter((c) => c.kind === kind);
    const crds = matching.length > 0 ? matching : this.crdsOf(group);
    if (matching.length === 0) matching = crds.filter((c) => c.kind === kind);
    if (matching.length === 0) {
      return {
        ok: false,
        field: 'kind',
        message: `no schema: ${what}: the pinned CRDs of group "${group}" define kinds ${crds.map((c) => c.kind).sort().join(', ')}, not "${kind}"`,
      };
    }
    if (matching.length > 1) {
      return { ok: false, field: 'kind', message: `no schema: ${what} is defined twice, in ${matching.map((c) => c.file).join(' and ')}; pin one version in lib/versions.ts` };
    }
    const crd = matching[0]!;
    const file = files.find((f) => f.crd === crd)!;
    const from = `${file.source.folder}/${crd.name}.yaml`;
    const served = crd.versions.filter((v) => v.served).map((v) => v.name);
    const crdVersion = crd.versions.find((v) => v.name === version);
    if (!crdVersion || !crdVersion.served) {
      return {
        ok: false,
        field: 'apiVersion',
        message: `no schema: ${what}: ${crdVersion ? 'version is not served' : 'no such version'} in ${from}; served versions: ${served.map((v) => `${group}/${v}`).join(', ')}`,
      };
    }
    if (!file.source.apiVersions.includes(apiVersion)) {
      const pinned = file.source.apiVersions.filter((a) => a.startsWith(`${group}/`));
      return {
        ok: false,
        field: 'apiVersion',
        message:
          `no schema: ${what}: served by ${from}${crdVersion.deprecated ? ' (deprecated)' : ''} but not an apiVersion the project writes; ` +
          `lib/versions.ts (OPERATORS.${file.source.operators.join(', OPERATORS.')}) pins ${pinned.join(', ') || 'no version of this group'}`,
      };
    }
    if (!crdVersion.schema || !crdVersion.notes) {
      return { ok: false, field: 'apiVersion', message: `no schema: ${what}: ${from} has no spec.versions[name=${version}].schema.openAPIV3Schema` };
    }
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(crdVersion.schema);
    } catch (error) {
      return { ok: false, field: 'kind', message: `no schema: ${what}: the schema in ${from} does not compile: ${(error as Error).message}` };
    }
    return {
      ok: true,
      schema: { apiVersion, kind, scope: crd.scope, file: crd.file, source: file.source, jsonSchema: crdVersion.schema, validate, notes: crdVersion.notes },
    };
  }
}

const registries = new Map<string, CrdSchemaRegistry>();

/**
 * The registry for a root folder, shared by every caller in the process (so a benchmark or an
 * audit that validates many folders compiles each schema once). Resolves the root like
 * {@link resolveSchemaRoot} when none is given.
 */
export function schemaRegistry(root?: string): CrdSchemaRegistry {
  const dir = resolve(root ?? resolveSchemaRoot().dir);
  let registry = registries.get(dir);
  if (!registry) {
    registry = new CrdSchemaRegistry(dir);
    registries.set(dir, registry);
  }
  return registry;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
