/**
 * Who may do what on a cluster, by identity-provider group:
 *
 * - platform administrators: `cluster-admin` (ClusterRoleBinding `moit:platform-admins`);
 * - auditors: the read-only ClusterRole `moit:auditor`, which lists every resource it may read
 *   by name: namespaces, workloads, network and admission policies, RBAC, events and the custom
 *   resources of the data services. It never includes `secrets` and never a `*`, which would
 *   include them (and whatever is installed next);
 * - data-domain owners: per tenant namespace, a Role `moit:domain-owner` (read their
 *   workloads and data services, start an on-demand database backup; no Secrets) bound to the
 *   domain's owner group, through `grantDomainOwner(namespace, group)`.
 *
 * Everything else (changing the platform, reading credentials) is declared as code and applied
 * by the deploy pipeline, not done by hand.
 */
import { Construct } from 'constructs';
import { rbacGroup } from '../../environments/sections/clusters';
import { ConstructPropsError } from '../../lib/errors';
import { ClusterRoleBindingV1, ClusterRoleV1, RoleBindingV1, RoleV1 } from '../../lib/providers';
import { Lazy } from '../../lib/tf';
import { PLATFORM_NAMESPACES } from '../../policy/layout';
import { CLUSTER_API_NAMESPACES } from '../cluster/cluster-api-operator';
import { policyName } from '../network/segmentation';
import { ClusterContext } from '../context';

/** Read access to some resources of one API group (`""` is the core group). */
export interface ReadGrant {
  readonly apiGroup: string;
  readonly resources: readonly string[];
}

/** An RBAC rule as Kubernetes writes it. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

export const READ_VERBS = ['get', 'list', 'watch'] as const;

/** Resources no auditor or domain owner role may name: they hold credentials. */
export const NEVER_READABLE = ['secrets'] as const;

/** What auditors read on every workload cluster. */
export const AUDITOR_READS: readonly ReadGrant[] = [
  {
    apiGroup: '',
    resources: ['namespaces', 'nodes', 'pods', 'services', 'endpoints', 'serviceaccounts', 'events', 'resourcequotas', 'limitranges', 'persistentvolumes', 'persistentvolumeclaims', 'replicationcontrollers'],
  },
  { apiGroup: 'events.k8s.io', resources: ['events'] },
  { apiGroup: 'apps', resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroup: 'batch', resources: ['jobs', 'cronjobs'] },
  { apiGroup: 'networking.k8s.io', resources: ['networkpolicies', 'ingresses', 'ingressclasses'] },
  { apiGroup: 'policy', resources: ['poddisruptionbudgets'] },
  { apiGroup: 'rbac.authorization.k8s.io', resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'] },
  {
    apiGroup: 'admissionregistration.k8s.io',
    resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'],
  },
  { apiGroup: 'apiextensions.k8s.io', resources: ['customresourcedefinitions'] },
  { apiGroup: 'storage.k8s.io', resources: ['storageclasses'] },
  { apiGroup: 'certificates.k8s.io', resources: ['certificatesigningrequests'] },
  { apiGroup: 'cert-manager.io', resources: ['certificates', 'certificaterequests', 'issuers', 'clusterissuers'] },
  { apiGroup: 'postgresql.cnpg.io', resources: ['clusters', 'backups', 'scheduledbackups', 'poolers', 'databases'] },
  { apiGroup: 'barmancloud.cnpg.io', resources: ['objectstores'] },
  { apiGroup: 'kafka.strimzi.io', resources: ['kafkas', 'kafkanodepools', 'kafkatopics', 'kafkausers', 'kafkamirrormaker2s'] },
  { apiGroup: 'ceph.rook.io', resources: ['cephclusters', 'cephblockpools', 'cephobjectstores', 'cephobjectstoreusers'] },
  { apiGroup: 'objectbucket.io', resources: ['objectbucketclaims', 'objectbuckets'] },
  { apiGroup: 'velero.io', resources: ['backups', 'restores', 'schedules', 'backupstoragelocations', 'volumesnapshotlocations'] },
];

/** What auditors additionally read on a management cluster: the Cluster API objects and providers. */
export const MANAGEMENT_AUDITOR_READS: readonly ReadGrant[] = [
  { apiGroup: 'cluster.x-k8s.io', resources: ['clusters', 'machinedeployments', 'machinesets', 'machines', 'machinehealthchecks'] },
  { apiGroup: 'controlplane.cluster.x-k8s.io', resources: ['kubeadmcontrolplanes'] },
  { apiGroup: 'bootstrap.cluster.x-k8s.io', resources: ['kubeadmconfigs', 'kubeadmconfigtemplates'] },
  { apiGroup: 'infrastructure.cluster.x-k8s.io', resources: ['vsphereclusters', 'vsphereclusteridentities', 'vspheremachines', 'vspheremachinetemplates', 'vspherevms'] },
  { apiGroup: 'operator.cluster.x-k8s.io', resources: ['coreproviders', 'bootstrapproviders', 'controlplaneproviders', 'infrastructureproviders'] },
];

/** What a data-domain owner may do in the domain's namespace. */
export const DOMAIN_OWNER_RULES: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints', 'events', 'persistentvolumeclaims', 'configmaps', 'serviceaccounts'], verbs: READ_VERBS },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ_VERBS },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: READ_VERBS },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ_VERBS },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ_VERBS },
  { apiGroups: ['postgresql.cnpg.io'], resources: ['clusters', 'backups', 'scheduledbackups', 'poolers', 'databases'], verbs: READ_VERBS },
  // An on-demand backup before a risky change is the owner's call.
  { apiGroups: ['postgresql.cnpg.io'], resources: ['backups'], verbs: ['create'] },
  { apiGroups: ['kafka.strimzi.io'], resources: ['kafkatopics', 'kafkausers'], verbs: READ_VERBS },
  { apiGroups: ['objectbucket.io'], resources: ['objectbucketclaims'], verbs: READ_VERBS },
];

