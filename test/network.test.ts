import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Peer } from '../constructs/network/peer';
import { Port } from '../constructs/network/port';
import { checkExposure, Connections, Segmentation, SegmentationError, policyName } from '../constructs/network/segmentation';
import { renderNetworkDiagram } from '../tools/reports/network-diagram';
import { loadEnvironments } from '../environments';
import { App } from '../lib/tf';
import { buildEnvironment } from '../stacks/estate';
import { networkOf } from '../tools/reports/network-model';
import { renderDiagrams } from '../scripts/diagram';
import { resourcesOf, synthEstate, type Json } from './helpers';

const estate = synthEstate();

function policies(stackJson: Json): Json[] {
  return resourcesOf(stackJson)
    .filter(([type]) => type === 'kubernetes_network_policy_v1')
    .map(([, , body]) => body);
}

function namespacesOf(stackJson: Json): string[] {
  return resourcesOf(stackJson)
    .filter(([type]) => type === 'kubernetes_namespace_v1')
    .map(([, , body]) => body.metadata.name);
}

/** A fresh dev environment to declare test flows in. */
function devServices() {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-net-')) });
  const stacks = buildEnvironment(app, loadEnvironments(['dev'])[0]!);
  return { app, stacks, services: stacks.clusters[0]!.services };
}

const importer = Peer.workload({ name: 'importer', namespace: 'exchange', zone: 'exchange', selector: { app: 'importer' } });
const gateway = Peer.workload({ name: 'web', namespace: 'gateway', zone: 'dmz', selector: { app: 'web' } });
const database = Peer.workload({ name: 'pg-trade', namespace: 'postgres', zone: 'data', selector: { 'cnpg.io/cluster': 'pg-trade' }, ports: [Port.tcp(5432)] });

describe('default deny', () => {
  const platformStacks = estate.stackNames.filter((s) => s.endsWith('-platform'));

  it.each(platformStacks)('%s: every namespace denies ingress and egress by default', (name) => {
    const json = estate.stack(name);
    const namespaces = namespacesOf(json);
    expect(namespaces.length).toBeGreaterThan(0);
    const denies = policies(json).filter((p) => p.metadata.name === 'default-deny');
    for (const ns of namespaces) {
      const deny = denies.find((p) => p.metadata.namespace === ns);
      expect(deny).toBeDefined();
      expect(deny!.spec.pod_selector).toEqual({});
      expect(deny!.spec.policy_types).toEqual(['Ingress', 'Egress']);
      expect(deny!.spec.ingress).toBeUndefined();
      expect(deny!.spec.egress).toBeUndefined();
    }
  });

  it.each(platformStacks)('%s: DNS egress goes only to the cluster DNS service on port 53', (name) => {
    const json = estate.stack(name);
    for (const ns of namespacesOf(json)) {
      const dns = policies(json).find((p) => p.metadata.name === 'allow-dns' && p.metadata.namespace === ns);
      expect(dns).toBeDefined();
      expect(dns!.spec.policy_types).toEqual(['Egress']);
      expect(dns!.spec.egress).toEqual([
        {
          to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } }, pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { port: '53', protocol: 'UDP' },
            { port: '53', protocol: 'TCP' },
          ],
        },
      ]);
    }
  });

  it('labels every namespace with exactly one zone', () => {
    const json = estate.stack('prod-core-platform');
    for (const [type, , body] of resourcesOf(json)) {
      if (type !== 'kubernetes_namespace_v1') continue;
      expect(['dmz', 'app', 'data', 'mgmt', 'exchange']).toContain(body.metadata.labels['moit.gov.vn/zone']);
    }
  });

  it('forbids LoadBalancer Services by quota outside dmz and exchange', () => {
    const quotas = resourcesOf(estate.stack('prod-core-platform')).filter(([type]) => type === 'kubernetes_resource_quota_v1').map(([, , b]) => b);
    const lb = (ns: string) => quotas.find((q) => q.metadata.namespace === ns)!.spec.hard['services.loadbalancers'];
    expect(lb('postgres')).toBe('0');
    expect(lb('cnpg-system')).toBe('0');
    expect(lb('gateway')).not.toBe('0');
    expect(lb('exchange')).not.toBe('0');
  });
});

