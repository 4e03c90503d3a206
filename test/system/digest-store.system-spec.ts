import { Redis } from 'ioredis';
import { statSync } from 'node:fs';
import { storeKey } from '../../src/digest/digest-store.js';
import { reprDigestField, TempRoot } from '../support/fixtures.js';
import { headUntilDigested } from '../support/http.js';
import { sample, total } from '../support/metrics.js';
import { RedisServer } from '../support/redis-server.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

const SLOW = 90_000;

async function metricsOf(server: ServerProcess): Promise<string> {
  return (await fetch(`${server.url}/.metrics`)).text();
}

const hashJobs = async (server: ServerProcess) => total(await metricsOf(server), 'digest_hash_jobs_total');

function countLines(server: ServerProcess, text: string): number {
  return server.stdout.split('\n').filter((line) => line.includes(text)).length;
}

/**
 * DIGEST_STORE: two instances over one folder share their digests through a real redis-server
 * that the test starts on a loopback port; Redis going away changes nothing a client can see.
 */
describe('shared digest store (DIGEST_STORE=redis://…)', () => {
  const root = new TempRoot();
  let redis: RedisServer;
  let first: ServerProcess;
  let second: ServerProcess;

  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    const env = { FILES_ROOT: root.path, DIGEST_STORE: redis.url, DIGEST_STORE_TTL: '3600' };
    [first, second] = await Promise.all([ServerProcess.start(env), ServerProcess.start(env)]);
    await until(() => countLines(first, 'digest store connected') + countLines(second, 'digest store connected') === 2, 'both connected');
  }, SLOW);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.kill();
    root.cleanup();
  }, SLOW);

  it(
    'serves on the second instance the digest the first computed, without hashing it again',
    async () => {
      const bytes = root.write('shared.bin', Buffer.alloc(3 * 1024 * 1024, 7));
      expect(await headUntilDigested(`${first.url}/shared.bin`)).toBe(reprDigestField('sha256', bytes));
      expect(sample(await metricsOf(first), 'digest_hash_jobs_total{result="hashed"}')).toBe(1);

      expect(await headUntilDigested(`${second.url}/shared.bin`)).toBe(reprDigestField('sha256', bytes));
      const secondMetrics = await metricsOf(second);
      expect(total(secondMetrics, 'digest_hash_jobs_total')).toBe(0);
      expect(sample(secondMetrics, 'digest_store_lookups_total{result="hit"}')).toBe(1);
    },
    SLOW,
  );

  it(
    'keeps each digest under a key of the path and stamps, with the TTL, and a changed file gets its own',
    async () => {
      const bytes = root.write('changing.bin', Buffer.alloc(100_000, 1));
      expect(await headUntilDigested(`${first.url}/changing.bin`)).toBe(reprDigestField('sha256', bytes));
      const client = new Redis(redis.url);
      try {
        const key = `${storeKey('changing.bin', statStamps(root.resolve('changing.bin')))}:sha-256`;
        expect(await client.get(key)).toBe(reprDigestField('sha256', bytes).slice('sha-256=:'.length, -1));
        const ttl = await client.ttl(key);
        expect(ttl).toBeGreaterThan(3000);
        expect(ttl).toBeLessThanOrEqual(3600);

        // Same size, new content: another version, so another key; the second instance hashes it.
        const before = await hashJobs(second);
        const changed = root.write('changing.bin', Buffer.alloc(100_000, 2));
        expect(await headUntilDigested(`${second.url}/changing.bin`)).toBe(reprDigestField('sha256', changed));
        expect(await hashJobs(second)).toBe(before + 1);
        expect(await client.get(`${storeKey('changing.bin', statStamps(root.resolve('changing.bin')))}:sha-256`)).toBe(
          reprDigestField('sha256', changed).slice('sha-256=:'.length, -1),
        );
      } finally {
        client.disconnect();
      }
    },
    SLOW,
  );

  it(
    'checks what it reads back: a value that is not a digest of the right length is a miss, and the file is hashed',
    async () => {
      const bytes = root.write('tampered.bin', Buffer.alloc(50_000, 3));
      const client = new Redis(redis.url);
      try {
        await client.set(`${storeKey('tampered.bin', statStamps(root.resolve('tampered.bin')))}:sha-256`, 'bm90IGEgZGlnZXN0');
      } finally {
        client.disconnect();
      }
      const before = await hashJobs(second);
      expect(await headUntilDigested(`${second.url}/tampered.bin`)).toBe(reprDigestField('sha256', bytes));
      expect(await hashJobs(second)).toBe(before + 1);
    },
    SLOW,
  );

  it(
    'goes on serving with its own cache when Redis is killed, warns once, and reconnects when it is back',
    async () => {
      const known = root.write('known.bin', Buffer.alloc(200_000, 4));
      const knownDigest = await headUntilDigested(`${first.url}/known.bin`);
      await redis.kill();

      // Nothing visible changes: the known digest, new digests (hashed locally), whole downloads, readiness.
      for (let i = 0; i < 5; i += 1) {
        const res = await fetch(`${first.url}/known.bin`);
        expect(res.status).toBe(200);
        expect(res.headers.get('repr-digest')).toBe(knownDigest);
        expect(Buffer.from(await res.arrayBuffer()).equals(known)).toBe(true);
      }
      const lonely = root.write('while-down.bin', Buffer.alloc(80_000, 5));
      for (const server of [first, second]) {
        expect(await headUntilDigested(`${server.url}/while-down.bin`)).toBe(reprDigestField('sha256', lonely));
        expect((await fetch(`${server.url}/.readyz`)).status).toBe(200);
      }
      await until(() => countLines(first, 'digest store unreachable') >= 1, 'the warning');
      expect(countLines(first, 'digest store unreachable')).toBe(1);

      // Back (empty: it kept nothing): both reconnect by themselves, and share again.
      await redis.start();
      await until(() => countLines(first, '"recovered":true') === 1 && countLines(second, '"recovered":true') === 1, 'both to reconnect', {
        timeoutMs: 30_000,
      });
      const late = root.write('late.bin', Buffer.alloc(60_000, 6));
      expect(await headUntilDigested(`${first.url}/late.bin`)).toBe(reprDigestField('sha256', late));
      const before = await hashJobs(second);
      expect(await headUntilDigested(`${second.url}/late.bin`)).toBe(reprDigestField('sha256', late));
      expect(await hashJobs(second)).toBe(before);
      expect(countLines(first, 'digest store unreachable')).toBe(1);
    },
    SLOW,
  );

  it(
    'starts, serves and is ready when Redis is unreachable from the start',
    async () => {
      const nobody = await freePort();
      const alone = await ServerProcess.start({ FILES_ROOT: root.path, DIGEST_STORE: `redis://:secret@127.0.0.1:${nobody}/0` });
      try {
        expect((await fetch(`${alone.url}/.readyz`)).status).toBe(200);
        const bytes = root.write('alone.bin', Buffer.alloc(10_000, 8));
        expect(await headUntilDigested(`${alone.url}/alone.bin`)).toBe(reprDigestField('sha256', bytes));
        await until(() => countLines(alone, 'digest store unreachable') >= 1, 'the warning');
        // More requests while it keeps trying to reconnect: still one warning.
        for (let i = 0; i < 3; i += 1) await (await fetch(`${alone.url}/alone.bin`)).arrayBuffer();
        expect(countLines(alone, 'digest store unreachable')).toBe(1);
        // The warning names the store without its password.
        expect(alone.logs).toContain(`127.0.0.1:${nobody}/0`);
        expect(alone.logs).not.toContain('secret');
      } finally {
        await alone.stop();
      }
    },
    SLOW,
  );
});

function statStamps(path: string): { size: number; mtimeNs: bigint; ctimeNs: bigint } {
  const stats = statSync(path, { bigint: true });
  return { size: Number(stats.size), mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
}
