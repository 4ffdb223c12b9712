/**
 * `npm run schemas:fetch [-- --dest .schema-cache]`: downloads the CRD files of the operator
 * versions pinned in lib/versions.ts from their upstream repositories at the pinned tags, checks
 * each against its pinned sha256, and writes them where `npm run validate` looks when
 * CRD_SCHEMA_DIR is not set; then the pinned charts' values.yaml and values.schema.json
 * (CHART_VALUES_SOURCES) into `<dest>/charts/`, where the deployability check looks when
 * CHART_VALUES_DIR is not set. Needs HTTPS access to raw.githubusercontent.com.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCHEMA_CACHE_DIR, projectRoot } from '../tools/validate/crd-schemas';
import { SchemaFetchError, fetchChartValues, fetchSchemas } from '../tools/validate/fetch';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dest: { type: 'string', default: join(projectRoot(), SCHEMA_CACHE_DIR) } } });
  const started = Date.now();
  try {
    const result = await fetchSchemas({ dest: values.dest!, log: (line) => console.log(line) });
    console.log(`Wrote ${result.files.length} CRD files into ${result.dest} in ${Date.now() - started} ms.`);
    // After the CRDs: their fetch replaces the whole folder, this one only its charts/ part.
    const charts = await fetchChartValues({ dest: join(values.dest!, 'charts'), log: (line) => console.log(line) });
    console.log(`Wrote ${charts.files.length} chart values files into ${charts.dest}.`);
  } catch (error) {
    if (error instanceof SchemaFetchError) {
      console.error(`schemas:fetch: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

if (require.main === module) void main();
