import { Construct } from 'constructs';
import type { Environment } from '../../environments';
import { ConfigMapV1, type CronJobV1 } from '../../lib/providers';
import { OPERATORS } from '../../lib/versions';
import { declarePrerequisite } from '../../lib/markers';
import { dependOn, TerraformResource } from '../../lib/tf';
import {
  domainMount,
  domainOwnerPolicyName,
  domainOwnerRules,
  kubernetesAuthMount,
  policyHcl,
  storePolicyRules,
  storesOf,
  type PolicyRule,
  type StoreAccess,
} from '../../policy/secrets';
import { ClusterContext } from '../context';
import { Peer } from '../network/peer';
import { placementFor } from '../network/placement';
import { Segmentation } from '../network/segmentation';
import { OPENBAO_API_PORT } from './operator';
import type { OpenBao } from './openbao';
import { SNAPSHOT_POLICY, SNAPSHOT_ROLE, SNAPSHOT_SERVICE_ACCOUNT } from './openbao-backup';
import { MANAGEMENT_CLUSTER } from '../../policy/names';
import { scheduledJob } from '../scheduled-job';

/** The ConfigMap holding the script and the policies, and the CronJob running them. */
export const OPENBAO_CONFIG_NAME = 'openbao-config';
/** The bootstrap Secret holding the configurator's token (key `token`). */
export const OPENBAO_CONFIG_TOKEN_SECRET = 'openbao-config-token';
/** The policy of that token, written once by the security officers at initialisation (docs/secrets.md). */
export const CONFIGURATOR_POLICY = 'openbao-config';
/** The ConfigMap with each workload cluster's API-server CA (`<cluster>.crt`): public certificates. */
export const CLUSTER_CAS_CONFIGMAP = 'openbao-kubernetes-cas';
/** How long a token issued to ESO lives: it logs in again for each sync batch (10-minute service-account tokens). */
const ESO_TOKEN_TTL = '10m';
const ESO_TOKEN_MAX_TTL = '1h';
/** Re-applied hourly so drift made by hand is undone within the hour. */
const SCHEDULE = '23 * * * *';

/** One workload cluster as OpenBao's Kubernetes auth sees it. */
export interface AuthCluster {
  readonly name: string;
  /** Its API server, where OpenBao sends TokenReviews; absent for an adopted cluster (its URL is in the cluster-CA ConfigMap). */
  readonly apiServer?: { readonly host: string; readonly port: number };
  /** Its ClusterSecretStores (policy/secrets.ts storesOf): the roles of its auth mount. */
  readonly stores: readonly StoreAccess[];
}

/**
 * The workload clusters of an environment with their stores: data-domain stores only on the
 * cluster hosting the tenants. A Cluster API cluster's API server is its control-plane endpoint;
 * an adopted (`existing`) one declares only its control-plane block, so its URL is read from the
 * key `<cluster>.url` of the declared ConfigMap `openbao-kubernetes-cas`.
 */
export function authClusters(environment: Environment, domains: readonly string[]): AuthCluster[] {
  return environment.clusters.map((c) => ({
    name: c.name,
    ...(c.mode === 'clusterApi' ? { apiServer: { host: c.controlPlane.endpoint.host, port: c.controlPlane.endpoint.port } } : {}),
    stores: storesOf(environment.name, c.name, tenantCluster(environment) === c.name ? domains : []),
  }));
}

/** The cluster hosting every data domain's tenant namespace: the environment's first (stacks/estate.ts). */
export function tenantCluster(environment: Pick<Environment, 'clusters'>): string {
  return environment.clusters[0]!.name;
}

/** Everything OpenBao must hold for the stores of an environment, as files of the ConfigMap. */
export interface OpenBaoConfiguration {
  /** KV v2 mounts. */
  readonly mounts: readonly string[];
  /** Policies by name (HCL). */
  readonly policies: ReadonlyMap<string, string>;
  /** The configurator token's own policy (HCL): written by hand at initialisation, never by the script. */
  readonly configuratorPolicy: string;
  /** The idempotent script. */
  readonly script: string;
}

/** The file a policy is stored in, in the ConfigMap. */
export const policyFile = (name: string): string => `policy-${name}.hcl`;

