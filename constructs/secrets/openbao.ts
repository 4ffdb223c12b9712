import { Construct } from 'constructs';
import type { UnsealConfig } from '../../environments/sections/secrets';
import { OPERATORS } from '../../lib/versions';
import { dependOn } from '../../lib/tf';
import { CustomResource } from '../k8s-object';
import { ClusterContext } from '../context';
import { OperatorChart } from '../operator-chart';
import { Peer, type WorkloadPeer } from '../network/peer';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { OPENBAO_API_PORT } from './operator';
import { resolveTiers } from '../../policy/backup/tiers';
import { retain } from '../../lib/markers';
import { assignBackupTier } from '../backup/coverage';
import { allowAuditShipping, auditShipperContainer, auditShippingRecord, declareOffsiteKeys, OpenBaoSnapshots } from './openbao-backup';

/** OpenBao's Raft and request-forwarding port between its pods. */
export const OPENBAO_CLUSTER_PORT = Port.tcp(8201);
/** Where the TLS Secret is mounted in the pods. */
const TLS_DIR = '/openbao/tls';
/** Where the file audit device writes (the chart's auditStorage volume). */
export const AUDIT_LOG = '/openbao/audit/audit.log';
/** The secret store in the backup coverage table: `<cluster>/<namespace>/<name>`. */
export const OPENBAO_SERVICE = 'mgmt/openbao/openbao';

export interface OpenBaoProps {
  /** The name clients use (a SAN of the certificate). */
  readonly host: string;
  readonly unseal: UnsealConfig;
  /** The ClusterIssuer of the internal CA on this cluster. */
  readonly issuerName: string;
  /** @default 3 */
  readonly replicas?: number;
}

/** The `seal` stanza of the configuration for an unseal method; Shamir has none (the default). */
export function sealStanza(unseal: UnsealConfig): string {
  switch (unseal.method) {
    case 'shamir':
      return '';
    case 'transit':
      // The token comes from the environment (BAO_TOKEN), never from this file.
      return `seal "transit" {\n  address = "${unseal.address}"\n  key_name = "${unseal.keyName}"\n  mount_path = "transit/"\n}\n`;
    case 'pkcs11':
      // The PIN comes from the environment (BAO_HSM_PIN), never from this file; openbao-hsm image.
      return `seal "pkcs11" {\n  slot = "${unseal.slot}"\n  key_label = "${unseal.keyLabel}"\n}\n`;
    case 'static':
      return `seal "static" {\n  current_key_id = "1"\n  current_key = "file:///openbao/unseal/unseal.key"\n}\n`;
  }
}

/** The server configuration (HCL): TLS listener, Raft with TLS joins, Kubernetes registration, config-declared file audit, the seal. */
export function openBaoConfig(props: { readonly replicas: number; readonly unseal: UnsealConfig; readonly release: string }): string {
  const joins = Array.from({ length: props.replicas }, (_, i) =>
    `  retry_join {\n    leader_api_addr = "https://${props.release}-${i}.${props.release}-internal:${OPENBAO_API_PORT.port}"\n    leader_ca_cert_file = "${TLS_DIR}/ca.crt"\n  }\n`,
  ).join('');
  return [
    'ui = false',
    `listener "tcp" {\n  address = "[::]:${OPENBAO_API_PORT.port}"\n  cluster_address = "[::]:${OPENBAO_CLUSTER_PORT.port}"\n  tls_cert_file = "${TLS_DIR}/tls.crt"\n  tls_key_file = "${TLS_DIR}/tls.key"\n  tls_min_version = "tls13"\n}`,
    `storage "raft" {\n  path = "/openbao/data"\n${joins}}`,
    'service_registration "kubernetes" {}',
    // Declared in the configuration (OpenBao 2.4+): the API cannot disable or replace it.
    `audit "file" "file" {\n  options {\n    file_path = "${AUDIT_LOG}"\n  }\n}`,
    'telemetry {\n  prometheus_retention_time = "30s"\n  disable_hostname = true\n}',
    sealStanza(props.unseal).trimEnd(),
  ]
    .filter((s) => s !== '')
    .join('\n\n')
    .concat('\n');
}

/**
 * OpenBao 2.6.2 (chart 0.29.2) in HA with integrated Raft storage: three pods, TLS on the API and
 * between the pods from the internal CA (a cert-manager Certificate in the same stack, which the
 * release waits for), a file audit device declared in the configuration on its own volume, and
 * the unseal method of the environment. No injector: workloads get Secrets through ESO.
 *
 * The release does not wait for the pods to become ready: a new OpenBao is sealed and
 * uninitialised until `bao operator init` (docs/secrets.md, bootstrap order).
 */
