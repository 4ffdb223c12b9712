/**
 * The rules of the audit pack that can also be judged on one object at admission, as
 * Kubernetes ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, CEL, no extra
 * controller). Each policy names the audit rule it enforces and takes its title and reason from
 * that rule, so the report, the synth-time check and the cluster speak of one rule; tests run
 * every CEL expression here, with a real CEL implementation, on the fixtures the synth-time
 * rule is tested with, and require both to agree (test/admission.test.ts).
 *
 * Every rule of the pack is either enforced here or listed in SYNTH_ONLY with the reason.
 * Pure data: no cdktf. The construct that writes them is constructs/admission.
 */
import { NETWORK_EXCEPTION_ANNOTATION, ZONE_NAMES, type ZoneName } from '../zones';
import { RULES } from '../audit/rules';
import { POD_SECURITY_EXCEPTION_ANNOTATION } from '../audit/rules/PSS-001-pod-security-restricted';

/** What the generated expressions depend on, from the environment and the cluster layout. */
export interface AdmissionParams {
  /** Zones that may expose a Service of type LoadBalancer or NodePort, or an external Kafka listener. */
  readonly exposedZones: readonly ZoneName[];
  /** Namespaces allowed below Pod Security "restricted", with the level each may enforce. */
  readonly podSecurityExceptions: Readonly<Record<string, string>>;
  /** StorageClasses that retain their volumes and buckets (policy/layout.ts STORAGE_CLASSES). */
  readonly retainingClasses: readonly string[];
  /** Zones whose claims must use a retaining class. */
  readonly retainedZones: readonly ZoneName[];
  /** True in a development environment: deleting data resources is allowed there. */
  readonly development: boolean;
}

/** One CEL validation of a policy. */
export interface AdmissionValidation {
  /** CEL over `object` (and `oldObject`, `namespaceObject`, `request`): true admits. */
  readonly expression: string;
  /** What the person whose request is refused reads. */
  readonly message: string;
}

/** A resource the policy matches. */
export interface AdmissionResource {
  readonly apiGroup: string;
  readonly apiVersion: string;
  /** The plural resource name, e.g. `services`. */
  readonly resource: string;
  /** The kind, as the synth-time rule reads it. */
  readonly kind: string;
}

export interface AdmissionPolicyDefinition {
  /** The rule of the audit pack it enforces. */
  readonly rule: string;
  /** `moit-<rule id>-<what>`: the name of the policy and of its binding. */
  readonly name: string;
  readonly resources: readonly AdmissionResource[];
  readonly operations: ReadonlyArray<'CREATE' | 'UPDATE' | 'DELETE'>;
  /** Requests the policy does not look at (CEL, true = looked at). @default every request */
  readonly matchConditions?: ReadonlyArray<{ readonly name: string; readonly expression: string }>;
  readonly validations: readonly AdmissionValidation[];
}

