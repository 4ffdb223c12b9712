import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditError, SecurityAudit } from '../stacks/audit/aspect';
import { RULES } from '../policy/audit/rules';
import { suppress } from '../stacks/audit/suppressions';
import { Peer } from '../constructs/network/peer';
import { Port } from '../constructs/network/port';
import { Segmentation } from '../constructs/network/segmentation';
import { loadEnvironments } from '../environments';
import { ConstructPropsError } from '../lib/errors';
import { NetworkPolicyV1 } from '../lib/providers';
import { Aspects, App } from '../lib/tf';
import { buildEnvironment } from '../stacks/estate';

const TODAY = '2026-11-27';
const rules = RULES.filter((r) => ['NET-003', 'AUD-001'].includes(r.id));

/**
 * An environment's services stack with the audit aspect (NET-003 and AUD-001 only, so others' work
 * in progress cannot interfere). The stack's own aspect (stacks/base.ts) judges on MOIT_TODAY, set
 * to `today` while the stacks are built; what it writes on stderr is collected in `warnings`.
 */
function servicesOf(env: string, today = TODAY) {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-aspect-'));
  const app = new App({ outdir });
  const before = process.env.MOIT_TODAY;
  process.env.MOIT_TODAY = today;
  let stacks;
  try {
    stacks = buildEnvironment(app, loadEnvironments([env])[0]!);
  } finally {
    process.env.MOIT_TODAY = before;
  }
  const services = stacks.clusters[0]!.services;
  Aspects.of(services).add(new SecurityAudit({ today, rules }));
  const read = () => JSON.parse(readFileSync(join(outdir, 'stacks', services.node.id, 'cdk.tf.json'), 'utf8'));
  const warnings: string[] = [];
  const synth = () => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (warnings.push(String(chunk).trimEnd()), true));
    try {
      app.synth();
    } finally {
      spy.mockRestore();
    }
  };
  return { app, services, read, warnings, synth };
}
const devServices = () => servicesOf('dev');

