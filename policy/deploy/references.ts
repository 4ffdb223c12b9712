/**
 * The reference check: every Secret, ConfigMap, StorageClass, VolumeSnapshotClass,
 * PriorityClass, ServiceAccount and namespace an object or a chart's values name must exist when
 * the consumer is applied: produced in an earlier stack of the same cluster, or in the same stack
 * with the consumer waiting for it (`depends_on`), or made by an operator from something declared
 * there (operators.ts), or declared an operational prerequisite (policy/prerequisites.ts).
 *
 * The order matters only where the object missing at apply time fails the apply
 * (`blocksOnMissing`): an object in a namespace not yet created, a chart release (installed
 * atomically, with --wait), a Job Terraform waits for. A custom resource (also one a chart creates
 * from its values, such as Velero's BackupStorageLocation) or a CronJob is retried by its
 * controller until what it names exists: for those a producer in the same or a later stack of the
 * cluster suffices, and only a name nothing produces is reported.
 */
import { asArray, asString, chartValues, groupOf, isObject, type Json, type KubeObject, type Resource } from '../audit/model';
import { declaredPrerequisites, referenceKindOf, type DeclaredPrerequisite } from '../prerequisites';
import { chartProducts, isBuiltIn, isClusterScoped, operatorProducts, type Product, type RefKind } from './operators';
import type { Finding } from './types';
import { at, joinPath, objectRoot, waitsFor, type EnvironmentView, type StackView } from './view';

/** A name an object or a chart's values refer to. */
export interface Reference {
  readonly kind: RefKind;
  readonly name: string;
  readonly namespace?: string;
  readonly resource: Resource;
  /** Where in the resource body: `values.credentials.extraSecretRef`. */
  readonly field: string;
  /**
   * False when the consumer is a custom resource a chart creates from its values (a Velero
   * BackupStorageLocation): its operator reads the object when it uses it, so the release does not
   * wait for it. @default decided by the consuming resource (blocksOnMissing)
   */
  readonly blocking?: boolean;
}

/** Kinds that are themselves one of the followed kinds produce themselves. */
const SELF: Readonly<Record<string, RefKind>> = {
  Secret: 'Secret',
  SecretV1: 'Secret',
  ConfigMap: 'ConfigMap',
  ConfigMapV1: 'ConfigMap',
  StorageClass: 'StorageClass',
  VolumeSnapshotClass: 'VolumeSnapshotClass',
  PriorityClass: 'PriorityClass',
  ServiceAccount: 'ServiceAccount',
  Namespace: 'Namespace',
};

/** Every object a stack produces, directly or through an operator or a chart. */
export function productsOf(stack: StackView): Product[] {
  const out: Product[] = [];
  for (const o of stack.model.objects) {
    const kind = SELF[o.kind];
    if (kind && o.origin !== 'chart-values') out.push({ kind, name: o.name, ...(isClusterScoped(kind) ? {} : { namespace: o.namespace }), resource: o.resource, via: `${o.kind} ${o.name}` });
    out.push(...operatorProducts(o));
  }
  for (const r of stack.model.resources) if (r.type === 'helm_release') out.push(...chartProducts(r));
  return out;
}

/** The pod spec of a workload object, and its path, if it has one. */
function podSpecs(o: KubeObject): Array<{ spec: Json; path: string }> {
  const s = o.spec;
  const template = (t: unknown, path: string) => (isObject(t) && isObject(t.spec) ? [{ spec: t.spec, path: `${path}.spec` }] : []);
  switch (o.kind) {
    case 'Pod':
      return [{ spec: s, path: 'spec' }];
    case 'Job':
    case 'JobV1':
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      return template(s.template, 'spec.template');
    case 'CronJob':
    case 'CronJobV1':
      return isObject(s.jobTemplate) && isObject(s.jobTemplate.spec) ? template(s.jobTemplate.spec.template, 'spec.jobTemplate.spec.template') : [];
    default:
      return [];
  }
}

