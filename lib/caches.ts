/**
 * The project's own caches, each a folder under `node_modules/.cache/` (derived data only: deleting
 * one costs a slower next run, nothing else). Named once here because more than one program reads
 * each: the synth writes a cache that the synth result cache must not count as an input, and the
 * bench clears a cache to measure a cold run.
 */
import { join } from 'node:path';

const CACHE_ROOT = join('node_modules', '.cache');

/** The synth result cache's records (lib/synth-cache.ts). */
export const SYNTH_CACHE_DIR = join(CACHE_ROOT, 'moit-synth');

/** Compiled chart-values validators of the deployability check (stacks/deployability.ts). */
export const VALIDATOR_CACHE_DIR = join(CACHE_ROOT, 'moit-chart-validators');

/** CRDs converted to JSON schemas for the validator (tools/validate/crd-cache.ts). */
export const CRD_SCHEMA_CACHE_DIR = join(CACHE_ROOT, 'moit-crd-schemas');
