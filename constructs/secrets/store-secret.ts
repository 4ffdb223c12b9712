import { Construct } from 'constructs';
import { CustomResource } from '../k8s-object';
import { declarePrerequisite } from '../../lib/markers';
import { PLATFORM_MOUNT, PLATFORM_STORE, REFRESH_INTERVAL, STORE_LABEL, type Classification } from '../../policy/secrets';
import type { Provider } from '../../policy/prerequisites';
import type { SecretRef } from './secret-ref';

export interface StoreSecretProps {
  /** The Secret the consumer reads: each of its keys is a property of the store entry. */
  readonly secret: SecretRef;
  /** The entry in the store's KV mount holding one property per key. */
  readonly remoteKey: string;
  /** Sets `refreshInterval` (policy/secrets.ts REFRESH_INTERVAL). */
  readonly classification: Exclude<Classification, 'generated'>;
  /** Who writes the entry into OpenBao (reported by `npm run prereqs` as an OpenBao value, never a Secret). */
  readonly writtenBy: Provider;
  /** Why the consumer needs it, in one sentence. */
  readonly purpose: string;
  /** The ClusterSecretStore. @default PLATFORM_STORE */
  readonly store?: string;
  /** The KV mount of that store, for the report. @default PLATFORM_MOUNT */
  readonly mount?: string;
}

/**
 * A value someone else issues (another site's credentials), kept in OpenBao and written into the
 * consumer's Secret by an ExternalSecret: nobody creates a Secret by hand in a cluster, and the
 * value is rotated in one place. What must be written into OpenBao is reported as an
 * `openbao-value` prerequisite, with its path and keys.
 */
export class StoreSecret extends Construct {
  readonly secret: SecretRef;
  readonly externalSecret: CustomResource;

  constructor(scope: Construct, id: string, props: StoreSecretProps) {
    super(scope, id);
    this.secret = props.secret;
    const store = props.store ?? PLATFORM_STORE;
    const { name, namespace, keys } = props.secret;
    this.externalSecret = new CustomResource(this, 'external-secret', {
      object: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'moit-datacentre', [STORE_LABEL]: store } },
        spec: {
          refreshInterval: REFRESH_INTERVAL[props.classification],
          secretStoreRef: { name: store, kind: 'ClusterSecretStore' },
          target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
          data: keys.map((k) => ({ secretKey: k, remoteRef: { key: props.remoteKey, property: k } })),
        },
      },
    });
    declarePrerequisite(this.externalSecret.manifest, {
      kind: 'openbao-value',
      name: `${props.mount ?? PLATFORM_MOUNT}/${props.remoteKey}`,
      providedBy: props.writtenBy,
      purpose: props.purpose,
      keys,
    });
  }
}