/** Both spellings: the typed provider's singular blocks (`container`) and the API's lists (`containers`). */
const list = (o: Json, singular: string, plural: string): Array<[unknown, string]> => [
  ...asArray(o[singular]).map((v, i): [unknown, string] => [v, `${singular}[${i}]`]),
  ...asArray(o[plural]).map((v, i): [unknown, string] => [v, `${plural}[${i}]`]),
];

function podReferences(spec: Json, base: string, ns: string | undefined, ref: (kind: RefKind, name: unknown, field: string, namespace?: string) => void): void {
  ref('ServiceAccount', spec.serviceAccountName, `${base}.serviceAccountName`, ns);
  ref('PriorityClass', spec.priorityClassName, `${base}.priorityClassName`);
  for (const [s, p] of list(spec, 'imagePullSecrets', 'imagePullSecret')) if (isObject(s)) ref('Secret', s.name, `${base}.${p}.name`, ns);
  for (const [v, p] of list(spec, 'volume', 'volumes')) {
    if (!isObject(v)) continue;
    if (isObject(v.secret) && v.secret.optional !== true) ref('Secret', v.secret.secretName, `${base}.${p}.secret.secretName`, ns);
    if (isObject(v.configMap) && v.configMap.optional !== true) ref('ConfigMap', v.configMap.name, `${base}.${p}.configMap.name`, ns);
  }
  for (const key of [['container', 'containers'], ['initContainer', 'initContainers']] as const) {
    for (const [c, cp] of list(spec, key[0], key[1])) {
      if (!isObject(c)) continue;
      for (const [e, ep] of asArray(c.env).map((v, i): [unknown, string] => [v, `env[${i}]`])) {
        const from = isObject(e) && isObject(e.valueFrom) ? e.valueFrom : undefined;
        if (isObject(from?.secretKeyRef) && from.secretKeyRef.optional !== true) ref('Secret', from.secretKeyRef.name, `${base}.${cp}.${ep}.valueFrom.secretKeyRef.name`, ns);
        if (isObject(from?.configMapKeyRef) && from.configMapKeyRef.optional !== true) ref('ConfigMap', from.configMapKeyRef.name, `${base}.${cp}.${ep}.valueFrom.configMapKeyRef.name`, ns);
      }
      for (const [e, ep] of asArray(c.envFrom).map((v, i): [unknown, string] => [v, `envFrom[${i}]`])) {
        if (isObject(e) && isObject(e.secretRef) && e.secretRef.optional !== true) ref('Secret', e.secretRef.name, `${base}.${cp}.${ep}.secretRef.name`, ns);
        if (isObject(e) && isObject(e.configMapRef) && e.configMapRef.optional !== true) ref('ConfigMap', e.configMapRef.name, `${base}.${cp}.${ep}.configMapRef.name`, ns);
      }
    }
  }
}

