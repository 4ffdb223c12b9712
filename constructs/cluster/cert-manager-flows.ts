/**
 * cert-manager's own traffic, declared for a cluster whose stack installs it: without these
 * flows the namespace's default deny cuts it off from the API server, so no webhook
 * certificate is ever issued (the Cluster API providers' webhooks depend on them).
 */
import type { Construct } from 'constructs';
import { OPERATORS } from '../../lib/versions';
import { ExternalPeer, Peer, WorkloadPeer } from '../network/peer';
import { Port } from '../network/port';
import { Segmentation } from '../network/segmentation';
import { API_SERVER_PORTS } from '../network/system';

/** The port cert-manager's webhook serves on (chart value `webhook.securePort`, default 10250). */
export const CERT_MANAGER_WEBHOOK_PORT = Port.tcp(10250);

/**
 * Lets every pod of the cert-manager release (controller, cainjector, webhook, the startup API
 * check) reach the API server, and the API server call the webhook.
 */
export function allowCertManagerTraffic(scope: Construct, apiServer: ExternalPeer): { readonly pods: WorkloadPeer; readonly webhook: WorkloadPeer } {
  const namespace = OPERATORS.certManager.namespace;
  const pods = Peer.workload({ name: 'cert-manager', namespace, zone: 'mgmt', selector: { 'app.kubernetes.io/instance': 'cert-manager' } });
  const webhook = Peer.workload({
    name: 'cert-manager-webhook',
    namespace,
    zone: 'mgmt',
    selector: { 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/component': 'webhook' },
  });
  const segmentation = Segmentation.of(scope);
  segmentation.allow(pods, apiServer, {
    ports: API_SERVER_PORTS,
    description: 'cert-manager watches Certificates and writes the Secrets and CA bundles they produce through the API server',
    declaredBy: scope,
  });
  segmentation.allow(apiServer, webhook, {
    ports: [CERT_MANAGER_WEBHOOK_PORT],
    description: "the API server calls cert-manager's webhook to validate and convert its resources",
    declaredBy: scope,
  });
  return { pods, webhook };
}
