/**
 * A fresh clone has no CRD schemas: the schema tests skip themselves and the run ends with a
 * notice naming them; a CRD_SCHEMA_DIR that is set but wrong fails instead; CI requires them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipNotice } from './optional-inputs';
import { findSchemaRoot } from './schemas';

const temp: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temp.push(dir);
  return dir;
};
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the schema source of the tests', () => {
  it('is absent (the tests skip) when CRD_SCHEMA_DIR is unset and there is no .schema-cache', () => {
    expect(findSchemaRoot({}, tempDir('moit-fresh-'))).toBeUndefined();
  });

  it('is .schema-cache when CRD_SCHEMA_DIR is unset and the cache exists', () => {
    const project = tempDir('moit-fresh-');
    mkdirSync(join(project, '.schema-cache'));
    expect(findSchemaRoot({}, project)).toBe(join(project, '.schema-cache'));
  });

  it('fails, never skips, when CRD_SCHEMA_DIR names a folder that does not exist', () => {
    const project = tempDir('moit-fresh-');
    expect(() => findSchemaRoot({ CRD_SCHEMA_DIR: join(project, 'nowhere') }, project)).toThrow(/CRD_SCHEMA_DIR=.*nowhere: no such folder/);
  });
});

describe('the notice at the end of a run', () => {
  it('names every skipped test, grouped by what is missing, with how to enable them', () => {
    const folder = tempDir('moit-test-skips-');
    const record = (input: string, test: string) => JSON.stringify({ input, enable: `get the ${input}`, test });
    writeFileSync(join(folder, '1.jsonl'), `${record('CRD schemas', 'test/a.test.ts › validates a')}\n${record('chart values', 'test/b.test.ts › b')}\n`);
    writeFileSync(join(folder, '2.jsonl'), `${record('CRD schemas', 'test/c.test.ts › validates c')}\n`);
    const notice = skipNotice(folder);
    expect(notice).toContain('SKIPPED: 3 tests (or blocks of tests) did not run because reference data is missing.');
    expect(notice).toContain('No CRD schemas: 2 skipped. To run them: get the CRD schemas\n  - test/a.test.ts › validates a\n  - test/c.test.ts › validates c\n');
    expect(notice).toContain('No chart values: 1 skipped. To run them: get the chart values\n  - test/b.test.ts › b\n');
  });

  it('is empty when nothing was skipped', () => {
    expect(skipNotice(tempDir('moit-test-skips-'))).toBe('');
  });
});

describe('.ci/run', () => {
  it('refuses to run the tests without the CRD schemas, saying how to provide them', () => {
    const checkout = join(tempDir('moit-ci-'), 'checkout');
    mkdirSync(join(checkout, '.ci'), { recursive: true });
    copyFileSync(join(__dirname, '..', '.ci', 'run'), join(checkout, '.ci', 'run'));
    const env = { ...process.env };
    delete env.CRD_SCHEMA_DIR;
    let failure: any;
    try {
      execFileSync('bash', [join(checkout, '.ci', 'run')], { env, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      failure = error;
    }
    expect(failure?.status).toBe(1);
    expect(failure.stderr).toContain('ci: no CRD schemas: CRD_SCHEMA_DIR is not set and ../shared/crds does not exist.');
  });
});