/** The references of one object (manifest or typed resource). */
export function objectReferences(o: KubeObject, context: { readonly capvNamespace: string; readonly certManagerNamespace: string }): Reference[] {
  const out: Reference[] = [];
  const root = objectRoot(o);
  const ns = o.namespace;
  const ref = (kind: RefKind, name: unknown, field: string, namespace = ns) => {
    if (typeof name === 'string' && name !== '' && !name.includes('${')) {
      out.push({ kind, name, ...(isClusterScoped(kind) ? {} : { namespace }), resource: o.resource, field: joinPath(root, field), ...(o.origin === 'chart-values' ? { blocking: false } : {}) });
    }
  };
  if (ns && o.origin !== 'chart-values') ref('Namespace', ns, 'metadata.namespace');
  const s = o.spec;
  for (const { spec, path } of podSpecs(o)) podReferences(spec, path, ns, ref);
  const named = (v: unknown) => (isObject(v) ? v.name : undefined);
  switch (`${o.kind}.${groupOf(o.apiVersion)}`) {
    case 'PersistentVolumeClaim.':
      ref('StorageClass', s.storageClassName, 'spec.storageClassName');
      break;
    case 'ClusterIssuer.cert-manager.io':
      // A ClusterIssuer reads its Secrets from cert-manager's cluster resource namespace.
      if (isObject(s.ca)) ref('Secret', s.ca.secretName, 'spec.ca.secretName', context.certManagerNamespace);
      break;
    case 'Issuer.cert-manager.io':
      if (isObject(s.ca)) ref('Secret', s.ca.secretName, 'spec.ca.secretName');
      break;
    case 'ObjectBucketClaim.objectbucket.io':
      ref('StorageClass', s.storageClassName, 'spec.storageClassName');
      break;
    case 'KafkaNodePool.kafka.strimzi.io': {
      const storage = isObject(s.storage) ? s.storage : {};
      ref('StorageClass', storage.class, 'spec.storage.class');
      asArray(storage.volumes).forEach((v, i) => isObject(v) && ref('StorageClass', v.class, `spec.storage.volumes[${i}].class`));
      break;
    }
    case 'Kafka.kafka.strimzi.io': {
      const kafka = isObject(s.kafka) ? s.kafka : {};
      asArray(kafka.listeners).forEach((l, i) => {
        const c = isObject(l) && isObject(l.configuration) ? l.configuration : {};
        if (isObject(c.brokerCertChainAndKey)) ref('Secret', c.brokerCertChainAndKey.secretName, `spec.kafka.listeners[${i}].configuration.brokerCertChainAndKey.secretName`);
      });
      break;
    }
    case 'KafkaMirrorMaker2.kafka.strimzi.io': {
      const side = (v: unknown, path: string) => {
        if (!isObject(v)) return;
        const tls = isObject(v.tls) ? v.tls : {};
        asArray(tls.trustedCertificates).forEach((t, i) => isObject(t) && ref('Secret', t.secretName, `${path}.tls.trustedCertificates[${i}].secretName`));
        const auth = isObject(v.authentication) ? v.authentication : {};
        if (isObject(auth.certificateAndKey)) ref('Secret', auth.certificateAndKey.secretName, `${path}.authentication.certificateAndKey.secretName`);
        if (isObject(auth.passwordSecret)) ref('Secret', auth.passwordSecret.secretName, `${path}.authentication.passwordSecret.secretName`);
      };
      side(s.target, 'spec.target');
      asArray(s.mirrors).forEach((m, i) => isObject(m) && side(m.source, `spec.mirrors[${i}].source`));
      break;
    }
    case 'Cluster.postgresql.cnpg.io': {
      if (isObject(s.storage)) ref('StorageClass', s.storage.storageClass, 'spec.storage.storageClass');
      if (isObject(s.walStorage)) ref('StorageClass', s.walStorage.storageClass, 'spec.walStorage.storageClass');
      const certs = isObject(s.certificates) ? s.certificates : {};
      for (const k of ['serverTLSSecret', 'serverCASecret', 'clientCASecret', 'replicationTLSSecret']) ref('Secret', certs[k], `spec.certificates.${k}`);
      ref('Secret', named(s.superuserSecret), 'spec.superuserSecret.name');
      ref('PriorityClass', s.priorityClassName, 'spec.priorityClassName');
      const initdb = isObject(s.bootstrap) && isObject(s.bootstrap.initdb) ? s.bootstrap.initdb : {};
      ref('Secret', named(initdb.secret), 'spec.bootstrap.initdb.secret.name');
      const managed = isObject(s.managed) ? s.managed : {};
      asArray(managed.roles).forEach((r, i) => isObject(r) && ref('Secret', named(r.passwordSecret), `spec.managed.roles[${i}].passwordSecret.name`));
      asArray(s.externalClusters).forEach((c, i) => {
        if (!isObject(c)) return;
        for (const k of ['sslCert', 'sslKey', 'sslRootCert', 'password']) ref('Secret', named(c[k]), `spec.externalClusters[${i}].${k}.name`);
      });
      break;
    }
    case 'Pooler.postgresql.cnpg.io': {
      const pg = isObject(s.pgbouncer) ? s.pgbouncer : {};
      for (const k of ['authQuerySecret', 'clientTLSSecret', 'clientCASecret', 'serverTLSSecret', 'serverCASecret']) ref('Secret', named(pg[k]), `spec.pgbouncer.${k}.name`);
      break;
    }
    case 'ObjectStore.barmancloud.cnpg.io': {
      const c = isObject(s.configuration) ? s.configuration : {};
      const creds = isObject(c.s3Credentials) ? c.s3Credentials : {};
      for (const k of ['accessKeyId', 'secretAccessKey', 'region', 'sessionToken']) ref('Secret', named(creds[k]), `spec.configuration.s3Credentials.${k}.name`);
      ref('Secret', named(c.endpointCA), 'spec.configuration.endpointCA.name');
      break;
    }
    case 'BackupStorageLocation.velero.io': {
      // From a Velero chart's values: the location's place in configuration.backupStorageLocation.
      const list = o.origin === 'chart-values' ? asArray(at(chartValues(o.resource), 'configuration.backupStorageLocation')) : [];
      const i = list.findIndex((l) => isObject(l) && l.name === o.name);
      const field = o.origin === 'chart-values' ? `configuration.backupStorageLocation[${i}].credential.name` : 'spec.credential.name';
      ref('Secret', named(s.credential), field);
      break;
    }
    case 'CephObjectStore.ceph.rook.io': {
      const gw = isObject(s.gateway) ? s.gateway : {};
      ref('Secret', gw.sslCertificateRef, 'spec.gateway.sslCertificateRef');
      ref('Secret', gw.caBundleRef, 'spec.gateway.caBundleRef');
      ref('PriorityClass', gw.priorityClassName, 'spec.gateway.priorityClassName');
      break;
    }
    case 'ClusterSecretStore.external-secrets.io':
    case 'SecretStore.external-secrets.io': {
      const vault = isObject(s.provider) && isObject(s.provider.vault) ? s.provider.vault : {};
      const ca = isObject(vault.caProvider) ? vault.caProvider : {};
      const caNamespace = asString(ca.namespace) ?? ns;
      if (ca.type === 'ConfigMap') ref('ConfigMap', ca.name, 'spec.provider.vault.caProvider.name', caNamespace);
      if (ca.type === 'Secret') ref('Secret', ca.name, 'spec.provider.vault.caProvider.name', caNamespace);
      break;
    }
    case 'ClusterResourceSet.addons.cluster.x-k8s.io':
      // Cluster API copies each listed Secret's or ConfigMap's manifests into the selected clusters
      // (ClusterResourceSet controller, same namespace); it retries until the object exists.
      asArray(s.resources).forEach((r, i) => isObject(r) && (r.kind === 'Secret' || r.kind === 'ConfigMap') && ref(r.kind, r.name, `spec.resources[${i}].name`));
      break;
    case 'VSphereClusterIdentity.infrastructure.cluster.x-k8s.io':
      // CAPV reads an identity's Secret from its own controller namespace.
      ref('Secret', s.secretName, 'spec.secretName', context.capvNamespace);
      break;
    case 'KubeadmControlPlane.controlplane.cluster.x-k8s.io': {
      const files = isObject(s.kubeadmConfigSpec) ? asArray(s.kubeadmConfigSpec.files) : [];
      files.forEach((f, i) => {
        const from = isObject(f) && isObject(f.contentFrom) ? f.contentFrom : {};
        ref('Secret', named(from.secret), `spec.kubeadmConfigSpec.files[${i}].contentFrom.secret.name`);
      });
      break;
    }
  }
  return out;
}

