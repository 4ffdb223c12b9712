/** Compliant objects in the shapes the constructs synthesize; tests break one property at a time. */
import type { Json } from './fixture';

export const namespace = (name: string, zone: string, labels: Json = {}, annotations: Json = {}): Json => ({
  '//': { metadata: { path: `prod-core-platform/namespaces/${name}/namespace` } },
  metadata: {
    name,
    labels: { 'moit.gov.vn/zone': zone, 'pod-security.kubernetes.io/enforce': 'restricted', ...labels },
    annotations: { 'moit.gov.vn/purpose': 'test', ...annotations },
  },
});

export const defaultDeny = (ns: string): Json => ({
  '//': { metadata: { path: `prod-core-platform/namespaces/${ns}/default-deny` } },
  metadata: { name: 'default-deny', namespace: ns },
  spec: { pod_selector: {}, policy_types: ['Ingress', 'Egress'] },
});

export const flowPolicy = (ns: string, peer: Json, annotations: Json = {}): Json => ({
  '//': { metadata: { path: 'prod-core-services/segmentation/flow-in' } },
  metadata: { name: 'flow-in', namespace: ns, annotations },
  spec: { pod_selector: { match_labels: { app: 'db' } }, policy_types: ['Ingress'], ingress: [{ from: [peer], ports: [{ port: '5432', protocol: 'TCP' }] }] },
});

export const kafka = (overrides: { listeners?: Json[]; authorization?: Json | undefined } = {}): Json => ({
  apiVersion: 'kafka.strimzi.io/v1',
  kind: 'Kafka',
  metadata: { name: 'events', namespace: 'kafka' },
  spec: {
    kafka: {
      version: '4.3.1',
      listeners: overrides.listeners ?? [{ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'tls' } }],
      ...('authorization' in overrides ? (overrides.authorization ? { authorization: overrides.authorization } : {}) : { authorization: { type: 'simple' } }),
    },
  },
});

export const TLS_ONLY_HBA = ['hostssl all all 0.0.0.0/0 scram-sha-256', 'hostssl all all ::/0 scram-sha-256', 'host all all 0.0.0.0/0 reject', 'host all all ::/0 reject'];

export const pgCluster = (spec: Json = {}): Json => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'main', namespace: 'postgres' },
  spec: {
    instances: 3,
    enableSuperuserAccess: false,
    postgresql: { pg_hba: TLS_ONLY_HBA, parameters: { password_encryption: 'scram-sha-256' } },
    plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'main-backup' } }],
    ...spec,
  },
});

export const objectStore = (spec: Json = {}): Json => ({
  apiVersion: 'barmancloud.cnpg.io/v1',
  kind: 'ObjectStore',
  metadata: { name: 'main-backup', namespace: 'postgres' },
  spec: { retentionPolicy: '30d', configuration: { destinationPath: 's3://pg-main-backup/' }, ...spec },
});

export const scheduledBackup = (spec: Json = {}): Json => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'ScheduledBackup',
  metadata: { name: 'main-daily', namespace: 'postgres' },
  spec: { schedule: '0 0 2 * * *', cluster: { name: 'main' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' }, ...spec },
});

export const TLS_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: { AWS: ['*'] }, Action: ['s3:*'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } },
    { Sid: 'ReadApp', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam:::user/app'] }, Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/*'] },
  ],
});

export const bucketClaim = (name: string, purpose = 'data', annotations: Json = {}, policy = TLS_POLICY): Json => ({
  apiVersion: 'objectbucket.io/v1alpha1',
  kind: 'ObjectBucketClaim',
  metadata: { name, namespace: 'postgres', labels: { 'moit.gov.vn/bucket-purpose': purpose }, annotations },
  spec: { bucketName: name, storageClassName: 'ceph-bucket-retain', additionalConfig: { bucketPolicy: policy } },
});

export const configuratorJob = (bucket: string, script: string): Json => ({
  '//': { metadata: { path: `prod-core-services/object-store/${bucket}/configure` } },
  metadata: { name: `${bucket}-configure`, namespace: 'postgres', labels: { 'moit.gov.vn/bucket-configurator': bucket } },
  spec: { template: { spec: { container: [{ name: 'configure', command: ['/bin/sh', '-ec', script] }] } } },
});

export const VERSIONING_SCRIPT = 's3 put-bucket-versioning --versioning-configuration Status=Enabled\ntest "$(s3 get-bucket-versioning --query Status --output text)" = Enabled';
export const LOCK_SCRIPT = `${VERSIONING_SCRIPT}\ns3 put-object-lock-configuration --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Days":30}}}'\ntest "$(s3 get-object-lock-configuration --query ObjectLockConfiguration.Rule.DefaultRetention.Mode --output text)" = COMPLIANCE`;

export const controlPlane = (extraArgs: Json[]): Json => ({
  apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
  kind: 'KubeadmControlPlane',
  metadata: { name: 'core-cp', namespace: 'capi-prod' },
  spec: { replicas: 3, version: 'v1.35.2', kubeadmConfigSpec: { clusterConfiguration: { apiServer: { extraArgs } } } },
});

export const AUDIT_ARGS = (maxage: string) => [
  { name: 'audit-log-path', value: '/var/log/kubernetes/audit/audit.log' },
  { name: 'audit-policy-file', value: '/etc/kubernetes/audit-policy.yaml' },
  { name: 'audit-log-maxage', value: maxage },
];

/** The stateful marker and destroy protection retain() writes. */
export const RETAINED = [{ stateful: 'postgres', backupTier: 'gold' }, { lifecycle: { prevent_destroy: true } }] as const;
