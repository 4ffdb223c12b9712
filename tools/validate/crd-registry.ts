/**
 * The registry of CRD schemas the validator checks manifests against: the files of the pinned
 * sources (schema-sources.ts) indexed by API group (the file name carries it), read lazily
 * (crd-files.ts, through crd-cache.ts), and each schema compiled once per registry, on first use.
 */
import { builtInLookup } from './built-in';
import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { OPERATORS, type OperatorRelease } from '../../lib/versions';
import { defaultConvertedCacheDir, loadConvertedCrd } from './crd-cache';
import type { CelNode } from './cel-schema';
import type { ConvertedCrd } from './crd-files';
import { CHECKED_FORMATS, type ConversionNotes, type JsonSchema } from './openapi';
import { isDirectory, pinnedSources, resolveSchemaRoot, SCHEMA_SOURCE_HELP, SchemaSourceError, type PinnedSource } from './schema-sources';

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
  /** The CEL rules and the types they need (cel-schema.ts); absent when the schema has none. */
  readonly cel?: CelNode;
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
      schema: { apiVersion, kind, scope: crd.scope, file: crd.file, source: file.source, jsonSchema: crdVersion.schema, validate, notes: crdVersion.notes, ...(crdVersion.cel ? { cel: crdVersion.cel } : {}) },
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
