import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CONTROLS } from '../policy/audit/controls';
import { stackModel } from '../policy/audit/model';
import { renderJson } from '../tools/audit/report/json';
import { renderJunit } from '../tools/audit/report/junit';
import { renderMarkdown } from '../tools/audit/report/markdown';
import { buildReport } from '../tools/audit/report/model';
import { renderSarif } from '../tools/audit/report/sarif';
import { RULES } from '../policy/audit/rules';
import { manifests, stack, TODAY } from './rules/fixture';
import { defaultDeny, namespace, pgCluster } from './rules/objects';

/** The rules the fixture is about (the others would find its hand-made stacks incomplete). */
const SUBSET = RULES.filter((r) => ['NET-001', 'PSS-001', 'KAF-001', 'PG-001', 'AUD-001', 'AUD-002'].includes(r.id));

/** prod: one failing rule (PG-001), one suppressed (PG-001 on another cluster), one built-in exception. */
function fixtureReport(threshold: 'error' | 'warning' = 'error') {
  const platform = stack({
    kubernetes_namespace_v1: {
      a: namespace('postgres', 'data'),
      b: namespace('velero', 'mgmt', { 'pod-security.kubernetes.io/enforce': 'privileged' }, { 'moit.gov.vn/pod-security-exception': 'node-agent reads pod volumes through host paths' }),
    },
    kubernetes_network_policy_v1: { a: defaultDeny('postgres'), b: defaultDeny('velero') },
  });
  const bad = pgCluster({ enableSuperuserAccess: true });
  const excused = { ...pgCluster({ enableSuperuserAccess: true }), metadata: { name: 'legacy', namespace: 'postgres' } };
  const services = stack(
    manifests(
      [bad, { metadata: { path: 'prod-core-services/postgres/main/cluster/manifest' }, source: { construct: 'PostgresCluster', file: 'constructs/postgres/cluster.ts' } }],
      [excused, { metadata: { path: 'prod-core-services/postgres/legacy/cluster/manifest' }, suppressions: [{ rule: 'PG-001', reason: 'Migration tool needs superuser until cut-over', owner: 'data/le.c', expires: '2027-01-31' }] }],
    ),
  );
  const stacks = [
    { name: 'prod-core-platform', file: 'stacks/prod-core-platform/cdk.tf.json', model: stackModel('prod-core-platform', platform) },
    { name: 'prod-core-services', file: 'stacks/prod-core-services/cdk.tf.json', model: stackModel('prod-core-services', services) },
  ];
  return buildReport({ stacks, today: TODAY, threshold, rules: SUBSET, sections: { networkDiagram: (env) => `# Network of ${env}\n\nflowchart`, accessMatrix: () => undefined } });
}

