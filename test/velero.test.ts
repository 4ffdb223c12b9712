/**
 * Velero in every workload cluster: the chart in the platform stack, its BackupStorageLocation
 * and one Schedule per stateful namespace in the services stack, valid against the CRDs of
 * Velero 1.18.1, over TLS with the internal CA, with credentials only by reference.
 */
import { parse } from 'yaml';
import { VELERO_BUCKET_LOCK_EXCEPTION } from '../constructs/backup/services';
import { VELERO_NAMESPACE_EXCEPTION } from '../constructs/backup/velero';
import { validateSynthesized } from '../tools/validate';
import { itWithSchemas } from './schemas';
import { OPERATORS } from '../lib/versions';
import { manifestsOf, resourcesOf, synthEstate, type Json } from './helpers';

const { stack, stackNames, outdir } = synthEstate();
const ENVS = ['dev', 'staging', 'prod', 'dr'];

function veleroRelease(env: string): Json {
  const releases = resourcesOf(stack(`${env}-core-platform`)).filter(([t, , b]) => t === 'helm_release' && b.chart === 'velero');
  expect(releases).toHaveLength(1);
  return releases[0]![2];
}

describe('the Velero chart', () => {
  it.each(ENVS)('%s: installs the pinned chart into the velero namespace', (env) => {
    const release = veleroRelease(env);
    expect(release).toMatchObject({ chart: 'velero', version: OPERATORS.velero.chartVersion, repository: OPERATORS.velero.repository, namespace: 'velero', create_namespace: false, atomic: true });
    const values = parse(release.values[0]);
    expect(values.image).toEqual({ repository: 'velero/velero', tag: 'v1.18.1', pullPolicy: 'IfNotPresent' });
  });

  it('declares no location from the chart (its template lacks caCertRef), loads the bucket keys from the claim Secret, and moves CSI snapshot data', () => {
    const values = parse(veleroRelease('prod').values[0]);
    expect(values).toMatchObject({ backupsEnabled: false, snapshotsEnabled: false, deployNodeAgent: true, upgradeCRDs: true, cleanUpCRDs: false });
    // No envFrom of a Secret the services stack creates later (extraSecretRef would block the
    // pods and roll the atomic release back): the keys are optional variables.
    expect(values.credentials).toEqual({ useSecret: false });
    const env = [
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'velero-prod-core', key: 'AWS_ACCESS_KEY_ID', optional: true } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'velero-prod-core', key: 'AWS_SECRET_ACCESS_KEY', optional: true } } },
    ];
    expect(values.configuration.extraEnvVars).toEqual(env);
    expect(values.nodeAgent.extraEnvVars).toEqual(env);
    expect(values.configuration).toMatchObject({ features: 'EnableCSI', uploaderType: 'kopia', defaultSnapshotMoveData: true });
    expect(values.initContainers[0].image).toMatch(/^velero\/velero-plugin-for-aws:v\d+\.\d+\.\d+$/);
  });

  it('runs the server non-root, read-only, without privileges, in the mgmt zone; node agents on every zone', () => {
    const prod = parse(veleroRelease('prod').values[0]);
    expect(prod.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(prod.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(prod.nodeSelector).toEqual({ 'moit.gov.vn/zone': 'mgmt' });
    expect(prod.nodeAgent.tolerations).toEqual([{ key: 'moit.gov.vn/zone', operator: 'Exists', effect: 'NoSchedule' }]);
    // An adopted cluster has no zone pools: nothing is constrained there.
    expect(parse(veleroRelease('dev').values[0]).nodeSelector).toBeUndefined();
  });

  it('lets Velero pods reach the API server, declared with the reason for a namespace-wide peer', () => {
    const egress = resourcesOf(stack('prod-core-platform')).filter(([t, , b]) => t === 'kubernetes_network_policy_v1' && b.metadata.namespace === 'velero' && b.spec.policy_types.includes('Egress') && b.metadata.labels['moit.gov.vn/policy'] === 'flow');
    const api = egress.map(([, , b]) => b).find((b) => JSON.stringify(b.spec.egress).includes('10.10.0.8/29'))!;
    expect(api.spec.pod_selector).toEqual({ match_labels: {} });
    expect(api.spec.egress[0].ports).toEqual([
      { port: '443', protocol: 'TCP' },
      { port: '6443', protocol: 'TCP' },
    ]);
    expect(JSON.stringify(api.metadata.annotations)).toContain(VELERO_NAMESPACE_EXCEPTION.reason.slice(0, 40));
  });
});

