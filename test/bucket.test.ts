/**
 * Buckets and grants (constructs/storage/bucket.ts, user.ts, policy.ts): what a bucket allows,
 * who may use it and how, what is retained, and what each environment locks.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OBC_ADDITIONAL_CONFIG_FIELDS } from '../constructs/storage/ceph-platform';
import { Peer } from '../constructs/network/peer';
import { SegmentationError } from '../constructs/network/segmentation';
import { READ_ACTIONS, WRITE_ACTIONS, bucketLifecycle, bucketPolicy } from '../constructs/storage/policy';
import type { Bucket, BucketGrant } from '../constructs/storage/bucket';
import { assignBackupTier } from '../constructs/backup/coverage';
import { ConstructPropsError } from '../lib/errors';
import { sharingOf, statefulKindOf } from '../lib/markers';
import { diffSynthesized } from '../tools/review/config-diff';
import { hasDestructive } from '../tools/review/model';
import { loadSynthesized } from '../tools/review/synthesized';
import { validateManifest } from '../tools/validate/validator';
import { itWithSchemas } from './schemas';
import { loadEnvironments } from '../environments';
import { App } from '../lib/tf';
import { buildEstate, type EnvironmentStacks } from '../stacks/estate';
import type { ServicesStack } from '../stacks/services';
import { type Json, resourcesOf } from './helpers';

/** Builds the given environments, lets `declare` add to each one's services stack, synthesizes. */
function synthWith(selection: string[], declare: (services: ServicesStack, env: string) => void): { outdir: string; stack: (name: string) => Json; estate: EnvironmentStacks[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-bucket-'));
  const app = new App({ outdir });
  const estate = buildEstate(app, loadEnvironments(selection));
  for (const e of estate) declare(e.clusters[0]!.services, e.environment.name);
  app.synth();
  return { outdir, estate, stack: (name) => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) };
}

/** Builds without synthesizing, for constructor errors. */
function servicesOf(env: string): ServicesStack {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-bucket-')) });
  return buildEstate(app, loadEnvironments([env]))[0]!.clusters[0]!.services;
}

const claimResource = (json: Json, name: string): Json =>
  resourcesOf(json).find(([type, , b]) => type === 'kubernetes_manifest' && b.manifest.kind === 'ObjectBucketClaim' && b.manifest.metadata.name === name)![2];
const claimOf = (json: Json, name: string): Json => claimResource(json, name).manifest;
const policyOf = (json: Json, name: string): Json => JSON.parse(claimOf(json, name).spec.additionalConfig.bucketPolicy);
const jobOf = (json: Json, name: string): Json => (Object.values(json.resource.kubernetes_job_v1) as Json[]).find((j) => j.metadata.name === `${name}-configure`)!;
const usersOf = (json: Json): Json[] => resourcesOf(json).filter(([t, , b]) => t === 'kubernetes_manifest' && b.manifest.kind === 'CephObjectStoreUser').map(([, , b]) => b);
const policies = (json: Json): Json[] => Object.values(json.resource.kubernetes_network_policy_v1 as Record<string, Json>);

