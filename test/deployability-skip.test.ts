/**
 * Without chart files the chart-values check is skipped, and says so on stderr (its own suite:
 * the line is written once per process). A CHART_VALUES_DIR that does not exist is an error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../environments';
import { UserError } from '../lib/errors';
import { createApp } from '../lib/tf';
import { buildEstate } from '../stacks/estate';
import { CHART_VALUES_DIR_VARIABLE, chartValuesDir, deployabilityReports, MODE_CONTEXT } from '../stacks/deployability';

describe('the chart-values check without chart files', () => {
  const saved = process.env[CHART_VALUES_DIR_VARIABLE];
  afterEach(() => {
    if (saved === undefined) delete process.env[CHART_VALUES_DIR_VARIABLE];
    else process.env[CHART_VALUES_DIR_VARIABLE] = saved;
    jest.restoreAllMocks();
  });

  it('is skipped loudly while the other checks still run', () => {
    delete process.env[CHART_VALUES_DIR_VARIABLE];
    const cache = chartValuesDir();
    const written: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'moit-skip-')), context: { [MODE_CONTEXT]: 'report' } });
    buildEstate(app, loadEnvironments(['prod']));
    app.synth();
    const [report] = deployabilityReports(app);
    if (cache) {
      // A developer who ran schemas:fetch has the cache: nothing is skipped then.
      expect(report!.chartValuesSkipped).toBe(false);
      return;
    }
    expect(written.join('')).toContain('deployability: chart values NOT checked (skipped): set CHART_VALUES_DIR to the pinned chart files');
    expect(report!.chartValuesSkipped).toBe(true);
    expect(report!.findings.some((f) => f.check === 'chart-values')).toBe(false);
  });

  it('refuses a CHART_VALUES_DIR that does not exist, naming the variable and the fix', () => {
    expect(() => chartValuesDir({ [CHART_VALUES_DIR_VARIABLE]: '/nonexistent/charts' })).toThrow(UserError);
    expect(() => chartValuesDir({ [CHART_VALUES_DIR_VARIABLE]: '/nonexistent/charts' })).toThrow(/CHART_VALUES_DIR=\/nonexistent\/charts: no such folder.*\.\.\/shared\/charts.*schemas:fetch/);
  });
});