/** The configuration of an environment's OpenBao: pure, from the clusters' stores. */
export function openBaoConfiguration(props: { readonly environment: string; readonly clusters: readonly AuthCluster[]; readonly domains: readonly string[]; readonly address: string; readonly caFile: string; readonly configDir: string; readonly clusterCaDir: string }): OpenBaoConfiguration {
  const stores = props.clusters.flatMap((c) => c.stores);
  const mounts = [...new Set(stores.map((s) => s.mount))].sort();
  const policies = new Map<string, string>();
  for (const s of stores) policies.set(s.policy, policyHcl(`ClusterSecretStore ${s.store} of cluster ${s.authMount}: ${s.write ? 'reads and pushes' : 'reads'} ${s.mount}/${s.prefix === '' ? '' : `${s.prefix}/`}*`, storePolicyRules(s)));
  for (const d of [...props.domains].sort()) policies.set(domainOwnerPolicyName(d), policyHcl(`Owners of data domain ${d}: their own mount ${domainMount(d)}, nothing else`, domainOwnerRules(d)));
  // The management cluster's own auth mount: OpenBao's snapshot job (openbao-backup.ts) logs in there.
  const localMount = kubernetesAuthMount(props.environment, MANAGEMENT_CLUSTER);
  const snapshotPolicy = `${localMount}-${SNAPSHOT_ROLE}`;
  policies.set(snapshotPolicy, SNAPSHOT_POLICY);
  const authMounts = [...props.clusters.map((c) => kubernetesAuthMount(props.environment, c.name)), localMount];
  const configurator: PolicyRule[] = [
    ...mounts.map((m) => ({ path: `sys/mounts/${m}`, capabilities: ['create', 'read', 'update'] })),
    ...authMounts.flatMap((a) => [
      { path: `sys/auth/${a}`, capabilities: ['create', 'read', 'update', 'sudo'] },
      { path: `auth/${a}/config`, capabilities: ['create', 'read', 'update'] },
      { path: `auth/${a}/role/*`, capabilities: ['create', 'read', 'update', 'delete', 'list'] },
    ]),
    ...[...policies.keys()].sort().map((p) => ({ path: `sys/policies/acl/${p}`, capabilities: ['create', 'read', 'update'] })),
  ];
  const q = (s: string) => `'${s}'`;
  const lines = [
    '#!/bin/sh',
    '# Generated by constructs/secrets/openbao-config.ts: the KV mounts, Kubernetes auth mounts, roles and',
    '# policies the ClusterSecretStores use. Idempotent: a second run changes nothing. It never reads a value.',
    'set -eu',
    `export BAO_ADDR=${q(props.address)} BAO_CACERT=${q(props.caFile)}`,
    'ensure_kv() {',
    '  if bao read -format=json "sys/mounts/$1" >/tmp/mount.json 2>/dev/null; then',
    `    grep -q '"version": *"2"' /tmp/mount.json || { echo "mount $1 exists but is not KV version 2: fix it by hand" >&2; exit 1; }`,
    '  else',
    '    bao secrets enable -path="$1" -version=2 -description="$2" kv',
    '  fi',
    '}',
    'ensure_auth() {',
    '  bao read "sys/auth/$1" >/dev/null 2>&1 || bao auth enable -path="$1" -description="$2" kubernetes',
    '}',
    '# Roles of an auth mount that no store uses any more are removed (their values stay in KV).',
    'prune_roles() {',
    '  mount="$1"; shift',
    `  for r in $(bao list -format=json "auth/$mount/role" 2>/dev/null | tr -d '[]",' ); do`,
    '    case " $* " in *" $r "*) ;; *) echo "removing role $r of $mount (no store uses it)"; bao delete "auth/$mount/role/$r" ;; esac',
    '  done',
    '}',
    ...mounts.map((m) => `ensure_kv ${q(m)} ${q(m.startsWith('domain-') ? `values of data domain ${m.slice('domain-'.length)}` : `platform values of environment ${props.environment}`)}`),
    ...[...policies.keys()].sort().map((p) => `bao policy write ${q(p)} ${q(`${props.configDir}/${policyFile(p)}`)}`),
    ...props.clusters.flatMap((c) => {
      const mount = kubernetesAuthMount(props.environment, c.name);
      return [
        `ensure_auth ${q(mount)} ${q(`service accounts of cluster ${c.name}`)}`,
        // The client's own token reviews itself (ESO has system:auth-delegator): no long-lived reviewer token.
        `bao write ${q(`auth/${mount}/config`)} kubernetes_host=${c.apiServer ? q(`https://${c.apiServer.host}:${c.apiServer.port}`) : `"$(cat ${q(`${props.clusterCaDir}/${c.name}.url`)})"`} kubernetes_ca_cert=@${q(`${props.clusterCaDir}/${c.name}.crt`)} disable_local_ca_jwt=true`,
        ...c.stores.map(
          (s) =>
            `bao write ${q(`auth/${mount}/role/${s.role}`)} bound_service_account_names=${q(s.serviceAccount.name)} bound_service_account_namespaces=${q(s.serviceAccount.namespace)} token_policies=${q(s.policy)} token_no_default_policy=true token_ttl=${ESO_TOKEN_TTL} token_max_ttl=${ESO_TOKEN_MAX_TTL}`,
        ),
        `prune_roles ${q(mount)} ${c.stores.map((s) => q(s.role)).join(' ')}`,
      ];
    }),
    // The management cluster itself: OpenBao reviews tokens with its own service account and CA (local config).
    `ensure_auth ${q(localMount)} ${q('service accounts of the management cluster (the Raft snapshot job)')}`,
    `bao write ${q(`auth/${localMount}/config`)} kubernetes_host='https://kubernetes.default.svc'`,
    `bao write ${q(`auth/${localMount}/role/${SNAPSHOT_ROLE}`)} bound_service_account_names=${q(SNAPSHOT_SERVICE_ACCOUNT)} bound_service_account_namespaces=${q(OPERATORS.openbao.namespace)} token_policies=${q(snapshotPolicy)} token_no_default_policy=true token_ttl=${ESO_TOKEN_TTL} token_max_ttl=${ESO_TOKEN_MAX_TTL}`,
    `prune_roles ${q(localMount)} ${q(SNAPSHOT_ROLE)}`,
    `echo "OpenBao configured: ${mounts.length} KV mount(s), ${props.clusters.length + 1} Kubernetes auth mount(s), ${stores.length + 1} role(s), ${policies.size} policies"`,
  ];
  return { mounts, policies, configuratorPolicy: policyHcl('The configurator (CronJob openbao-config): mounts, auth mounts, roles and policies of the stores; never a value', configurator), script: lines.join('\n') + '\n' };
}

