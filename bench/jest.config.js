/** `npm run bench`: benchmarks run as jest files so they share the tests' real servers and emulators. */
const base = require('../jest.config.js');

module.exports = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/bench'],
  testMatch: ['**/*.bench.ts'],
  maxWorkers: 1,
  testTimeout: 600000,
};
