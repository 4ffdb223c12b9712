/**
 * Schema validation of synthesized Kubernetes objects, for the CLI (`npm run validate`) and for
 * other tools (benchmark, audit): `validateSynthesized(folder)` returns structured findings.
 */
export { CRD_SCHEMA_DIR_VARIABLE, SCHEMA_CACHE_DIR, SchemaSourceError, pinnedSources, resolveSchemaRoot } from './schema-sources';
export type { PinnedSource, SchemaRoot } from './schema-sources';
export { readCrdFile } from './crd-files';
export type { CrdDocument } from './crd-files';
export { BUILT_IN_GROUPS, CrdSchemaRegistry, schemaRegistry } from './crd-registry';
export type { KindSchema, SchemaLookup } from './crd-registry';
export { SynthesizedOutputError } from '../../lib/synthesized';
export { formatFinding, validateManifest, validateSynthesized } from './validator';
export type { Finding, ManifestProblem, ValidateOptions, ValidationReport } from './validator';
export { checkCelRules, compileRule, escapeField, rulesOf, summarize, toCel } from './cel';
export type { CelCheck, CelFailure, CelRuleNote, CelSkip, CelSummary } from './cel';
export { celTree } from './cel-schema';
export type { CelNode, CelRule } from './cel-schema';
