import { expectFires, expectOutcomes, expectSilent, manifests, run, stack } from './fixture';
import { bucketClaim, configuratorJob, LOCK_SCRIPT, TLS_POLICY, VERSIONING_SCRIPT } from './objects';

const withJob = (claim: Record<string, any>, script: string | undefined) =>
  stack({ ...manifests(claim), ...(script ? { kubernetes_job_v1: { job: configuratorJob(claim.metadata.name, script) } } : {}) });

describe('OBJ-001 bucket versioning', () => {
  it('fires for a claim without a configurator Job, and for a Job that does not verify versioning', () => {
    expectFires('OBJ-001', withJob(bucketClaim('raw'), undefined), /bucket raw\) has no configurator Job/);
    expectFires('OBJ-001', withJob(bucketClaim('raw'), 's3 put-bucket-versioning --versioning-configuration Status=Enabled'), /does not both enable .* and verify/);
  });
  it('is silent when the configurator enables and verifies versioning', () => expectSilent('OBJ-001', withJob(bucketClaim('raw'), VERSIONING_SCRIPT)));
});

describe('OBJ-002 TLS-only bucket policy', () => {
  const allowAll = JSON.stringify({ Statement: [...JSON.parse(TLS_POLICY).Statement, { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
  const noDeny = JSON.stringify({ Statement: [JSON.parse(TLS_POLICY).Statement[1]] });
  it.each([
    ['no policy', '', /has no bucketPolicy/],
    ['a policy without the TLS deny', noDeny, /without a statement denying s3:\* .* aws:SecureTransport is false/],
    ['a public Allow', allowAll, /allows every principal \(statement Public\)/],
  ])('fires for %s', (_n, policy, pattern) => expectFires('OBJ-002', stack(manifests(bucketClaim('raw', 'data', {}, policy))), pattern));
  it('is silent for a TLS deny and named principals', () => expectSilent('OBJ-002', stack(manifests(bucketClaim('raw')))));
});

describe('OBJ-003 object lock on backup buckets in production', () => {
  it('fires for a production backup bucket without a lock', () => {
    expectFires('OBJ-003', withJob(bucketClaim('pg-backup', 'backup'), VERSIONING_SCRIPT), /backup bucket pg-backup, production\) has no object lock/);
  });
  it('is silent when locked, reports an opt-out with a reason as an exception, and does not apply to data buckets or staging', () => {
    expectSilent('OBJ-003', withJob(bucketClaim('pg-backup', 'backup'), LOCK_SCRIPT));
    const optOut = run('OBJ-003', withJob(bucketClaim('velero', 'backup', { 'moit.gov.vn/object-lock-exception': 'Velero cannot write to locked buckets (velero#8686)' }), VERSIONING_SCRIPT));
    expect(optOut.map((o) => [o.status, o.exception?.kind])).toEqual([['excepted', 'object-lock']]);
    expect(run('OBJ-003', withJob(bucketClaim('raw', 'data'), VERSIONING_SCRIPT))).toEqual([]);
    expect(run('OBJ-003', stack(manifests(bucketClaim('pg-backup', 'backup')), { name: 'staging', class: 'staging', securityLevel: 3 }))).toEqual([]);
  });
});

describe('RET-003 claims in the data zone retain their data', () => {
  const pvc = (namespace: string, storageClassName?: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace }, spec: { ...(storageClassName ? { storageClassName } : {}), resources: { requests: { storage: '1Gi' } } } });
  it('fires for a volume claim in the data zone on the default or a deleting class, and for a bucket claim on a deleting class', () => {
    expectFires('RET-003', stack(manifests(pvc('postgres'))), /PersistentVolumeClaim postgres\/data.* in zone data uses the default StorageClass; name one of ceph-rbd-retain, ceph-bucket-retain/);
    expectFires('RET-003', stack(manifests(pvc('kafka', 'ceph-rbd'))), /uses StorageClass "ceph-rbd"/);
    expectFires('RET-003', stack(manifests({ ...bucketClaim('raw'), spec: { bucketName: 'raw', storageClassName: 'ceph-bucket' } })), /ObjectBucketClaim postgres\/raw.* uses StorageClass "ceph-bucket"/);
  });
  it('is silent for retaining classes, and does not judge claims outside the data zone', () => {
    expectSilent('RET-003', stack(manifests(pvc('postgres', 'ceph-rbd-retain'), bucketClaim('raw'))));
    expect(run('RET-003', stack(manifests(pvc('app-trade'))))).toEqual([]);
  });
  it('names the retaining class of each claim it passes', () => {
    expectOutcomes('RET-003', stack(manifests(pvc('postgres', 'ceph-rbd-retain'))), [['pass', 'PersistentVolumeClaim postgres/data uses the retaining class ceph-rbd-retain']]);
  });
});
