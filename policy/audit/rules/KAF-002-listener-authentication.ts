import { describeObject, fail, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

/** Strimzi listener authentication types (KafkaListenerAuthentication*). */
const AUTHENTICATION = ['tls', 'scram-sha-512', 'oauth', 'custom'];

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Kafka listener does not authenticate its clients.',
  why: 'Without authentication a listener "accepts all connections" (Strimzi docs), so authorization cannot tell clients apart.',
  controls: ['ISO-8.5', 'NIST-IA-2', 'ISO-8.3'],
  check(stack) {
    const out: Evaluation[] = [];
    for (const kafka of stack.objectsOf('Kafka', 'kafka.strimzi.io')) {
      for (const l of asArray((isObject(kafka.spec.kafka) ? kafka.spec.kafka : {}).listeners).filter(isObject)) {
        const type = isObject(l.authentication) ? asString(l.authentication.type) : undefined;
        const what = `${describeObject(kafka)} listener "${asString(l.name) ?? '?'}"`;
        out.push(
          type && AUTHENTICATION.includes(type)
            ? pass(kafka, `${what} authenticates clients with ${type}`)
            : fail(kafka, `${what} has authentication ${type ? `type "${type}"` : 'unset'}; set authentication.type to one of ${AUTHENTICATION.join(', ')} (tls for mutual TLS)`),
        );
      }
    }
    return out;
  },
});
