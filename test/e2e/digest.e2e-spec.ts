import type { INestApplication } from '@nestjs/common';
import { statSync, symlinkSync, utimesSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DigestService } from '../../src/digest/digest.service.js';
import { startApp } from '../support/app.js';
import { reprDigestField as field, TempRoot } from '../support/fixtures.js';
import { type BufferResponse, fetchFrom, type FetchOptions } from '../support/http.js';
import { until } from '../support/wait.js';

/**
 * Repeats a request until it carries Repr-Digest: the first request for a file only starts the
 * background computation. Bounded; the bound is a deadline for the test, not a timing assertion.
 */
async function untilDigested(app: INestApplication, path: string, options: FetchOptions = {}, expected?: string) {
  let res: BufferResponse | undefined;
  await until(
    async () => {
      res = await fetchFrom(app, path, options);
      const digest = res.headers['repr-digest'];
      return digest !== undefined && (expected === undefined || digest === expected);
    },
    `Repr-Digest ${expected ?? ''} on ${path}`,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return res as BufferResponse;
}

describe('Repr-Digest (RFC 9530)', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let data: Buffer;

  beforeAll(async () => {
    data = root.writeRandom('data.bin', 2 * 1024 * 1024 + 3);
    root.write('small.txt', 'small file\n');
    ({ app } = await startApp({ FILES_ROOT: root.path }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('answers the first request at once, without the header, and then sends the sha-256 of the file', async () => {
    const first = await fetchFrom(app, '/data.bin');
    expect(first.status).toBe(200);
    expect(first.body.equals(data)).toBe(true);
    expect(first.headers['repr-digest']).toBeUndefined(); // written a moment ago: never hashed yet

    const later = await untilDigested(app, '/data.bin');
    expect(later.headers['repr-digest']).toBe(field('sha256', data));
  });

  it('sends the digest of the whole file on 206, multipart 206, HEAD and 304', async () => {
    const whole = field('sha256', data);
    await untilDigested(app, '/data.bin');
    const partial = await fetchFrom(app, '/data.bin', { headers: { Range: 'bytes=100-199' } });
    expect(partial.status).toBe(206);
    expect(partial.body.equals(data.subarray(100, 200))).toBe(true);
    expect(partial.headers['repr-digest']).toBe(whole);
    expect(partial.headers['content-digest']).toBeUndefined(); // it would cost a hash of the part

    const multipart = await fetchFrom(app, '/data.bin', { headers: { Range: 'bytes=0-0,5-9' } });
    expect(multipart.status).toBe(206);
    expect(multipart.headers['repr-digest']).toBe(whole);

    const head = await fetchFrom(app, '/data.bin', { method: 'HEAD' });
    expect(head.headers['repr-digest']).toBe(whole);
    expect(head.headers['content-digest']).toBeUndefined();

    const notModified = await fetchFrom(app, '/data.bin', { headers: { 'If-None-Match': head.headers['etag'] } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers['repr-digest']).toBe(whole);
  });

  it('sends Content-Digest on a 200 GET, where the content is the whole representation', async () => {
    const res = await untilDigested(app, '/data.bin');
    expect(res.status).toBe(200);
    expect(res.headers['content-digest']).toBe(field('sha256', data));
  });

  it('does not send it on 412 or 416, whose content is an error', async () => {
    await untilDigested(app, '/data.bin');
    const failed = await fetchFrom(app, '/data.bin', { headers: { 'If-Match': '"other"' } });
    expect(failed.status).toBe(412);
    expect(failed.headers['repr-digest']).toBeUndefined();
    const unsatisfiable = await fetchFrom(app, '/data.bin', { headers: { Range: `bytes=${data.length}-` } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['repr-digest']).toBeUndefined();
  });

  describe('Want-Repr-Digest', () => {
    it('adds sha-512 when the client prefers it', async () => {
      const want = { 'Want-Repr-Digest': 'sha-512=10, sha-256=1' };
      const expected = `${field('sha512', data)}, ${field('sha256', data)}`;
      const res = await untilDigested(app, '/data.bin', { headers: want }, expected);
      expect(res.headers['repr-digest']).toBe(expected);
    });

    it('keeps to sha-256 when the client prefers it, or asks only for algorithms we lack', async () => {
      await untilDigested(app, '/data.bin');
      for (const want of ['sha-256=10, sha-512=2', 'md5=10, unixsum=3']) {
        const res = await fetchFrom(app, '/data.bin', { headers: { 'Want-Repr-Digest': want } });
        expect(res.headers['repr-digest']).toBe(field('sha256', data));
      }
    });

    it('sends none when the client accepts none of ours', async () => {
      await untilDigested(app, '/data.bin');
      const res = await fetchFrom(app, '/data.bin', { headers: { 'Want-Repr-Digest': 'sha-256=0, sha-512=0' } });
      expect(res.status).toBe(200);
      expect(res.headers['repr-digest']).toBeUndefined();
    });

    it('ignores a malformed field instead of failing the request', async () => {
      await untilDigested(app, '/data.bin');
      for (const want of ['sha-256=11', 'sha-256=(', '"sha-256"=1', 'sha-512=1.5']) {
        const res = await fetchFrom(app, '/data.bin', { headers: { 'Want-Repr-Digest': want } });
        expect(res.status).toBe(200);
        expect(res.headers['repr-digest']).toBe(field('sha256', data));
      }
    });
  });

  describe('a file that changes on disk', () => {
    it('never gets the old digest: same size, mtime restored, content rewritten', async () => {
      const before = root.writeRandom('changing.bin', 256 * 1024);
      const oldDigest = field('sha256', before);
      await untilDigested(app, '/changing.bin', {}, oldDigest);
      const { atime, mtime } = statSync(root.resolve('changing.bin'));

      const after = root.writeRandom('changing.bin', 256 * 1024);
      utimesSync(root.resolve('changing.bin'), atime, mtime); // what `cp -p` or `rsync -t` leave behind
      const right = await fetchFrom(app, '/changing.bin');
      expect(right.body.equals(after)).toBe(true);
      expect(right.headers['repr-digest']).toBeUndefined(); // the cached digest is of another version

      const settled = await untilDigested(app, '/changing.bin');
      expect(settled.headers['repr-digest']).toBe(field('sha256', after));
      expect(settled.headers['repr-digest']).not.toBe(oldDigest);
    });

    it('never gets the old digest on a resumed range request either', async () => {
      const before = root.writeRandom('growing.bin', 100_000);
      await untilDigested(app, '/growing.bin', {}, field('sha256', before));
      const after = root.write('growing.bin', Buffer.concat([before, randomBytes(5_000)]));
      const resumed = await fetchFrom(app, '/growing.bin', { headers: { Range: 'bytes=100000-' } });
      expect(resumed.status).toBe(206);
      expect(resumed.headers['repr-digest']).toBeUndefined();
      const settled = await untilDigested(app, '/growing.bin', { headers: { Range: 'bytes=100000-' } });
      expect(settled.headers['repr-digest']).toBe(field('sha256', after));
    });
  });

  it('shares one digest between the paths that reach the same file (keyed by device and inode)', async () => {
    symlinkSync(root.resolve('small.txt'), root.resolve('alias.txt'));
    const digested = await untilDigested(app, '/small.txt');
    const viaAlias = await fetchFrom(app, '/alias.txt');
    expect(viaAlias.headers['repr-digest']).toBe(digested.headers['repr-digest']);
    expect(viaAlias.headers['repr-digest']).toBe(field('sha256', Buffer.from('small file\n')));
  });
});

describe('digest settings', () => {
  const root = new TempRoot();
  afterAll(() => root.cleanup());

  it('DIGEST=off never sends the header', async () => {
    root.write('off.txt', 'no digest here');
    const { app } = await startApp({ FILES_ROOT: root.path, DIGEST: 'off' });
    try {
      const service = app.get(DigestService);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const res = await fetchFrom(app, '/off.txt');
        expect(res.headers['repr-digest']).toBeUndefined();
        await service.whenIdle();
      }
      expect(service.cachedFiles).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('DIGEST_PRECOMPUTE hashes every file under the roots at start-up, so the first request has it', async () => {
    const files = ['a.txt', 'nested/b.txt', 'nested/deeper/c.txt'].map(
      (name) => [name, root.write(`pre/${name}`, `content of ${name}`)] as const,
    );
    root.write('pre/.hidden', 'not served, not hashed');
    const { app } = await startApp({ FILES_ROOT: root.resolve('pre'), DIGEST_PRECOMPUTE: 'true' });
    try {
      const service = app.get(DigestService);
      await until(() => service.cachedFiles === files.length, 'every file precomputed', { timeoutMs: 60_000, intervalMs: 100 });
      expect(service.cachedFiles).toBe(files.length);
      for (const [name, bytes] of files) {
        const res = await fetchFrom(app, `/${name}`);
        expect(res.headers['repr-digest']).toBe(field('sha256', bytes));
      }
    } finally {
      await app.close();
    }
  });

  it('DIGEST_CACHE_ENTRIES bounds how many files keep a digest', async () => {
    const names = ['1.txt', '2.txt', '3.txt', '4.txt'];
    for (const name of names) root.write(`capped/${name}`, `file ${name}`);
    const { app } = await startApp({ FILES_ROOT: root.resolve('capped'), DIGEST_CACHE_ENTRIES: '2' });
    try {
      for (const name of names) await untilDigested(app, `/${name}`);
      expect(app.get(DigestService).cachedFiles).toBe(2);
    } finally {
      await app.close();
    }
  });
});
