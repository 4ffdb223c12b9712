/** Reads the synthesized stacks of a folder (`cdktf.out` shape) for the reachability model. */
import { readSynthesized } from '../../lib/synthesized';
import { clustersOf, type ClusterInput } from './model';

/** The clusters of a synthesized folder, optionally of one environment. */
export function clustersInFolder(outdir: string, environment?: string): ClusterInput[] {
  const stacks = readSynthesized(outdir, { requireManifest: false }).stacks.map(({ name, json }) => ({ name, json: json as unknown }));
  return clustersOf(stacks).filter((c) => !environment || c.environment === environment);
}
