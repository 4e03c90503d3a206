import { spawnSync } from 'node:child_process';
import { reprDigestField, TempRoot } from '../support/fixtures.js';
import { headUntilDigested } from '../support/http.js';
import { total } from '../support/metrics.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

describe('digests of the compiled service (node dist/main.js)', () => {
  const root = new TempRoot();
  afterAll(() => root.cleanup());

  it('starts its digest worker from dist, and aria2c checks a segmented download against the digest', async () => {
    requireCommand('aria2c', 'aria2');
    const bytes = root.writeRandom('compiled.bin', 5 * 1024 * 1024);
    const server = await ServerProcess.start({ FILES_ROOT: root.path });
    try {
      const digest = await headUntilDigested(`${server.url}/compiled.bin`);
      expect(digest).toBe(reprDigestField('sha256', bytes));
      expect(server.logs).not.toMatch(/digest worker failed/);

      // The point of it: a download stitched from parallel segments is checked against the header.
      const hex = Buffer.from(/sha-256=:([^:]+):/.exec(digest)?.[1] ?? '', 'base64').toString('hex');
      const aria2 = (checksum: string) =>
        spawnSync('aria2c', [
          '-x4',
          '-s4',
          '-k1M',
          '--allow-overwrite=true',
          '--summary-interval=0',
          '-q',
          `--checksum=sha-256=${checksum}`,
          '-d',
          root.resolve('aria2'),
          '-o',
          'out.bin',
          `${server.url}/compiled.bin`,
        ]);
      expect(aria2(hex).status).toBe(0);
      expect(aria2('00'.repeat(32)).status).not.toBe(0); // aria2c does check: a wrong digest fails
    } finally {
      await server.stop();
    }
  });

  test.each([
    ['one process', '1'],
    ['the primary of WORKERS=2, once for all workers', '2'],
  ])(
    'DIGEST_PRECOMPUTE=true logs its start and its end with the files and bytes hashed (%s)',
    async (_name, workers) => {
      const folder = new TempRoot();
      const sizes = [1000, 20_000, 300_000];
      sizes.forEach((size, i) => folder.writeRandom(`pre/${i}.bin`, size));
      folder.write('pre/.hidden', 'never served, never hashed');
      const server = await ServerProcess.start({ FILES_ROOT: folder.resolve('pre'), DIGEST_PRECOMPUTE: 'true', WORKERS: workers });
      try {
        const lines = () =>
          server.stdout
            .split('\n')
            .filter((line) => line.includes('digest precompute'))
            .map((line) => JSON.parse(line) as Record<string, unknown>);
        await until(() => lines().some((line) => line['msg'] === 'digest precompute done'), 'the end of the precompute', {
          timeoutMs: 60_000,
        });
        const [started, ...rest] = lines();
        expect(started).toMatchObject({ msg: 'digest precompute started', roots: 1, maxFiles: 50_000, pid: server.child.pid });
        const done = rest[rest.length - 1];
        expect(done).toMatchObject({ msg: 'digest precompute done', files: 3, bytes: 321_000, pid: server.child.pid });
        expect(typeof done['durationMs']).toBe('number');
        expect(lines().filter((line) => line['msg'] === 'digest precompute done')).toHaveLength(1);
        const metrics = await (await fetch(`${server.url}/.metrics`)).text();
        expect(total(metrics, 'digest_hash_jobs_total')).toBe(3);
      } finally {
        await server.stop();
        folder.cleanup();
      }
    },
    90_000,
  );
});