describe('declared flows', () => {
  it('compile to policies on both sides: egress on the client, ingress on the server, on the server\'s own port', () => {
    const { app, services } = devServices();
    const db = new Connections(services, database);
    db.allowFrom(importer, { description: 'imports customs declarations' });
    app.synth();
    const json = JSON.parse(require('node:fs').readFileSync(join(app.outdir, 'stacks', 'dev-core-services', 'cdk.tf.json'), 'utf8'));
    const flowPolicies = policies(json);
    const ingress = flowPolicies.find((p) => p.metadata.name === 'flow-importer-to-pg-trade-in')!;
    const egress = flowPolicies.find((p) => p.metadata.name === 'flow-importer-to-pg-trade-out')!;
    expect(ingress.metadata.namespace).toBe('postgres');
    expect(egress.metadata.namespace).toBe('exchange');
    expect(ingress.spec).toEqual({
      pod_selector: { match_labels: { 'cnpg.io/cluster': 'pg-trade' } },
      policy_types: ['Ingress'],
      ingress: [
        {
          from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'exchange' } }, pod_selector: { match_labels: { app: 'importer' } } }],
          ports: [{ port: '5432', protocol: 'TCP' }],
        },
      ],
    });
    expect(egress.spec).toEqual({
      pod_selector: { match_labels: { app: 'importer' } },
      policy_types: ['Egress'],
      egress: [
        {
          to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'postgres' } }, pod_selector: { match_labels: { 'cnpg.io/cluster': 'pg-trade' } } }],
          ports: [{ port: '5432', protocol: 'TCP' }],
        },
      ],
    });
    expect(ingress.metadata.annotations['moit.gov.vn/purpose']).toBe('imports customs declarations');
  });

  it('takes effect when declared after the constructs were built (rendered lazily at synth)', () => {
    const { app, services } = devServices();
    const db = new Connections(services, database);
    const mine = () => Segmentation.flowsOf(services).filter((f) => f.to === database);
    expect(mine()).toHaveLength(0);
    // ... later, e.g. a sharing agreement compiled after the database construct:
    db.allowFrom(importer);
    db.allowFrom(importer, { ports: [Port.tcp(5433)] });
    app.synth();
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.ports.map(String)).toEqual(['5432/TCP', '5433/TCP']);
    const json = JSON.parse(require('node:fs').readFileSync(join(app.outdir, 'stacks', 'dev-core-services', 'cdk.tf.json'), 'utf8'));
    const ingress = policies(json).find((p) => p.metadata.name === 'flow-importer-to-pg-trade-in')!;
    expect(ingress.spec.ingress[0].ports).toEqual([{ port: '5432', protocol: 'TCP' }, { port: '5433', protocol: 'TCP' }]);
  });

  it('names policies with DNS-safe names of at most 63 characters', () => {
    const name = policyName('flow', 'a'.repeat(40), 'to', 'b'.repeat(40));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(policyName('flow', 'importer', 'to', 'pg-trade')).toBe('flow-importer-to-pg-trade');
  });
});

