/**
 * `npm run schemas:fetch`: URLs built from lib/versions.ts, pins checked against the CRD files
 * the team uses (CRD_SCHEMA_DIR), and the download path exercised with a fake fetch (no network
 * here), including offline, HTTP errors, a moved tag and Rook's multi-document file.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateManifest, CrdSchemaRegistry } from '../tools/validate';
import { SchemaFetchError, fetchSchemas, planFetch, rawGithubUrl, sha256Prefix, splitYamlDocuments, type FetchText } from '../tools/validate/fetch';
import { OPERATORS } from '../lib/versions';
import { SCHEMA_ROOT, itWithSchemas, itEachWithSchemas } from './schemas';

// The pins and the fake upstream read the team's CRD files: skipped, and reported, without them.
const schemaRoot = SCHEMA_ROOT ?? '';

describe('raw.githubusercontent.com URLs', () => {
  it('are built from the upstream repository, the tag and the path', () => {
    expect(rawGithubUrl('cert-manager/cert-manager', 'v1.21.1', 'deploy/crds/cert-manager.io_clusterissuers.yaml')).toBe(
      'https://raw.githubusercontent.com/cert-manager/cert-manager/v1.21.1/deploy/crds/cert-manager.io_clusterissuers.yaml',
    );
    expect(rawGithubUrl('strimzi/strimzi-kafka-operator', '1.2.0', 'install/cluster-operator/043-Crd-kafkatopic.yaml')).toBe(
      'https://raw.githubusercontent.com/strimzi/strimzi-kafka-operator/1.2.0/install/cluster-operator/043-Crd-kafkatopic.yaml',
    );
  });

  it('refuse what would point elsewhere: a bad repository, a tag with a slash, a path escaping the repository', () => {
    expect(() => rawGithubUrl('https://github.com/x/y', 'v1', 'a.yaml')).toThrow(/owner\/name/);
    expect(() => rawGithubUrl('x/y', 'release/v1', 'a.yaml')).toThrow(/tag/);
    expect(() => rawGithubUrl('x/y', 'v1', '../z/a.yaml')).toThrow(/relative/);
  });

  it('are planned once per upstream file for every pinned source: Rook crds.yaml once for its nine CRDs', () => {
    const plan = planFetch();
    const rook = plan.filter((p) => p.url.startsWith('https://raw.githubusercontent.com/rook/rook/'));
    expect(rook.map((p) => p.url)).toEqual(['https://raw.githubusercontent.com/rook/rook/v1.20.6/deploy/examples/crds.yaml']);
    expect(rook[0]!.files.map((f) => f.document)).toHaveLength(9);
    expect(plan.find((p) => p.url.includes('/kubernetes-sigs/cluster-api/'))!.url).toContain('/v1.13.5/');
    expect(new Set(plan.map((p) => p.folder))).toEqual(
      new Set(Object.values(OPERATORS).flatMap((o) => ('crdSource' in o ? [`${o.crdSource.project}/${o.crdSource.version}`] : []))),
    );
  });

  it('cannot be planned for a source that lists no files, and says so', () => {
    const operators = { broken: { ...OPERATORS.velero, crdSource: { ...OPERATORS.velero.crdSource, files: [] } } };
    expect(() => planFetch(operators)).toThrow('OPERATORS.broken.crdSource.files is empty');
  });
});

describe('the pins in lib/versions.ts', () => {
  itEachWithSchemas(planFetch().map((p) => p.folder).filter((f, i, all) => all.indexOf(f) === i).map((f): [string] => [f]), 'list exactly the CRD files of %s, with their sha256', (folder) => {
    const planned = planFetch().filter((p) => p.folder === folder).flatMap((p) => p.files);
    expect(planned.map((f) => f.file).sort()).toEqual(readdirSync(join(schemaRoot, folder)).sort());
    for (const f of planned) expect(`${f.file} ${sha256Prefix(readFileSync(join(schemaRoot, folder, f.file), 'utf8'))}`).toBe(`${f.file} ${f.sha256}`);
  });
});

/** Serves each planned URL from the CRD files (Rook: its documents joined, after a header). */
function fakeUpstream(overrides: Record<string, string> = {}): FetchText {
  const bodies = new Map<string, string>();
  for (const p of planFetch()) {
    const texts = p.files.map((f) => readFileSync(join(schemaRoot, p.folder, f.file), 'utf8'));
    bodies.set(p.url, p.files[0]!.document ? `#####\n# Create the CRDs first.\n#####\n${texts.join('')}` : texts[0]!);
  }
  return async (url) => {
    const body = overrides[url] ?? bodies.get(url);
    return { ok: body !== undefined, status: body === undefined ? 404 : 200, statusText: body === undefined ? 'Not Found' : 'OK', text: async () => body ?? '' };
  };
}

