/**
 * Deployability of a first install (issue 17): what the charts and operators at the pinned
 * versions really read and need, checked on the synthesized estate. Each test names the defect
 * it guards against; each failed on the estate before the fix.
 */
import { parse } from 'yaml';
import { checkEnvironment, loadEnvironments } from '../environments';
import { placementFor } from '../constructs/network/placement';
import { configOf, synthEnvironment, synthEstate, type Json } from './helpers';

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

describe('a Cluster API cluster comes up: VIP, cloud provider, CNI and snapshots are declared', () => {
  const clusters = estate.stack('prod-mgmt-clusters');
  const kcp = (Object.values(clusters.resource.kubernetes_manifest) as Json[]).map((r) => r.manifest).find((m) => m.kind === 'KubeadmControlPlane')!;
  const spec = kcp.spec.kubeadmConfigSpec;
  const file = (path: string) => spec.files.find((f: Json) => f.path === path);

  it('writes the kube-vip static pod announcing the control-plane endpoint on every control-plane node', () => {
    const pod = parse(file('/etc/kubernetes/manifests/kube-vip.yaml').content);
    expect(pod).toMatchObject({ kind: 'Pod', metadata: { name: 'kube-vip', namespace: 'kube-system' }, spec: { hostNetwork: true } });
    const env = Object.fromEntries(pod.spec.containers[0].env.map((e: Json) => [e.name, e.value]));
    expect(env).toMatchObject({ address: '10.10.0.10', port: '6443', cp_enable: 'true', vip_arp: 'true', vip_leaderelection: 'true' });
    expect(pod.spec.containers[0].securityContext.capabilities.add).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(pod.spec.volumes).toContainEqual({ name: 'etchosts', hostPath: { path: '/etc/kube-vip.hosts', type: 'File' } });
    expect(file('/etc/kube-vip.hosts').content).toBe('127.0.0.1 localhost kubernetes\n');
    // The VIP of dr is dr's.
    const dr = (Object.values(estate.stack('dr-mgmt-clusters').resource.kubernetes_manifest) as Json[]).map((r) => r.manifest).find((m) => m.kind === 'KubeadmControlPlane')!;
    expect(dr.spec.kubeadmConfigSpec.files.find((f: Json) => f.path === '/etc/kubernetes/manifests/kube-vip.yaml').content).toContain('value: 10.40.0.10');
  });

  it('uses super-admin.conf on the init node only while kubeadm init runs, then admin.conf again', () => {
    const prepare = file('/etc/kube-vip-prepare.sh');
    expect(prepare.permissions).toBe('0700');
    expect(prepare.content).toContain("if [ -f /run/kubeadm/kubeadm.yaml ]; then sed -i 's#path: /etc/kubernetes/admin.conf#path: /etc/kubernetes/super-admin.conf#' /etc/kubernetes/manifests/kube-vip.yaml; fi");
    expect(spec.preKubeadmCommands).toEqual(['/etc/kube-vip-prepare.sh']);
    expect(spec.postKubeadmCommands).toEqual([
      "if [ -f /run/kubeadm/kubeadm.yaml ]; then sed -i 's#path: /etc/kubernetes/super-admin.conf#path: /etc/kubernetes/admin.conf#' /etc/kubernetes/manifests/kube-vip.yaml; fi",
    ]);
  });

  it('delivers the cloud provider\'s vCenter credentials by a ClusterResourceSet from a pre-provisioned Secret, never by value', () => {
    const set = (Object.values(clusters.resource.kubernetes_manifest) as Json[]).find((r) => r.manifest.kind === 'ClusterResourceSet')!;
    expect(set.manifest).toMatchObject({
      apiVersion: 'addons.cluster.x-k8s.io/v1beta2',
      metadata: { name: 'core-cpi-credentials', namespace: 'capi-prod' },
      spec: { clusterSelector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': 'core' } }, resources: [{ kind: 'Secret', name: 'core-vsphere-cpi-credentials' }], strategy: 'Reconcile' },
    });
    const cluster = Object.entries(clusters.resource.kubernetes_manifest as Json).find(([, r]) => (r as Json).manifest.kind === 'Cluster')![1] as Json;
    expect(cluster.depends_on.some((d: string) => d.includes('cpi-credentials'))).toBe(true);
  });

  const platform = estate.stack('prod-core-platform');
  const releases: Json[] = Object.entries(platform.resource.helm_release as Json).map(([id, r]) => ({ id, ...(r as Json) }));
  const release = (chart: string) => releases.find((r) => r.chart === chart)!;
  const valuesOf = (chart: string) => parse(release(chart).values[0]);

  it('installs Cilium, the vSphere CPI and the snapshot controller at their pinned versions into kube-system', () => {
    expect(release('cilium')).toMatchObject({ version: '1.19.6', namespace: 'kube-system', repository: 'https://helm.cilium.io' });
    expect(release('vsphere-cpi')).toMatchObject({ version: '1.35.1', namespace: 'kube-system' });
    expect(release('snapshot-controller')).toMatchObject({ version: '5.2.0', namespace: 'kube-system' });
  });

  it('makes every other chart wait for the CNI and the cloud provider, which themselves wait for nothing', () => {
    const cni = release('cilium').id;
    const cpi = release('vsphere-cpi').id;
    expect(release('cilium').depends_on ?? []).toEqual([]);
    expect((release('vsphere-cpi').depends_on as string[]).filter((d) => d.includes('helm_release'))).toEqual([]);
    for (const r of releases.filter((x) => x.chart !== 'cilium' && x.chart !== 'vsphere-cpi')) {
      expect(r.depends_on).toEqual(expect.arrayContaining([`helm_release.${cni}`, `helm_release.${cpi}`]));
    }
  });

  it('runs Cilium enforcing standard NetworkPolicy, matching node addresses in ipBlock rules, WireGuard at security level 4', () => {
    const v = valuesOf('cilium');
    expect(v).toMatchObject({ policyEnforcementMode: 'default', policyCIDRMatchMode: ['nodes'], k8sServiceHost: '10.10.0.10', k8sServicePort: 6443, ipam: { mode: 'kubernetes' } });
    expect(v.encryption).toEqual({ enabled: true, type: 'wireguard', nodeEncryption: false });
    // Staging is level 3: the services' TLS is the one layer it asks for.
    expect(parse((Object.values(estate.stack('staging-core-platform').resource.helm_release) as Json[]).find((r) => r.chart === 'cilium')!.values[0]).encryption).toEqual({ enabled: false });
  });

  it('configures the CPI with zone and region tag categories and a Secret reference, the chart rendering no Secret', () => {
    const v = valuesOf('vsphere-cpi');
    expect(v.config).toEqual({ enabled: false });
    expect(v.daemonset.tolerations).toEqual(
      expect.arrayContaining([
        { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
        { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
      ]),
    );
    const configMap = (Object.values(platform.resource.kubernetes_config_map_v1) as Json[]).find((c) => c.metadata.name === 'cloud-config')!;
    expect(configMap.metadata.namespace).toBe('kube-system');
    const conf = parse(configMap.data['vsphere.conf']);
    expect(conf).toEqual({
      global: { port: 443, insecureFlag: false, secretName: 'vsphere-cloud-secret', secretNamespace: 'kube-system' },
      vcenter: { 'vcenter.hanoi-1.dc.moit.gov.vn': { server: 'vcenter.hanoi-1.dc.moit.gov.vn', datacenters: ['HN1'], thumbprint: '3A:7F:21:9C:0B:44:D2:E8:51:6A:9F:13:C7:80:2D:4E:B5:61:F0:9A' } },
      labels: { region: 'k8s-region', zone: 'k8s-zone' },
    });
    // No password anywhere in the stack; the prerequisite records name the keys a Secret must hold (never a value).
    expect(JSON.stringify(platform, (k, v: unknown) => (k === 'prerequisites' ? undefined : v))).not.toMatch(/"password"|\.password/);
    expect(release('vsphere-cpi').depends_on).toContainEqual(expect.stringContaining('kubernetes_config_map_v1'));
  });

  it('gives Velero a VolumeSnapshotClass for the RBD driver, and installs the snapshot CRDs before the driver and the class', () => {
    const cluster = valuesOf('rook-ceph-cluster');
    expect(cluster.cephBlockPoolsVolumeSnapshotClass).toEqual({ enabled: true, name: 'ceph-block', isDefault: true, deletionPolicy: 'Delete', labels: { 'velero.io/csi-volumesnapshot-class': 'true' } });
    expect(valuesOf('ceph-csi-drivers').drivers.rbd.snapshotPolicy).toBe('volumeSnapshot');
    const snapshot = `helm_release.${release('snapshot-controller').id}`;
    expect(release('ceph-csi-drivers').depends_on).toContain(snapshot);
    expect(release('rook-ceph-cluster').depends_on).toContain(snapshot);
    expect(valuesOf('snapshot-controller')).toMatchObject({ installCRDs: true, controller: { nodeSelector: MGMT_SELECTOR, tolerations: [MGMT_TOLERATION] } });
    // No private key generated at render for a webhook that is not deployed.
    expect(valuesOf('snapshot-controller').webhook).toEqual({ enabled: false, tls: { autogenerate: false } });
    const velero = valuesOf('velero');
    expect(velero.configuration.features).toBe('EnableCSI');
    // No VolumeSnapshotLocation: CSI needs none, and the chart's default one has no provider.
    expect(velero.snapshotsEnabled).toBe(false);
  });

  it('installs no CNI or cloud provider on an adopted cluster, but the snapshot controller', () => {
    const dev = Object.values(estate.stack('dev-core-platform').resource.helm_release) as Json[];
    expect(dev.map((r) => r.chart)).not.toContain('cilium');
    expect(dev.map((r) => r.chart)).not.toContain('vsphere-cpi');
    expect(dev.map((r) => r.chart)).toContain('snapshot-controller');
  });
});

describe('Kafka rack awareness reads a label the nodes really carry', () => {
  const kafkaOf = (json: Json) => (Object.values(json.resource.kubernetes_manifest) as Json[]).map((r) => r.manifest).find((m) => m.kind === 'Kafka')!;

  it('on a Cluster API cluster, uses the zone label the vSphere CPI sets from its zone tag category', () => {
    for (const env of ['prod', 'dr']) {
      expect(kafkaOf(estate.stack(`${env}-core-services`)).spec.kafka.rack).toEqual({ type: 'topology-label', topologyKey: 'topology.kubernetes.io/zone' });
      const platform = estate.stack(`${env}-core-platform`);
      const conf = parse((Object.values(platform.resource.kubernetes_config_map_v1) as Json[]).find((c) => c.metadata.name === 'cloud-config')!.data['vsphere.conf']);
      expect(conf.labels.zone).toBe('k8s-zone');
    }
  });

  it('on an adopted cluster, even outside development, leaves rack awareness off: nothing guarantees its nodes carry the label', () => {
    const { read } = synthEnvironment('staging', {
      mutate: (config) => {
        config.clusters = [{ name: 'core', mode: 'existing', kubeconfig: { path: '~/.kube/config', context: 'moit-staging' }, nodeCidr: '10.20.0.0/22', controlPlaneCidr: '10.20.0.0/29' }];
        delete config.management;
      },
    });
    expect(kafkaOf(read('staging-core-services')).spec.kafka.rack).toBeUndefined();
  });
});

describe('Velero installs before the Secret of its bucket exists', () => {
  it('references no Secret of a later stack in a way that blocks its pods', () => {
    const values = parse((Object.values(estate.stack('prod-core-platform').resource.helm_release) as Json[]).find((r) => r.chart === 'velero')!.values[0]);
    expect(values.credentials.extraSecretRef).toBeUndefined();
    expect(values.credentials.existingSecret).toBeUndefined();
    expect(values.credentials.useSecret).toBe(false);
    for (const env of [...values.configuration.extraEnvVars, ...values.nodeAgent.extraEnvVars]) expect(env.valueFrom.secretKeyRef.optional).toBe(true);
  });

  it('restarts the server and the node agents once the services stack has configured the bucket, so they load its keys', () => {
    const services = estate.stack('prod-core-services');
    const reloads = Object.values(services.resource.kubernetes_annotations ?? {}) as Json[];
    expect(reloads.map((r) => [r.kind, r.metadata.name, r.metadata.namespace]).sort()).toEqual([
      ['DaemonSet', 'node-agent', 'velero'],
      ['Deployment', 'velero', 'velero'],
    ]);
    for (const r of reloads) {
      expect(r.template_annotations).toEqual({ 'moit.gov.vn/restarted-for-bucket': 'velero-prod-core' });
      expect(r.depends_on).toEqual([expect.stringMatching(/^kubernetes_job_v1\.object-store_velero-backups_configure_/)]);
    }
  });
});

describe('every zone node selector in chart values names a pool that exists, next to a toleration of its taint', () => {
  /** Every object holding a `nodeSelector` in a values tree, with its path. */
  function selectorsIn(value: unknown, path: string[] = []): Array<{ path: string; holder: Json }> {
    if (!value || typeof value !== 'object') return [];
    if (Array.isArray(value)) return value.flatMap((v, i) => selectorsIn(v, [...path, String(i)]));
    const own = 'nodeSelector' in (value as Json) ? [{ path: path.join('.') || '(top)', holder: value as Json }] : [];
    return [...own, ...Object.entries(value as Json).flatMap(([k, v]) => selectorsIn(v, [...path, k]))];
  }

  it.each(['staging', 'prod', 'dr'])('%s', (env) => {
    const pools = new Set((loadEnvironments([env])[0]!.clusters[0] as Json).nodePools.map((p: Json) => p.zone));
    const values = chartValues(`${env}-core-platform`);
    let checked = 0;
    for (const [chart, v] of values) {
      for (const { path, holder } of selectorsIn(v)) {
        const zone = holder.nodeSelector?.['moit.gov.vn/zone'];
        if (zone === undefined) continue;
        checked++;
        expect({ chart, path, poolExists: pools.has(zone) }).toEqual({ chart, path, poolExists: true });
        const tolerates = ((holder.tolerations ?? []) as Json[]).some((t) => t.key === 'moit.gov.vn/zone' && t.effect === 'NoSchedule' && (t.operator === 'Exists' || t.value === zone));
        expect({ chart, path, tolerates }).toEqual({ chart, path, tolerates: true });
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

describe('a Cluster API cluster has a pool for the zones its platform runs in', () => {
  it('refuses a cluster without a mgmt-zone pool in the environment file, naming the zones and the fix', () => {
    // Staging (production already keeps every zone on machines of its own, another rule).
    const config = configOf('staging') as any;
    config.clusters[0].nodePools = config.clusters[0].nodePools.filter((p: Json) => p.zone !== 'mgmt');
    const result = checkEnvironment(config, 'environments/staging.ts');
    const problems = result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([expect.stringMatching(/^clusters\[0\]\.nodePools: needs a node pool in zone "mgmt": the operators, cert-manager.*add one/)]);
  });

  it('refuses, in the construct, a placement in a zone without a pool instead of leaving the workload unschedulable', () => {
    expect(() =>
      synthEnvironment('staging', {
        declare: (stacks) => {
          placementFor(stacks.clusters[0]!.platform, 'exchange');
        },
      }),
    ).toThrow(/clusters "core" nodePools: has no pool in zone "exchange".*Add a node pool with zone "exchange"/);
  });
});
