/**
 * Built-in Kubernetes kinds the estate must write as `kubernetes_manifest` because the
 * Kubernetes provider has no typed resource for them (ValidatingAdmissionPolicy and its
 * binding, hashicorp/terraform-provider-kubernetes has none in 2.x). They are checked against
 * the Kubernetes API server's own OpenAPI document (swagger 2.0) of the pinned version: the
 * definition of the kind, its `$ref`s inlined, converted like a CRD schema (unknown fields
 * refused). Every other built-in kind must use its typed provider resource.
 *
 * Where the document comes from: `K8S_OPENAPI_DIR` (a folder holding KUBERNETES_OPENAPI_FILE),
 * else a `k8s-openapi` folder inside the CRD root (`npm run schemas:fetch` puts it there) or
 * beside it (../shared/k8s-openapi next to ../shared/crds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Ajv from 'ajv';
import { convertCrdSchema, type OpenApiSchema } from './openapi';
import type { SchemaLookup } from './crd-registry';
import { KUBERNETES_OPENAPI } from '../../lib/versions';

export const K8S_OPENAPI_DIR_VARIABLE = 'K8S_OPENAPI_DIR';
/** The file name of the OpenAPI document of the Kubernetes version the estate targets. */
export const KUBERNETES_OPENAPI_FILE = KUBERNETES_OPENAPI.file;
/** Its folder inside the CRD root (`npm run schemas:fetch` writes it there) or beside it (../shared). */
export const KUBERNETES_OPENAPI_FOLDER = 'k8s-openapi';

/** apiVersion|kind of the built-in kinds allowed as manifests. */
export const MANIFEST_BUILT_INS: ReadonlySet<string> = new Set([
  'admissionregistration.k8s.io/v1|ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/v1|ValidatingAdmissionPolicyBinding',
]);

type Definitions = Record<string, OpenApiSchema>;
const documents = new Map<string, Definitions>();

/** The folder of the Kubernetes OpenAPI document, or undefined when there is none. */
export function openApiDir(crdRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[K8S_OPENAPI_DIR_VARIABLE];
  const candidates = named ? [named] : [join(crdRoot, KUBERNETES_OPENAPI_FOLDER), join(dirname(crdRoot), KUBERNETES_OPENAPI_FOLDER)];
  return candidates.find((dir) => existsSync(join(dir, KUBERNETES_OPENAPI_FILE)));
}

function definitionsIn(dir: string): Definitions {
  let found = documents.get(dir);
  if (!found) {
    found = (JSON.parse(readFileSync(join(dir, KUBERNETES_OPENAPI_FILE), 'utf8')) as { definitions: Definitions }).definitions;
    documents.set(dir, found);
  }
  return found;
}

/** The definition with its `$ref`s inlined (the kinds allowed here have no recursive references). */
function inline(node: unknown, definitions: Definitions, depth = 0): unknown {
  if (depth > 40) throw new Error('the definition is recursive');
  if (Array.isArray(node)) return node.map((n) => inline(n, definitions, depth + 1));
  if (!node || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const target = definitions[ref.replace('#/definitions/', '')];
    if (!target) throw new Error(`unresolved ${ref}`);
    return inline(target, definitions, depth + 1);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v, definitions, depth + 1)]));
}

/**
 * The schema of a built-in kind written as a manifest; undefined when the kind is not one of
 * MANIFEST_BUILT_INS (the caller then asks for the typed resource).
 */
export function builtInLookup(apiVersion: string, kind: string, crdRoot: string, ajv: Ajv): SchemaLookup | undefined {
  if (!MANIFEST_BUILT_INS.has(`${apiVersion}|${kind}`)) return undefined;
  const what = `apiVersion "${apiVersion}" kind "${kind}"`;
  const dir = openApiDir(crdRoot);
  if (!dir) {
    return {
      ok: false,
      field: 'apiVersion',
      message: `no schema: ${what} is a built-in kind checked against the Kubernetes OpenAPI document, and none was found; run npm run schemas:fetch, or set ${K8S_OPENAPI_DIR_VARIABLE} to a folder holding ${KUBERNETES_OPENAPI_FILE} (the team's copy: ../shared/k8s-openapi)`,
    };
  }
  const definitions = definitionsIn(dir);
  const [group, version] = apiVersion.split('/');
  const name = Object.keys(definitions).find((key) =>
    ((definitions[key]!['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined) ?? []).some((g) => g.group === group && g.version === version && g.kind === kind),
  );
  if (!name) return { ok: false, field: 'kind', message: `no schema: ${what} is not in ${KUBERNETES_OPENAPI_FILE}` };
  const { metadata: _metadata, ...properties } = ((inline(definitions[name], definitions) as OpenApiSchema).properties ?? {}) as Record<string, OpenApiSchema>;
  const { schema, notes } = convertCrdSchema({ type: 'object', properties, required: ['spec'] });
  return {
    ok: true,
    schema: {
      apiVersion,
      kind,
      scope: 'Cluster',
      file: `${dir}/${KUBERNETES_OPENAPI_FILE}#/definitions/${name}`,
      source: { folder: 'k8s-openapi', operators: [], apiVersions: [apiVersion] },
      jsonSchema: schema,
      validate: ajv.compile(schema),
      notes,
    },
  };
}
