import type { EnvironmentInput } from './schema';
import { standardZones } from './zones';

/**
 * The embedded default: one existing local cluster (kind, k3d or similar) reached through a
 * kubeconfig context, local state, small sizes. Stateful resources may be destroyed here.
 */
export const dev: EnvironmentInput = {
  name: 'dev',
  description: 'Developer environment on one existing local cluster.',
  class: 'development',
  ephemeral: true,
  securityLevel: 3,
  site: { name: 'local', location: 'developer workstation' },
  state: { type: 'local' },
  zones: standardZones(3),
  clusters: [{ name: 'core', mode: 'existing', kubeconfig: { path: '~/.kube/config', context: 'moit-dev' }, nodeCidr: '172.18.0.0/16' }],
};
