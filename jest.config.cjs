/**
 * NestJS 12 ships as ES modules only, so Jest runs in its native ESM mode
 * (`node --experimental-vm-modules`, see package.json) with ts-jest emitting ESM.
 * Two projects: pure unit tests next to the code, and end-to-end tests over real sockets.
 */
const shared = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Source imports carry the `.js` extension Node's ESM resolution needs; map them back to `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
  // Real clients download tens of MiB; generous, as these machines are shared.
  testTimeout: 120000,
};