export class OpenBao extends Construct {
  readonly chart: OperatorChart;
  readonly certificate: CustomResource;
  readonly pods: WorkloadPeer;
  readonly config: string;
  /** The Raft snapshots; absent when the environment declares no off-site target (SEC-004 reports it). */
  readonly snapshots?: OpenBaoSnapshots;

  constructor(scope: Construct, id: string, props: OpenBaoProps) {
    super(scope, id);
    const replicas = props.replicas ?? 3;
    if (!Number.isInteger(replicas) || replicas < 3 || replicas % 2 === 0) {
      throw new Error(`${this.node.path}: replicas must be an odd number >= 3 so Raft keeps a quorum through one failure, got ${replicas}`);
    }
    const release = OPERATORS.openbao.chart;
    const namespace = OPERATORS.openbao.namespace;
    const tlsSecret = `${release}-tls`;
    this.certificate = new CustomResource(this, 'certificate', {
      object: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: tlsSecret, namespace },
        spec: {
          secretName: tlsSecret,
          duration: '2160h',
          renewBefore: '360h',
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          usages: ['server auth', 'client auth'],
          dnsNames: [props.host, release, `${release}.${namespace}.svc`, `${release}-active.${namespace}.svc`, `*.${release}-internal`, `*.${release}-internal.${namespace}.svc`],
          ipAddresses: ['127.0.0.1'],
          issuerRef: { name: props.issuerName, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        },
      },
    });
    // The namespace exists before the certificate lands in it.
    const created = ClusterContext.of(this).createdNamespace(namespace);
    if (created) this.certificate.manifest.dependsOn = [(created.namespace as unknown as { fqn: string }).fqn];
    this.config = openBaoConfig({ replicas, unseal: props.unseal, release });
    const env = ClusterContext.of(this).environment;
    // Snapshots and the audit log go to the other site (openbao-backup.ts says why there).
    const offsite = env.backup.offsite;
    this.chart = new OperatorChart(this, 'chart', {
      operator: 'openbao',
      values: {
        global: { tlsDisable: false },
        injector: { enabled: false },
        server: {
          ha: { enabled: true, replicas, raft: { enabled: true, setNodeId: true, config: this.config } },
          dataStorage: { enabled: true, size: '10Gi' },
          auditStorage: { enabled: true, size: '10Gi' },
          volumes: [{ name: 'tls', secret: { secretName: tlsSecret } }],
          volumeMounts: [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }],
          ...(offsite ? { extraContainers: [auditShipperContainer(offsite, env.name, AUDIT_LOG, `${TLS_DIR}/ca.crt`)] } : {}),
          extraEnvironmentVars: { BAO_CACERT: `${TLS_DIR}/ca.crt` },
          statefulSet: {
            securityContext: {
              pod: { runAsNonRoot: true, runAsUser: 100, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
              container: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          },
        },
      },
    });
    // Sealed pods are not ready until initialised and unsealed: install without waiting for them.
    this.chart.release.wait = false;
    this.chart.release.atomic = false;
    dependOn(this.chart.release, this.certificate.manifest);
    this.pods = Peer.workload({ name: 'openbao', namespace, zone: 'mgmt', selector: { 'app.kubernetes.io/name': release, component: 'server' }, ports: [OPENBAO_API_PORT] });
    Segmentation.of(this).allow(this.pods, this.pods, { ports: [OPENBAO_API_PORT, OPENBAO_CLUSTER_PORT], description: 'OpenBao pods join the Raft cluster (8200) and replicate and forward requests (8201) over TLS', declaredBy: this });
    if (offsite) {
      this.chart.release.addOverride('//.secretStore', auditShippingRecord(offsite, env.name));
      declareOffsiteKeys(this.chart.release, offsite);
      allowAuditShipping(this, this.pods, offsite);
      const tier = resolveTiers(env.backup.tiers)[env.backup.assign[OPENBAO_SERVICE] ?? 'gold'];
      // The release owns the Raft volumes: it holds data like a database (no plan may delete it), in the same service as its snapshots.
      retain(this.chart.release, 'volume', ClusterContext.of(this).ephemeral);
      assignBackupTier(this.chart.release, tier.name, { service: OPENBAO_SERVICE, kind: 'secret-store' });
      this.snapshots = new OpenBaoSnapshots(this, 'snapshots', { target: offsite, tier, service: OPENBAO_SERVICE, pods: this.pods, tlsSecret, activeAddress: `https://${release}-active.${namespace}.svc:${OPENBAO_API_PORT.port}` });
      dependOn(this.snapshots.cronJob, this.chart.release);
    }
  }
}
