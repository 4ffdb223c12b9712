import { describeObject, fail, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

export default defineRule(__filename, {
  severity: 'error',
  title: "An operator is allowed to delete data when its custom resource goes away (Kafka volumes with deleteClaim, Ceph pools without preservePoolsOnDelete, a Ceph cleanup confirmation, a StorageClass that deletes volumes).",
  why: 'Terraform protection is not enough: a mistaken kubectl delete or a renamed resource makes the operator wipe volumes and pools unless its own delete protection is on.',
  controls: ['ISO-8.13', 'NIST-CP-9', 'NIST-CM-6'],
  check(stack) {
    const out: Evaluation[] = [];
    for (const pool of stack.objectsOf('KafkaNodePool', 'kafka.strimzi.io')) {
      const storage = isObject(pool.spec.storage) ? pool.spec.storage : {};
      const volumes = storage.type === 'jbod' ? asArray(storage.volumes).filter(isObject) : [storage];
      const deleting = volumes.filter((v) => v.deleteClaim === true);
      out.push(deleting.length > 0 ? fail(pool, `${describeObject(pool)} has deleteClaim: true; set deleteClaim: false so broker volumes outlive the pool`) : pass(pool, `${describeObject(pool)} keeps its volumes (deleteClaim false)`));
    }
    for (const store of stack.objectsOf('CephObjectStore', 'ceph.rook.io')) {
      out.push(store.spec.preservePoolsOnDelete === true ? pass(store, `${describeObject(store)} preserves its pools on delete`) : fail(store, `${describeObject(store)} lacks preservePoolsOnDelete: true; deleting it would delete every bucket`));
    }
    for (const cluster of stack.objectsOf('CephCluster', 'ceph.rook.io')) {
      const cleanup = isObject(cluster.spec.cleanupPolicy) ? asString(cluster.spec.cleanupPolicy.confirmation) : undefined;
      out.push(cleanup ? fail(cluster, `${describeObject(cluster)} sets cleanupPolicy.confirmation "${cleanup}", which wipes the hosts' data on delete; remove it`) : pass(cluster, `${describeObject(cluster)} has no cleanup confirmation set`));
    }
    for (const sc of stack.objectsOf('StorageClass')) {
      if (!/retain/.test(sc.name)) continue;
      const policy = asString(sc.raw.reclaimPolicy) ?? 'Delete';
      out.push(policy === 'Retain' ? pass(sc, `StorageClass ${sc.name} retains volumes`) : fail(sc, `StorageClass ${sc.name} is named for retention but has reclaimPolicy ${policy}; set Retain`));
    }
    return out;
  },
});
