import { auditShipperContainer, auditShippingRecord } from '../../constructs/secrets/openbao-backup';
import { AUDIT_LOG, openBaoConfig } from '../../constructs/secrets/openbao';
import type { OffsiteTarget } from '../../environments/sections/backup';
import { expectFires, expectSilent, stack, type Json } from './fixture';

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
