import { auditShipperContainer, auditShippingRecord } from '../../constructs/secrets/openbao-backup';
import { AUDIT_LOG, openBaoConfig } from '../../constructs/secrets/openbao';
import type { OffsiteTarget } from '../../environments/sections/backup';
import { expectFires, expectOutcomes, expectSilent, run, stack, type Json } from './fixture';
import { auditFilePaths } from '../../policy/audit/rules/SEC-005-secret-store-audit-shipped';

const target: OffsiteTarget = {
  environment: 'dr', site: 'hcm-1', distanceKm: 1140, endpoint: 'https://s3.hcm-1.dc.moit.gov.vn', cidr: '10.40.8.10/32', port: 443,
  bucket: 'offsite-prod', credentialsSecret: 'offsite-prod-keys', credentialKeys: { accessKeyId: 'AccessKey', secretAccessKey: 'SecretKey' }, immutable: true,
};
const config = openBaoConfig({ replicas: 3, unseal: { method: 'shamir', shares: 3, threshold: 2 }, release: 'openbao' });

/** The OpenBao release as the construct writes it; `change` edits the values or the record. */
function release(change: { config?: string; containers?: Json[]; record?: Json | null; backupTier?: string | null } = {}): Json {
  const values = { server: { ha: { enabled: true, raft: { enabled: true, config: change.config ?? config } }, extraContainers: change.containers ?? [auditShipperContainer(target, 'prod', AUDIT_LOG, '/openbao/tls/ca.crt')] } };
  const record = change.record === null ? {} : { secretStore: change.record ?? auditShippingRecord(target, 'prod') };
  const tier = change.backupTier === null ? {} : { stateful: 'volume', backupTier: change.backupTier ?? 'gold' };
  return { '//': { metadata: { path: 'prod-mgmt-clusters/openbao/chart/release' }, ...record, ...tier }, chart: 'openbao', namespace: 'openbao', values: [JSON.stringify(values)] };
}

/** The snapshot CronJob as the construct writes it; `change` edits its record and markers. */
function cronJob(change: { record?: Json; schedule?: string } = {}): Json {
  const record = { what: 'raft-snapshots', target: { environment: 'dr', site: 'hcm-1', endpoint: 'https://s3.hcm-1.dc.moit.gov.vn', bucket: 'offsite-prod', prefix: 'openbao/prod/snapshots' }, offsite: true, immutable: true, tls: true, ...(change.record ?? {}) };
  return { '//': { metadata: { path: 'prod-mgmt-clusters/openbao/snapshots/cron-job' }, secretStore: record }, metadata: [{ name: 'openbao-snapshot', namespace: 'openbao' }], spec: [{ schedule: change.schedule ?? '0 */4 * * *' }] };
}

const estate = (resources: Record<string, Record<string, Json>>, cls?: 'development' | 'production') => stack(resources, cls ? { class: cls } : {});

describe('SEC-004 the secret store is backed up and tiered', () => {
  it('fires without a snapshot job, without a tier, without TLS, on-site only, or to a bucket that is not locked', () => {
    expectFires('SEC-004', estate({ helm_release: { openbao: release() } }), /runs the secret store but no CronJob takes its Raft snapshots/);
    expectFires('SEC-004', estate({ helm_release: { openbao: release({ backupTier: null }) }, kubernetes_cron_job_v1: { snap: cronJob() } }), /holds the secret store's Raft volumes but has no backup tier/);
    expectFires('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { target: { endpoint: 'http://s3.hcm-1.dc.moit.gov.vn', bucket: 'b', prefix: 'p' } } }) } }), /not over TLS/);
    expectFires('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { offsite: false } }) } }), /on this site only/);
    expectFires('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { immutable: false } }) } }), /which is not immutable/);
  });
  it('is silent for a tiered snapshot job to a locked off-site bucket over TLS, and for a development store without lock', () => {
    expectSilent('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob() } }));
    expectSilent('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { immutable: false } }) } }, 'development'));
  });
});

describe("SEC-005 the secret store's audit log is shipped to an immutable store", () => {
  const shipper = auditShipperContainer(target, 'prod', AUDIT_LOG, '/openbao/tls/ca.crt') as Json;
  it('fires without a file audit device, without a shipper, without verified TLS, without a record, or to a bucket that is not locked', () => {
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ config: config.replace(/audit "file"[\s\S]*?\n}\n/, '') }) } }), /declares no file audit device/);
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ containers: [] }) } }), /nothing in the server pods tails the audit log \/openbao\/audit\/audit.log/);
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ containers: [{ ...shipper, args: (shipper.args as string[]).filter((a) => a !== 'tls.verify=on') }] }) } }), /without verified TLS/);
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ record: null }) } }), /does not record where/);
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ record: { ...auditShippingRecord(target, 'prod'), immutable: false } }) } }), /which is not immutable/);
  });
  it('is silent for the shipper the construct declares', () => {
    expectSilent('SEC-005', estate({ helm_release: { openbao: release() } }));
  });
});

