/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `npm run typecheck`; tests only transpile, which keeps start-up fast.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // The whole estate is synthesized once per run and shared by the suites (test/helpers.ts synthEstate).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 120000,
  // Jest's default is one worker fewer than the cores: a single worker on this two-core machine,
  // while the parent process mostly waits. Two workers took npm test's jest from 87 s to 49 s.
  maxWorkers: '100%',
};