// One estate for most tests: prod, staging and dev, each with the same buckets and grants.
const grants: Record<string, Record<string, BucketGrant>> = {};
const buckets: Record<string, Record<string, Bucket>> = {};
const { stack } = synthWith(['dev', 'staging', 'prod'], (services, env) => {
  const store = services.objectStore;
  const pgBackups = store.addBucket('pg-backups', { name: 'pg-backups', namespace: 'postgres', purpose: 'backup', description: 'WAL and base backups of the Postgres clusters' });
  const trade = store.addBucket('trade-raw', { name: 'trade-raw', namespace: 'postgres', purpose: 'data', maxSize: '200Gi', maxObjects: 5000, labels: { 'moit.gov.vn/domain': 'trade' } });
  const archive = store.addBucket('archive', { name: 'trade-archive', namespace: 'postgres', purpose: 'archive', objectLock: { disabled: true, reason: 'Archive is re-exported from the trade domain each night; a lock would keep stale copies.' } });
  // Every stateful resource needs a backup tier (issue 9): the test buckets take the estate's gold.
  for (const b of [pgBackups, trade, archive]) assignBackupTier(b, 'gold');
  // The Postgres cluster "main" under the one name the estate gives its pods (two names are refused at synth).
  const pgMain = Peer.workload({ name: 'postgres-main', namespace: 'postgres', zone: 'data', selector: { 'cnpg.io/cluster': 'main', 'cnpg.io/podRole': 'instance' } });
  const writer = pgBackups.grantWrite({ name: 'pg-main', namespace: 'postgres', peer: pgMain });
  const reader = trade.grantRead({ name: 'importer', namespace: 'exchange', agreements: ['SA-2026-007'] });
  trade.grantWrite({ name: 'pg-main', namespace: 'postgres', peer: pgMain });
  grants[env] = { writer, reader };
  buckets[env] = { pgBackups, trade, archive };
});

