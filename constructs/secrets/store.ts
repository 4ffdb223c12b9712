import { Construct } from 'constructs';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { NS } from '../../policy/layout';
import { PLATFORM_STORE, STORE_LABEL, storesOf, type StoreAccess } from '../../policy/secrets';
import { OPENBAO_API_PORT, type SecretStoreEndpoint } from './operator';
import { dependOn, Lazy } from '../../lib/tf';

/** The Bundle (and the ConfigMap it writes) carrying the internal CA for ESO. */
export const INTERNAL_CA_BUNDLE = 'dc-internal-ca';
/** The key of that ConfigMap. */
export const INTERNAL_CA_BUNDLE_KEY = 'ca.crt';

export interface SecretStoresProps {
  readonly endpoint: SecretStoreEndpoint;
  /** The cert-manager Secret with the internal CA (`ca.crt`), trust-manager's source. */
  readonly caSecretName: string;
  /**
   * The platform namespaces that may read the platform store.
   * @default the namespaces of the stack's ExternalSecrets and PushSecrets that name it, found at synth
   */
  readonly platformNamespaces?: readonly string[];
  /** Data domains with their tenant namespaces: each gets its own store and KV mount. @default [] */
  readonly domains?: ReadonlyArray<{ readonly name: string; readonly namespaces: readonly string[] }>;
}

/**
 * The ClusterSecretStores of a cluster, all pointing at the environment's OpenBao over TLS:
 *
 * - `openbao`, the platform store (KV v2 mount `platform`), usable only by the platform
 *   namespaces named (`spec.conditions`);
 * - `openbao-<domain>` per data domain (mount `domain-<domain>`), usable only by that domain's
 *   namespaces, so one domain's workloads can never name another's values.
 *
 * ESO authenticates with its own service account through the cluster's Kubernetes auth mount
 * (`k8s-<env>-<cluster>`), one OpenBao role per store whose policy covers that store's mount.
 * OpenBao's certificate is verified against the internal CA, which trust-manager copies from
 * cert-manager's namespace into ESO's as the ConfigMap `dc-internal-ca` (a Bundle).
 */
export class SecretStores extends Construct {
  readonly bundle: CustomResource;
  readonly platform: CustomResource;
  readonly domains: ReadonlyMap<string, CustomResource>;

  constructor(scope: Construct, id: string, props: SecretStoresProps) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    this.bundle = new CustomResource(this, 'ca-bundle', {
      object: {
        apiVersion: 'trust.cert-manager.io/v1alpha1',
        kind: 'Bundle',
        metadata: { name: INTERNAL_CA_BUNDLE, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre' } },
        spec: {
          sources: [{ secret: { name: props.caSecretName, key: 'ca.crt' } }],
          target: {
            configMap: { key: INTERNAL_CA_BUNDLE_KEY },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS.externalSecrets } },
          },
        },
      },
    });
    // One plan for both sides: OpenBao's configuration (openbao-config.ts) is built from the same storesOf.
    const plan = new Map(storesOf(stack.environment.name, stack.cluster, (props.domains ?? []).map((d) => d.name)).map((a) => [a.store, a]));
    const store = (access: StoreAccess, namespaces: readonly string[] | (() => string[])) =>
      new CustomResource(this, access.store, {
        object: {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ClusterSecretStore',
          metadata: { name: access.store, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', [STORE_LABEL]: access.store } },
          spec: {
            conditions: [{ namespaces: typeof namespaces === 'function' ? Lazy.listValue({ produce: namespaces }) : [...namespaces].sort() }],
            provider: {
              vault: {
                server: `https://${props.endpoint.host}:${OPENBAO_API_PORT.port}`,
                path: access.mount,
                version: 'v2',
                caProvider: { type: 'ConfigMap', name: INTERNAL_CA_BUNDLE, key: INTERNAL_CA_BUNDLE_KEY, namespace: NS.externalSecrets },
                auth: {
                  kubernetes: {
                    mountPath: access.authMount,
                    role: access.role,
                    serviceAccountRef: { name: access.serviceAccount.name, namespace: access.serviceAccount.namespace },
                  },
                },
              },
            },
          },
        },
      });
    this.platform = store(plan.get(PLATFORM_STORE)!, props.platformNamespaces ?? (() => storeUsers(stack as unknown as Construct, PLATFORM_STORE)));
    this.domains = new Map((props.domains ?? []).map((d) => [d.name, store([...plan.values()].find((a) => a.domain === d.name)!, d.namespaces)]));
    for (const s of [this.platform, ...this.domains.values()]) dependOn(s.manifest, this.bundle.manifest);
  }
}

/** The namespaces of the ExternalSecrets and PushSecrets under `scope` that name `store`, sorted. */
export function storeUsers(scope: Construct, store: string): string[] {
  const namespaces = new Set<string>();
  for (const c of scope.node.findAll()) {
    if (!(c instanceof CustomResource)) continue;
    const o = c.object;
    if (o.kind !== 'ExternalSecret' && o.kind !== 'PushSecret') continue;
    const spec = o.spec as { secretStoreRef?: { name?: string }; secretStoreRefs?: Array<{ name?: string }> };
    const names = [spec.secretStoreRef?.name, ...(spec.secretStoreRefs ?? []).map((r) => r.name)];
    if (names.includes(store) && o.metadata.namespace) namespaces.add(o.metadata.namespace);
  }
  return [...namespaces].sort();
}