describe('the report', () => {
  const report = fixtureReport();
  const prod = report.environments[0]!;

  it('gives each control of the environment a status backed by evidence, and fails on an unsuppressed error', () => {
    expect(report.passed).toBe(false);
    expect(report.blocking.map((o) => [o.rule.id, o.resource?.path])).toEqual([['PG-001', 'prod-core-services/postgres/main/cluster/manifest']]);
    const iso82 = prod.controls.find((c) => c.control.id === 'ISO-8.2')!;
    expect(iso82.state).toBe('fails');
    expect(prod.controls.find((c) => c.control.id === 'CIS-5.3.2')!.state).toBe('holds');
    expect(prod.controls.find((c) => c.control.id === 'CIS-5.2')!.state).toBe('holds with exceptions');
    expect(prod.controls.find((c) => c.control.id === 'NIST-SC-8')!.state).toBe('not evaluated');
  });

  it('lists every suppression and every built-in exception', () => {
    expect(prod.suppressions.map((s) => [s.record.rule, s.record.owner, s.state, s.used])).toEqual([['PG-001', 'data/le.c', 'active', 1]]);
    expect(prod.exceptions.map((o) => [o.rule.id, o.exception?.kind])).toEqual([['PSS-001', 'pod-security']]);
  });

  it('renders Markdown with findings, controls, evidence with source files, exceptions, suppressions and the diagram hook', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('Result: **FAIL**, 1 finding at or above error.');
    expect(md).toMatch(/\| PG-001 \| error \| `prod-core-services\/postgres\/main\/cluster\/manifest` \| `kubernetes_manifest\.cluster_main_0` \| `constructs\/postgres\/cluster.ts` \(PostgresCluster\) \|/);
    expect(md).toMatch(/Privileged access rights restricted and managed \| ISO\/IEC 27001:2022 \| A\.8\.2 \| ❌ fails/);
    expect(md).toMatch(/\| PSS-001 \| pod-security \| `prod-core-platform\/namespaces\/velero\/namespace` \|.*privileged: node-agent reads pod volumes through host paths \| — \(not recorded\) \|/);
    expect(md).toMatch(/\| PG-001 \| `prod-core-services\/postgres\/legacy\/cluster\/manifest` \| Migration tool needs superuser until cut-over \| data\/le.c \| 2027-01-31 \| active \| 1 \|/);
    expect(md).toContain('#### Network of prod');
    expect(md).toContain('Not included: pass `--access`');
  });

  it('renders JSON for tools', () => {
    const doc = JSON.parse(renderJson(report));
    expect(doc).toMatchObject({ schema: 'moit-datacentre/audit-report@1', today: TODAY, passed: false, blocking: 1 });
    expect(doc.rules.map((r: any) => r.id)).toEqual(SUBSET.map((r) => r.id));
    expect(doc.environments[0].findings[0]).toMatchObject({ rule: 'PG-001', status: 'fail', source: { file: 'constructs/postgres/cluster.ts' } });
    expect(doc.environments[0].suppressions[0]).toMatchObject({ rule: 'PG-001', owner: 'data/le.c', expires: '2027-01-31', state: 'active', findingsSilenced: 1 });
  });

  it('renders SARIF 2.1.0 that validates against the schema, with suppressions and exceptions marked', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, 'fixtures/audit/sarif-schema-2.1.0.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(renderSarif(report, { outputPrefix: 'cdktf.out/' }));
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const results = log.runs[0].results;
    expect(results.filter((r: any) => !r.suppressions).map((r: any) => [r.ruleId, r.level, r.locations[0].physicalLocation.artifactLocation.uri])).toEqual([['PG-001', 'error', 'constructs/postgres/cluster.ts']]);
    expect(results.filter((r: any) => r.suppressions).map((r: any) => [r.ruleId, r.suppressions[0].justification])).toEqual([
      ['PSS-001', 'privileged: node-agent reads pod volumes through host paths'],
      ['PG-001', 'Migration tool needs superuser until cut-over'],
    ]);
    expect(log.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(SUBSET.map((r) => r.id));
    // A SARIF that breaks the schema is caught: the check above can fail.
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
  });

  it('renders JUnit with a failing case per rule with blocking findings and skipped cases for what was not evaluated', () => {
    const xml = renderJunit(report);
    expect(xml).toMatch(/<testsuite name="security audit: prod" tests="6" failures="1" errors="0" skipped="1"/);
    expect(xml).toMatch(/<testcase classname="audit.prod" name="PG-001 superuser-disabled" time="0">\n {6}<failure message="1 finding: A Postgres cluster enables superuser access over the network." type="error">/);
    expect(xml).toContain('suppressed (data/le.c until 2027-01-31: Migration tool needs superuser until cut-over)');
    expect(xml).toMatch(/name="KAF-001 listener-tls" time="0">\n {6}<skipped/);
  });

  it('passes with the same findings when the threshold is above them', () => {
    const warningsOnly = buildReport({ stacks: [], today: TODAY, threshold: 'error' });
    expect(warningsOnly.passed).toBe(true);
  });
});

describe('the rule pack', () => {
  const files = readdirSync(join(__dirname, '../policy/audit/rules')).filter((f) => f !== 'index.ts');
  const tests = readdirSync(join(__dirname, 'rules')).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(join(__dirname, 'rules', f), 'utf8')).join('\n');

  it('lists every rule file exactly once, with the ID and slug of its file name', () => {
    expect(RULES.map((r) => `${r.id}-${r.slug}.ts`).sort()).toEqual(files.sort());
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('maps every rule to known controls, and each rule says what is wrong and why it matters', () => {
    const ids = new Set(CONTROLS.map((c) => c.id));
    for (const r of RULES) {
      expect(r.controls.length).toBeGreaterThan(0);
      for (const c of r.controls) expect(ids.has(c)).toBe(true);
      expect(r.title).toMatch(/\.$/);
      expect(r.why).toMatch(/\.$/);
    }
  });

  it('gives each rule its severity (an error stops the synth) and keeps the rules about the audit itself unsuppressible', () => {
    const warnings = ['RBAC-001'];
    const unsuppressible = ['AUD-001', 'AUD-002'];
    expect(RULES.map((r) => [r.id, r.severity, r.suppressible])).toEqual(RULES.map((r) => [r.id, warnings.includes(r.id) ? 'warning' : 'error', !unsuppressible.includes(r.id)]));
  });

  it.each(RULES.map((r) => r.id))('%s has a test that makes it fire and one that shows it silent', (id) => {
    expect(tests).toContain(`expectFires('${id}'`);
    expect(tests.includes(`expectSilent('${id}'`) || tests.includes(`run('${id}'`)).toBe(true);
  });
});
