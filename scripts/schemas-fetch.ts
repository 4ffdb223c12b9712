/**
 * `npm run schemas:fetch [-- --dest .schema-cache]`: downloads the CRD files of the operator
 * versions pinned in lib/versions.ts from their upstream repositories at the pinned tags, checks
 * each against its pinned sha256, and writes them where `npm run validate` looks when
 * CRD_SCHEMA_DIR is not set; then the pinned charts' values.yaml and values.schema.json
 * (CHART_VALUES_SOURCES) into `<dest>/charts/`, where the deployability check looks when
 * CHART_VALUES_DIR is not set. Needs HTTPS access to raw.githubusercontent.com.
 */
import { runCli } from '../lib/cli';
import { join } from 'node:path';
import { UserError } from '../lib/errors';
import { SCHEMA_CACHE_DIR, projectRoot } from '../tools/validate/schema-sources';
import { SchemaFetchError, fetchChartValues, fetchSchemas } from '../tools/validate/fetch';

const USAGE = `Usage: npm run schemas:fetch [-- --dest <folder>]

  --dest <folder>   where the CRD files, the Kubernetes OpenAPI document and (under charts/)
                    the pinned charts' values go (default .schema-cache/ in the project, where
                    npm run validate and the tests look when CRD_SCHEMA_DIR is not set)
  --help            this text

Needs HTTPS access to raw.githubusercontent.com.
Exit code: 0 written, 1 error (nothing written; an unknown option or a missing value too).`;

if (require.main === module) {
  void runCli(
    { name: 'schemas:fetch', usage: USAGE, options: { dest: { type: 'string', default: join(projectRoot(), SCHEMA_CACHE_DIR) } }, errorExit: 1 },
    async ({ values }) => {
      const started = Date.now();
      try {
        const result = await fetchSchemas({ dest: values.dest!, log: (line) => console.log(line) });
        console.log(`Wrote ${result.files.length} CRD files into ${result.dest} in ${Date.now() - started} ms.`);
        // After the CRDs: their fetch replaces the whole folder, this one only its charts/ part.
        const charts = await fetchChartValues({ dest: join(values.dest!, 'charts'), log: (line) => console.log(line) });
        console.log(`Wrote ${charts.files.length} chart values files into ${charts.dest}.`);
      } catch (error) {
        if (error instanceof SchemaFetchError) throw new UserError(`schemas:fetch: ${error.message}`);
        throw error;
      }
    },
  );
}