export interface OpenBaoConfigProps {
  readonly openbao: OpenBao;
  readonly environment: Environment;
  /** The data domains (catalogue) whose stores and mounts exist. */
  readonly domains: readonly string[];
}

/**
 * OpenBao's configuration as code: a ConfigMap with an idempotent `bao` script and the policies
 * (HCL), and an hourly CronJob running it from the pinned OpenBao image against the active pod over
 * TLS (internal CA). It creates the KV v2 mounts (`platform`, `domain-<domain>`), one Kubernetes auth
 * mount per workload cluster with one role per ClusterSecretStore (bound to ESO's service account,
 * the store's namespaces being limited by the store's conditions), and the policies: a store's
 * covers its own mount (and, for the platform store, its own cluster's prefix) only, a domain's
 * owners' their own mount only. Everything comes from `storesOf` (policy/secrets.ts), the plan the
 * ClusterSecretStores are built from.
 *
 * It authenticates with a token (Secret `openbao-config-token`, a bootstrap prerequisite) whose
 * policy `openbao-config` (the ConfigMap's `configurator-policy.hcl`) allows exactly these
 * mounts, auth mounts, roles and policies and no value. Until OpenBao is initialised and that
 * Secret exists its runs fail and are retried at the next hour.
 */
export class OpenBaoConfig extends Construct {
  readonly configMap: ConfigMapV1;
  readonly cronJob: CronJobV1;
  readonly configuration: OpenBaoConfiguration;

