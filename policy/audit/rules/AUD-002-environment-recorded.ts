import { fail, pass } from '../checks';
import { defineRule } from '../rule';

export default defineRule(__filename, {
  severity: 'error',
  title: 'The stack does not record its environment (name, class, security level, ephemeral), so level-dependent controls cannot be checked.',
  why: 'Retention, off-site copies, restore drills and destroy protection depend on the environment; without the record the audit cannot tell a pass from a gap.',
  controls: ['VN-C4'],
  suppressible: false,
  check(stack) {
    const env = stack.environment;
    return [
      env
        ? pass(undefined, `stack ${stack.name} records environment ${env.name} (${env.class}, security level ${env.securityLevel}${env.ephemeral ? ', ephemeral' : ''})`)
        : fail(undefined, `stack ${stack.name} has no complete "//".environment record (name, class, securityLevel, ephemeral); it is written by EnvironmentStack (stacks/base.ts) through recordEnvironment()`),
    ];
  },
});