/** Why a rule may not be in a role that must not reach credentials; undefined when it may. */
export function credentialAccessIn(rule: RbacRule): string | undefined {
  if (rule.resources.some((r) => (NEVER_READABLE as readonly string[]).includes(r.split('/')[0]!))) return `names ${NEVER_READABLE.join(', ')}, which hold credentials`;
  if ([...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*')) return 'uses "*", which would include Secrets and whatever is installed next';
  return undefined;
}

export interface ClusterAccessProps {
  /** The platform team's group, bound to `cluster-admin`. @default the environment's `clusterBaseline.access.platformAdmins` */
  readonly platformAdmins?: string;
  /** The auditors' group, bound to `moit:auditor`. @default the environment's `clusterBaseline.access.auditors` */
  readonly auditors?: string;
  /** More resources auditors read on this cluster (e.g. MANAGEMENT_AUDITOR_READS). @default [] */
  readonly auditorReads?: readonly ReadGrant[];
}

/** A data-domain owner's access to its namespace. */
export interface DomainOwnerGrant {
  readonly namespace: string;
  readonly group: string;
  readonly role: RoleV1;
  readonly binding: RoleBindingV1;
}

const MANAGED = { 'app.kubernetes.io/managed-by': 'moit-datacentre' };
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class ClusterAccess extends Construct {
  static readonly ADMIN_BINDING = 'moit:platform-admins';
  static readonly AUDITOR_ROLE = 'moit:auditor';
  static readonly DOMAIN_OWNER_ROLE = 'moit:domain-owner';

  readonly platformAdmins: string;
  readonly auditors: string;
  readonly adminBinding: ClusterRoleBindingV1;
  readonly auditorRole: ClusterRoleV1;
  readonly auditorBinding: ClusterRoleBindingV1;
  private readonly auditorGrants: ReadGrant[] = [];
  private readonly owners = new Map<string, DomainOwnerGrant>();

  constructor(scope: Construct, id: string, props: ClusterAccessProps = {}) {
    super(scope, id);
    const stack = ClusterContext.of(this);
    const access = stack.environment.clusterBaseline.access;
    this.platformAdmins = this.checkGroup('platformAdmins', props.platformAdmins ?? access.platformAdmins);
    this.auditors = this.checkGroup('auditors', props.auditors ?? access.auditors);
    if (this.platformAdmins === this.auditors) {
      throw new ConstructPropsError(this.node.path, 'auditors', 'must differ from platformAdmins: auditors check the administrators', this.auditors);
    }
    const provider = stack.kubernetes;

    this.adminBinding = new ClusterRoleBindingV1(this, 'platform-admins', {
      provider,
      metadata: { name: ClusterAccess.ADMIN_BINDING, labels: MANAGED },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'cluster-admin' },
      subject: [{ kind: 'Group', name: this.platformAdmins, apiGroup: RBAC_GROUP }],
    });

    for (const grant of [...AUDITOR_READS, ...(props.auditorReads ?? [])]) this.allowAuditorsToRead(grant);
    this.auditorRole = new ClusterRoleV1(this, 'auditor-role', {
      provider,
      metadata: { name: ClusterAccess.AUDITOR_ROLE, labels: MANAGED, annotations: { 'moit.gov.vn/purpose': 'Read-only evidence for auditors; never Secrets.' } },
      // Rendered at synth, so grants added after construction are included.
      rule: Lazy.anyValue({ produce: () => this.auditorRules().map((r) => ({ api_groups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })) }),
    });
    this.auditorBinding = new ClusterRoleBindingV1(this, 'auditors', {
      provider,
      metadata: { name: ClusterAccess.AUDITOR_ROLE, labels: MANAGED },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: ClusterAccess.AUDITOR_ROLE },
      subject: [{ kind: 'Group', name: this.auditors, apiGroup: RBAC_GROUP }],
    });
  }

  /**
   * Lets auditors read more resources (a new operator's custom resources, say). Refuses
   * Secrets and `*`.
   */
  allowAuditorsToRead(grant: ReadGrant): void {
    const rule: RbacRule = { apiGroups: [grant.apiGroup], resources: grant.resources, verbs: READ_VERBS };
    const problem = credentialAccessIn(rule);
    if (problem) throw new ConstructPropsError(this.node.path, 'auditor read', `${problem}; name the resources auditors need one by one`, grant);
    if (grant.resources.length === 0) throw new ConstructPropsError(this.node.path, 'auditor read', 'names no resource', grant);
    this.auditorGrants.push(grant);
  }

  /** The auditor role's rules: one per API group, resources sorted and unique. */
  auditorRules(): RbacRule[] {
    const byGroup = new Map<string, Set<string>>();
    for (const g of this.auditorGrants) {
      const set = byGroup.get(g.apiGroup) ?? new Set<string>();
      g.resources.forEach((r) => set.add(r));
      byGroup.set(g.apiGroup, set);
    }
    return [...byGroup.entries()].map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: READ_VERBS }));
  }

  /**
   * Lets a data domain's owner group see and look after its namespace: a Role
   * `moit:domain-owner` in the namespace (created once) and a RoleBinding to the group. The
   * namespace must be a tenant namespace of this cluster's layout (`clusterNamespaces(tenants)`),
   * never a platform one. Granting the same group twice returns the first grant.
   */
  grantDomainOwner(namespace: string, group: string): DomainOwnerGrant {
    const key = `${namespace}|${group}`;
    const existing = this.owners.get(key);
    if (existing) return existing;
    this.checkGroup(`grantDomainOwner(${namespace}).group`, group);
    const stack = ClusterContext.of(this);
    const planned = stack.namespaces.map((n) => n.name);
    if (!planned.includes(namespace)) {
      throw new ConstructPropsError(this.node.path, `grantDomainOwner(${namespace})`, `namespace is not in this cluster's layout; add the domain's namespace to clusterNamespaces(tenants) first. Known: ${planned.join(', ')}`, namespace);
    }
    const reserved = new Set([...SYSTEM_NAMESPACES, ...PLATFORM_NAMESPACES.map((n) => n.name), ...CLUSTER_API_NAMESPACES.map((n) => n.name), stack.environment.management?.namespace]);
    if (reserved.has(namespace)) {
      throw new ConstructPropsError(this.node.path, `grantDomainOwner(${namespace})`, 'is a platform namespace; domain owners are granted their own tenant namespace only', namespace);
    }
    const created = stack.createdNamespace(namespace);
    const dependsOn = created ? [created.namespace] : [];
    const scope = (this.node.tryFindChild('domain-owners') as Construct | undefined) ?? new Construct(this, 'domain-owners');
    const nsScope = (scope.node.tryFindChild(namespace) as Construct | undefined) ?? new Construct(scope, namespace);
    const role =
      (nsScope.node.tryFindChild('role') as RoleV1 | undefined) ??
      new RoleV1(nsScope, 'role', {
        provider: stack.kubernetes,
        dependsOn,
        metadata: { name: ClusterAccess.DOMAIN_OWNER_ROLE, namespace, labels: MANAGED },
        rule: DOMAIN_OWNER_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
      });
    const binding = new RoleBindingV1(nsScope, group, {
      provider: stack.kubernetes,
      dependsOn: [role],
      metadata: { name: policyName('domain-owner', group), namespace, labels: MANAGED },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: ClusterAccess.DOMAIN_OWNER_ROLE },
      subject: [{ kind: 'Group', name: group, apiGroup: RBAC_GROUP }],
    });
    const grant: DomainOwnerGrant = { namespace, group, role, binding };
    this.owners.set(key, grant);
    return grant;
  }

  /** The domain-owner grants made so far. */
  get domainOwners(): DomainOwnerGrant[] {
    return [...this.owners.values()];
  }

  private checkGroup(field: string, group: string): string {
    const result = rbacGroup.safeParse(group);
    if (!result.success) throw new ConstructPropsError(this.node.path, field, result.error.issues.map((i) => i.message).join('; '), group);
    return group;
  }
}
