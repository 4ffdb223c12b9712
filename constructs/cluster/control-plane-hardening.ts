/**
 * The hardened control plane of every Cluster API cluster, as the parts of a
 * KubeadmControlPlane `kubeadmConfigSpec` (CAPI v1beta2: extraArgs are lists of {name, value}).
 *
 * What it sets, and why:
 * - API-server audit logging with the policy of audit-policy.ts, rotated and kept for the
 *   retention of the environment's security level;
 * - encryption at rest of Secrets: an EncryptionConfiguration read from a Secret provisioned
 *   on the management cluster beforehand, so the key never passes through code or state;
 * - no anonymous requests except the health probes kubeadm's static-pod probes make and the
 *   cluster-info discovery of joining nodes (see `authenticationConfiguration`), user tokens
 *   from the ministry's identity provider only (`jwtAuthenticator`), `authorization-mode=Node,RBAC`,
 *   NodeRestriction;
 * - Pod Security admission defaulting every namespace to `restricted`, only kube-system exempt;
 * - TLS 1.2 or newer with forward-secret AEAD suites only, and no profiling endpoints, on the
 *   API server, controller manager, scheduler and kubelets.
 */
import { stringify } from 'yaml';
import { OIDC_PREFIX, type IdentityProvider } from '../../environments/sections/clusters';
import { AUDIT_PATHS, auditPolicy } from './audit-policy';

/** One `{name, value}` argument of a v1beta2 kubeadm component. */
export interface KubeadmArg {
  readonly name: string;
  readonly value: string;
}

/** A file cloud-init writes on each control-plane node (KCP `kubeadmConfigSpec.files[]`). */
export interface KubeadmFile {
  readonly path: string;
  readonly owner: string;
  readonly permissions: string;
  readonly content?: string;
  readonly contentFrom?: { readonly secret: { readonly name: string; readonly key: string } };
}

export interface HostPathMount {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly pathType: 'DirectoryOrCreate';
}

/** Audit-log rotation (kube-apiserver `audit-log-maxage`, `-maxbackup`, `-maxsize`). */
export interface AuditLogSettings {
  readonly maxAgeDays: number;
  readonly maxBackups: number;
  readonly maxSizeMiB: number;
}

/** A key of a Secret in the management namespace. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface ControlPlaneHardeningProps {
  readonly auditLog: AuditLogSettings;
  /**
   * The Secret, in the namespace of the cluster's Cluster API objects on the management
   * cluster, whose key holds the `apiserver.config.k8s.io/v1` EncryptionConfiguration
   * (secretbox or aescbc for `secrets`, then `identity` to read older data). Created by the
   * platform team before the cluster, like the vCenter credentials.
   */
  readonly encryptionConfig: SecretKeyRef;
  /** The identity provider the API server trusts for user tokens (the environment's `clusterBaseline.identityProvider`). */
  readonly identityProvider: IdentityProvider;
}

/** TLS 1.2 suites with forward secrecy and AEAD; TLS 1.3 suites are not configurable and all strong. */
export const TLS_CIPHER_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
] as const;

export const TLS_MIN_VERSION = 'VersionTLS12';

/** The folder of the API server's configuration files on each control-plane node. */
export const APISERVER_CONFIG_DIR = '/etc/kubernetes/apiserver';
export const APISERVER_FILES = {
  auditPolicy: AUDIT_PATHS.policy,
  admission: `${APISERVER_CONFIG_DIR}/admission.yaml`,
  authentication: `${APISERVER_CONFIG_DIR}/authentication.yaml`,
  encryption: `${APISERVER_CONFIG_DIR}/encryption.yaml`,
} as const;

/**
 * kubeadm's bootstrap-token discovery: `kubeadm join` reads this ConfigMap anonymously (RBAC
 * allows `system:anonymous` to get exactly it, Role `kubeadm:bootstrap-signer-clusterinfo`),
 * checks its signature with the token and learns the cluster CA. Cluster API's bootstrap
 * provider uses token discovery for every joining node.
 */
export const CLUSTER_INFO_PATH = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

