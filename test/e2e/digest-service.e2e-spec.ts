import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { AppConfig } from '../../src/config/app-config.js';
import { DigestService } from '../../src/digest/digest.service.js';
import { isSettled, nowNs } from '../../src/digest/settle.js';
import { versionOf, type LocatedVersion } from '../../src/files/file-version.js';
import { TempRoot } from '../support/fixtures.js';

/** DigestService on its own, with its real worker thread (from dist: `npm test` builds first). */
describe('DigestService', () => {
  const root = new TempRoot();
  let service: DigestService;

  function located(name: string): LocatedVersion {
    return { path: root.resolve(name), version: versionOf(statSync(root.resolve(name), { bigint: true })) };
  }

  async function settledVersionOf(name: string): Promise<LocatedVersion> {
    const file = located(name);
    while (!isSettled(file.version, nowNs())) await new Promise((resolve) => setTimeout(resolve, 50));
    return file;
  }

  beforeEach(() => {
    service = new DigestService(new AppConfig({ roots: [root.path], digest: { enabled: true, precompute: false, cacheEntries: 3 } }));
  });

  afterEach(() => service.onModuleDestroy());
  afterAll(() => root.cleanup());

  it('does not hash a file changed within the last second, and says so', async () => {
    root.write('fresh.txt', 'fresh');
    expect(await service.compute(located('fresh.txt'), ['sha-256'])).toEqual({ kind: 'unsettled' });
    expect(service.known(located('fresh.txt'), ['sha-256'])).toEqual([]);
  });

  it('hashes in the worker, caches, and merges a second request for the same version and algorithm', async () => {
    const bytes = root.writeRandom('once.bin', 200_000);
    const version = await settledVersionOf('once.bin');
    const [first, second] = await Promise.all([service.compute(version, ['sha-256']), service.compute(version, ['sha-256'])]);
    expect(first.kind).toBe('hashed');
    expect(second).toEqual({ kind: 'failed', reason: 'already queued' });
    const [[algorithm, digest]] = service.known(version, ['sha-256']);
    expect(algorithm).toBe('sha-256');
    expect(Buffer.from(digest).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('answers from the cache only for the exact version, and queues the rest', async () => {
    root.writeRandom('versioned.bin', 1000);
    const version = await settledVersionOf('versioned.bin');
    await service.compute(version, ['sha-256']);
    expect(service.known(version, ['sha-256'])).toHaveLength(1);
    expect(service.known({ ...version, version: { ...version.version, ctimeNs: version.version.ctimeNs + 1n } }, ['sha-256'])).toEqual([]);
    expect(service.known({ ...version, version: { ...version.version, size: version.version.size + 1 } }, ['sha-256'])).toEqual([]);
    expect(service.known(version, ['sha-512'])).toEqual([]); // not computed yet: now queued
    await service.whenIdle();
    expect(service.known(version, ['sha-512', 'sha-256']).map(([name]) => name)).toEqual(['sha-512', 'sha-256']);
  });

  it('keeps at most DIGEST_CACHE_ENTRIES files', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) root.write(`many/${name}.txt`, name);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const outcome = await service.compute(await settledVersionOf(`many/${name}.txt`), ['sha-256']);
      expect(outcome.kind).toBe('hashed');
    }
    expect(service.cachedFiles).toBe(3);
    expect(service.known(located('many/a.txt'), ['sha-256'])).toEqual([]); // the least recently used went first
    expect(service.known(located('many/e.txt'), ['sha-256'])).toHaveLength(1);
  });

  it('never hashes when DIGEST=off', async () => {
    const off = new DigestService(new AppConfig({ roots: [root.path], digest: { enabled: false, precompute: false, cacheEntries: 3 } }));
    root.write('off.txt', 'off');
    expect(off.reprDigest(await settledVersionOf('off.txt'), undefined)).toBeUndefined();
    await off.whenIdle();
    expect(off.cachedFiles).toBe(0);
    await off.onModuleDestroy();
  });
});
