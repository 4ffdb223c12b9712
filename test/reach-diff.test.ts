/**
 * The reachability diff in `npm run diff`: seeded changes to prod's synthesized policies (an
 * ingress rule removed, an egress widened to 0.0.0.0/0) are reported as paths that become
 * unreachable or reachable, as security findings of the rule reachability-changed.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffSynthesized } from '../tools/review/config-diff';
import { loadSynthesized } from '../tools/review/synthesized';
import { synthEstate, type Json } from './helpers';

const estate = synthEstate();

/** A copy of the synthesized estate with prod-core-services' policies edited. */
function edited(edit: (policies: Record<string, Json>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'moit-reach-diff-'));
  cpSync(estate.outdir, dir, { recursive: true });
  const file = join(dir, 'stacks', 'prod-core-services', 'cdk.tf.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json.resource.kubernetes_network_policy_v1);
  writeFileSync(file, JSON.stringify(json, null, 2));
  return dir;
}

const prodOnly = (name: string) => name.startsWith('prod-');
const findingsOf = (head: string) =>
  diffSynthesized(loadSynthesized(estate.outdir, prodOnly), loadSynthesized(head, prodOnly), { baseLabel: 'base', headLabel: 'head', environments: ['prod'] }).findings.filter((f) => f.rule === 'reachability-changed');

describe('npm run diff: reachability', () => {
  it('is silent when the policies do not change', () => {
    expect(findingsOf(edited(() => undefined))).toEqual([]);
  });

  it('reports a path that becomes unreachable when an ingress rule is removed, naming the policy that opened it', () => {
    const findings = findingsOf(
      edited((policies) => {
        for (const p of Object.values(policies)) if (p.metadata.name === 'flow-cnpg-operator-to-postgres-main-in') delete p.spec.ingress;
      }),
    );
    expect(findings.map((f) => [f.severity, f.message])).toEqual([
      ['security', 'cluster prod/core: `cnpg-system/app.kubernetes.io/instance=cloudnative-pg,app.kubernetes.io/name=cloudnative-pg` → `postgres/cnpg.io/cluster=main,cnpg.io/podRole=instance` becomes unreachable on 5432/TCP, 8000/TCP (was opened by egress cnpg-system/flow-cnpg-operator-to-postgres-main-out; ingress postgres/flow-cnpg-operator-to-postgres-main-in).'],
    ]);
  });

  it('reports every address that becomes reachable when an egress is widened to 0.0.0.0/0', () => {
    const findings = findingsOf(
      edited((policies) => {
        for (const p of Object.values(policies)) if (p.metadata.name === 'flow-postgres-main-to-kube-apiserver-out') p.spec.egress[0].to = [{ ip_block: { cidr: '0.0.0.0/0' } }];
      }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('security');
    expect(findings[0]!.message).toMatch(/^cluster prod\/core: `postgres\/cnpg\.io\/cluster=main,cnpg\.io\/podRole=instance` → `0\.0\.0\.0-10\.1\.0\.39`, `10\.1\.0\.40\/32`, .* and \d+ more become reachable on 443\/TCP, 6443\/TCP \(opened by egress postgres\/flow-postgres-main-to-kube-apiserver-out; ingress \(not governed here\)\)\.$/);
  });
});
