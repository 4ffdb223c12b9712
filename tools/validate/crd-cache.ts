/**
 * The cache of converted CRDs. Parsing YAML is the slow part of validation (about 1.2 s for
 * every pinned CRD), so each converted CRD is kept as JSON in `node_modules/.cache/moit-crd-schemas/`,
 * keyed by the sha256 of the CRD file (name and content) and of the converter's code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CRD_SCHEMA_CACHE_DIR } from '../../lib/caches';
import { convertCrd, CRD_FILES_FILE, readCrdFile, type ConvertedCrd } from './crd-files';
import { CEL_SCHEMA_FILE } from './cel-schema';
import { CONVERTER_FILE } from './openapi';
import { isDirectory, projectRoot } from './schema-sources';

/** The default folder of converted CRDs: `<project>/node_modules/.cache/moit-crd-schemas`. */
export function defaultConvertedCacheDir(): string | undefined {
  return isDirectory(join(projectRoot(), 'node_modules')) ? join(projectRoot(), CRD_SCHEMA_CACHE_DIR) : undefined;
}

let codeHash: string | undefined;
/** The sha256 of the converter's code (crd-files.ts, openapi.ts, cel-schema.ts): a change invalidates the cache. */
function converterHash(): string {
  if (codeHash === undefined) {
    const hash = createHash('sha256');
    for (const file of new Set([CRD_FILES_FILE, CONVERTER_FILE, CEL_SCHEMA_FILE])) hash.update(readFileSync(file));
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
