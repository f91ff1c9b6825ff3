// Jest with native ESM (run with `node --experimental-vm-modules node_modules/jest/bin/jest.js`):
// one Inboxd for the run, started in global-setup.mjs and stopped in global-teardown.mjs.
export default {
  testEnvironment: 'node',
  transform: {},
  testMatch: ['<rootDir>/*.test.mjs'],
  globalSetup: '<rootDir>/global-setup.mjs',
  globalTeardown: '<rootDir>/global-teardown.mjs',
  testTimeout: 30_000,
};
