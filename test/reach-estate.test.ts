/**
 * Network truth for the real estate: in every environment and cluster, what the synthesized
 * NetworkPolicies enforce equals what the flows declare (issue 24), and seeded changes to the
 * policies are caught.
 */
import { ENVIRONMENT_NAMES } from '../environments';
import { checkCluster, describeProblems } from '../tools/reach/check';
import { clustersOf, type ClusterInput } from '../tools/reach/model';
import { resourcesOf, synthEstate, type Json } from './helpers';

const estate = synthEstate();
const stacks = estate.stackNames.map((name) => ({ name, json: estate.stack(name) }));
const clusters = clustersOf(stacks);

describe('enforced equals declared, in every environment', () => {
  it('finds every environment of the estate', () => {
    expect([...new Set(clusters.map((c) => c.environment))].sort()).toEqual([...ENVIRONMENT_NAMES].sort());
  });

  it.each(clusters.map((c) => [`${c.environment}/${c.cluster}`, c] as const))('%s: no declared flow blocked, no allowed path undeclared', (_name, cluster) => {
    expect(cluster.flows.length).toBeGreaterThan(0);
    expect(cluster.unmodelled).toEqual([]);
    const check = checkCluster(cluster);
    expect(describeProblems(cluster.environment, check)).toEqual([]);
  });

  it('writes every NetworkPolicy from the flow registry or the namespace baseline, never from another construct', () => {
    const sources = new Set<string>();
    for (const name of estate.stackNames) {
      for (const [type, , body] of resourcesOf(estate.stack(name))) {
        const isPolicy = type === 'kubernetes_network_policy_v1' || (type === 'kubernetes_manifest' && body.manifest?.kind === 'NetworkPolicy');
        if (isPolicy) sources.add(body['//']?.source?.file ?? `unknown (${name})`);
      }
    }
    expect([...sources].sort()).toEqual(['constructs/network/segmentation.ts', 'constructs/network/zoned-namespace.ts']);
  });
});

/** A copy of prod's core cluster with one policy edited. */
function prodCoreWith(edit: (policies: Record<string, Json>) => void): ClusterInput {
  const copies = stacks.filter((s) => s.name.startsWith('prod-core-')).map((s) => ({ name: s.name, json: structuredClone(s.json) }));
  for (const s of copies) edit(s.json.resource?.kubernetes_network_policy_v1 ?? {});
  return clustersOf(copies)[0]!;
}

describe('seeded changes the check reports', () => {
  it('an ingress rule removed: the declared flow is blocked by the server side', () => {
    const cluster = prodCoreWith((policies) => {
      for (const p of Object.values(policies)) if (p.metadata.name === 'flow-cnpg-operator-to-postgres-main-in') delete p.spec.ingress;
    });
    const problems = describeProblems('prod', checkCluster(cluster));
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems) expect(line).toMatch(/declared flow cnpg-operator -> postgres-main .* is blocked .* by the server's ingress$/);
  });

  it('an egress widened to 0.0.0.0/0: every newly reachable address is an undeclared path, naming the policy', () => {
    const cluster = prodCoreWith((policies) => {
      for (const p of Object.values(policies)) if (p.metadata.name === 'flow-postgres-main-to-kube-apiserver-out') p.spec.egress[0].to = [{ ip_block: { cidr: '0.0.0.0/0' } }];
    });
    const problems = describeProblems('prod', checkCluster(cluster));
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems) expect(line).toMatch(/^prod\/core: undeclared path postgres\/cnpg\.io\/cluster=main.* -> [\d./+ -]+ on 443\/TCP, 6443\/TCP: opened by egress postgres\/flow-postgres-main-to-kube-apiserver-out; ingress not governed here$/);
  });
});
