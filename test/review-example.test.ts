/**
 * The example PR comment of the README, rendered from a realistic change
 * (test/fixtures/review/example.ts) and frozen in example-diff.md: a deliberately frozen
 * artefact, next to assertions on what it must contain. After an intended change to the
 * rendering, regenerate it with UPDATE_REVIEW_EXAMPLE=1 and paste it into the README.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffSynthesized } from '../tools/review/config-diff';
import { renderMarkdown } from '../tools/review/markdown';
import { hasDestructive } from '../tools/review/model';
import { loadSynthesized } from '../tools/review/synthesized';
import { synthApp, tmp } from './fixtures/review/apps';
import { exampleBase, exampleHead } from './fixtures/review/example';

const frozen = join(__dirname, 'fixtures', 'review', 'example-diff.md');

it('renders the README example: summary, then warnings, then details, each warning where it belongs', () => {
  const state = '/var/lib/moit/terraform-state'; // the same backend on both sides, and a stable path
  const report = diffSynthesized(loadSynthesized(synthApp(exampleBase(), state, tmp('moit-ex-base-'))), loadSynthesized(synthApp(exampleHead(), state, tmp('moit-ex-head-'))), {
    baseLabel: 'main (3839549)',
    headLabel: 'working tree',
  });
  const { text } = renderMarkdown(report, { fullReportPath: 'plans/diff.md' });
  if (process.env.UPDATE_REVIEW_EXAMPLE) writeFileSync(frozen, text);

  expect(hasDestructive(report)).toBe(true);
  expect(report.findings.map((f) => `${f.rule} ${f.address}`).sort()).toEqual([
    'network-policy-widened kubernetes_network_policy_v1.orders-db-ingress',
    'retention-shortened kubernetes_manifest.orders-db',
    'sharing-granted kubernetes_manifest.customs-reader',
    'stateful-destroyed kubernetes_manifest.trade-events',
    'tls-disabled kubernetes_manifest.events',
  ]);
  expect(text).toContain('> - `prod-core-services` `kubernetes_manifest.events`: TLS turned off: `manifest.spec.kafka.listeners[0].tls`: true → false.');
  expect(text).toBe(readFileSync(frozen, 'utf8'));
});
