/**
 * Reading CRD files: one `apiextensions.k8s.io/v1` CustomResourceDefinition per file, named
 * after it, and its schemas converted to JSON Schema (openapi.ts) for the validator.
 */
import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { celTree, type CelNode } from './cel-schema';
import { convertCrdSchema, type ConversionNotes, type JsonSchema, type OpenApiSchema } from './openapi';
import { SchemaSourceError } from './schema-sources';

/** This file: its code is part of the conversion, so the cache of converted CRDs is keyed by it (crd-cache.ts). */
export const CRD_FILES_FILE = __filename;

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
    /** Where the schema's CEL rules are, with the types they need (cel-schema.ts); absent when it has none. */
    readonly cel?: CelNode;
  }>;
}

/** Converts every version's schema of a CRD. */
export function convertCrd(crd: CrdDocument): ConvertedCrd {
  return {
    ...crd,
    versions: crd.versions.map(({ schema, ...version }) => (schema && typeof schema === 'object' ? { ...version, ...convertCrdSchema(schema), ...celOf(schema) } : version)),
  };
}

function celOf(schema: OpenApiSchema): { cel?: CelNode } {
  const cel = celTree(schema);
  return cel ? { cel } : {};
}