describe('a bucket', () => {
  it('is an ObjectBucketClaim in its owner namespace on ceph-bucket-retain', () => {
    const claim = claimOf(stack('prod-core-services'), 'pg-backups');
    expect(claim.metadata.namespace).toBe('postgres');
    expect(claim.spec).toMatchObject({ bucketName: 'pg-backups', storageClassName: 'ceph-bucket-retain' });
  });

  itWithSchemas('writes claims, users, certificates and object stores that validate against the CRDs', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const json = stack(`${env}-core-services`);
      const mine = resourcesOf(json)
        .filter(([t, , b]) => t === 'kubernetes_manifest' && ['ObjectBucketClaim', 'CephObjectStoreUser', 'Certificate', 'CephObjectStore'].includes(b.manifest.kind))
        .map(([, , b]) => b.manifest);
      expect(mine.length).toBeGreaterThan(6);
      for (const m of mine) expect([m.kind, m.metadata.name, validateManifest(m)]).toEqual([m.kind, m.metadata.name, []]);
    }
  });

  it('uses only the claim fields the operator allows, as strings', () => {
    const config = claimOf(stack('prod-core-services'), 'trade-raw').spec.additionalConfig;
    expect(Object.keys(config).sort()).toEqual([...OBC_ADDITIONAL_CONFIG_FIELDS].sort());
    for (const value of Object.values(config)) expect(typeof value).toBe('string');
  });

  it('has quotas: its own, or the environment default', () => {
    expect(claimOf(stack('prod-core-services'), 'trade-raw').spec.additionalConfig).toMatchObject({ bucketMaxSize: '200Gi', bucketMaxObjects: '5000' });
    expect(claimOf(stack('prod-core-services'), 'pg-backups').spec.additionalConfig).toMatchObject({ bucketMaxSize: '5Ti', bucketMaxObjects: '10000000' });
    expect(claimOf(stack('dev-core-services'), 'pg-backups').spec.additionalConfig).toMatchObject({ bucketMaxSize: '50Gi', bucketMaxObjects: '1000000' });
  });

  it('has lifecycle rules: noncurrent versions expire, unfinished uploads are aborted, sorted by ID', () => {
    const lifecycle = JSON.parse(claimOf(stack('prod-core-services'), 'pg-backups').spec.additionalConfig.bucketLifecycle);
    expect(lifecycle.Rules.map((r: Json) => r.ID)).toEqual(['abort-incomplete-uploads', 'expire-noncurrent-versions', 'remove-expired-delete-markers']);
    expect(lifecycle.Rules[0]).toMatchObject({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } });
    expect(lifecycle.Rules[1]).toMatchObject({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } });
    expect(lifecycle.Rules.some((r: Json) => r.Expiration?.Days)).toBe(false);
    expect(bucketLifecycle({ noncurrentVersionExpirationDays: 1, abortIncompleteUploadDays: 1, currentVersionExpirationDays: 3650 }).Rules.map((r) => r.ID)).toEqual([
      'abort-incomplete-uploads',
      'expire-current-versions',
      'expire-noncurrent-versions',
      'remove-expired-delete-markers',
    ]);
  });

  it('denies every request not made over TLS, whoever makes it', () => {
    for (const name of ['pg-backups', 'trade-raw', 'trade-archive']) {
      const [deny] = policyOf(stack('prod-core-services'), name).Statement;
      expect(deny).toEqual({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: { AWS: ['*'] },
        Action: ['s3:*'],
        Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
        // RGW leaves aws:SecureTransport unset on plain requests: IfExists makes "unset" deny too.
        Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('allows no anonymous or public access: no Allow names a wildcard, and public access is blocked on the bucket', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      for (const name of ['pg-backups', 'trade-raw', 'trade-archive']) {
        const allows = policyOf(stack(`${env}-core-services`), name).Statement.filter((s: Json) => s.Effect === 'Allow');
        for (const s of allows) {
          expect(JSON.stringify(s.Principal)).not.toContain('*');
          expect(s.Principal.AWS).toHaveLength(1);
        }
        const script = jobOf(stack(`${env}-core-services`), name).spec.template.spec.container[0].command[2];
        expect(script).toContain('put-public-access-block --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true');
      }
    }
    expect(() => bucketPolicy('b', [{ userId: '*', access: 'read' }])).toThrow(/a grant must name one user/);
  });

  it('turns versioning on, in every environment, and checks that it stuck', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const job = jobOf(stack(`${env}-core-services`), 'trade-raw');
      const script: string = job.spec.template.spec.container[0].command[2];
      expect(script).toContain('s3 put-bucket-versioning --versioning-configuration Status=Enabled');
      expect(script).toContain('test "$(s3 get-bucket-versioning --query Status --output text)" = Enabled');
      expect(job.wait_for_completion).toBe(true);
      expect(claimOf(stack(`${env}-core-services`), 'trade-raw').metadata.annotations['moit.gov.vn/versioning']).toBe('enabled');
    }
  });

  it('locks backup buckets in prod (COMPLIANCE, the environment default), not data buckets, and not in dev or staging', () => {
    const prod = stack('prod-core-services');
    const script = (json: Json, name: string): string => jobOf(json, name).spec.template.spec.container[0].command[2];
    expect(script(prod, 'pg-backups')).toContain(`put-object-lock-configuration --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Days":35}}}'`);
    expect(script(prod, 'pg-backups')).toContain('DefaultRetention.Days --output text)" = 35');
    expect(claimOf(prod, 'pg-backups').metadata.annotations['moit.gov.vn/object-lock']).toBe('COMPLIANCE 35d');
    expect(buckets.prod!.pgBackups!.objectLock).toEqual({ mode: 'COMPLIANCE', days: 35 });
    expect(script(prod, 'trade-raw')).not.toContain('object-lock');
    for (const env of ['dev', 'staging']) {
      expect(script(stack(`${env}-core-services`), 'pg-backups')).not.toContain('object-lock');
      expect(claimOf(stack(`${env}-core-services`), 'pg-backups').metadata.annotations['moit.gov.vn/object-lock']).toBe('none');
    }
  });

  it('records an opt-out from the default lock with its reason, for the audit', () => {
    const claim = claimOf(stack('prod-core-services'), 'trade-archive');
    expect(claim.metadata.annotations['moit.gov.vn/object-lock']).toBe('none');
    expect(claim.metadata.annotations['moit.gov.vn/object-lock-exception']).toMatch(/re-exported from the trade domain/);
    expect(claimOf(stack('staging-core-services'), 'trade-archive').metadata.annotations['moit.gov.vn/object-lock-exception']).toBeUndefined();
  });

  it('cannot be removed by a plan outside dev: prevent_destroy and the bucket marker the deploy guard reads', () => {
    for (const env of ['staging', 'prod']) {
      const claim = claimResource(stack(`${env}-core-services`), 'pg-backups');
      expect(claim.lifecycle).toEqual({ prevent_destroy: true });
      expect(statefulKindOf(claim)).toBe('bucket');
    }
    const dev = claimResource(stack('dev-core-services'), 'pg-backups');
    expect(dev.lifecycle).toBeUndefined();
    expect(statefulKindOf(dev)).toBe('bucket');
  });

  it('shows up, when removed from the code, as a destructive change the deploy guard refuses', () => {
    // GIVEN prod with a bucket, WHEN the next version of the code no longer declares it
    const base = synthWith(['prod'], (services) => {
      assignBackupTier(services.objectStore.addBucket('ledger', { name: 'trade-ledger', namespace: 'postgres', purpose: 'archive' }), 'gold');
    });
    const head = synthWith(['prod'], () => undefined);
    const report = diffSynthesized(loadSynthesized(base.outdir), loadSynthesized(head.outdir), { baseLabel: 'base', headLabel: 'head' });
    // THEN the claim's deletion is a destructive finding on its stateful marker
    const claimAddress = `kubernetes_manifest.${resourcesOf(base.stack('prod-core-services')).find(([t, , b]) => t === 'kubernetes_manifest' && b.manifest.metadata?.name === 'trade-ledger' && b.manifest.kind === 'ObjectBucketClaim')![1]}`;
    const findings = report.findings.filter((f) => f.address === claimAddress);
    expect(findings.map((f) => [f.rule, f.severity])).toContainEqual(['stateful-destroyed', 'destructive']);
    expect(hasDestructive(report)).toBe(true);
    // AND Terraform itself refuses the plan: the claim carries prevent_destroy.
    expect(claimResource(base.stack('prod-core-services'), 'trade-ledger').lifecycle).toEqual({ prevent_destroy: true });
  });

  it('runs its configurator under restricted Pod Security with no API token, in the owner zone, reaching only the gateways', () => {
    const job = jobOf(stack('prod-core-services'), 'pg-backups');
    const pod = job.spec.template.spec;
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.security_context).toMatchObject({ run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } });
    expect(pod.container[0].security_context).toEqual({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.container[0].image).toBe('docker.io/amazon/aws-cli:2.27.50');
    expect(pod.node_selector).toEqual({ 'moit.gov.vn/zone': 'data' });
    expect(pod.container[0].env.find((e: Json) => e.name === 'AWS_ACCESS_KEY_ID').value_from.secret_key_ref).toEqual({ name: 'pg-backups', key: 'AWS_ACCESS_KEY_ID' });
    expect(pod.container[0].env.find((e: Json) => e.name === 'AWS_CA_BUNDLE').value).toBe('/etc/internal-ca/ca.crt');
    const egress = policies(stack('prod-core-services')).find((p) => p.metadata.namespace === 'postgres' && p.spec.pod_selector.match_labels?.['moit.gov.vn/bucket-configurator'] === 'pg-backups')!;
    expect(egress.spec.egress).toEqual([
      {
        to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'rook-ceph' } }, pod_selector: { match_labels: { app: 'rook-ceph-rgw', rgw: 'dc-objectstore' } } }],
        ports: [{ port: '443', protocol: 'TCP' }],
      },
    ]);
  });
});

