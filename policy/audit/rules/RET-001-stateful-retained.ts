import { fail, pass } from '../checks';
import { asString, groupOf, isObject, type KubeObject, type Resource } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';
import { statefulKindOf } from '../../../lib/markers';

/** Objects that hold data, by `group/Kind`: each must carry the stateful marker (retain()). */
const HOLDS_DATA: Readonly<Record<string, string>> = {
  'postgresql.cnpg.io/Cluster': 'postgres',
  'postgresql.cnpg.io/Database': 'postgres',
  'kafka.strimzi.io/Kafka': 'kafka',
  'kafka.strimzi.io/KafkaNodePool': 'kafka',
  'kafka.strimzi.io/KafkaTopic': 'kafka-topic',
  'objectbucket.io/ObjectBucketClaim': 'bucket',
  'ceph.rook.io/CephObjectStore': 'object-store',
  'ceph.rook.io/CephCluster': 'ceph-cluster',
  'ceph.rook.io/CephBlockPool': 'ceph-cluster',
  '/PersistentVolumeClaim': 'volume',
  'cluster.x-k8s.io/Cluster': 'cluster',
};

function dataKind(o: KubeObject): string | undefined {
  return HOLDS_DATA[`${groupOf(o.apiVersion)}/${o.kind}`];
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'A resource that holds data is not marked stateful, or is not protected from destruction outside an ephemeral environment.',
  why: 'A plan that deletes or replaces a database, broker, bucket or volume destroys the data; only lifecycle.prevent_destroy stops Terraform, and the stateful marker lets the deploy guard and reviewers see it.',
  controls: ['ISO-8.13', 'NIST-CP-9', 'NIST-CM-6'],
  check(stack) {
    const out: Evaluation[] = [];
    const ephemeral = stack.environment?.ephemeral ?? false;
    const seen = new Set<Resource>();
    const judge = (r: Resource, what: string, expectedKind: string | undefined) => {
      if (seen.has(r)) return;
      seen.add(r);
      const kind = statefulKindOf(r.body);
      const name = r.path ?? r.address;
      // A restore drill's scratch copy is meant to be removed by a plan; it says why.
      const scratch = isObject(r.body['//']) ? asString((r.body['//'] as Record<string, unknown>).scratch) : undefined;
      if (!kind && scratch) {
        out.push(pass(undefined, `${name} (${what}) is a scratch copy, removable by design: ${scratch}`, { kind: 'scratch', reason: scratch }, r));
        return;
      }
      if (!kind) {
        out.push(fail(undefined, `${name} (${what}) holds data (${expectedKind}) but has no "//".stateful marker; declare it through retain(resource, '${expectedKind}', stack.ephemeral)`, r));
        return;
      }
      const lifecycle = isObject(r.body.lifecycle) ? r.body.lifecycle : {};
      if (ephemeral) out.push(pass(undefined, `${name} (${kind}) may be destroyed: environment ${stack.environment?.name ?? '?'} is ephemeral`, undefined, r));
      else if (lifecycle.prevent_destroy === true) out.push(pass(undefined, `${name} (${kind}) has lifecycle.prevent_destroy`, undefined, r));
      else out.push(fail(undefined, `${name} (${kind}) lacks lifecycle.prevent_destroy in a non-ephemeral environment; declare it through retain()`, r));
    };
    for (const o of stack.objects) {
      const kind = dataKind(o);
      if (kind && o.origin !== 'chart-values') judge(o.resource, `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`, kind);
    }
    for (const r of stack.resources) {
      if (r.type === 'helm_release' && asString(r.body.chart) === 'rook-ceph-cluster') judge(r, 'chart rook-ceph-cluster, which owns the CephCluster', 'ceph-cluster');
      else if (statefulKindOf(r.body)) judge(r, r.type, statefulKindOf(r.body));
    }
    return out;
  },
});
