/**
 * The secrets model (issue #23): which secret store a namespace reads, where in OpenBao a value
 * lives, and how often ESO re-reads it. Pure data shared by the constructs that produce Secrets
 * (constructs/secrets), the audit rules that check them and the docs (docs/secrets.md).
 */
import { DOMAIN_LABEL } from './layout';

/** The ClusterSecretStore of the platform namespaces (operators' credentials, generated passwords). */
export const PLATFORM_STORE = 'openbao';
/** The KV v2 mount of the platform's values in the environment's OpenBao. */
export const PLATFORM_MOUNT = 'platform';

/** The ClusterSecretStore only a data domain's namespaces may use. */
export const domainStoreName = (domain: string): string => `openbao-${domain}`;
/** The KV v2 mount of one data domain: its owners' policy covers it and nothing else. */
export const domainMount = (domain: string): string => `domain-${domain}`;

/** The Kubernetes auth mount of one cluster in OpenBao (each cluster's API server reviews its own tokens). */
export const kubernetesAuthMount = (environment: string, cluster: string): string => `k8s-${environment}-${cluster}`;

/** The label every object of the secrets model carries, naming the store it reads or writes. */
export const STORE_LABEL = 'moit.gov.vn/secret-store';
export { DOMAIN_LABEL };

/**
 * How sensitive a value is, which sets how soon a change in OpenBao reaches the cluster
 * (`refreshInterval`). `generated`: a value nobody knows, written once (passwords of roles and
 * repositories), re-read hourly so a restore or a rotation in OpenBao lands within the hour;
 * `credential`: a credential issued by a person or another system, re-read every 15 minutes so
 * a revoked one is replaced quickly; `key-material`: keys and CA material, re-read every 5 minutes.
 */
export const CLASSIFICATIONS = ['generated', 'credential', 'key-material'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const REFRESH_INTERVAL: Readonly<Record<Classification, string>> = {
  generated: '1h',
  credential: '15m',
  'key-material': '5m',
};

/** Password generator settings for values nobody needs to know: long, letters and digits only (safe in connection strings). */
export const GENERATED_PASSWORD = { length: 40, digits: 8, symbols: 0, noUpper: false, allowRepeat: true } as const;

/** Where a Postgres login role's password lives in the platform mount. */
export const postgresRoleKey = (cluster: string, pgCluster: string, role: string): string => `${cluster}/postgres/${pgCluster}/${role}`;
/** Where a cluster's Velero repository password lives in the platform mount. */
export const veleroRepositoryKey = (cluster: string): string => `${cluster}/velero/repository`;
/** Where credentials another site issues for a consumer live in the platform mount. */
export const peerCredentialKey = (cluster: string, namespace: string, secret: string): string => `${cluster}/peer/${namespace}/${secret}`;