  constructor(scope: Construct, id: string, props: OpenBaoConfigProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const namespace = OPERATORS.openbao.namespace;
    const release = OPERATORS.openbao.chart;
    const configDir = '/openbao/config-as-code';
    const clusterCaDir = '/openbao/cluster-cas';
    const clusters = authClusters(props.environment, props.domains);
    this.configuration = openBaoConfiguration({
      environment: props.environment.name,
      clusters,
      domains: props.domains,
      address: `https://${release}-active.${namespace}.svc:${OPENBAO_API_PORT.port}`,
      caFile: '/openbao/ca/ca.crt',
      configDir,
      clusterCaDir,
    });
    const labels = { 'app.kubernetes.io/managed-by': 'moit-datacentre', 'app.kubernetes.io/name': OPENBAO_CONFIG_NAME };
    this.configMap = new ConfigMapV1(this, 'config-map', {
      provider: stack.kubernetes,
      metadata: { name: OPENBAO_CONFIG_NAME, namespace, labels },
      data: {
        'configure.sh': this.configuration.script,
        'configurator-policy.hcl': this.configuration.configuratorPolicy,
        ...Object.fromEntries([...this.configuration.policies].map(([name, hcl]) => [policyFile(name), hcl])),
      },
    });
    const created = stack.createdNamespace(namespace);
    if (created && created.namespace instanceof TerraformResource) dependOn(this.configMap, created.namespace);
    const selector = { 'app.kubernetes.io/name': OPENBAO_CONFIG_NAME };
    const placement = placementFor(this, 'mgmt');
    const image = `quay.io/openbao/openbao:${OPERATORS.openbao.appVersion.replace(/^v/, '')}`;
    this.cronJob = scheduledJob(this, 'cron-job', {
      provider: stack.kubernetes,
      metadata: { name: OPENBAO_CONFIG_NAME, namespace, labels, annotations: { 'moit.gov.vn/purpose': 'Applies OpenBao mounts, Kubernetes auth roles and policies of the secret stores (constructs/secrets/openbao-config.ts).' } },
      schedule: SCHEDULE,
      selector,
      placement,
      pod: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: '100', runAsGroup: '1000', seccompProfile: { type: 'RuntimeDefault' } },
      container: [
        {
          name: 'configure',
          image,
          command: ['/bin/sh', `${configDir}/configure.sh`],
          env: [
            { name: 'BAO_TOKEN', valueFrom: { secretKeyRef: { name: OPENBAO_CONFIG_TOKEN_SECRET, key: 'token' } } },
            { name: 'HOME', value: '/tmp' },
          ],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          volumeMount: [
            { name: 'config', mountPath: configDir, readOnly: true },
            { name: 'ca', mountPath: '/openbao/ca', readOnly: true },
            { name: 'cluster-cas', mountPath: clusterCaDir, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volume: [
        { name: 'config', configMap: { name: OPENBAO_CONFIG_NAME } },
        { name: 'ca', secret: { secretName: props.openbao.certificate.object.metadata.name, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { name: 'cluster-cas', configMap: { name: CLUSTER_CAS_CONFIGMAP } },
        { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
      ],
      },
    });
    dependOn(this.cronJob, this.configMap);
    dependOn(this.cronJob, props.openbao.certificate.manifest);
    declarePrerequisite(this.cronJob, {
      kind: 'secret',
      name: OPENBAO_CONFIG_TOKEN_SECRET,
      namespace,
      keys: ['token'],
      providedBy: 'security-officers',
      purpose: `The token the CronJob ${OPENBAO_CONFIG_NAME} applies OpenBao's mounts, auth roles and policies with: a periodic orphan token of policy ${CONFIGURATOR_POLICY} only (no value readable), created after \`bao operator init\`.`,
      rotation: `Monthly and when a holder leaves: the security officers create a new token with \`bao token create -orphan -policy=${CONFIGURATOR_POLICY} -period=768h\`, replace key token of this Secret, then revoke the old token by its accessor (docs/secrets.md).`,
    });
    declarePrerequisite(this.cronJob, {
      kind: 'configmap',
      name: CLUSTER_CAS_CONFIGMAP,
      namespace,
      keys: clusters.flatMap((c) => [`${c.name}.crt`, ...(c.apiServer ? [] : [`${c.name}.url`])]),
      providedBy: 'secret-management',
      purpose: "Each workload cluster's API-server CA certificate (public), with which OpenBao verifies the API server it sends TokenReviews to; for a Cluster API cluster it is key tls.crt of the Secret <cluster>-ca that Cluster API generates in its namespace; for an adopted cluster also its API-server URL (<cluster>.url), which the environment file does not declare.",
    });
    const pods = Peer.workload({ name: OPENBAO_CONFIG_NAME, namespace, zone: 'mgmt', selector });
    Segmentation.of(this).allow(pods, props.openbao.pods, { ports: [OPENBAO_API_PORT], description: 'The configurator applies mounts, auth roles and policies through the OpenBao API over TLS', declaredBy: this });
  }
}
