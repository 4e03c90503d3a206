import type { INestApplication } from '@nestjs/common';
import { mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { fetchFrom, json } from '../support/http.js';
import { parseMultipart } from '../support/multipart.js';
import { download, rawRequest } from '../support/raw-http.js';
import { until } from '../support/wait.js';

const STRONG_ETAG = /^"[0-9a-f]+-[0-9a-f]+"$/;

describe('file service over a real socket', () => {
  const root = new TempRoot();
  const outside = new TempRoot();
  const secondRoot = new TempRoot();
  let app: INestApplication;
  let port: number;
  let big: Buffer;
  const text = 'Hello, resumable world!\n'.repeat(40); // 960 bytes

  beforeAll(async () => {
    root.write('hello.txt', text);
    // An hour old, so its Last-Modified is a strong validator (§8.8.2.2) however fast the suite runs.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(root.resolve('hello.txt'), anHourAgo, anHourAgo);
    big = root.writeRandom('big.bin', 3 * 1024 * 1024 + 17);
    root.write('videos/2024/a.mp4', 'not really a video');
    root.write('中文 文件.txt', 'unicode name');
    root.write('100%25.txt', 'percent in name');
    root.write('unknown.zzzunknown', 'opaque');
    root.write('empty.txt', '');
    root.write('.env', 'SECRET=1');
    root.write('.git/config', 'secret config');
    root.write('say "hi".txt', 'odd name');
    root.write('only-in-first.txt', 'first root');
    secondRoot.write('only-in-first.txt', 'second root');
    secondRoot.write('only-in-second.txt', 'second root');
    outside.write('secret.txt', 'outside the root');
    symlinkSync(outside.resolve('secret.txt'), root.resolve('escape.txt'));
    symlinkSync(outside.path, root.resolve('escape-dir'));
    symlinkSync(root.resolve('hello.txt'), root.resolve('alias.txt'));
    symlinkSync(root.resolve('.env'), root.resolve('env-alias.txt'));
    ({ app, port } = await startApp({ FILES_ROOT: `${root.path},${secondRoot.path}` }));
  });

  afterAll(async () => {
    await app.close();
    for (const folder of [root, outside, secondRoot]) folder.cleanup();
  });

  describe('200 responses', () => {
    it('sends the whole file with every representation header', async () => {
      const res = await fetchFrom(app, '/hello.txt');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(text);
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.headers['content-length']).toBe(String(text.length));
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['etag']).toMatch(STRONG_ETAG);
      expect(new Date(res.headers['last-modified']).toUTCString()).toBe(res.headers['last-modified']);
      expect(res.headers['content-disposition']).toBe('inline; filename="hello.txt"');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('serves nested paths', async () => {
      const res = await fetchFrom(app, '/videos/2024/a.mp4');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('video/mp4');
      expect(res.body.toString()).toBe('not really a video');
    });

    it('serves a large binary file byte-exactly', async () => {
      const res = await fetchFrom(app, '/big.bin');
      expect(res.status).toBe(200);
      expect(res.body.equals(big)).toBe(true);
    });

    it('labels unknown extensions as application/octet-stream', async () => {
      const res = await fetchFrom(app, '/unknown.zzzunknown');
      expect(res.headers['content-type']).toBe('application/octet-stream');
    });

    it('serves an empty file', async () => {
      const res = await fetchFrom(app, '/empty.txt');
      expect(res.status).toBe(200);
      expect(res.headers['content-length']).toBe('0');
      expect(res.body.length).toBe(0);
    });

    it('serves UTF-8 names with an RFC 6266 disposition that is pure ASCII', async () => {
      const res = await fetchFrom(app, `/${encodeURIComponent('中文 文件.txt')}`);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('unicode name');
      const disposition = res.headers['content-disposition'];
      expect(disposition).toMatch(/^inline; filename="[\x20-\x7e]+"; filename\*=UTF-8''%E4%B8%AD%E6%96%87%20%E6%96%87%E4%BB%B6\.txt$/);
      expect(/^[\x20-\x7e]*$/.test(disposition)).toBe(true);
    });

    it('escapes quotes in the disposition filename', async () => {
      const res = await fetchFrom(app, `/${encodeURIComponent('say "hi".txt')}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition'].startsWith('inline; filename="say \\"hi\\".txt"')).toBe(true);
    });

    it('percent-decodes the path exactly once', async () => {
      const res = await fetchFrom(app, '/100%2525.txt');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('percent in name');
    });

    it('looks the path up in each root in order, first hit wins', async () => {
      expect((await fetchFrom(app, '/only-in-first.txt')).body.toString()).toBe('first root');
      expect((await fetchFrom(app, '/only-in-second.txt')).body.toString()).toBe('second root');
    });

    it('ignores the query string', async () => {
      expect((await fetchFrom(app, '/hello.txt?download=1')).body.toString()).toBe(text);
    });
  });

  describe('HEAD', () => {
    it('answers the same headers as GET with no body', async () => {
      const [get, head] = [await fetchFrom(app, '/hello.txt'), await fetchFrom(app, '/hello.txt', { method: 'HEAD' })];
      expect(head.status).toBe(200);
      for (const name of ['content-length', 'content-type', 'etag', 'last-modified', 'accept-ranges', 'content-disposition']) {
        expect(head.headers[name]).toBe(get.headers[name]);
      }
      const raw = await rawRequest(port, 'HEAD /hello.txt HTTP/1.1');
      expect(raw.body.length).toBe(0);
    });

    it('ignores Range on HEAD (RFC 9110 §14.2 defines it for GET only)', async () => {
      const res = await fetchFrom(app, '/hello.txt', { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-length']).toBe(String(text.length));
      expect(res.headers['content-range']).toBeUndefined();
    });
  });

  describe('validators', () => {
    it('derives the strong ETag from size and sub-second mtime, identically on every replica', async () => {
      const path = root.resolve('replica.txt');
      writeFileSync(path, 'same bytes');
      utimesSync(path, 1_700_000_000.25, 1_700_000_000.25);
      const replica = await startApp({ FILES_ROOT: root.path });
      try {
        const [a, b] = [await fetchFrom(app, '/replica.txt'), await fetchFrom(replica.app, '/replica.txt')];
        expect(a.headers['etag']).toMatch(STRONG_ETAG);
        expect(b.headers['etag']).toBe(a.headers['etag']);
        expect(b.headers['last-modified']).toBe(a.headers['last-modified']);
        expect(a.headers['last-modified']).toBe('Tue, 14 Nov 2023 22:13:20 GMT');
        // Same size, same whole second, different sub-second mtime: a different version.
        utimesSync(path, 1_700_000_000.75, 1_700_000_000.75);
        const c = await fetchFrom(app, '/replica.txt');
        expect(c.headers['etag']).not.toBe(a.headers['etag']);
        expect(c.headers['last-modified']).toBe(a.headers['last-modified']);
      } finally {
        await replica.app.close();
      }
    });
  });

  describe('Range (RFC 9110 §14)', () => {
    const size = text.length;
    test.each<[string, number, number]>([
      ['bytes=0-0', 0, 0],
      ['bytes=0-9', 0, 9],
      ['bytes=10-', 10, size - 1],
      ['bytes=-100', size - 100, size - 1],
      ['bytes=-100000', 0, size - 1], // suffix longer than the file: the whole file, still 206
      ['bytes=900-99999', 900, size - 1], // end clamped
      ['BYTES=5-6', 5, 6],
      ['bytes=3-5,4-8', 3, 8], // overlapping ranges coalesced
      ['bytes=0-1,2-3', 0, 3], // adjacent ranges coalesced
      ['bytes=5-99999999999999999999999999', 5, size - 1],
      ['bytes=-0,0-1', 0, 1],
    ])('%s → 206 with bytes %d-%d', async (range, start, end) => {
      const res = await fetchFrom(app, '/hello.txt', { headers: { Range: range } });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['etag']).toMatch(STRONG_ETAG);
      expect(res.body.toString()).toBe(text.slice(start, end + 1));
    });

    test.each(['bytes=-0', `bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=99999999999999999999999-'])(
      '%s → 416 with Content-Range: bytes */size',
      async (range) => {
        const res = await fetchFrom(app, '/hello.txt', { headers: { Range: range } });
        expect(res.status).toBe(416);
        expect(res.headers['content-range']).toBe(`bytes */${size}`);
        expect(json(res)).toEqual({ statusCode: 416, error: 'Range Not Satisfiable', message: 'range not satisfiable' });
      },
    );

    test.each([
      'items=0-5', // unknown unit
      'bytes=5-1', // last < first: invalid
      'bytes=abc',
      'bytes=',
      'bytes 0-5',
      'bytes=0-1,5-6,0-100000', // adds up to more than the file
      `bytes=${Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}`, // more than MAX_RANGES
    ])('%s → ignored: 200 with the whole file', async (range) => {
      const res = await fetchFrom(app, '/hello.txt', { headers: { Range: range } });
      expect(res.status).toBe(200);
      expect(res.headers['content-range']).toBeUndefined();
      expect(res.body.toString()).toBe(text);
    });

    it('answers several ranges with multipart/byteranges', async () => {
      const res = await fetchFrom(app, '/big.bin', { headers: { Range: 'bytes=0-99,1000-1999,-50' } });
      expect(res.status).toBe(206);
      expect(res.headers['content-type']).toMatch(/^multipart\/byteranges; boundary=\S+$/);
      expect(res.headers['content-length']).toBe(String(res.body.length));
      const parts = parseMultipart(res.body, res.headers['content-type']);
      const expected: [number, number][] = [
        [0, 99],
        [1000, 1999],
        [big.length - 50, big.length - 1],
      ];
      expect(parts).toHaveLength(3);
      parts.forEach((part, i) => {
        const [start, end] = expected[i];
        expect(part.headers['content-type']).toBe('application/octet-stream');
        expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/${big.length}`);
        expect(part.body.equals(big.subarray(start, end + 1))).toBe(true);
      });
    });

    it('resumes a large download byte-exactly from any offset', async () => {
      const offset = 1_234_567;
      const res = await fetchFrom(app, '/big.bin', { headers: { Range: `bytes=${offset}-` } });
      expect(res.status).toBe(206);
      expect(res.body.equals(big.subarray(offset))).toBe(true);
    });

    it('ignores Range on an empty file suffix and rejects offsets into it', async () => {
      expect((await fetchFrom(app, '/empty.txt', { headers: { Range: 'bytes=-5' } })).status).toBe(200);
      const res = await fetchFrom(app, '/empty.txt', { headers: { Range: 'bytes=0-' } });
      expect(res.status).toBe(416);
      expect(res.headers['content-range']).toBe('bytes */0');
    });
  });

  describe('preconditions (RFC 9110 §13.2.2)', () => {
    let etag: string;
    let lastModified: string;
    beforeAll(async () => {
      const res = await fetchFrom(app, '/hello.txt');
      etag = res.headers['etag'];
      lastModified = res.headers['last-modified'];
    });
    const past = 'Sat, 01 Jan 2000 00:00:00 GMT';
    const future = 'Fri, 01 Jan 2100 00:00:00 GMT';

    test.each<[string, number, () => Record<string, string>]>([
      ['If-Match with the current ETag', 200, () => ({ 'If-Match': etag })],
      ['If-Match: *', 200, () => ({ 'If-Match': '*' })],
      ['If-Match with another ETag', 412, () => ({ 'If-Match': '"other"' })],
      ['If-Match with the weak form of the ETag', 412, () => ({ 'If-Match': `W/${etag}` })],
      ['If-Match in a list', 200, () => ({ 'If-Match': `"a", ${etag}` })],
      ['If-Unmodified-Since in the past', 412, () => ({ 'If-Unmodified-Since': past })],
      ['If-Unmodified-Since in the future', 200, () => ({ 'If-Unmodified-Since': future })],
      ['If-Unmodified-Since invalid', 200, () => ({ 'If-Unmodified-Since': 'yesterday' })],
      ['If-Match wins over If-Unmodified-Since', 200, () => ({ 'If-Match': etag, 'If-Unmodified-Since': past })],
      ['If-None-Match with the current ETag', 304, () => ({ 'If-None-Match': etag })],
      ['If-None-Match weak comparison', 304, () => ({ 'If-None-Match': `W/${etag}` })],
      ['If-None-Match: *', 304, () => ({ 'If-None-Match': '*' })],
      ['If-None-Match with another ETag', 200, () => ({ 'If-None-Match': '"other"' })],
      ['If-Modified-Since = Last-Modified', 304, () => ({ 'If-Modified-Since': lastModified })],
      ['If-Modified-Since in the past', 200, () => ({ 'If-Modified-Since': past })],
      ['If-None-Match takes precedence over If-Modified-Since', 200, () => ({ 'If-None-Match': '"other"', 'If-Modified-Since': future })],
      ['412 before 304', 412, () => ({ 'If-Match': '"other"', 'If-None-Match': etag })],
    ])('%s → %d', async (_name, status, headers) => {
      const res = await fetchFrom(app, '/hello.txt', { headers: headers() });
      expect(res.status).toBe(status);
      if (status === 412) expect(json(res)).toMatchObject({ statusCode: 412 });
    });

    it('answers 304 with validators and without a body or Content-Type, for GET and HEAD', async () => {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await fetchFrom(app, '/hello.txt', { method, headers: { 'If-None-Match': etag } });
        expect(res.status).toBe(304);
        expect(res.headers['etag']).toBe(etag);
        expect(res.headers['last-modified']).toBe(lastModified);
        expect(res.headers['content-type']).toBeUndefined();
        expect(res.body.length).toBe(0);
      }
    });

    test.each<[string, number, () => string]>([
      ['the current strong ETag', 206, () => etag],
      ['an old ETag', 200, () => '"0-0"'],
      ['the weak form of the current ETag', 200, () => `W/${etag}`],
      ['the exact Last-Modified date', 206, () => lastModified],
      ['a later date', 200, () => future],
      ['garbage', 200, () => 'not a validator'],
    ])('If-Range with %s → %d', async (_name, status, ifRange) => {
      const res = await fetchFrom(app, '/hello.txt', { headers: { Range: 'bytes=0-4', 'If-Range': ifRange() } });
      expect(res.status).toBe(status);
      expect(res.body.toString()).toBe(status === 206 ? text.slice(0, 5) : text);
    });

    it('If-Range with the Last-Modified of a file changed within the last second is weak → 200', async () => {
      root.write('fresh.txt', 'just written');
      const { headers } = await fetchFrom(app, '/fresh.txt');
      const res = await fetchFrom(app, '/fresh.txt', { headers: { Range: 'bytes=0-3', 'If-Range': headers['last-modified'] } });
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('just written');
    });

    it('If-Range with a stale validator overrides even an unsatisfiable range', async () => {
      const res = await fetchFrom(app, '/hello.txt', { headers: { Range: 'bytes=99999-', 'If-Range': '"stale"' } });
      expect(res.status).toBe(200);
    });
  });

  describe('resume after the file changed', () => {
    it('sends the new file in full when If-Range carries the old ETag', async () => {
      const first = root.write('changing.bin', Buffer.alloc(4096, 'a'));
      const start = await fetchFrom(app, '/changing.bin', { headers: { Range: 'bytes=0-1023' } });
      expect(start.body.equals(first.subarray(0, 1024))).toBe(true);
      const oldEtag = start.headers['etag'];

      const second = root.write('changing.bin', Buffer.alloc(4096, 'b'));
      utimesSync(root.resolve('changing.bin'), new Date(), new Date(Date.now() + 5000));
      const resume = await fetchFrom(app, '/changing.bin', { headers: { Range: 'bytes=1024-', 'If-Range': oldEtag } });
      expect(resume.status).toBe(200);
      expect(resume.headers['etag']).not.toBe(oldEtag);
      expect(resume.body.equals(second)).toBe(true);

      const sameVersion = await fetchFrom(app, '/changing.bin', { headers: { Range: 'bytes=1024-', 'If-Range': resume.headers['etag'] } });
      expect(sameVersion.status).toBe(206);
      expect(sameVersion.body.equals(second.subarray(1024))).toBe(true);
    });
  });

  describe('security', () => {
    test.each([
      'GET /../../../../etc/passwd HTTP/1.1',
      'GET /videos/../../etc/passwd HTTP/1.1',
      'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1',
      'GET /..%2f..%2fetc%2fpasswd HTTP/1.1',
      'GET /videos%2f2024%2fa.mp4 HTTP/1.1',
      'GET /..%5c..%5cetc%5cpasswd HTTP/1.1',
      'GET /..\\..\\etc\\passwd HTTP/1.1',
      'GET /hello.txt%00.png HTTP/1.1',
      'GET //etc/passwd HTTP/1.1',
      'GET /./hello.txt HTTP/1.1',
    ])('%s → 400 without touching the disk', async (line) => {
      const res = await rawRequest(port, line);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body.toString())).toEqual({ statusCode: 400, error: 'Bad Request', message: 'invalid path' });
    });

    test.each([
      ['a dot-file', '/.env'],
      ['a file in a dot-folder', '/.git/config'],
      ['a dot-folder', '/.git'],
      ['an encoded dot-file', '/%2eenv'],
      ['a symlink leading out of the root', '/escape.txt'],
      ['a file under a symlinked folder outside the root', '/escape-dir/secret.txt'],
      ['a symlink to a dot-file', '/env-alias.txt'],
      ['a missing file', '/missing.txt'],
      ['a path through a file', '/hello.txt/x'],
    ])('%s → 404', async (_name, path) => {
      const res = await rawRequest(port, `GET ${path} HTTP/1.1`);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString())).toEqual({ statusCode: 404, error: 'Not Found', message: 'file not found' });
    });

    it('follows a symlink that stays inside the root', async () => {
      const res = await fetchFrom(app, '/alias.txt');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(text);
    });

    it('answers a FIFO with 404 instead of hanging', async () => {
      const { execFileSync } = await import('node:child_process');
      execFileSync('mkfifo', [root.resolve('pipe.txt')]);
      expect((await fetchFrom(app, '/pipe.txt')).status).toBe(404);
    });

    test.each(['POST', 'PUT', 'DELETE', 'PATCH'] as const)('%s → 405 with Allow: GET, HEAD', async (method) => {
      const res = await fetchFrom(app, '/hello.txt', { method });
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('GET, HEAD');
      expect(json(res)).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
    });

    it('never names a server path in an error', async () => {
      for (const line of ['GET /escape.txt HTTP/1.1', 'GET /missing/deeper.txt HTTP/1.1', 'GET /%zz HTTP/1.1']) {
        const res = await rawRequest(port, line);
        expect(res.body.toString()).not.toContain(root.path);
        expect(res.body.toString()).not.toContain('/tmp');
      }
    });
  });

  describe('streaming', () => {
    function openDescriptors(): number {
      return readdirSync('/proc/self/fd').length;
    }

    it('releases the file descriptor when a client disconnects mid-download', async () => {
      const baseline = openDescriptors();
      for (let i = 0; i < 30; i += 1) {
        await download(`http://127.0.0.1:${port}/big.bin`, { stopAfter: 1 });
      }
      await until(() => openDescriptors() <= baseline, 'the descriptors to be closed', { timeoutMs: 5000 });
      expect(openDescriptors()).toBeLessThanOrEqual(baseline);
    });

    it('cuts the connection instead of completing a body whose file shrank while being sent', async () => {
      const bytes = root.writeRandom('shrinking.bin', 8 * 1024 * 1024);
      const received = await new Promise<{ length: number; aborted: boolean }>((resolve) => {
        let length = 0;
        const req = httpRequest({ port, host: '127.0.0.1', path: '/shrinking.bin', agent: false }, (res) => {
          res.once('data', () => writeFileSync(root.resolve('shrinking.bin'), bytes.subarray(0, 1000)));
          res.on('data', (chunk: Buffer) => (length += chunk.length));
          res.on('aborted', () => resolve({ length, aborted: true }));
          res.on('error', () => resolve({ length, aborted: true }));
          res.on('end', () => resolve({ length, aborted: !res.complete }));
        });
        req.on('error', () => resolve({ length: -1, aborted: true }));
        req.end();
      });
      expect(received.aborted).toBe(true);
      expect(received.length).toBeLessThan(bytes.length);
    });
  });

  it('answers a folder named by a file URL with the redirect to its folder URL, not with its bytes or a 404 (issue 10)', async () => {
    mkdirSync(root.resolve('empty-folder'), { recursive: true });
    for (const [path, location] of [
      ['/videos', '/videos/'],
      ['/empty-folder?x=1', '/empty-folder/?x=1'],
    ]) {
      const res = await rawRequest(port, `GET ${path} HTTP/1.1`);
      expect([path, res.status, res.headers['location']]).toEqual([path, 301, location]);
    }
  });
});
