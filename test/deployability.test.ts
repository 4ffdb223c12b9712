/**
 * Deployability of a first install (issue 17): what the charts and operators at the pinned
 * versions really read and need, checked on the synthesized estate. Each test names the defect
 * it guards against; each failed on the estate before the fix.
 */
import { parse } from 'yaml';
import { checkEnvironment } from '../environments';
import { configOf, synthEstate, type Json } from './helpers';

const estate = synthEstate();

/** The values of every helm_release of a stack, by chart name. */
function chartValues(stack: string): Map<string, Json> {
  const releases = Object.values(estate.stack(stack).resource.helm_release ?? {}) as Json[];
  return new Map(releases.map((r) => [r.chart as string, parse(r.values[0]) as Json]));
}

function at(values: Json, path: string): any {
  return path === '' ? values : path.split('.').reduce<any>((v, k) => v?.[k], values);
}

const MGMT_SELECTOR = { 'moit.gov.vn/zone': 'mgmt' };
const MGMT_TOLERATION = { key: 'moit.gov.vn/zone', operator: 'Equal', value: 'mgmt', effect: 'NoSchedule' };
const ANY_ZONE_TOLERATION = { key: 'moit.gov.vn/zone', operator: 'Exists', effect: 'NoSchedule' };

describe('every workload a chart runs lands on a node pool that exists and tolerates its taint', () => {
  const values = chartValues('prod-core-platform');

  /**
   * Where each pinned chart reads the placement of each of its workloads (values.yaml of the
   * pinned versions, ../shared/charts): [chart, workload, nodeSelector path, tolerations path].
   */
  const MGMT_WORKLOADS: ReadonlyArray<[string, string, string, string]> = [
    ['cert-manager', 'controller', 'nodeSelector', 'tolerations'],
    ['cert-manager', 'webhook', 'webhook.nodeSelector', 'webhook.tolerations'],
    ['cert-manager', 'cainjector', 'cainjector.nodeSelector', 'cainjector.tolerations'],
    ['cert-manager', 'startupapicheck', 'startupapicheck.nodeSelector', 'startupapicheck.tolerations'],
    ['cloudnative-pg', 'operator', 'nodeSelector', 'tolerations'],
    ['plugin-barman-cloud', 'plugin', 'nodeSelector', 'tolerations'],
    ['strimzi-kafka-operator', 'operator', 'nodeSelector', 'tolerations'],
    ['rook-ceph', 'operator', 'nodeSelector', 'tolerations'],
    ['rook-ceph', 'ceph-csi-operator', 'ceph-csi-operator.controllerManager.nodeSelector', 'ceph-csi-operator.controllerManager.tolerations'],
    ['velero', 'server', 'nodeSelector', 'tolerations'],
  ];

  it.each(MGMT_WORKLOADS)('%s: the %s runs in the mgmt zone (node selector and toleration)', (chart, _workload, selectorPath, tolerationsPath) => {
    const v = values.get(chart);
    expect(v).toBeDefined();
    expect(at(v!, selectorPath)).toMatchObject(MGMT_SELECTOR);
    expect(at(v!, tolerationsPath)).toContainEqual(MGMT_TOLERATION);
  });

  it('ceph-csi-drivers: places the RBD driver with the keys chart 1.0.4 reads (affinity, per-driver tolerations), never nodeAffinity', () => {
    const v = values.get('ceph-csi-drivers')!;
    const rbd = v.drivers.rbd;
    expect(rbd.controllerPlugin.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'moit.gov.vn/zone', operator: 'In', values: ['mgmt'] }] },
    ]);
    expect(rbd.controllerPlugin.tolerations).toContainEqual(MGMT_TOLERATION);
    expect(rbd.nodePlugin.tolerations).toContainEqual(ANY_ZONE_TOLERATION);
    // `nodeAffinity` directly under a plugin is not a key of the chart: it would be dropped silently.
    for (const section of [v.operatorConfig.driverSpecDefaults, rbd]) {
      expect(section.controllerPlugin?.nodeAffinity).toBeUndefined();
      expect(section.nodePlugin?.nodeAffinity).toBeUndefined();
    }
    // Tolerations among the defaults never reach a driver (the chart writes `[]` into each).
    expect(v.operatorConfig.driverSpecDefaults.nodePlugin.tolerations).toBeUndefined();
    expect(v.operatorConfig.driverSpecDefaults.controllerPlugin.tolerations).toBeUndefined();
  });

  it('velero: node agents run on every zone\'s nodes', () => {
    expect(values.get('velero')!.nodeAgent.tolerations).toContainEqual(ANY_ZONE_TOLERATION);
  });

  it('places nothing on an adopted cluster, whose nodes carry neither zone labels nor taints', () => {
    const dev = chartValues('dev-core-platform');
    expect(JSON.stringify([...dev.values()])).not.toContain('moit.gov.vn/zone":"mgmt');
  });
});

describe('Postgres policies select what they mean: instances, poolers and jobs apart', () => {
  const prod = estate.stack('prod-core-services');
  const policies = (Object.values(prod.resource.kubernetes_network_policy_v1 ?? {}) as Json[]).filter((p) => p.metadata.namespace === 'postgres');
  const selects = (p: Json) => p.spec.pod_selector.match_labels ?? {};

  it('never selects by cnpg.io/cluster alone, which also matches the PgBouncer pods', () => {
    const byCluster = policies.filter((p) => 'cnpg.io/cluster' in selects(p));
    expect(byCluster.length).toBeGreaterThan(0);
    for (const p of byCluster) {
      const labels = selects(p);
      expect(labels['cnpg.io/podRole'] === 'instance' || typeof labels['cnpg.io/jobRole'] === 'string').toBe(true);
    }
    // And no peer inside a rule selects that way either.
    const peers = policies.flatMap((p) => [...(p.spec.ingress ?? []).flatMap((r: Json) => r.from), ...(p.spec.egress ?? []).flatMap((r: Json) => r.to)]);
    for (const peer of peers.filter((x: Json) => x.pod_selector?.match_labels?.['cnpg.io/cluster'])) {
      const labels = peer.pod_selector.match_labels;
      expect(labels['cnpg.io/podRole'] === 'instance' || typeof labels['cnpg.io/jobRole'] === 'string').toBe(true);
    }
  });

  it('lets the bootstrap and join jobs (which carry no podRole) reach the API server, and a joining instance the primary', () => {
    const egressOf = (role: string) => policies.filter((p) => selects(p)['cnpg.io/jobRole'] === role && p.spec.policy_types.includes('Egress'));
    expect(egressOf('initdb').length).toBeGreaterThan(0);
    const join = egressOf('join').flatMap((p) => p.spec.egress);
    expect(join.some((e: Json) => e.to.some((t: Json) => t.pod_selector?.match_labels?.['cnpg.io/podRole'] === 'instance') && e.ports.some((x: Json) => x.port === '5432'))).toBe(true);
  });
});

describe('cross-site flows admit one endpoint, not a node range', () => {
  it('refuses a readableBy block wider than one address, naming the field and the fix', () => {
    const config = configOf('prod') as any;
    config.postgres[0].readableBy = [{ environment: 'dr', cidr: '10.40.0.0/22' }];
    const result = checkEnvironment(config, 'environments/prod.ts');
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([expect.stringMatching(/postgres\[0\]\.readableBy\[0\]\.cidr: must be the single address .* \/32/)]);
    expect(checkEnvironment(configOf('prod'), 'environments/prod.ts').ok).toBe(true);
  });
});