describe('grants', () => {
  it('give each consumer one user in its own namespace: no admin capabilities, no bucket creation, the op-mask of its access', () => {
    const users = usersOf(stack('prod-core-services'));
    const mine = users.filter((u) => ['exchange-importer', 'postgres-pg-main'].includes(u.manifest.metadata.name));
    expect(mine.map((u) => `${u.manifest.metadata.namespace}/${u.manifest.metadata.name}`).sort()).toEqual(['exchange/exchange-importer', 'postgres/postgres-pg-main']);
    // Every user of the store, whoever declared it, has no admin capabilities and cannot create buckets.
    for (const u of users) {
      expect(u.manifest.spec.capabilities).toBeUndefined();
      expect(u.manifest.spec.quotas).toEqual({ maxBuckets: -1 });
    }
    const importer = users.find((u) => u.manifest.metadata.name === 'exchange-importer')!.manifest;
    expect(importer.spec).toEqual({
      store: 'dc-objectstore',
      clusterNamespace: 'rook-ceph',
      displayName: 'importer (namespace exchange)',
      quotas: { maxBuckets: -1 },
      opMask: ['read'],
    });
    expect(importer.spec.capabilities).toBeUndefined();
    // pg-main writes two buckets: still one user.
    expect(users.find((u) => u.manifest.metadata.name === 'postgres-pg-main')!.manifest.spec.opMask).toEqual(['read', 'write', 'delete']);
  });

  it('are created after the store and before the claim whose policy names them', () => {
    const json = stack('prod-core-services');
    const address = (kind: string, name: string) =>
      `kubernetes_manifest.${resourcesOf(json).find(([t, , b]) => t === 'kubernetes_manifest' && b.manifest.kind === kind && b.manifest.metadata.name === name)![1]}`;
    expect(claimResource(json, 'trade-raw').depends_on).toEqual(
      expect.arrayContaining([address('CephObjectStore', 'dc-objectstore'), address('CephObjectStoreUser', 'exchange-importer'), address('CephObjectStoreUser', 'postgres-pg-main')]),
    );
    expect(usersOf(json).find((u) => u.manifest.metadata.name === 'exchange-importer')!.depends_on).toEqual([address('CephObjectStore', 'dc-objectstore')]);
  });

  it('let the object store create users only in the namespaces that hold one', () => {
    const store = resourcesOf(stack('prod-core-services')).find(([t, , b]) => t === 'kubernetes_manifest' && b.manifest.kind === 'CephObjectStore')![2];
    const namespaces = [...new Set(usersOf(stack('prod-core-services')).map((u) => u.manifest.metadata.namespace as string))].sort();
    expect(namespaces).toEqual(expect.arrayContaining(['exchange', 'postgres']));
    expect(store.manifest.spec.allowUsersInNamespaces).toEqual(namespaces);
  });

  it('give a reader exactly the read actions on that bucket, for its user only', () => {
    const statements = policyOf(stack('prod-core-services'), 'trade-raw').Statement;
    const read = statements.find((s: Json) => s.Principal.AWS[0] === 'arn:aws:iam:::user/exchange-importer');
    expect(read).toEqual({
      Sid: 'ReadExchangeImporter',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam:::user/exchange-importer'] },
      Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions'],
      Resource: ['arn:aws:s3:::trade-raw', 'arn:aws:s3:::trade-raw/*'],
    });
    expect(read.Action).toEqual(READ_ACTIONS);
    // The reader has nothing on the backup bucket.
    expect(JSON.stringify(policyOf(stack('prod-core-services'), 'pg-backups'))).not.toContain('exchange-importer');
  });

  it('give a writer read and write, never permanent deletion or control of the bucket', () => {
    const write = policyOf(stack('prod-core-services'), 'pg-backups').Statement.find((s: Json) => s.Effect === 'Allow');
    expect(write.Principal).toEqual({ AWS: ['arn:aws:iam:::user/postgres-pg-main'] });
    expect(write.Action).toEqual(WRITE_ACTIONS);
    expect(write.Action).toEqual(expect.arrayContaining([...READ_ACTIONS, 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']));
    for (const never of ['s3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration', 's3:PutBucketAcl', 's3:PutObjectAcl', 's3:BypassGovernanceRetention', 's3:PutObjectRetention', 's3:PutBucketObjectLockConfiguration', 's3:DeleteBucket', 's3:*']) {
      expect(write.Action).not.toContain(never);
    }
  });

  it('return where the credentials and the CA appear in the consumer namespace', () => {
    const { reader, writer } = grants.prod!;
    expect(reader).toMatchObject({
      access: 'read',
      bucketName: 'trade-raw',
      endpoint: 'https://rook-ceph-rgw-dc-objectstore.rook-ceph.svc',
      userId: 'exchange-importer',
      credentials: { namespace: 'exchange', secretName: 'rook-ceph-object-user-dc-objectstore-exchange-importer', accessKeyIdKey: 'AccessKey', secretAccessKeyKey: 'SecretKey', endpointKey: 'Endpoint' },
      caBundle: { namespace: 'exchange', secretName: 'dc-internal-ca-bundle', key: 'ca.crt' },
    });
    expect(writer.credentials.secretName).toBe('rook-ceph-object-user-dc-objectstore-postgres-pg-main');
    const bundles = resourcesOf(stack('prod-core-services')).filter(([t, , b]) => t === 'kubernetes_manifest' && b.manifest.metadata.name === 'dc-internal-ca-bundle');
    expect(bundles.map(([, , b]) => b.manifest.metadata.namespace)).toEqual(expect.arrayContaining(['exchange', 'postgres']));
    expect(bundles[0]![2].manifest.spec).toMatchObject({ secretName: 'dc-internal-ca-bundle', usages: ['digital signature'], issuerRef: { name: 'dc-internal-ca', kind: 'ClusterIssuer' } });
  });

  it('declare the flow from the consumer to the gateways on 443, from its own pods or the default selector', () => {
    const json = stack('prod-core-services');
    const into = policies(json).filter((p) => p.metadata.namespace === 'rook-ceph' && p.spec.pod_selector.match_labels?.app === 'rook-ceph-rgw');
    const sources = into.map((p) => JSON.stringify(p.spec.ingress[0].from[0])).sort();
    expect(sources).toContain(JSON.stringify({ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'exchange' } }, pod_selector: { match_labels: { 'app.kubernetes.io/name': 'importer' } } }));
    expect(sources).toContain(JSON.stringify({ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'postgres' } }, pod_selector: { match_labels: { 'cnpg.io/cluster': 'main', 'cnpg.io/podRole': 'instance' } } }));
    for (const p of into) expect(p.spec.ingress[0].ports).toEqual([{ port: '443', protocol: 'TCP' }]);
  });

  it('record the sharing agreements they come from on the user and the bucket', () => {
    const json = stack('prod-core-services');
    const importer = usersOf(json).find((u) => u.manifest.metadata.name === 'exchange-importer')!;
    expect(sharingOf(importer)).toEqual(['SA-2026-007']);
    expect(sharingOf(claimResource(json, 'trade-raw'))).toEqual(['SA-2026-007']);
    expect(sharingOf(claimResource(json, 'pg-backups'))).toEqual([]);
  });

  it('never narrow: a read grant after a write grant leaves write', () => {
    const services = servicesOf('dev');
    const bucket = services.objectStore.addBucket('b', { name: 'shared-data', namespace: 'postgres', purpose: 'data' });
    bucket.grantWrite({ name: 'etl', namespace: 'postgres' });
    expect(bucket.grantRead({ name: 'etl', namespace: 'postgres' }).access).toBe('write');
    expect(bucket.grantees).toEqual([{ userId: 'postgres-etl', access: 'write' }]);
  });
});

