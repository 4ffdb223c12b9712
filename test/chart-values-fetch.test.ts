/**
 * `npm run schemas:fetch`, chart part: the pinned charts' values.yaml and values.schema.json
 * (lib/versions.ts CHART_VALUES_SOURCES), sha256-checked, written all or nothing.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART_VALUES_ARCHIVE_ONLY, CHART_VALUES_SOURCES, OPERATORS } from '../lib/versions';
import { fetchChartValues, planChartFetch, SchemaFetchError, sha256Prefix, type FetchText } from '../tools/validate/fetch';

const chartRoot = process.env.CHART_VALUES_DIR;

/** Serves each planned URL from a folder laid out like ../shared/charts. */
const upstreamFrom = (root: string): FetchText => {
  const bodies = new Map(planChartFetch().map((p) => [p.url, join(root, p.relative)]));
  return async (url) => {
    const file = bodies.get(url);
    return file && existsSync(file) ? { ok: true, status: 200, statusText: 'OK', text: async () => readFileSync(file, 'utf8') } : { ok: false, status: 404, statusText: 'Not Found', text: async () => '' };
  };
};

describe('fetching the pinned chart values', () => {
  it('plans the raw file of every pinned chart of the estate at its tag (but the archive-only ones, named)', () => {
    const charts = Object.values(OPERATORS).map((o) => `${o.chart}@${o.chartVersion}`).filter((c) => !c.startsWith('('));
    for (const c of Object.keys(CHART_VALUES_ARCHIVE_ONLY)) expect(charts).toContain(c);
    const sourced = CHART_VALUES_SOURCES.map((s) => `${s.chart}@${s.version}`);
    for (const c of charts.filter((c) => !(c in CHART_VALUES_ARCHIVE_ONLY))) expect(sourced).toContain(c);
    expect(planChartFetch().find((p) => p.relative === 'velero/12.1.0/values.schema.json')!.url).toBe('https://raw.githubusercontent.com/vmware-tanzu/helm-charts/velero-12.1.0/charts/velero/values.schema.json');
  });

  (chartRoot ? it : it.skip)('pins the sha256 of the files in CHART_VALUES_DIR', () => {
    for (const p of planChartFetch()) expect(`${p.relative} ${sha256Prefix(readFileSync(join(chartRoot!, p.relative), 'utf8'))}`).toBe(`${p.relative} ${p.sha256}`);
  });

  (chartRoot ? it : it.skip)('writes every file when all arrive and match', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'moit-charts-')), 'charts');
    const result = await fetchChartValues({ dest, fetchText: upstreamFrom(chartRoot!) });
    expect(result.files).toHaveLength(planChartFetch().length);
    expect(readFileSync(join(dest, 'cert-manager/v1.21.1/values.yaml'), 'utf8')).toBe(readFileSync(join(chartRoot!, 'cert-manager/v1.21.1/values.yaml'), 'utf8'));
  });

  it('writes nothing when a file does not match its pin, and names it', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'moit-charts-')), 'charts');
    const moved: FetchText = async () => ({ ok: true, status: 200, statusText: 'OK', text: async () => 'moved: true\n' });
    const error = await fetchChartValues({ dest, fetchText: moved }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(SchemaFetchError);
    expect((error as Error).message).toContain(`cert-manager/v1.21.1/values.yaml (https://raw.githubusercontent.com/cert-manager/cert-manager/v1.21.1/deploy/charts/cert-manager/values.yaml): sha256 starts ${sha256Prefix('moved: true\n')}, pinned 4d818a0facf6c846`);
    expect(existsSync(dest)).toBe(false);
  });
});
