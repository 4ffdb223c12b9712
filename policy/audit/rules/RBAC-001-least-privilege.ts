import { describeObject, fail, pass } from '../checks';
import { asArray, asString, isObject } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

export default defineRule(__filename, {
  severity: 'warning',
  title: 'A Role or ClusterRole grants "*" (every verb, resource or API group), or a binding grants cluster-admin.',
  why: 'Wildcards and cluster-admin give more than any task needs, and silently grow with every new API; CIS 5.1.1 and 5.1.3 ask to keep them to the minimum.',
  controls: ['CIS-5.1.3', 'CIS-5.1.1', 'ISO-8.2', 'NIST-AC-6'],
  check(stack) {
    const out: Evaluation[] = [];
    for (const role of [...stack.objectsOf('ClusterRole'), ...stack.objectsOf('Role')]) {
      // Indexed before anything is skipped, so the path names the rule as written.
      const wild = asArray(role.raw.rule ?? role.raw.rules).flatMap((rule, i) =>
        isObject(rule) ? ['verbs', 'resources', 'apiGroups'].filter((f) => asArray(rule[f]).includes('*')).map((f) => `rules[${i}].${f}`) : [],
      );
      out.push(wild.length > 0 ? fail(role, `${describeObject(role)} grants "*" in ${wild.join(', ')}; list the verbs and resources it needs`) : pass(role, `${describeObject(role)} names its verbs, resources and API groups`));
    }
    for (const binding of [...stack.objectsOf('ClusterRoleBinding'), ...stack.objectsOf('RoleBinding')]) {
      const ref = isObject(binding.raw.roleRef) ? binding.raw.roleRef : {};
      const roleName = asString(ref.name);
      out.push(roleName === 'cluster-admin' ? fail(binding, `${describeObject(binding)} grants cluster-admin; bind a role with only the permissions needed`) : pass(binding, `${describeObject(binding)} binds ${roleName ?? '?'}`));
    }
    return out;
  },
});
