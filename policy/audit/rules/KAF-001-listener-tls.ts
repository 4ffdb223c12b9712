import { describeObject, fail, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Kafka listener does not use TLS.',
  why: 'A plaintext listener carries data-domain events and client credentials readable by anyone on the path.',
  controls: ['ISO-8.24', 'NIST-SC-8', 'VN-E1'],
  check(stack) {
    const out: Evaluation[] = [];
    for (const kafka of stack.objectsOf('Kafka', 'kafka.strimzi.io')) {
      const listeners = asArray((isObject(kafka.spec.kafka) ? kafka.spec.kafka : {}).listeners).filter(isObject);
      if (listeners.length === 0) out.push(fail(kafka, `${describeObject(kafka)} declares no listener in spec.kafka.listeners`));
      for (const l of listeners) {
        const what = `${describeObject(kafka)} listener "${asString(l.name) ?? '?'}" (port ${String(l.port ?? '?')})`;
        out.push(l.tls === true ? pass(kafka, `${what} uses TLS`) : fail(kafka, `${what} has tls: ${String(l.tls ?? 'unset')}; set tls: true`));
      }
    }
    return out;
  },
});
