/**
 * The upstream CRD schemas for the tests that validate manifests against them. A fresh clone has
 * none (they live in ../shared/crds or `.schema-cache/`): those tests then skip themselves, and
 * the end of the run says which and how to enable them (test/optional-inputs.ts). A CRD_SCHEMA_DIR
 * that is set must exist: a wrong path fails the run rather than skipping anything.
 */
import { CRD_SCHEMA_DIR_VARIABLE, SchemaSourceError, resolveSchemaRoot, schemaRegistry, type CrdSchemaRegistry } from '../tools/validate';
import { recordSkip, type OptionalInput } from './optional-inputs';

export const CRD_SCHEMAS: OptionalInput = {
  name: 'CRD schemas',
  enable: `export ${CRD_SCHEMA_DIR_VARIABLE}=<folder of the pinned CRDs> (the team's copy: ../shared/crds), or run \`npm run schemas:fetch\` once (fills .schema-cache/).`,
};

/** The schema folder, or undefined when there is none and none was named. */
export function findSchemaRoot(env: NodeJS.ProcessEnv = process.env, projectDir?: string): string | undefined {
  try {
    return resolveSchemaRoot({ env, projectDir }).dir;
  } catch (error) {
    const named = env[CRD_SCHEMA_DIR_VARIABLE];
    if (error instanceof SchemaSourceError && (named === undefined || named === '')) return undefined;
    throw error;
  }
}

export const SCHEMA_ROOT: string | undefined = findSchemaRoot();

/** The shared registry of the schema folder (only call it inside a schema test). */
export function schemas(): CrdSchemaRegistry {
  if (!SCHEMA_ROOT) throw new Error('schemas() called outside itWithSchemas/describeWithSchemas');
  return schemaRegistry(SCHEMA_ROOT);
}

/** `it`, when there are schemas; otherwise a recorded skip. */
export function itWithSchemas(title: string, fn: (schemaRoot: string) => void | Promise<void>, timeout?: number): void {
  if (SCHEMA_ROOT) {
    const root = SCHEMA_ROOT;
    it(title, async () => {
      await fn(root);
    }, timeout);
  } else {
    recordSkip(CRD_SCHEMAS, title);
    it.skip(title, () => undefined);
  }
}

/** `it.each` with schemas; otherwise one recorded skip per case. */
export function itEachWithSchemas<T extends unknown[]>(cases: T[], title: string, fn: (...args: T) => void | Promise<void>): void {
  if (SCHEMA_ROOT) it.each(cases)(title, ((...args: T) => fn(...args)) as any);
  else for (const c of cases) itWithSchemas(formatTitle(title, c), () => undefined);
}

/** A describe block whose body runs (even to collect its tests) only when there are schemas. */
export function describeWithSchemas(title: string, body: (schemaRoot: string) => void): void {
  if (SCHEMA_ROOT) {
    const root = SCHEMA_ROOT;
    describe(title, () => body(root));
  } else {
    recordSkip(CRD_SCHEMAS, `${title} (the whole block)`);
    describe.skip(title, () => it('needs the CRD schemas', () => undefined));
  }
}

/** Jest's %s / %i / %d placeholders, filled in order. */
function formatTitle(title: string, values: readonly unknown[]): string {
  let i = 0;
  return title.replace(/%[sidpjo]/g, () => String(values[i++]));
}