/**
 * The only paths an anonymous request may reach (exact matches, no wildcards): what kubelet's
 * probes of the API server call (`/livez`, `/readyz`; `/healthz` for load-balancer checks), and
 * the cluster-info ConfigMap a joining node discovers the cluster from.
 */
export const ANONYMOUS_PATHS = ['/livez', '/readyz', '/healthz', CLUSTER_INFO_PATH] as const;

/** Namespaces exempt from the cluster-wide Pod Security default. */
export const POD_SECURITY_EXEMPT_NAMESPACES = ['kube-system'] as const;

/**
 * Pod Security admission defaults for namespaces that carry no label: `restricted` for
 * enforce, audit and warn. Namespaces created by this project label themselves (ZonedNamespace);
 * this catches every other one. kube-system is exempt: the CNI and kube-proxy run there
 * privileged, and its pods are the control plane's own.
 */
export function admissionConfiguration(): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'PodSecurity',
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1',
          kind: 'PodSecurityConfiguration',
          defaults: {
            enforce: 'restricted',
            'enforce-version': 'latest',
            audit: 'restricted',
            'audit-version': 'latest',
            warn: 'restricted',
            'warn-version': 'latest',
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: [...POD_SECURITY_EXEMPT_NAMESPACES] },
        },
      },
    ],
  };
}

/**
 * Anonymous requests are refused everywhere except the health endpoints. This is what
 * `--anonymous-auth=false` intends, without its side effect: kubeadm's liveness, readiness and
 * startup probes of the API server are anonymous HTTPS requests, so the plain flag makes every
 * API server fail its probes and restart in a loop. The two cannot be combined (the API server
 * refuses `--anonymous-auth` next to an `anonymous` section), so the flag is not set.
 */
export function authenticationConfiguration(identityProvider: IdentityProvider): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    anonymous: { enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) },
    jwt: [jwtAuthenticator(identityProvider)],
  };
}

/**
 * The JWT authenticator of the ministry's identity provider: tokens issued by `issuerUrl` for
 * one of `audiences`, the username and groups taken from the configured claims with the prefix
 * `oidc:` (the prefix is required once a claim is named, and it keeps a token from claiming a
 * Kubernetes user or a `system:` group). RBAC bindings name `oidc:` groups (ClusterAccess).
 */
export function jwtAuthenticator(idp: IdentityProvider): Record<string, unknown> {
  return {
    issuer: {
      url: idp.issuerUrl,
      audiences: [...idp.audiences],
      // Required by the API server as soon as more than one audience is listed.
      ...(idp.audiences.length > 1 ? { audienceMatchPolicy: 'MatchAny' } : {}),
    },
    claimMappings: {
      username: { claim: idp.usernameClaim, prefix: OIDC_PREFIX },
      groups: { claim: idp.groupsClaim, prefix: OIDC_PREFIX },
    },
  };
}

/** Arguments common to every control-plane component that serves TLS. */
function tlsArgs(): KubeadmArg[] {
  return [
    { name: 'tls-min-version', value: TLS_MIN_VERSION },
    { name: 'tls-cipher-suites', value: TLS_CIPHER_SUITES.join(',') },
  ];
}

export function apiServerArgs(auditLog: AuditLogSettings): KubeadmArg[] {
  return uniqueArgs([
    { name: 'authentication-config', value: APISERVER_FILES.authentication },
    { name: 'authorization-mode', value: 'Node,RBAC' },
    { name: 'enable-admission-plugins', value: 'NodeRestriction,PodSecurity,DenyServiceExternalIPs' },
    { name: 'admission-control-config-file', value: APISERVER_FILES.admission },
    { name: 'audit-policy-file', value: APISERVER_FILES.auditPolicy },
    { name: 'audit-log-path', value: AUDIT_PATHS.log },
    { name: 'audit-log-format', value: 'json' },
    { name: 'audit-log-maxage', value: String(auditLog.maxAgeDays) },
    { name: 'audit-log-maxbackup', value: String(auditLog.maxBackups) },
    { name: 'audit-log-maxsize', value: String(auditLog.maxSizeMiB) },
    { name: 'audit-log-compress', value: 'true' },
    { name: 'encryption-provider-config', value: APISERVER_FILES.encryption },
    // Lets the platform team rotate the key by updating the file, without a restart.
    { name: 'encryption-provider-config-automatic-reload', value: 'true' },
    { name: 'profiling', value: 'false' },
    ...tlsArgs(),
  ]);
}