/** The pod fields a chart may copy from its values unchanged (read by {@link podReferences}). */
const POD_FIELDS = ['volumes', 'containers', 'initContainers', 'imagePullSecrets', 'priorityClassName'] as const;

/** The references a chart release makes through its values (see charts.ts for the keys). */
export function chartReferences(resource: Resource): Reference[] {
  const chart = asString(resource.body.chart);
  const namespace = asString(resource.body.namespace);
  const values = chartValues(resource);
  const out: Reference[] = [];
  const ref = (kind: RefKind, name: unknown, field: string, ns = namespace, blocking?: false) => {
    if (typeof name === 'string' && name !== '') out.push({ kind, name, ...(isClusterScoped(kind) ? {} : { namespace: ns }), resource, field, ...(blocking === false ? { blocking } : {}) });
  };
  if (namespace && resource.body.create_namespace !== true) ref('Namespace', namespace, 'namespace');
  const get = (path: string): unknown => path.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), values);
  /**
   * A pod a custom resource of the release describes (the Prometheus Operator's Alertmanager and
   * Prometheus): its operator creates the pods and retries until what they mount exists, so the
   * release does not wait for it, but something must still produce it.
   */
  const operatorPod = (path: string) => {
    const spec = get(path);
    if (!isObject(spec)) return;
    const later = (kind: RefKind, name: unknown, field: string, ns?: string) => ref(kind, name, field, ns ?? namespace, false);
    podReferences(spec, `values.${path}`, namespace, later);
    asArray(spec.secrets).forEach((name, i) => later('Secret', name, `values.${path}.secrets[${i}]`));
    asArray(spec.configMaps).forEach((name, i) => later('ConfigMap', name, `values.${path}.configMaps[${i}]`));
  };
  /**
   * A pod the chart's own template renders, with these pod fields copied unchanged from the values
   * keys `fields` names (the chart's own volumes and containers come after or before them); `env`
   * and `envFrom` go into the chart's main container.
   */
  const valuesPod = (fields: Partial<Record<(typeof POD_FIELDS)[number] | 'env' | 'envFrom', string>>) => {
    const at = (path: string | undefined) => (path ? get(path) : undefined);
    const rename = (f: string) => {
      for (const k of POD_FIELDS) {
        const path = fields[k];
        if (path && new RegExp(`^pod\\.${k}(?=$|[.[])`).test(f)) return `values.${path}${f.slice(`pod.${k}`.length)}`;
      }
      return f.replace(/^main\.containers\[0\]\.(envFrom|env)/, (_, k: 'env' | 'envFrom') => `values.${fields[k]}`);
    };
    const forward = (kind: RefKind, name: unknown, f: string, ns?: string) => ref(kind, name, rename(f), ns ?? namespace);
    podReferences(Object.fromEntries(POD_FIELDS.map((k) => [k, at(fields[k])])), 'pod', namespace, forward);
    podReferences({ containers: [{ env: at(fields.env), envFrom: at(fields.envFrom) }] }, 'main', namespace, forward);
  };
  switch (chart) {
    case 'fluent-bit':
      // charts/fluent-bit/templates/_pod.tpl (`extraVolumes` after the chart's config volume).
      valuesPod({ volumes: 'extraVolumes', containers: 'extraContainers', initContainers: 'initContainers', imagePullSecrets: 'imagePullSecrets', priorityClassName: 'priorityClassName', env: 'env', envFrom: 'envFrom' });
      break;
    case 'openbao':
      // charts/openbao/templates/server-statefulset.yaml and _helpers.tpl (openbao.volumes).
      valuesPod({ volumes: 'server.volumes', containers: 'server.extraContainers', initContainers: 'server.extraInitContainers', priorityClassName: 'server.priorityClassName' });
      asArray(get('server.extraSecretEnvironmentVars')).forEach((e, i) => isObject(e) && ref('Secret', e.secretName, `values.server.extraSecretEnvironmentVars[${i}].secretName`));
      break;
    case 'kube-prometheus-stack':
      // The grafana subchart's Deployment reads the admin user and password from this Secret
      // (non-optional secretKeyRef in charts/grafana/templates/_pod.tpl): the release waits for it.
      if (get('grafana.enabled') !== false) ref('Secret', get('grafana.admin.existingSecret'), 'values.grafana.admin.existingSecret');
      operatorPod('alertmanager.alertmanagerSpec');
      operatorPod('prometheus.prometheusSpec');
      break;
    case 'velero': {
      const creds = isObject(values.credentials) ? values.credentials : {};
      ref('Secret', creds.extraSecretRef, 'values.credentials.extraSecretRef');
      if (creds.useSecret !== false) ref('Secret', creds.existingSecret, 'values.credentials.existingSecret');
      ref('PriorityClass', values.priorityClassName, 'values.priorityClassName');
      ref('PriorityClass', get('nodeAgent.priorityClassName'), 'values.nodeAgent.priorityClassName');
      break;
    }
    case 'cluster-api-operator': {
      const secret = (v: unknown, path: string) => isObject(v) && ref('Secret', v.name, `${path}.name`, asString(v.namespace) ?? namespace);
      secret(values.configSecret, 'values.configSecret');
      for (const kind of ['core', 'bootstrap', 'controlPlane', 'infrastructure', 'addon', 'ipam']) {
        const providers = values[kind];
        if (!isObject(providers)) continue;
        for (const [name, p] of Object.entries(providers)) if (isObject(p)) secret(p.configSecret, `values.${kind}.${name}.configSecret`);
      }
      break;
    }
    case 'rook-ceph':
      ref('PriorityClass', values.priorityClassName, 'values.priorityClassName');
      break;
    case 'rook-ceph-cluster': {
      ref('Namespace', values.operatorNamespace, 'values.operatorNamespace');
      const classes = get('cephClusterSpec.priorityClassNames');
      if (isObject(classes)) for (const [k, v] of Object.entries(classes)) ref('PriorityClass', v, `values.cephClusterSpec.priorityClassNames.${k}`);
      break;
    }
    case 'ceph-csi-drivers': {
      const cfgNs = asString(get('operatorConfig.namespace')) ?? namespace;
      ref('ConfigMap', get('operatorConfig.driverSpecDefaults.imageSet.name'), 'values.operatorConfig.driverSpecDefaults.imageSet.name', cfgNs);
      for (const plugin of ['controllerPlugin', 'nodePlugin']) {
        ref('PriorityClass', get(`operatorConfig.driverSpecDefaults.${plugin}.priorityClassName`), `values.operatorConfig.driverSpecDefaults.${plugin}.priorityClassName`);
      }
      break;
    }
  }
  return out;
}

