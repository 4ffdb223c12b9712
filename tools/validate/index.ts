/**
 * Schema validation of synthesized Kubernetes objects, for the CLI (`npm run validate`) and for
 * other tools (benchmark, audit): `validateSynthesized(folder)` returns structured findings.
 */
export {
  BUILT_IN_GROUPS,
  CRD_SCHEMA_DIR_VARIABLE,
  CrdSchemaRegistry,
  SCHEMA_CACHE_DIR,
  SchemaSourceError,
  pinnedSources,
  readCrdFile,
  resolveSchemaRoot,
  schemaRegistry,
} from './crd-schemas';
export type { CrdDocument, KindSchema, PinnedSource, SchemaLookup, SchemaRoot } from './crd-schemas';
export { SynthesizedOutputError } from '../../lib/synthesized';
export { formatFinding, validateManifest, validateSynthesized } from './validator';
export type { Finding, ManifestProblem, ValidateOptions, ValidationReport } from './validator';