describe('the backup location', () => {
  it.each(ENVS)('%s: one default location in its own bucket, over https verified with the internal CA, no credential file', (env) => {
    const locations = manifestsOf(stack(`${env}-core-services`), 'BackupStorageLocation');
    expect(locations).toEqual([
      {
        apiVersion: 'velero.io/v1',
        kind: 'BackupStorageLocation',
        metadata: { name: 'dc-ceph', namespace: 'velero', labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          provider: 'aws',
          default: true,
          accessMode: 'ReadWrite',
          objectStorage: { bucket: `velero-${env}-core`, prefix: 'backups', caCertRef: { name: 'dc-internal-ca-bundle', key: 'ca.crt' } },
          config: { region: 'us-east-1', s3ForcePathStyle: 'true', s3Url: 'https://rook-ceph-rgw-dc-objectstore.rook-ceph.svc' },
          validationFrequency: '1m0s',
          backupSyncPeriod: '1m0s',
        },
      },
    ]);
    const bundles = manifestsOf(stack(`${env}-core-services`), 'Certificate').filter((c) => c.metadata.namespace === 'velero');
    expect(bundles.map((c) => c.spec.secretName)).toEqual(['dc-internal-ca-bundle']);
  });

  it("keeps Velero's bucket unlocked by a declared, reported exception where backups are locked by default", () => {
    const claim = (env: string) => manifestsOf(stack(`${env}-core-services`), 'ObjectBucketClaim').find((c) => c.metadata.name === `velero-${env}-core`)!;
    for (const env of ['prod', 'dr']) expect(claim(env).metadata.annotations['moit.gov.vn/object-lock-exception']).toBe(VELERO_BUCKET_LOCK_EXCEPTION);
    for (const env of ['dev', 'staging']) expect(claim(env).metadata.annotations['moit.gov.vn/object-lock-exception']).toBeUndefined();
    expect(claim('prod').metadata).toMatchObject({ namespace: 'velero', labels: { 'moit.gov.vn/bucket-purpose': 'backup' } });
  });
});

describe('the Schedules', () => {
  const schedules = (env: string) => new Map(manifestsOf(stack(`${env}-core-services`), 'Schedule').map((s) => [s.metadata.name as string, s]));

  it('back up every namespace of the app and data zones, and no other', () => {
    const prod = schedules('prod');
    expect([...prod.keys()]).toEqual(expect.arrayContaining(['postgres', 'kafka', 'rook-ceph', 'app-energy-statistics', 'app-trade-promotion']));
    for (const ns of ['velero', 'cert-manager', 'cnpg-system', 'gateway', 'exchange']) expect(prod.has(ns)).toBe(false);
    for (const s of prod.values()) {
      expect(s.metadata.namespace).toBe('velero');
      expect(s.spec.template).toMatchObject({ storageLocation: 'dc-ceph', includedNamespaces: [s.metadata.name], defaultVolumesToFsBackup: false });
      expect(s.spec.schedule.split(' ')).toHaveLength(5);
    }
  });

  it('leave Postgres data to Barman and Ceph data to its pools: objects only, no volume snapshot', () => {
    for (const ns of ['postgres', 'rook-ceph']) {
      const t = schedules('prod').get(ns)!.spec.template;
      expect(t.excludedResources).toEqual(['persistentvolumeclaims', 'persistentvolumes']);
      expect(t.snapshotVolumes).toBe(false);
      expect(t.snapshotMoveData).toBeUndefined();
      expect(schedules('prod').get(ns)!.metadata.annotations['moit.gov.vn/backup-scope']).toMatch(ns === 'postgres' ? /Barman/ : /pools/);
    }
  });

  it('snapshot the volumes of tenant namespaces and of Kafka and move their data to the bucket', () => {
    for (const ns of ['kafka', 'app-energy-statistics']) {
      const t = schedules('prod').get(ns)!.spec.template;
      expect(t).toMatchObject({ snapshotVolumes: true, snapshotMoveData: true, csiSnapshotTimeout: '30m0s' });
      expect(t.excludedResources).toBeUndefined();
    }
  });
});

describe('validity and secrets', () => {
  itWithSchemas('every Velero object and every object of the backup constructs validates against the pinned CRDs', (schemaDir) => {
    const report = validateSynthesized(outdir, { schemaDir });
    expect(report.kinds).toEqual(expect.arrayContaining(['velero.io/v1 BackupStorageLocation', 'velero.io/v1 Schedule']));
    const mine = report.findings.filter((f) => f.apiVersion === 'velero.io/v1' || f.constructPath.includes('/backup/') || f.constructPath.includes('/velero-backups/') || f.constructPath.includes('/receive-'));
    expect(mine).toEqual([]);
  });

  it('no key, password or credential value is written anywhere: every credential variable comes from a Secret', () => {
    const inlined: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const o = node as Json;
      if (typeof o.name === 'string' && /KEY|SECRET|PASSWORD|TOKEN/i.test(o.name) && 'value' in o) inlined.push(`${where}: ${o.name}`);
      for (const [k, v] of Object.entries(o)) walk(v, `${where}.${k}`);
    };
    let credentialVariables = 0;
    for (const name of stackNames) {
      walk(stack(name).resource, name);
      credentialVariables += (JSON.stringify(stack(name)).match(/"RCLONE_CONFIG_(SRC|DST)_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)","value_from"/g) ?? []).length;
    }
    expect(inlined).toEqual([]);
    expect(credentialVariables).toBeGreaterThanOrEqual(8);
  });
});
