import { expectFires, expectOutcomes, expectSilent, manifests, run, stack } from './fixture';
import { bucketClaim, configuratorJob, LOCK_SCRIPT, TLS_POLICY, VERSIONING_SCRIPT } from './objects';
import { policyProblem } from '../../policy/audit/rules/OBJ-002-bucket-tls-only-policy';

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

describe('OBJ-001..003: the evidence, and each part of each check', () => {
  it('OBJ-001 wants versioning both enabled and verified, and says which Job does it', () => {
    expectFires('OBJ-001', withJob(bucketClaim('raw'), 'test "$(s3 get-bucket-versioning)" = Enabled'), /Job raw-configure does not both enable/);
    expectFires('OBJ-001', withJob(bucketClaim('raw'), 's3 put-bucket-versioning --versioning-configuration Status=Suspended; s3 get-bucket-versioning'), /does not both enable/);
    expectFires('OBJ-001', withJob(bucketClaim('raw'), 's3 put-bucket-tagging Status=Enabled; s3 get-bucket-versioning'), /does not both enable/);
    expectOutcomes('OBJ-001', withJob(bucketClaim('raw'), VERSIONING_SCRIPT), [['pass', 'ObjectBucketClaim postgres/raw (bucket raw): Job raw-configure enables versioning and verifies it']]);
  });
  const deny = (change: Record<string, unknown> = {}) => ({ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, ...change });
  const policy = (...statements: unknown[]) => JSON.stringify({ Statement: statements });
  const NO_DENY = 'has a bucketPolicy without a statement denying s3:* to every principal when aws:SecureTransport is false';
  it.each([
    ['a Deny to "*", of "s3:*", under Bool', policy(null, deny()), undefined],
    ['a Deny to {AWS: "*"} under BoolIfExists, with a boolean false', policy(deny({ Principal: { AWS: '*' }, Condition: { BoolIfExists: { 'aws:SecureTransport': false } } })), undefined],
    ['"FALSE" in capitals', policy(deny({ Condition: { Bool: { 'aws:SecureTransport': 'FALSE' } } })), undefined],
    ['text that is not JSON', '{"Statement": [', 'has a bucketPolicy that is not JSON'],
    ['JSON that is not an object', 'null', NO_DENY],
    ['an Allow in place of the Deny', policy(deny({ Effect: 'Allow' })), NO_DENY],
    ['a Deny to named principals only', policy(deny({ Principal: { AWS: ['arn:aws:iam:::user/app'] } })), NO_DENY],
    ['a Deny of some actions only', policy(deny({ Action: ['s3:GetObject'] })), NO_DENY],
    ['a Deny without a condition', policy(deny({ Condition: undefined })), NO_DENY],
    ['a Deny of TLS requests', policy(deny({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })), NO_DENY],
    ['a Deny under another operator', policy(deny({ Condition: { StringEquals: { 'aws:SecureTransport': 'false' } } })), NO_DENY],
    ['a public Allow without a Sid', policy(deny(), { Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 's3:GetObject' }), 'allows every principal (statement ?): public access'],
  ])('policyProblem: %s', (_name, text, problem) => {
    expect(policyProblem(text)).toEqual(problem);
  });
  it('OBJ-002 says what the policy guarantees', () => {
    expectOutcomes('OBJ-002', stack(manifests(bucketClaim('raw'))), [['pass', 'ObjectBucketClaim postgres/raw denies every request not made over TLS and names each principal']]);
    expectFires('OBJ-002', stack(manifests({ ...bucketClaim('raw'), spec: { bucketName: 'raw' } })), /^ObjectBucketClaim postgres\/raw has no bucketPolicy in spec.additionalConfig; use bucketPolicy\(\)/);
  });
  it('OBJ-003 judges backup and archive buckets in production and recovery, and says why each passes', () => {
    const recovery = { name: 'dr', class: 'recovery', securityLevel: 4 };
    expectOutcomes('OBJ-003', stack({ ...manifests(bucketClaim('pg-backup', 'backup'), bucketClaim('old', 'archive'), bucketClaim('raw', 'data'), { ...bucketClaim('bare'), metadata: { name: 'bare', namespace: 'postgres' } }), kubernetes_job_v1: { a: configuratorJob('pg-backup', LOCK_SCRIPT) } }, recovery), [
      ['pass', 'ObjectBucketClaim postgres/pg-backup (backup bucket pg-backup, recovery) is locked (WORM) by its configurator Job, which verifies the default retention'],
      ['fail', 'ObjectBucketClaim postgres/old (archive bucket old, recovery) has no object lock applied and verified by its configurator Job; keep the Bucket default (COMPLIANCE lock) or record objectLock: { disabled: true, reason }'],
    ]);
    const json = withJob(bucketClaim('pg-backup', 'backup'), VERSIONING_SCRIPT);
    delete json['//'].environment;
    expect(run('OBJ-003', json)).toEqual([]);
  });
  it('OBJ-003 wants the lock applied and verified, and an exception reason of ten characters without surrounding spaces', () => {
    expectFires('OBJ-003', withJob(bucketClaim('pg-backup', 'backup'), LOCK_SCRIPT.replace('get-object-lock-configuration', 'true')), /has no object lock/);
    expectFires('OBJ-003', withJob(bucketClaim('pg-backup', 'backup'), LOCK_SCRIPT.replace('"ObjectLockEnabled"', '"Mode"')), /has no object lock/);
    expectFires('OBJ-003', withJob(bucketClaim('pg-backup', 'backup'), VERSIONING_SCRIPT.concat(' get-object-lock-configuration ObjectLockEnabled')), /has no object lock/);
    expectFires('OBJ-003', withJob(bucketClaim('pg-backup', 'backup', { 'moit.gov.vn/object-lock-exception': '   Nine char   ' }), VERSIONING_SCRIPT), /has no object lock/);
    expectOutcomes('OBJ-003', withJob(bucketClaim('pg-backup', 'backup', { 'moit.gov.vn/object-lock-exception': '  Ten chars.  ' }), VERSIONING_SCRIPT), [
      ['excepted', 'ObjectBucketClaim postgres/pg-backup (backup bucket pg-backup, production) is not locked by declared exception: Ten chars.'],
    ]);
  });
});