describe('zone rules', () => {
  const cases: Array<[string, (s: Segmentation) => void, RegExp | null]> = [
    ['dmz never reaches data directly', (s) => s.allow(gateway, database), /flow gateway\/web -> postgres\/pg-trade \[5432\/TCP\].*the dmz zone never reaches the data zone directly/],
    ['dmz may reach the app zone', (s) => s.allow(gateway, Peer.workload({ name: 'api', namespace: 'exchange', zone: 'exchange', selector: { app: 'api' }, ports: [Port.tcp(8443)] })), null],
    [
      'data has no egress beyond the cluster',
      (s) => s.allow(database, Peer.external({ name: 'partner-s3', cidr: '203.0.113.0/24' }), { ports: [Port.tcp(443)] }),
      /flow postgres\/pg-trade -> partner-s3 \(203\.0\.113\.0\/24\).*the data zone has no egress beyond the cluster except declared backup targets/,
    ],
    ['data may reach a declared backup target', (s) => s.allow(database, Peer.external({ name: 'dr-rgw', cidr: '10.40.8.0/24', backupTarget: true }), { ports: [Port.tcp(443)] }), null],
    ['data may reach its own API server', (s) => s.allow(database, Peer.controlPlane({ cidr: '172.18.0.0/29' }), { ports: [Port.tcp(6443)] }), null],
    [
      'an infrastructure host inside a wider declared block is refused',
      (s) => s.allow(importer, Peer.external({ name: 'corp-lan', cidr: '172.16.0.0/12' }), { ports: [Port.tcp(443)] }),
      /kube-apiserver \(172\.18\.0\.0\/29\) \(declared at .*\) lies inside corp-lan \(172\.16\.0\.0\/12\) .*declare the overlap on it \(encloses, with a reason\)/,
    ],
    [
      'the API server addressed as the whole node network is refused',
      (s) => s.allow(importer, Peer.controlPlane({ cidr: '172.18.0.0/16' }), { ports: [Port.tcp(6443)] }),
      /kube-apiserver \(172\.18\.0\.0\/29\) .* lies inside kube-apiserver \(172\.18\.0\.0\/16\)/,
    ],
    [
      'an overlap declared with a reason is accepted',
      (s) =>
        s.allow(
          importer,
          Peer.external({
            name: 'corp-lan',
            cidr: '172.16.0.0/12',
            encloses: [
              { peer: { name: 'kube-apiserver', cidr: '172.18.0.0/29' }, reason: 'the importer reads the whole corporate LAN on purpose' },
              { peer: { name: 'node-network', cidr: '172.18.0.0/16' }, reason: 'the importer reads the whole corporate LAN on purpose' },
              { peer: { name: 'openbao (openbao.dev.dc.moit.gov.vn)', cidr: '172.18.0.60/32' }, reason: 'the importer reads the whole corporate LAN on purpose' },
            ],
          }),
          { ports: [Port.tcp(443)] },
        ),
      null,
    ],
    [
      'one set of pods under two names is refused',
      (s) => {
        s.allow(importer, database);
        s.allow(importer, Peer.workload({ name: 'trade-db', namespace: 'postgres', zone: 'data', selector: { 'cnpg.io/cluster': 'pg-trade' } }), { ports: [Port.tcp(5432)] });
      },
      /pods postgres\/cnpg\.io\/cluster=pg-trade are declared under two names, "pg-trade" .* and "trade-db"/,
    ],
    [
      'the whole Internet needs an exception',
      (s) => s.allow(importer, Peer.external({ name: 'internet', cidr: '0.0.0.0/0' }), { ports: [Port.tcp(443)] }),
      /reaches the whole Internet \(0\.0\.0\.0\/0\); declare an exception with a reason/,
    ],
    [
      'the whole Internet with an exception and a reason',
      (s) => s.allow(importer, Peer.external({ name: 'internet', cidr: '0.0.0.0/0', exception: { reason: 'Fetches WTO tariff tables published on the Internet.' } }), { ports: [Port.tcp(443)] }),
      null,
    ],
    [
      'a namespace-wide wildcard needs a real reason',
      (s) => s.allow(Peer.namespace({ namespace: 'exchange', zone: 'exchange', exception: { reason: 'todo' } }), database),
      /every pod of namespace "exchange" \(a namespace-wide wildcard\); declare an exception with a reason of at least 10 characters/,
    ],
    ['a flow with no port', (s) => s.allow(importer, Peer.workload({ name: 'x', namespace: 'gateway', zone: 'dmz', selector: { app: 'x' } })), /names no port/],
  ];

  it.each(cases)('%s', (_title, declare, expected) => {
    const { app, services } = devServices();
    declare(Segmentation.of(services));
    if (expected === null) {
      expect(() => app.synth()).not.toThrow();
    } else {
      let error: unknown;
      try {
        app.synth();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SegmentationError);
      expect((error as Error).message).toMatch(expected);
      expect((error as Error).message).toContain('declared at dev-core-services/segmentation');
    }
  });

  it('allows LoadBalancer and NodePort Services only in dmz and exchange', () => {
    expect(checkExposure('kafka external listener', 'data', 'LoadBalancer')).toMatch(/in zone "data" exposes it outside the cluster; only dmz and exchange may do that/);
    expect(checkExposure('ingress', 'app', 'NodePort')).toMatch(/only dmz and exchange/);
    expect(checkExposure('ingress', 'dmz', 'LoadBalancer')).toBeUndefined();
    expect(checkExposure('gateway', 'exchange', 'NodePort')).toBeUndefined();
    expect(checkExposure('postgres', 'data', 'ClusterIP')).toBeUndefined();
  });

  it('rejects ill-formed peers and ports at construction', () => {
    expect(() => Port.tcp(70000)).toThrow('Port.tcp: port must be a whole number from 1 to 65535, got 70000');
    expect(() => Peer.external({ name: 'x', cidr: '10.0.0.1' })).toThrow('cidr must be an IPv4 CIDR block');
    expect(() => Peer.workload({ name: 'all', namespace: 'x', zone: 'app', selector: {} })).toThrow('an empty selector is every pod of "x"');
  });
});

