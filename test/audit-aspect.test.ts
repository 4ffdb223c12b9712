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

/** The dev services stack with the audit aspect (NET-003 and AUD-001 only, so others' work in progress cannot interfere). */
function devServices() {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-aspect-'));
  const app = new App({ outdir });
  const stacks = buildEnvironment(app, loadEnvironments(['dev'])[0]!);
  const services = stacks.clusters[0]!.services;
  Aspects.of(services).add(new SecurityAudit({ today: TODAY, rules }));
  const read = () => JSON.parse(readFileSync(join(outdir, 'stacks', services.node.id, 'cdk.tf.json'), 'utf8'));
  return { app, services, read };
}

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

  it('refuses an expired suppression: it suppresses nothing and is itself a finding', () => {
    const { app, services } = devServices();
    suppress(openPolicy(services), { rule: 'NET-003', reason: 'Public tariff feed receiver, fronted by the gateway', owner: 'exchange/pham.d', expires: '2026-11-26' });
    expect(() => app.synth()).toThrow(/AUD-001[\s\S]*expired on 2026-11-26[\s\S]*|NET-003[\s\S]*AUD-001/);
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