/** Namespaces Kubernetes itself creates and runs: not ours to label. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'] as const;

const ZONE = 'moit.gov.vn/zone';
const ENFORCE = 'pod-security.kubernetes.io/enforce';

/** A CEL string literal. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list of string literals. */
export function celList(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** A CEL map of string literals. */
function celMap(values: Readonly<Record<string, string>>): string {
  return `{${Object.entries(values).map(([k, v]) => `${celString(k)}: ${celString(v)}`).join(', ')}}`;
}

/** The zone label of the request's namespace, or '' (CEL). */
const NAMESPACE_ZONE = `(has(namespaceObject.metadata.labels) && ${celString(ZONE)} in namespaceObject.metadata.labels ? namespaceObject.metadata.labels[${celString(ZONE)}] : '')`;

/** True when the label selector at `path` (CEL) selects everything: no labels, no expressions. */
function emptySelector(path: string): string {
  return `((!has(${path}.matchLabels) || size(${path}.matchLabels) == 0) && (!has(${path}.matchExpressions) || size(${path}.matchExpressions) == 0))`;
}

/** True when the object carries the annotation with a reason of at least ten characters (CEL). */
function reasonAnnotation(annotation: string): string {
  return `has(object.metadata.annotations) && ${celString(annotation)} in object.metadata.annotations && object.metadata.annotations[${celString(annotation)}].trim().size() >= 10`;
}

/** True when a NetworkPolicy peer (CEL variable `p`) is a wildcard, as NET-003 defines it. */
const WILDCARD_PEER =
  // A zero prefix however written (`/0`, `/00`), as NET-003 reads it.
  "(has(p.ipBlock) ? p.ipBlock.cidr.matches('/0+$') : " +
  `(has(p.namespaceSelector) ? ${emptySelector('p.namespaceSelector')} || !has(p.podSelector) || ${emptySelector('p.podSelector')} : ` +
  `(!has(p.podSelector) || ${emptySelector('p.podSelector')})))`;

/** The resources the policies match, each written once. */
const KAFKA: AdmissionResource = { apiGroup: 'kafka.strimzi.io', apiVersion: 'v1', resource: 'kafkas', kind: 'Kafka' };
const POSTGRES_CLUSTER: AdmissionResource = { apiGroup: 'postgresql.cnpg.io', apiVersion: 'v1', resource: 'clusters', kind: 'Cluster' };

/** The admission policies of one cluster. */
export function admissionPolicies(params: AdmissionParams): AdmissionPolicyDefinition[] {
  const exposed = celList(params.exposedZones);
  const policies: AdmissionPolicyDefinition[] = [
    {
      rule: 'NET-002',
      name: 'moit-net-002-exposure',
      resources: [
        { apiGroup: '', apiVersion: 'v1', resource: 'services', kind: 'Service' },
        KAFKA,
      ],
      operations: ['CREATE', 'UPDATE'],
      validations: [
        {
          expression: `object.kind != 'Service' || !has(object.spec.type) || !(object.spec.type in ['LoadBalancer', 'NodePort']) || ${NAMESPACE_ZONE} in ${exposed}`,
          message: `A Service of type LoadBalancer or NodePort may only live in a namespace of zone ${params.exposedZones.join(' or ')}; use ClusterIP and route through the gateway.`,
        },
        {
          expression: `object.kind != 'Kafka' || !has(object.spec.kafka.listeners) || object.spec.kafka.listeners.all(l, !has(l.type) || !(l.type in ['loadbalancer', 'nodeport', 'ingress', 'route'])) || ${NAMESPACE_ZONE} in ${exposed}`,
          message: `An external Kafka listener (loadbalancer, nodeport, ingress, route) may only be declared in zone ${params.exposedZones.join(' or ')}.`,
        },
      ],
    },
    {
      rule: 'PSS-001',
      name: 'moit-pss-001-namespace-labels',
      resources: [{ apiGroup: '', apiVersion: 'v1', resource: 'namespaces', kind: 'Namespace' }],
      operations: ['CREATE', 'UPDATE'],
      matchConditions: [{ name: 'not-a-system-namespace', expression: `!(object.metadata.name in ${celList(SYSTEM_NAMESPACES)})` }],
      validations: [
        {
          expression: `has(object.metadata.labels) && ${celString(ZONE)} in object.metadata.labels && object.metadata.labels[${celString(ZONE)}] in ${celList(ZONE_NAMES)}`,
          message: `Every namespace carries the label ${ZONE} with one of ${ZONE_NAMES.join(', ')}; create namespaces with ZonedNamespace (policy/layout.ts).`,
        },
        {
          expression:
            `has(object.metadata.labels) && ${celString(ENFORCE)} in object.metadata.labels && (object.metadata.labels[${celString(ENFORCE)}] == 'restricted' || ` +
            `(object.metadata.name in ${celMap(params.podSecurityExceptions)} && object.metadata.labels[${celString(ENFORCE)}] == ${celMap(params.podSecurityExceptions)}[object.metadata.name] && ` +
            `${reasonAnnotation(POD_SECURITY_EXCEPTION_ANNOTATION)}))`,
          message: `A namespace enforces Pod Security "restricted" unless the cluster layout declares an exception for it, with its level and a reason in ${POD_SECURITY_EXCEPTION_ANNOTATION}.`,
        },
      ],
    },
    {
      rule: 'NET-003',
      name: 'moit-net-003-wildcard-peers',
      resources: [{ apiGroup: 'networking.k8s.io', apiVersion: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy' }],
      operations: ['CREATE', 'UPDATE'],
      validations: [
        {
          expression:
            `(${reasonAnnotation(NETWORK_EXCEPTION_ANNOTATION)}) || ` +
            `((!has(object.spec.ingress) || object.spec.ingress.all(r, has(r.from) && size(r.from) > 0 && r.from.all(p, !${WILDCARD_PEER}))) && ` +
            `(!has(object.spec.egress) || object.spec.egress.all(r, has(r.to) && size(r.to) > 0 && r.to.all(p, !${WILDCARD_PEER}))))`,
          message: `A NetworkPolicy names narrow peers: no 0.0.0.0/0, every namespace, every pod of a namespace, or a rule without peers, unless the reason is written in ${NETWORK_EXCEPTION_ANNOTATION}.`,
        },
      ],
    },
    {
      rule: 'KAF-001',
      name: 'moit-kaf-001-listener-tls',
      resources: [KAFKA],
      operations: ['CREATE', 'UPDATE'],
      validations: [
        {
          expression: 'has(object.spec.kafka.listeners) && size(object.spec.kafka.listeners) > 0 && object.spec.kafka.listeners.all(l, has(l.tls) && l.tls == true)',
          message: 'Every Kafka listener sets tls: true.',
        },
      ],
    },
    {
      rule: 'KAF-002',
      name: 'moit-kaf-002-listener-authentication',
      resources: [KAFKA],
      operations: ['CREATE', 'UPDATE'],
      validations: [
        {
          expression: "!has(object.spec.kafka.listeners) || object.spec.kafka.listeners.all(l, has(l.authentication) && has(l.authentication.type) && l.authentication.type in ['tls', 'scram-sha-512', 'oauth', 'custom'])",
          message: 'Every Kafka listener authenticates its clients (authentication.type tls, scram-sha-512, oauth or custom).',
        },
      ],
    },
    {
      rule: 'KAF-003',
      name: 'moit-kaf-003-authorization',
      resources: [KAFKA],
      operations: ['CREATE', 'UPDATE'],
      validations: [
        {
          expression: "has(object.spec.kafka.authorization) && has(object.spec.kafka.authorization.type) && object.spec.kafka.authorization.type in ['simple', 'opa', 'keycloak', 'custom']",
          message: 'A Kafka cluster enforces authorization (spec.kafka.authorization.type simple, with ACLs per KafkaUser).',
        },
      ],
    },
    {
      rule: 'PG-001',
      name: 'moit-pg-001-superuser-disabled',
      resources: [POSTGRES_CLUSTER],
      operations: ['CREATE', 'UPDATE'],
      validations: [{ expression: '!has(object.spec.enableSuperuserAccess) || object.spec.enableSuperuserAccess == false', message: 'A Postgres cluster keeps enableSuperuserAccess off.' }],
    },
    {
      rule: 'PG-002',
      name: 'moit-pg-002-tls-only-hba',
      resources: [POSTGRES_CLUSTER],
      operations: ['CREATE', 'UPDATE'],
      validations: [
        {
          // Mirrors nonTlsGap (PG-002): no trust; TCP without TLS (host, hostnossl, hostnogssenc)
          // only ever rejected, with a reject line covering every IPv4 and every IPv6 address.
          // Stricter than the synth rule in one way: a non-TLS line after the covering reject
          // (unreachable, as pg_hba is first-match) is refused too.
          expression:
            'has(object.spec.postgresql) && has(object.spec.postgresql.pg_hba) && ' +
            "object.spec.postgresql.pg_hba.all(l, l.trim().startsWith('#') || !l.matches('(^|\\\\s)trust(\\\\s|$)')) && " +
            "object.spec.postgresql.pg_hba.all(l, !l.trim().matches('^(host|hostnossl|hostnogssenc)\\\\s.*') || l.trim().endsWith(' reject')) && " +
            "object.spec.postgresql.pg_hba.exists(l, l.trim().matches('^(host|hostnossl|hostnogssenc)\\\\s+all\\\\s+all\\\\s+(0\\\\.0\\\\.0\\\\.0/0|all)\\\\s+reject$')) && " +
            "object.spec.postgresql.pg_hba.exists(l, l.trim().matches('^(host|hostnossl|hostnogssenc)\\\\s+all\\\\s+all\\\\s+(::/0|all)\\\\s+reject$')) && " +
            "(!has(object.spec.postgresql.parameters) || !('ssl_min_protocol_version' in object.spec.postgresql.parameters) || object.spec.postgresql.parameters['ssl_min_protocol_version'] in ['TLSv1.2', 'TLSv1.3'])",
          message: 'A Postgres cluster admits TCP only with hostssl lines and ends its pg_hba with "host all all 0.0.0.0/0 reject" and "host all all ::/0 reject".',
        },
      ],
    },
    {
      rule: 'RET-002',
      name: 'moit-ret-002-operator-delete-protection',
      resources: [
        { apiGroup: 'kafka.strimzi.io', apiVersion: 'v1', resource: 'kafkanodepools', kind: 'KafkaNodePool' },
        { apiGroup: 'ceph.rook.io', apiVersion: 'v1', resource: 'cephobjectstores', kind: 'CephObjectStore' },
        { apiGroup: 'ceph.rook.io', apiVersion: 'v1', resource: 'cephclusters', kind: 'CephCluster' },
      ],
      operations: ['CREATE', 'UPDATE'],
      validations: [
        {
          expression:
            "object.kind != 'KafkaNodePool' || !has(object.spec.storage) || (object.spec.storage.type == 'jbod' ? (!has(object.spec.storage.volumes) || object.spec.storage.volumes.all(v, !has(v.deleteClaim) || v.deleteClaim == false)) : (!has(object.spec.storage.deleteClaim) || object.spec.storage.deleteClaim == false))",
          message: 'A Kafka node pool keeps its volumes: deleteClaim false.',
        },
        { expression: "object.kind != 'CephObjectStore' || (has(object.spec.preservePoolsOnDelete) && object.spec.preservePoolsOnDelete == true)", message: 'A CephObjectStore preserves its pools on delete.' },
        { expression: "object.kind != 'CephCluster' || !has(object.spec.cleanupPolicy) || !has(object.spec.cleanupPolicy.confirmation) || object.spec.cleanupPolicy.confirmation == ''", message: "A CephCluster sets no cleanupPolicy.confirmation: it would wipe the hosts' data on delete." },
      ],
    },
    {
      rule: 'RET-003',
      name: 'moit-ret-003-data-claims-retained',
      resources: [
        { apiGroup: '', apiVersion: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim' },
        { apiGroup: 'objectbucket.io', apiVersion: 'v1alpha1', resource: 'objectbucketclaims', kind: 'ObjectBucketClaim' },
      ],
      operations: ['CREATE'],
      validations: [
        {
          expression: `!(${NAMESPACE_ZONE} in ${celList(params.retainedZones)}) || (has(object.spec.storageClassName) && object.spec.storageClassName in ${celList(params.retainingClasses)})`,
          message: `A volume or bucket claim in zone ${params.retainedZones.join(' or ')} names a retaining class (${params.retainingClasses.join(', ')}), so deleting the claim never deletes the data.`,
        },
      ],
    },
  ];
  if (!params.development) {
    policies.push({
      rule: 'RET-001',
      name: 'moit-ret-001-no-data-deletion',
      resources: [
        { apiGroup: 'kafka.strimzi.io', apiVersion: 'v1', resource: 'kafkatopics', kind: 'KafkaTopic' },
        POSTGRES_CLUSTER,
        { apiGroup: 'postgresql.cnpg.io', apiVersion: 'v1', resource: 'databases', kind: 'Database' },
      ],
      operations: ['DELETE'],
      validations: [
        {
          // The admission twin of prevent_destroy: outside development nobody deletes these by
          // hand either. A deliberate removal goes through the code, the review and a declared
          // --allow-destroy (docs/review-and-deploy.md), which first lifts this binding.
          expression: 'false',
          message: 'Kafka topics, Postgres clusters and databases are retained outside development: remove them through the code review with --allow-destroy, not by hand.',
        },
      ],
    });
  }
  return policies;
}

/** Rules of the pack that cannot be judged on one object at admission, and why. */
export const SYNTH_ONLY: Readonly<Record<string, string>> = {
  'LOG-002': "Audit logs leaving the node is a relation between a log shipper's chart values on the control plane and a locked bucket in another stack, not one admitted object.",
  'MON-001': 'An RPO alert is judged against the backup record of the services it watches and the monitors that scrape them: several objects and a synth-time record.',
  'MON-002': "Alertmanager's receivers are chart values installed by Helm, judged in the synthesized release; admission sees only the rendered Secret.",
  'MON-003': "The monitoring listeners are chart values installed by Helm (Grafana's protocol reaches the pod as a rendered grafana.ini ConfigMap) and the accepted gap is recorded on the release: judged in the synthesized release.",
  'NET-001': 'Default deny is a relation between a namespace and a NetworkPolicy in it; admission sees one object at a time (the namespace is created before its policy).',
  'SEC-001': 'Literal secrets are judged in the synthesized Terraform (values, variables, state); at admission a Secret legitimately carries its value.',
  'SEC-002': 'A store is judged together with the ExternalSecrets that name it and the domain its mount belongs to: several objects, some cluster-scoped.',
  'SEC-003': 'Hand-made Secrets are prerequisites recorded in the synthesized output; admission cannot tell who made a Secret.',
  'SEC-004': 'The secret store is backed up by a CronJob judged against the OpenBao release it protects, its tier and the off-site target recorded at synth: several objects, some of them records.',
  'SEC-005': 'The audit shipper is judged against the audit device in the OpenBao configuration and the immutability of a bucket at the other site, which admission cannot see.',
  'RBAC-001': 'Least privilege is judged over all roles and bindings together and their declared exceptions; one binding alone does not show it.',
  'PG-003': 'WAL archiving is a relation between a Cluster and its ObjectStore and the tier of its data, not one object.',
  'PG-004': 'A scheduled backup is judged against the tier of the cluster it backs up, another object.',
  'OBJ-001': "Versioning is applied by the bucket's setup Job through the S3 API, not a Kubernetes object field.",
  'OBJ-002': 'The bucket policy is enforced by Ceph RGW; a policy in additionalConfig is checked at synth, and a bucket created without one is caught by the audit.',
  'OBJ-003': "Object lock is applied by the bucket's setup Job through the S3 API, not a Kubernetes object field.",
  'BAK-001': 'Backup tier coverage spans every stateful service of a stack and the tiers of the environment.',
  'BAK-002': 'Retention is judged against the tier of the service, recorded outside the object.',
  'BAK-003': 'Off-site copies are judged against the tier and the other site, across stacks.',
  'BAK-004': 'Restore drills are dated evidence, not objects in the cluster.',
  'LOG-001': 'The API server audit-log retention lives in the control plane configuration (Cluster API objects on the management cluster), not in an object admitted by the workload cluster.',
  'SHR-001': 'Sharing agreements are dated records of the catalogue; a grant is judged against the agreement in force on a day.',
  'AUD-001': 'Suppressions are records of the synthesized output, not cluster objects.',
  'AUD-002': 'The environment record is a property of the synthesized stack.',
};

/** Each rule of the pack: the admission policies that enforce it, or why it stays at synth. */
export function admissionCoverage(params: AdmissionParams): Array<{ rule: string; policies: string[]; synthOnly?: string }> {
  const policies = admissionPolicies({ ...params, development: false });
  return RULES.map((r) => {
    const names = policies.filter((p) => p.rule === r.id).map((p) => p.name);
    return names.length > 0 ? { rule: r.id, policies: names } : { rule: r.id, policies: [], synthOnly: SYNTH_ONLY[r.id] ?? 'not classified' };
  });
}

/** Rules of the pack that have an admission policy (and so may be named in an environment's `admission.deny`). */
export function enforceableRules(): string[] {
  const dummy: AdmissionParams = { exposedZones: [], podSecurityExceptions: {}, retainingClasses: [], retainedZones: [], development: false };
  return [...new Set(admissionPolicies(dummy).map((p) => p.rule))];
}