describe('the network diagram', () => {
  const diagrams = renderDiagrams(['prod']);
  const prod = diagrams.get('prod')!;

  it('shows every zone of prod with its security level, and every namespace', () => {
    const env = loadEnvironments(['prod'])[0]!;
    for (const zone of env.zones) {
      expect(prod).toContain(`zone ${zone.name} (level ${zone.securityLevel})`);
    }
    for (const ns of ['app-energy-statistics', 'app-chemicals', 'gateway', 'exchange', 'postgres', 'kafka', 'rook-ceph', 'cnpg-system', 'strimzi-system', 'velero', 'cert-manager']) {
      expect(prod).toMatch(new RegExp(`\\| core \\| \\w+ \\| \\d \\| ${ns} \\|`));
    }
    expect(prod).toMatch(/^```mermaid\nflowchart LR$/m);
  });

  it('draws each enforced path of prod as an arrow with its ports, lists it with its declared purpose, and marks none undeclared', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'moit-diag-'));
    const app = new App({ outdir });
    const stacks = buildEnvironment(app, loadEnvironments(['prod'])[0]!);
    app.synth(); // some flows are derived when stacks are prepared
    const network = networkOf(stacks, outdir);
    const paths = network.clusters.flatMap((c) => c.paths).filter((p) => !p.baseline);
    expect(paths.length).toBeGreaterThan(100);
    for (const path of paths) {
      expect(path.purposes.length).toBeGreaterThan(0);
      expect(prod).toContain(`| ${path.from.namespace ? `${path.from.namespace}/` : ''}${path.from.label} | ${path.to.namespace ? `${path.to.namespace}/` : ''}${path.to.label} | ${path.ports} | ${path.purposes.join('; ')} |`);
    }
    expect((prod.match(/-->\|/g) ?? []).length).toBe(paths.length);
    expect(prod).not.toMatch(/-\.->|\*\*UNDECLARED/);
    // The declared flows are still listed, each with its ports.
    for (const flow of network.clusters.flatMap((c) => c.flows)) expect(prod).toContain(`| ${flow.from.describe()} | ${flow.to.describe()} | ${flow.ports.map(String).join(', ')} |`);
  });

  it('renders a small model exactly (frozen artefact)', () => {
    const env = loadEnvironments(['dev'])[0]!;
    const markdown = renderNetworkDiagram({
      environment: env,
      clusters: [
        {
          name: 'core',
          namespaces: [
            { name: 'exchange', zone: 'exchange', purpose: 'sharing gateway' },
            { name: 'postgres', zone: 'data', purpose: 'databases' },
          ],
          flows: [{ from: importer, to: database, ports: [Port.tcp(5432)], description: 'imports', declaredBy: 'dev-core-services/x' }],
          paths: [
            { from: { key: 'exchange/app=importer', label: 'importer (app=importer)', namespace: 'exchange' }, to: { key: 'postgres/db', label: 'pg-trade (cnpg.io/cluster=pg-trade)', namespace: 'postgres' }, ports: '5432/TCP', purposes: ['imports'], baseline: false, undeclared: '' },
            { from: { key: 'exchange/*', label: '* (other pods)', namespace: 'exchange' }, to: { key: '10.0.0.0/8', label: '10.0.0.0/8' }, ports: '443/TCP', purposes: [], baseline: false, undeclared: '443/TCP (egress: exchange/widened; ingress: open)' },
            { from: { key: 'exchange/*', label: '* (other pods)', namespace: 'exchange' }, to: { key: 'kube-system/k8s-app=kube-dns', label: 'cluster-dns (k8s-app=kube-dns)', namespace: 'kube-system' }, ports: '53/TCP, 53/UDP', purposes: ['every pod resolves names through the cluster DNS service'], baseline: true, undeclared: '' },
          ],
        },
      ],
    });
    expect(markdown).toMatchSnapshot();
  });
});
