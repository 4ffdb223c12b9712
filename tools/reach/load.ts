/** Reads the synthesized stacks of a folder (`cdktf.out` shape) for the reachability model. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { clustersOf, type ClusterInput } from './model';

/** The clusters of a synthesized folder, optionally of one environment. */
export function clustersInFolder(outdir: string, environment?: string): ClusterInput[] {
  const dir = join(outdir, 'stacks');
  const stacks = readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'cdk.tf.json')))
    .map((name) => ({ name, json: JSON.parse(readFileSync(join(dir, name, 'cdk.tf.json'), 'utf8')) as unknown }));
  return clustersOf(stacks).filter((c) => !environment || c.environment === environment);
}
