import { spawnSync } from 'node:child_process';
import { reprDigestField, TempRoot } from '../support/fixtures.js';
import { headUntilDigested } from '../support/http.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';

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
});