function key(kind: RefKind, name: string, namespace?: string): string {
  return isClusterScoped(kind) ? `${kind}/${name}` : `${kind}/${namespace ?? ''}/${name}`;
}

function describe(r: { kind: RefKind; name: string; namespace?: string }): string {
  return isClusterScoped(r.kind) || !r.namespace ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

/**
 * True when applying `resource` fails if what `ref` names does not exist yet: any object in a
 * missing namespace (the API refuses it), a chart release (installed atomically, waiting for its
 * pods), and a Job Terraform waits to complete. Anything else is retried by its controller.
 */
function blocksOnMissing(ref: Reference): boolean {
  if (ref.blocking === false) return false;
  if (ref.kind === 'Namespace') return true;
  if (ref.resource.type === 'helm_release') return true;
  return ref.resource.type.startsWith('kubernetes_job') && ref.resource.body.wait_for_completion !== false;
}

/** The namespace a chart release of `chart` runs in anywhere in the environment, else `fallback`. */
function chartNamespace(view: EnvironmentView, chart: string, fallback: string): string {
  for (const s of view.stacks) {
    for (const r of s.model.resources) if (r.type === 'helm_release' && r.body.chart === chart && typeof r.body.namespace === 'string') return r.body.namespace;
  }
  return fallback;
}

/** Where CAPV runs: the cluster-api-operator values' `infrastructure.vsphere.namespace`. */
function capvNamespace(view: EnvironmentView): string {
  for (const s of view.stacks) {
    for (const r of s.model.resources) {
      if (r.type !== 'helm_release' || r.body.chart !== 'cluster-api-operator') continue;
      const infra = chartValues(r).infrastructure;
      const ns = isObject(infra) && isObject(infra.vsphere) ? asString(infra.vsphere.namespace) : undefined;
      if (ns) return ns;
    }
  }
  return 'capv-system';
}

/** All references of a stack. */
export function referencesOf(stack: StackView, view: EnvironmentView): Reference[] {
  const context = { capvNamespace: capvNamespace(view), certManagerNamespace: chartNamespace(view, 'cert-manager', 'cert-manager') };
  const out: Reference[] = [];
  for (const o of stack.model.objects) out.push(...objectReferences(o, context));
  for (const r of stack.model.resources) if (r.type === 'helm_release') out.push(...chartReferences(r));
  return out;
}

export function checkReferences(view: EnvironmentView): Finding[] {
  const findings: Finding[] = [];
  const products = new Map<string, Product[]>();
  const prerequisites = new Map<string, DeclaredPrerequisite[]>();
  for (const s of view.stacks) {
    products.set(s.name, productsOf(s));
    prerequisites.set(s.name, declaredPrerequisites(s.model));
  }
  for (const stack of view.stacks) {
    const sameCluster = view.stacks.filter((s) => s.cluster === stack.cluster);
    const index = (stackName: string) => {
      const m = new Map<string, Product[]>();
      for (const p of products.get(stackName) ?? []) m.set(key(p.kind, p.name, p.namespace), [...(m.get(key(p.kind, p.name, p.namespace)) ?? []), p]);
      return m;
    };
    const own = index(stack.name);
    const declared = new Set(
      sameCluster.flatMap((s) => (prerequisites.get(s.name) ?? []).flatMap((p) => {
        const kind = referenceKindOf(p.kind);
        return kind ? [key(kind, p.name, p.namespace)] : [];
      })),
    );
    const earlier = sameCluster.filter((s) => stack.earlier.has(s.name));
    const later = sameCluster.filter((s) => s !== stack && !stack.earlier.has(s.name));
    const waits = new Map<Resource, Set<string>>();
    for (const ref of referencesOf(stack, view)) {
      if (isBuiltIn(ref.kind, ref.name, ref.namespace)) continue;
      const k = key(ref.kind, ref.name, ref.namespace);
      if (declared.has(k)) continue;
      if (earlier.some((s) => index(s.name).has(k))) continue;
      const base = { check: 'references' as const, stack: stack.name, address: ref.resource.address, constructPath: ref.resource.path, field: ref.field, value: ref.name };
      const local = own.get(k);
      if (local) {
        if (!blocksOnMissing(ref) || local.some((p) => p.resource === ref.resource)) continue;
        const wait = waits.get(ref.resource) ?? waitsFor(stack.model, ref.resource);
        waits.set(ref.resource, wait);
        if (local.some((p) => wait.has(p.resource.address))) continue;
        const producer = local[0]!;
        findings.push({
          ...base,
          message: `${describe(ref)} is produced in the same stack by ${producer.resource.address} (${producer.via}), but nothing makes this resource wait for it, so Terraform may apply both at once and the install fails`,
          fix: `add a dependency of the consumer on the producer (dependsOn / depends_on: ["${producer.resource.address}"])`,
        });
        continue;
      }
      const producedLater = later.find((s) => index(s.name).has(k));
      // Retried by its controller until the later stack creates it: the install goes on.
      if (producedLater && !blocksOnMissing(ref)) continue;
      if (producedLater) {
        const producer = index(producedLater.name).get(k)![0]!;
        findings.push({
          ...base,
          message: `${describe(ref)} is produced only by the later stack ${producedLater.name} (${producer.via}), which is applied after this one, so this install waits for it and fails`,
          fix: `produce it in ${stack.name} or an earlier stack, or make the consumer name it only where it no longer blocks the install (for a Velero chart: credentials.useSecret=false and the BackupStorageLocation's credential)`,
        });
        continue;
      }
      findings.push({
        ...base,
        message: `${describe(ref)} is produced by no stack of this cluster, no operator acting on one, and is not a declared operational prerequisite`,
        fix: `declare the object in ${stack.name} or an earlier stack, or, if a team makes it outside Terraform, declare it on the consuming construct with declarePrerequisite(resource, { kind: "${ref.kind.toLowerCase()}", name: "${ref.name}"${ref.namespace && !isClusterScoped(ref.kind) ? `, namespace: "${ref.namespace}"` : ''}, providedBy, purpose }) (lib/markers.ts)`,
      });
    }
  }
  return findings;
}