describe('fetchSchemas', () => {
  itWithSchemas('writes every pinned CRD, byte for byte, where the validator reads them', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'moit-fetch-')), '.schema-cache');
    const result = await fetchSchemas({ dest, fetchText: fakeUpstream() });
    expect(result.files).toHaveLength(planFetch().flatMap((p) => p.files).length);
    for (const file of result.files) expect(readFileSync(join(dest, file), 'utf8')).toBe(readFileSync(join(schemaRoot, file), 'utf8'));
    const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'ca' }, spec: { ca: { secretName: 'ca' } } };
    expect(validateManifest(issuer, new CrdSchemaRegistry(dest, { cacheDir: null }))).toEqual([]);
  });

  it('splits a multi-document file keeping each document and its leading --- as written', () => {
    expect(splitYamlDocuments('# header\n---\na: 1\n---\nb: 2\n')).toEqual(['---\na: 1\n', '---\nb: 2\n']);
  });

  it('writes nothing and says why when offline', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'moit-fetch-')), '.schema-cache');
    const offline: FetchText = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    };
    await expect(fetchSchemas({ dest, fetchText: offline })).rejects.toThrow(SchemaFetchError);
    const n = planFetch().length;
    const error = await fetchSchemas({ dest, fetchText: offline }).catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toEqual([
      `Could not download ${n} of ${n} CRD files; nothing was written.`,
      expect.stringMatching(/^ {2}- https:\/\/raw\.githubusercontent\.com\/\S+: fetch failed \(ENOTFOUND\)$/),
      `  - ... and the ${n - 1} other URLs, the same way`,
      expect.stringContaining('Offline, set CRD_SCHEMA_DIR to a copy of the CRDs instead'),
    ]);
    expect(existsSync(dest)).toBe(false);
  });

  itWithSchemas('writes nothing when one URL answers 404, naming it', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'moit-fetch-')), '.schema-cache');
    const url = planFetch()[0]!.url;
    const upstream = fakeUpstream();
    const missing: FetchText = async (u) => (u === url ? { ok: false, status: 404, statusText: 'Not Found', text: async () => '' } : upstream(u));
    await expect(fetchSchemas({ dest, fetchText: missing })).rejects.toThrow(`${url}: HTTP 404 Not Found: the tag or the path may have changed upstream`);
    expect(existsSync(dest)).toBe(false);
  });

  itWithSchemas('keeps the previous folder when a file does not match its pinned sha256 (a moved tag)', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'moit-fetch-')), '.schema-cache');
    await fetchSchemas({ dest, fetchText: fakeUpstream() });
    writeFileSync(join(dest, 'marker'), 'previous');
    const url = planFetch().find((p) => p.url.endsWith('043-Crd-kafkatopic.yaml'))!.url;
    const moved = fakeUpstream({ [url]: readFileSync(join(schemaRoot, 'strimzi/1.2.0/kafkatopics.kafka.strimzi.io.yaml'), 'utf8') + '# changed\n' });
    await expect(fetchSchemas({ dest, fetchText: moved })).rejects.toThrow(/strimzi\/1\.2\.0\/kafkatopics\.kafka\.strimzi\.io\.yaml \(from .*\): sha256 starts [0-9a-f]{16}, pinned 36390f0731c69944/);
    expect(readFileSync(join(dest, 'marker'), 'utf8')).toBe('previous');
  });
});
