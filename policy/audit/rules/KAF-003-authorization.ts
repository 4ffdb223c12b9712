import { describeObject, fail, pass } from '../checks';
import { asString, isObject } from '../model';
import { defineRule } from '../rule';

const AUTHORIZATION = ['simple', 'opa', 'keycloak', 'custom'];

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Kafka cluster does not enforce authorization.',
  why: 'Without an authorizer every authenticated client may read and write every topic, so sharing agreements compiled into ACLs have no effect.',
  controls: ['ISO-8.3', 'NIST-AC-3', 'NIST-AC-6', 'VN-SH'],
  check(stack) {
    return stack.objectsOf('Kafka', 'kafka.strimzi.io').map((kafka) => {
      const spec = isObject(kafka.spec.kafka) ? kafka.spec.kafka : {};
      const type = isObject(spec.authorization) ? asString(spec.authorization.type) : undefined;
      return type && AUTHORIZATION.includes(type)
        ? pass(kafka, `${describeObject(kafka)} enforces ${type} authorization`)
        : fail(kafka, `${describeObject(kafka)} has spec.kafka.authorization ${type ? `type "${type}"` : 'unset'}; set authorization.type (simple, with ACLs per KafkaUser)`);
    });
  },
});
