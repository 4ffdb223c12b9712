import { describeObject, fail, pass } from '../checks';
import { asArray, asString, chartValues, isObject, type KubeObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

/** Zones allowed to make the cluster reachable from outside (constructs/network/segmentation.ts). */
const EXPOSED_ZONES = ['dmz', 'exchange'];
const EXPOSING_SERVICE_TYPES = ['LoadBalancer', 'NodePort'];
/** Strimzi listener types that reach outside the cluster. */
const EXPOSING_LISTENERS = ['loadbalancer', 'nodeport', 'ingress', 'route'];

/** Finds `type: LoadBalancer|NodePort` anywhere in chart values (the usual `service.type`). */
function exposedPaths(value: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => exposedPaths(v, `${path}[${i}]`, out));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (k === 'type' && typeof v === 'string' && EXPOSING_SERVICE_TYPES.includes(v)) out.push(`${here}: ${v}`);
      else exposedPaths(v, here, out);
    }
  }
  return out;
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Service of type LoadBalancer or NodePort, or an external Kafka listener, is declared outside the dmz and exchange zones.',
  why: 'Only the dmz and exchange zones face the outside; anything else exposed that way bypasses the perimeter and the zone model.',
  controls: ['ISO-8.22', 'ISO-8.20', 'NIST-SC-7', 'CIS-5.7.exposure', 'VN-S2'],
  check(stack) {
    const out: Evaluation[] = [];
    const judge = (object: KubeObject | undefined, what: string, namespace: string | undefined, exposure: string, resource = object?.resource) => {
      const zone = stack.zoneOf(namespace);
      if (zone && EXPOSED_ZONES.includes(zone)) out.push(pass(object, `${what} (${exposure}) is in zone ${zone}, which may face outside`, undefined, resource));
      else out.push(fail(object, `${what} (${exposure}) is in ${zone ? `zone "${zone}"` : `namespace "${namespace ?? '?'}" of unknown zone`}; only ${EXPOSED_ZONES.join(' and ')} may expose the cluster: use ClusterIP and route through the gateway`, resource));
    };
    for (const svc of stack.objectsOf('Service')) {
      const type = asString(svc.spec.type) ?? 'ClusterIP';
      if (EXPOSING_SERVICE_TYPES.includes(type)) judge(svc, describeObject(svc), svc.namespace, `type ${type}`);
      else out.push(pass(svc, `${describeObject(svc)} is of type ${type}, reachable only inside the cluster`));
    }
    for (const kafka of stack.objectsOf('Kafka', 'kafka.strimzi.io')) {
      const spec = isObject(kafka.spec.kafka) ? kafka.spec.kafka : {};
      for (const l of asArray(spec.listeners).filter(isObject)) {
        const type = asString(l.type) ?? '';
        const what = `${describeObject(kafka)} listener "${asString(l.name) ?? '?'}"`;
        if (EXPOSING_LISTENERS.includes(type)) judge(kafka, what, kafka.namespace, `type ${type}`);
        else out.push(pass(kafka, `${what} is of type ${type || '(none)'}, reachable only inside the cluster`));
      }
    }
    for (const release of stack.resources.filter((r) => r.type === 'helm_release')) {
      const found = exposedPaths(chartValues(release), '', []);
      const what = `chart ${asString(release.body.chart) ?? '?'} in namespace ${asString(release.body.namespace) ?? '?'}`;
      if (found.length > 0) judge(undefined, what, asString(release.body.namespace), `values ${found.join(', ')}`, release);
      else out.push(pass(undefined, `${what} sets no LoadBalancer or NodePort Service in its values`, undefined, release));
    }
    return out;
  },
});