describe('bucket validation', () => {
  const add = (options: Record<string, unknown>) => () => servicesOf('prod').objectStore.addBucket('b', { name: 'ok-name', namespace: 'postgres', purpose: 'data', ...options } as any);

  it('accepts a plain bucket', () => {
    expect(add({})).not.toThrow();
  });

  it('refuses names S3 or TLS cannot take, saying what is allowed', () => {
    expect(add({ name: 'Trade_Raw' })).toThrow(ConstructPropsError);
    expect(add({ name: 'trade.raw' })).toThrow(/name: must be 3-63 lower-case letters, digits and "-".*got "trade.raw"/);
    expect(add({ name: 'ab' })).toThrow(/got "ab"/);
  });

  it('refuses a namespace the cluster does not plan', () => {
    expect(add({ namespace: 'nowhere' })).toThrow(/namespace "nowhere" is not in the cluster layout/);
  });

  it('refuses a bad quota or retention', () => {
    expect(add({ maxSize: '2 TB' })).toThrow(/maxSize: must be a whole size.*got "2 TB"/);
    expect(add({ maxObjects: 0 })).toThrow(/maxObjects: must be a whole number >= 1, got 0/);
    expect(add({ noncurrentVersionExpirationDays: 0 })).toThrow(/noncurrentVersionExpirationDays: must be a whole number of days/);
  });

  it('refuses the same bucket name twice in a store', () => {
    const store = servicesOf('prod').objectStore;
    store.addBucket('one', { name: 'same', namespace: 'postgres', purpose: 'data' });
    expect(() => store.addBucket('two', { name: 'same', namespace: 'postgres', purpose: 'data' })).toThrow(/bucket name "same" is already used by/);
  });

  it('wants a reason to opt out of a lock, and records only opt-outs that take effect', () => {
    const store = servicesOf('prod').objectStore;
    expect(() => store.addBucket('a', { name: 'bk-a', namespace: 'postgres', purpose: 'backup', objectLock: { disabled: true, reason: 'no' } })).toThrow(/objectLock.reason: must say in at least 10 characters/);
    // Where nothing would be locked, an opt-out changes nothing and records no exception.
    const plain = store.addBucket('b', { name: 'bk-b', namespace: 'postgres', purpose: 'data', objectLock: { disabled: true, reason: 'not a backup bucket at all' } });
    expect(plain.objectLock).toBeUndefined();
    expect((plain.claim.object.metadata.annotations ?? {})['moit.gov.vn/object-lock-exception']).toBeUndefined();
    expect(() => store.addBucket('c', { name: 'bk-c', namespace: 'postgres', purpose: 'backup', objectLock: { mode: 'GOVERNANCE', days: 7 } })).not.toThrow();
    expect(store.bucket('bk-c')!.objectLock).toEqual({ mode: 'GOVERNANCE', days: 7 });
  });

  it('refuses a consumer name that cannot name a user', () => {
    const bucket = servicesOf('prod').objectStore.addBucket('b', { name: 'bkt', namespace: 'postgres', purpose: 'data' });
    expect(() => bucket.grantRead({ name: 'Bad.Name', namespace: 'postgres' })).toThrow(/consumer name must be a lower-case DNS label/);
    expect(() => bucket.grantRead({ name: 'app', namespace: 'nowhere' })).toThrow(/not in the cluster layout/);
  });

  it('refuses two consumers that would share one user id', () => {
    // "rook-ceph" + "system-x" and "rook-ceph-system" + "x" would both be the user rook-ceph-system-x.
    const shared = servicesOf('dev').objectStore.addBucket('s', { name: 'bk-s', namespace: 'postgres', purpose: 'data' });
    shared.grantRead({ name: 'system-x', namespace: 'rook-ceph' });
    expect(() => shared.grantRead({ name: 'x', namespace: 'rook-ceph-system' })).toThrow(
      /consumer "x" in namespace "rook-ceph-system" would share the object-store user "rook-ceph-system-x" with consumer "system-x" in namespace "rook-ceph"/,
    );
    expect(() => shared.grantRead({ name: 'system-x', namespace: 'rook-ceph' })).not.toThrow();
  });

  it('keeps the dmz away from buckets: a dmz owner fails the synth on the zone rule', () => {
    expect(() =>
      synthWith(['dev'], (services) => {
        assignBackupTier(services.objectStore.addBucket('edge', { name: 'edge-uploads', namespace: 'gateway', purpose: 'data' }), 'gold');
      }),
    ).toThrow(SegmentationError);
  });
});