export function controllerManagerArgs(): KubeadmArg[] {
  return uniqueArgs([{ name: 'profiling', value: 'false' }, { name: 'use-service-account-credentials', value: 'true' }, ...tlsArgs()]);
}

export function schedulerArgs(): KubeadmArg[] {
  return uniqueArgs([{ name: 'profiling', value: 'false' }, ...tlsArgs()]);
}

/**
 * Kubelet arguments of every node. `cloud-provider=external`: node addresses and provider IDs
 * come from the vSphere cloud controller manager, which Cluster API needs to match machines
 * to nodes.
 */
export function kubeletArgs(extra: readonly KubeadmArg[] = []): KubeadmArg[] {
  return uniqueArgs([{ name: 'cloud-provider', value: 'external' }, ...tlsArgs(), ...extra]);
}

/** The files the hardening writes on every control-plane node. */
export function controlPlaneFiles(encryptionConfig: SecretKeyRef, identityProvider: IdentityProvider): KubeadmFile[] {
  const yaml = (o: unknown) => stringify(o, { lineWidth: 0 });
  return [
    { path: APISERVER_FILES.auditPolicy, owner: 'root:root', permissions: '0600', content: yaml(auditPolicy()) },
    { path: APISERVER_FILES.admission, owner: 'root:root', permissions: '0600', content: yaml(admissionConfiguration()) },
    { path: APISERVER_FILES.authentication, owner: 'root:root', permissions: '0600', content: yaml(authenticationConfiguration(identityProvider)) },
    // Holds the data-encryption key: its content comes from the Secret, never from code.
    { path: APISERVER_FILES.encryption, owner: 'root:root', permissions: '0600', contentFrom: { secret: { name: encryptionConfig.name, key: encryptionConfig.key } } },
  ];
}

/** Host folders the API server's static pod mounts: its configuration (read-only) and its audit log. */
export function apiServerVolumes(): HostPathMount[] {
  return [
    { name: 'apiserver-config', hostPath: APISERVER_CONFIG_DIR, mountPath: APISERVER_CONFIG_DIR, readOnly: true, pathType: 'DirectoryOrCreate' },
    { name: 'audit-log', hostPath: AUDIT_PATHS.logDir, mountPath: AUDIT_PATHS.logDir, readOnly: false, pathType: 'DirectoryOrCreate' },
  ];
}

/** The hardened parts of a KubeadmControlPlane's `kubeadmConfigSpec`. */
export function hardenedKubeadmConfigSpec(props: ControlPlaneHardeningProps): Record<string, unknown> {
  const nodeRegistration = { kubeletExtraArgs: kubeletArgs() };
  return {
    format: 'cloud-config',
    clusterConfiguration: {
      apiServer: { extraArgs: apiServerArgs(props.auditLog), extraVolumes: apiServerVolumes() },
      controllerManager: { extraArgs: controllerManagerArgs() },
      scheduler: { extraArgs: schedulerArgs() },
    },
    initConfiguration: { nodeRegistration },
    joinConfiguration: { nodeRegistration },
    files: controlPlaneFiles(props.encryptionConfig, props.identityProvider),
  };
}

/** The value of an argument in a v1beta2 list, or undefined. */
export function argValue(args: readonly KubeadmArg[] | undefined, name: string): string | undefined {
  return args?.find((a) => a.name === name)?.value;
}

/** v1beta2 rejects a list naming an argument twice; a later entry replaces an earlier one. */
function uniqueArgs(args: readonly KubeadmArg[]): KubeadmArg[] {
  const byName = new Map<string, KubeadmArg>();
  for (const a of args) byName.set(a.name, a);
  return [...byName.values()];
}
