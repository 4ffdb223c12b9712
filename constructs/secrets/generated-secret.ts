import { Construct } from 'constructs';
import { CustomResource } from '../k8s-object';
import { GENERATED_PASSWORD, PLATFORM_STORE, REFRESH_INTERVAL, STORE_LABEL } from '../../policy/secrets';
import type { SecretRef } from './secret-ref';

/** The key under which ESO's Password generator returns its value. */
const GENERATOR_KEY = 'password';

export interface GeneratedSecretProps {
  /** The Secret the consumer reads; its keys are filled by `template`. */
  readonly secret: SecretRef;
  /** Where the value lives in the store's KV mount (the same path at every site reading that store). */
  readonly remoteKey: string;
  /** The key of `secret` that receives the generated value (ESO places it there itself: no template holds it). */
  readonly valueKey: string;
  /**
   * The other keys of `secret`, each with a plain, non-secret string (a user name). With
   * `valueKey` they must be exactly the keys of `secret`. @default none
   */
  readonly plain?: Readonly<Record<string, string>>;
  /** The Secret's type. @default "Opaque" */
  readonly type?: string;
  /** Labels of the Secret (e.g. CloudNativePG's `cnpg.io/reload`). @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** The ClusterSecretStore to push to and read from. @default PLATFORM_STORE */
  readonly store?: string;
  /**
   * Terraform waits until ESO reports the Secret synced (condition Ready=True), so whatever
   * depends on the ExternalSecret finds the value, not a consumer's own default.
   * @default false
   */
  readonly waitUntilSynced?: boolean;
}

/**
 * A value nobody needs to know, made once and kept in OpenBao, then written into the Secret its
 * consumer reads (ESO, ../shared/reference/secrets.md):
 *
 * 1. a `Password` generator (generators.external-secrets.io/v1alpha1);
 * 2. a PushSecret from that generator with `updatePolicy: IfNotExists`: the first push writes
 *    the value into OpenBao, every later one leaves it alone (generate once), and
 *    `deletionPolicy: None` keeps it there when the PushSecret goes;
 * 3. an ExternalSecret reading it back into the consumer's Secret (`creationPolicy: Owner`,
 *    `deletionPolicy: Retain`), refreshed hourly (classification `generated`): the value goes
 *    straight to its key (`spec.data`), and the template (`mergePolicy: Merge`, which keeps the
 *    fetched keys) adds only the type, labels and plain strings such as a user name.
 *
 * So the value survives the cluster: a rebuilt cluster, or the recovery site reading the same
 * store, gets the same password, and the repository or database it protects stays readable.
 */
export class GeneratedSecret extends Construct {
  readonly secret: SecretRef;
  readonly generator: CustomResource;
  readonly push: CustomResource;
  readonly externalSecret: CustomResource;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    const plain = props.plain ?? {};
    const filled = [props.valueKey, ...Object.keys(plain)].sort();
    const expected = [...props.secret.keys].sort();
    if (props.valueKey in plain || filled.join(',') !== expected.join(',')) {
      throw new Error(`${this.node.path}: the value and the plain strings fill keys [${filled.join(', ')}], but ${props.secret} must hold [${expected.join(', ')}]; fill exactly the consumer's keys, each once`);
    }
    this.secret = props.secret;
    const store = props.store ?? PLATFORM_STORE;
    const { name, namespace } = props.secret;
    const labels = { 'app.kubernetes.io/managed-by': 'moit-datacentre', [STORE_LABEL]: store };
    this.generator = new CustomResource(this, 'generator', {
      object: {
        apiVersion: 'generators.external-secrets.io/v1alpha1',
        kind: 'Password',
        metadata: { name, namespace, labels },
        spec: { ...GENERATED_PASSWORD },
      },
    });
    this.push = new CustomResource(this, 'push', {
      object: {
        apiVersion: 'external-secrets.io/v1alpha1',
        kind: 'PushSecret',
        metadata: { name, namespace, labels },
        spec: {
          refreshInterval: REFRESH_INTERVAL.generated,
          updatePolicy: 'IfNotExists',
          deletionPolicy: 'None',
          secretStoreRefs: [{ name: store, kind: 'ClusterSecretStore' }],
          selector: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name } },
          data: [{ match: { secretKey: GENERATOR_KEY, remoteRef: { remoteKey: props.remoteKey, property: GENERATOR_KEY } } }],
        },
      },
    });
    this.externalSecret = new CustomResource(this, 'external-secret', {
      object: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name, namespace, labels },
        spec: {
          refreshInterval: REFRESH_INTERVAL.generated,
          secretStoreRef: { name: store, kind: 'ClusterSecretStore' },
          target: {
            name,
            creationPolicy: 'Owner',
            deletionPolicy: 'Retain',
            // The template sets only the type, the labels and the plain strings; Merge keeps the
            // fetched value (spec.data) beside them, so no template ever carries the secret.
            template: {
              type: props.type ?? 'Opaque',
              mergePolicy: 'Merge',
              ...(props.labels ? { metadata: { labels: { ...props.labels } } } : {}),
              ...(Object.keys(plain).length > 0 ? { data: { ...plain } } : {}),
            },
          },
          data: [{ secretKey: props.valueKey, remoteRef: { key: props.remoteKey, property: GENERATOR_KEY } }],
        },
      },
    });
    if (props.waitUntilSynced) this.externalSecret.manifest.putWait({ condition: [{ type: 'Ready', status: 'True' }] });
    // The ExternalSecret reads what the PushSecret wrote: apply the push first.
    this.externalSecret.manifest.dependsOn = [this.push.manifest, this.generator.manifest].map((m) => `kubernetes_manifest.${m.friendlyUniqueId}`);
  }
}