describe('SEC-004: which release is the store, which CronJob takes its snapshots, and what the evidence says', () => {
  const snapshots = { snap: cronJob() };
  it('judges only a helm_release of the openbao chart, and nothing in a stack without one', () => {
    expect(run('SEC-004', estate({ helm_release: { velero: { ...release(), chart: 'velero' } }, terraform_data: { x: { chart: 'openbao' } }, kubernetes_cron_job_v1: snapshots }))).toEqual([]);
  });
  it('counts only a kubernetes_cron_job_v1 marked as taking Raft snapshots', () => {
    const other = { '//': { secretStore: { what: 'configurator' } }, metadata: [{ name: 'configure' }], spec: [{ schedule: '@hourly' }] };
    const marked = { '//': { secretStore: { what: 'raft-snapshots' } } };
    expectFires('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { other, plain: { metadata: [{ name: 'x' }] } }, kubernetes_config_map_v1: { marked } }), /no CronJob takes its Raft snapshots/);
  });
  it('fires for a job without a schedule or without an endpoint, naming the target', () => {
    const noSchedule = cronJob();
    noSchedule.spec = [{}];
    expectFires('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: noSchedule } }), /^kubernetes_cron_job_v1\.snap takes the secret store's snapshots but has no schedule$/);
    expectFires('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { target: {} } }) } }), /sends the secret store's snapshots to no endpoint, not over TLS/);
    expectOutcomes('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { target: { endpoint: 'https://s3', bucket: 'b' }, immutable: false } }) } }), [
      ['fail', 'kubernetes_cron_job_v1.snap writes the secret store\'s snapshots to b/, which is not immutable (object lock): anyone holding this site\'s keys could delete them'],
    ]);
  });
  it('says where the snapshots go, on which schedule and tier, and whether they are locked', () => {
    expectOutcomes('SEC-004', estate({ helm_release: { openbao: release(), second: release({ backupTier: 'silver' }) }, kubernetes_cron_job_v1: snapshots }), [
      ['pass', 'kubernetes_cron_job_v1.snap snapshots the secret store on "0 */4 * * *" (tier gold, silver) to dr: offsite-prod/openbao/prod/snapshots over TLS, object-locked'],
    ]);
    expectOutcomes('SEC-004', estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { target: { endpoint: 'https://s3' }, immutable: false } }) } }, 'development'), [
      ['pass', 'kubernetes_cron_job_v1.snap snapshots the secret store on "0 */4 * * *" (tier gold) to the other site: ?/ over TLS'],
    ]);
  });
  it('reads a stack without an environment record as not development', () => {
    const json = estate({ helm_release: { openbao: release() }, kubernetes_cron_job_v1: { snap: cronJob({ record: { immutable: false } }) } });
    delete json['//'].environment;
    expectFires('SEC-004', json, /which is not immutable/);
    const audit = estate({ helm_release: { openbao: release({ record: { ...auditShippingRecord(target, 'prod'), immutable: false } }) } });
    delete audit['//'].environment;
    expectFires('SEC-005', audit, /which is not immutable/);
  });
});

describe('SEC-005: the audit device, its shipper and its record', () => {
  const shipper = auditShipperContainer(target, 'prod', AUDIT_LOG, '/openbao/tls/ca.crt') as Json;
  it('reads file audit devices however the HCL is spaced', () => {
    expect(auditFilePaths('audit   "file"\n  "to-file"{\n  options {\n    file_path="/a.log"\n  }\n}\naudit "file" "second" {\n  options {\n    file_path =  "/b.log"\n  }\n}\n')).toEqual(['/a.log', '/b.log']);
  });
  it('counts a shipper of any one device (each device receives every event), and names every device when none is shipped', () => {
    const two = `${config}\naudit "file" "copy" {\n  options {\n    file_path = "/openbao/audit/copy.log"\n  }\n}\n`;
    expectOutcomes('SEC-005', estate({ helm_release: { openbao: release({ config: two }) } }), [
      ['pass', `helm_release openbao ships its audit log /openbao/audit/audit.log, /openbao/audit/copy.log over verified TLS to offsite-prod/${String(auditShippingRecord(target, 'prod').target.prefix)}, object-locked`],
    ]);
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ config: two, containers: [] }) } }), /tails the audit log \/openbao\/audit\/audit\.log, \/openbao\/audit\/copy\.log; it is kept/);
  });
  it('ignores containers that do not tail the log, and fires for a shipper that does not write to S3', () => {
    expectSilent('SEC-005', estate({ helm_release: { openbao: release({ containers: [null as unknown as Json, { name: 'metrics', args: ['-p', '9102'] }, shipper] }) } }));
    const stdout = { ...shipper, args: (shipper.args as string[]).map((a) => (a === 's3' ? 'stdout' : a)) };
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ containers: [stdout] }) } }), /container \S+ tails the audit log but ships it to no S3 store/);
  });
  it('takes only an audit-log record as the record of where the log goes', () => {
    expectFires('SEC-005', estate({ helm_release: { openbao: release({ record: { what: 'raft-snapshots', immutable: true } }) } }), /does not record where/);
  });
  it('says where the log goes, and whether it is locked; a development store may ship to an unlocked bucket', () => {
    expectOutcomes('SEC-005', estate({ helm_release: { openbao: release() } }), [
      ['pass', `helm_release openbao ships its audit log /openbao/audit/audit.log over verified TLS to offsite-prod/${String(auditShippingRecord(target, 'prod').target.prefix)}, object-locked`],
    ]);
    expectOutcomes('SEC-005', estate({ helm_release: { openbao: release({ record: { what: 'audit-log', immutable: false } }) } }, 'development'), [
      ['pass', 'helm_release openbao ships its audit log /openbao/audit/audit.log over verified TLS to ?/'],
    ]);
    expectOutcomes('SEC-005', estate({ helm_release: { openbao: release({ record: { what: 'audit-log', immutable: false } }) } }), [
      ['fail', 'helm_release openbao ships the audit log to ?/, which is not immutable (object lock): anyone holding its keys could delete it'],
    ]);
  });
});
