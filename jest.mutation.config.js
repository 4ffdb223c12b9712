/**
 * The suites `npm run mutation` (Stryker) runs against each mutant of the modules it mutates
 * (stryker.config.json): the rule, guard, diff, schema and zone tests, not the whole estate's.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/rules/**/*.test.ts',
    // The rules' titles, controls and severities (static mutants of every rule file).
    '<rootDir>/test/audit-report.test.ts',
    '<rootDir>/test/diff.test.ts',
    '<rootDir>/test/review.test.ts',
    // The deploy guard's own suite (guard.ts had 61 mutants no listed suite covered on 2026-12-03).
    '<rootDir>/test/deploy.test.ts',
    // parseAllowances through the merge request's allow-destroy block (tools/ci/allow-destroy.ts).
    '<rootDir>/test/ci-allow-destroy.test.ts',
    // The reachability-changed diff rule: on the real estate, and on small hand-built folders.
    '<rootDir>/test/reach-diff.test.ts',
    '<rootDir>/test/reach-rule.test.ts',
    '<rootDir>/test/safety-net.test.ts',
    '<rootDir>/test/environments.test.ts',
    '<rootDir>/test/references.test.ts',
    '<rootDir>/test/network.test.ts',
  ],
  // Every suite of the list synthesizes what it needs; no shared estate, no skip report.
  globalSetup: undefined,
  globalTeardown: undefined,
};
