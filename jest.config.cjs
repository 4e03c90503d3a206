/**
 * NestJS 12 ships as ES modules only, so Jest runs in its native ESM mode
 * (`node --experimental-vm-modules`, see package.json) with ts-jest emitting ESM.
 * Three projects: pure unit tests next to the code (`src/**\/*.spec.ts`), in-process end-to-end
 * tests over a real socket (`test/e2e/`), and system tests that start separate processes and real
 * clients (`test/system/`: the compiled service, curl, wget, aria2c, HAProxy, Redis, Chromium...).
 */
const shared = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Source imports carry the `.js` extension Node's ESM resolution needs; map them back to `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // .ci/run unpacks a second Node into .tmp/: nothing there is a test or a module of ours.
  modulePathIgnorePatterns: ['<rootDir>/.tmp/'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...shared, displayName: 'system', testMatch: ['<rootDir>/test/system/**/*.system-spec.ts'] },
  ],
  // Real clients download tens of MiB; generous, as these machines are shared.
  testTimeout: 120000,
};
