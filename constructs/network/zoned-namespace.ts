import { Construct } from 'constructs';
import type { ZoneName } from '../../environments/schema';
import type { ITerraformDependable } from '../../lib/tf';
import { LimitRangeV1, NamespaceV1, NetworkPolicyV1, ResourceQuotaV1 } from '../../lib/providers';
import { ClusterContext } from '../context';
import { NAMESPACE_NAME_LABEL, ZONE_LABEL } from './peer';
import { EXPOSED_ZONES, Segmentation } from './segmentation';
import type { NamespaceQuota, PodSecurityException, PodSecurityLevel } from '../../policy/layout';

export type { NamespaceQuota, PodSecurityException, PodSecurityLevel };

export interface ZonedNamespaceProps {
  readonly name: string;
  readonly zone: ZoneName;
  /** What runs here, for people and reports. */
  readonly purpose: string;
  /**
   * Pod Security Admission is `restricted` (enforced, audited and warned) unless an exception
   * with a reason is declared; the exception is labelled on the namespace and reported.
   * @default restricted
   */
  readonly podSecurityException?: PodSecurityException;
  /** @default DEFAULT_QUOTA */
  readonly quota?: NamespaceQuota;
  /** Extra labels, e.g. the data domain of a tenant namespace. @default {} */
  readonly labels?: Record<string, string>;
}

export const DEFAULT_QUOTA: NamespaceQuota = { requestsCpu: '16', memory: '64Gi', pods: 100, persistentVolumeClaims: 40, storage: '4Ti' };

/** The cluster DNS service the `allow-dns` policy admits, and nothing else on port 53. */
export const CLUSTER_DNS = { namespace: 'kube-system', selector: { 'k8s-app': 'kube-dns' } } as const;

/**
 * A namespace that belongs to exactly one zone, with the baseline every namespace gets:
 * zone and Pod Security labels, a default-deny NetworkPolicy for ingress and egress, DNS
 * egress to the cluster DNS service only (port 53, UDP and TCP), a ResourceQuota and a
 * LimitRange. Everything else must be a declared flow (see Segmentation).
 */
export class ZonedNamespace extends Construct {
  readonly name: string;
  readonly zone: ZoneName;
  readonly podSecurity: PodSecurityLevel;
  readonly namespace: NamespaceV1;
  /** The namespace and its baseline objects: what a chart installed into it depends on. */
  readonly baseline: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ZonedNamespaceProps) {
    super(scope, id);
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 63) {
      throw new Error(`${this.node.path}: name must be a DNS label of at most 63 characters, got ${JSON.stringify(props.name)}`);
    }
    const exception = props.podSecurityException;
    if (exception && exception.reason.trim().length < 10) {
      throw new Error(`${this.node.path}: podSecurityException.reason must explain the exception in at least 10 characters, got ${JSON.stringify(exception.reason)}`);
    }
    this.name = props.name;
    this.zone = props.zone;
    this.podSecurity = exception?.level ?? 'restricted';
    const provider = ClusterContext.of(this).kubernetes;
    const quota = props.quota ?? DEFAULT_QUOTA;

    this.namespace = new NamespaceV1(this, 'namespace', {
      provider,
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          [ZONE_LABEL]: props.zone,
          'app.kubernetes.io/managed-by': 'moit-datacentre',
          'pod-security.kubernetes.io/enforce': this.podSecurity,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          // Audit and warn at restricted even where enforcement is relaxed, so the gap stays visible.
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        annotations: {
          'moit.gov.vn/purpose': props.purpose,
          ...(exception ? { 'moit.gov.vn/pod-security-exception': exception.reason } : {}),
        },
      },
    });
    const namespace = props.name;
    const dependsOn = [this.namespace];

    const defaultDeny = new NetworkPolicyV1(this, 'default-deny', {
      provider,
      dependsOn,
      metadata: { name: 'default-deny', namespace, labels: { 'moit.gov.vn/policy': 'default-deny' } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    const allowDns = new NetworkPolicyV1(this, 'allow-dns', {
      provider,
      dependsOn,
      metadata: { name: 'allow-dns', namespace, labels: { 'moit.gov.vn/policy': 'dns' } },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: CLUSTER_DNS.namespace } }, podSelector: { matchLabels: { ...CLUSTER_DNS.selector } } }],
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
          },
        ],
      },
    });

    // The DNS egress is rendered here, with the baseline; the record of declared flows holds it too.
    Segmentation.of(this).recordBaseline({
      from: { kind: 'namespace', name: `${namespace}-all`, namespace },
      to: { kind: 'pods', name: 'cluster-dns', namespace: CLUSTER_DNS.namespace, selector: { ...CLUSTER_DNS.selector } },
      ports: ['53/TCP', '53/UDP'],
      purpose: 'every pod resolves names through the cluster DNS service',
      declaredBy: this.node.path,
      renderedBy: 'namespace-baseline',
    });

    const resourceQuota = new ResourceQuotaV1(this, 'quota', {
      provider,
      dependsOn,
      metadata: { name: 'quota', namespace },
      spec: {
        hard: {
          'requests.cpu': quota.requestsCpu,
          'requests.memory': quota.memory,
          'limits.memory': quota.memory,
          pods: String(quota.pods),
          persistentvolumeclaims: String(quota.persistentVolumeClaims),
          'requests.storage': quota.storage,
          // Only dmz and exchange may expose the cluster; elsewhere the API server refuses it too.
          'services.loadbalancers': EXPOSED_ZONES.includes(props.zone) ? '4' : '0',
          'services.nodeports': '0',
        },
      },
    });

    const limits = new LimitRangeV1(this, 'limits', {
      provider,
      dependsOn,
      metadata: { name: 'limits', namespace },
      spec: {
        limit: [
          {
            type: 'Container',
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            default: { memory: '512Mi' },
            max: { memory: '64Gi' },
          },
        ],
      },
    });
    this.baseline = [this.namespace, defaultDeny, allowDns, resourceQuota, limits];
  }
}
