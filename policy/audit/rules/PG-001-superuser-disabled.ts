import { describeObject, fail, pass } from '../checks';
import { defineRule } from '../rule';

export default defineRule(__filename, {
  severity: 'error',
  title: 'A Postgres cluster enables superuser access over the network.',
  why: 'A superuser password in a Secret is a standing key to every database of the cluster; CloudNativePG keeps it off by default and applications use their owner role.',
  controls: ['ISO-8.2', 'NIST-AC-6', 'VN-A3'],
  check(stack) {
    return stack.objectsOf('Cluster', 'postgresql.cnpg.io').map((c) =>
      c.spec.enableSuperuserAccess === true
        ? fail(c, `${describeObject(c)} has enableSuperuserAccess: true; remove it (administrators use kubectl cnpg psql through the operator)`)
        : pass(c, `${describeObject(c)} keeps superuser access off (enableSuperuserAccess: ${String(c.spec.enableSuperuserAccess ?? 'default false')})`),
    );
  },
});