/** A hand-written policy admitting the whole Internet. */
function openPolicy(scope: any) {
  return new NetworkPolicyV1(scope, 'open', {
    provider: scope.kubernetes,
    metadata: { name: 'open', namespace: 'exchange' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
  });
}

describe('the audit aspect at synth', () => {
  it('stops the synth with every finding at error level, naming rule, construct path and fix', () => {
    const { app, services } = devServices();
    openPolicy(services);
    expect(() => app.synth()).toThrow(AuditError);
    try {
      app.synth();
    } catch (e) {
      expect((e as Error).message).toMatch(/Security audit: 1 finding at error level in stack dev-core-services[\s\S]*- NET-003 dev-core-services\/open: NetworkPolicy exchange\/open: ingress\[0\]\.from\[0\] is ipBlock 0\.0\.0\.0\/0/);
    }
  });

  it('lets a suppression with reason, owner and expiry through, and writes it into the resource for the standalone audit', () => {
    const { app, services, read } = devServices();
    const policy = openPolicy(services);
    suppress(policy, { rule: 'NET-003', reason: 'Public tariff feed receiver, fronted by the gateway', owner: 'exchange/pham.d', expires: '2027-03-31' });
    expect(() => app.synth()).not.toThrow();
    const body = read().resource.kubernetes_network_policy_v1.open;
    expect(body['//'].suppressions).toEqual([{ rule: 'NET-003', reason: 'Public tariff feed receiver, fronted by the gateway', owner: 'exchange/pham.d', expires: '2027-03-31' }]);
  });

  it('refuses an expired suppression outside development: it suppresses nothing and is itself a finding', () => {
    const { app, services } = servicesOf('staging');
    suppress(openPolicy(services), { rule: 'NET-003', reason: 'Public tariff feed receiver, fronted by the gateway', owner: 'exchange/pham.d', expires: '2026-11-26' });
    expect(() => app.synth()).toThrow(/Security audit: 2 findings[\s\S]*NET-003 staging-core-services\/open[\s\S]*AUD-001 staging-core-services\/open: suppression of NET-003 .* expired on 2026-11-26/);
  });

  it('only warns in a development synth when a suppression expired (a date passed, the code did not change)', () => {
    const { synth, services, warnings } = devServices();
    suppress(openPolicy(services), { rule: 'NET-003', reason: 'Public tariff feed receiver, fronted by the gateway', owner: 'exchange/pham.d', expires: '2026-11-26' });
    expect(synth).not.toThrow();
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: dev-core-services: NET-003 NetworkPolicy exchange\/open: .*0\.0\.0\.0\/0.* \(a development synth goes on; the audit fails on it\)$/),
      expect.stringMatching(/^warning: dev-core-services: AUD-001 suppression of NET-003 .* expired on 2026-11-26; .*\(a development synth goes on; the audit fails on it\)$/),
    ]);
  });

  it('warns from 30 days before a suppression expires, in every environment, without failing', () => {
    const within = servicesOf('staging', '2027-03-01');
    suppress(openPolicy(within.services), { rule: 'NET-003', reason: 'Public tariff feed receiver, fronted by the gateway', owner: 'exchange/pham.d', expires: '2027-03-31' });
    expect(within.synth).not.toThrow();
    expect(within.warnings).toContain(
      'warning: suppression of NET-003 (owner exchange/pham.d) expires on 2027-03-31 (in 30 days); after it the finding fails the audit again: fix it, or renew the suppression with a new review',
    );
    const before = servicesOf('staging', '2027-02-28');
    suppress(openPolicy(before.services), { rule: 'NET-003', reason: 'Public tariff feed receiver, fronted by the gateway', owner: 'exchange/pham.d', expires: '2027-03-31' });
    before.synth();
    expect(before.warnings.filter((w) => w.includes('NET-003'))).toEqual([]);
  });

  it('validates a suppression where it is declared', () => {
    const { services } = devServices();
    expect(() => suppress(services, { rule: 'NET-003', reason: 'short', owner: 'nobody', expires: '2027-13-01' })).toThrow(ConstructPropsError);
    expect(() => suppress(services, { rule: 'NET-999', reason: 'a long enough reason', owner: 'a/b', expires: '2027-01-01' })).toThrow(/rule must be the ID of a rule in the pack/);
  });

  it('records the environment, the source file of each construct, and the reason of a declared network exception', () => {
    const { app, services, read } = devServices();
    const importer = Peer.workload({ name: 'importer', namespace: 'exchange', zone: 'exchange', selector: { app: 'importer' } });
    Segmentation.of(services).allow(importer, Peer.external({ name: 'internet', cidr: '0.0.0.0/0', exception: { reason: 'Fetches WTO tariff tables published on the Internet.' } }), { ports: [Port.tcp(443)] });
    expect(() => app.synth()).not.toThrow();
    const json = read();
    expect(json['//'].environment).toMatchObject({ name: 'dev', class: 'development', securityLevel: 3, ephemeral: true, cluster: 'core', layer: 'services' });
    const egress = Object.values(json.resource.kubernetes_network_policy_v1 as Record<string, any>).find((p) => p.metadata.name.startsWith('flow-importer-to-internet'))!;
    expect(egress.metadata.annotations['moit.gov.vn/network-exception']).toBe('Fetches WTO tariff tables published on the Internet.');
    expect(egress['//'].source).toEqual({ construct: 'Segmentation', file: 'constructs/network/segmentation.ts' });
    const issuer = Object.values(json.resource.kubernetes_manifest as Record<string, any>).find((m) => m.manifest.kind === 'ClusterIssuer')!;
    expect(issuer['//'].source).toEqual({ construct: 'InternalCaIssuer', file: 'constructs/cert-manager.ts' });
  });
});
