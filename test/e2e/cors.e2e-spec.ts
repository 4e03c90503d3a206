import type { INestApplication } from '@nestjs/common';
import { utimesSync } from 'node:fs';
import { FILE_EXPOSED_HEADERS } from '../../src/api/cors-routes.js';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { fetchFrom, type FetchOptions } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';

const APP = 'http://127.0.0.1:8080';
const EVIL = 'http://127.0.0.1:6666';
const EXPOSED = FILE_EXPOSED_HEADERS.join(', ');
const CORS_NAMES = [
  'access-control-allow-origin',
  'access-control-expose-headers',
  'access-control-allow-methods',
  'access-control-allow-headers',
];

describe('CORS', () => {
  const root = new TempRoot();
  let etag: string;

  beforeAll(() => {
    root.write('hello.txt', 'x'.repeat(1000));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(root.resolve('hello.txt'), anHourAgo, anHourAgo);
  });
  afterAll(() => root.cleanup());

  /** Every kind of answer a file URL gives, so each is checked for the headers. */
  const answers = (): Array<[string, string, FetchOptions, number]> => [
    ['200', '/hello.txt', {}, 200],
    ['206', '/hello.txt', { headers: { Range: 'bytes=-500' } }, 206],
    ['304', '/hello.txt', { headers: { 'If-None-Match': etag } }, 304],
    ['412', '/hello.txt', { headers: { 'If-Match': '"other"' } }, 412],
    ['416', '/hello.txt', { headers: { Range: 'bytes=5000-' } }, 416],
    ['404', '/missing.txt', {}, 404],
    ['405', '/hello.txt', { method: 'POST' }, 405],
    ['200 listing', '/.api/files/', {}, 200],
    ['400 listing', '/.api/files/?limit=0', {}, 400],
  ];

  describe('CORS_ORIGINS as a list', () => {
    let app: INestApplication;
    beforeAll(async () => {
      ({ app } = await startApp({ FILES_ROOT: root.path, CORS_ORIGINS: `${APP}, https://other.example` }));
      etag = (await fetchFrom(app, '/hello.txt', { method: 'HEAD' })).headers['etag'];
    });
    afterAll(() => app.close());

    it('gives every response to a listed origin Allow-Origin, Expose-Headers and Vary: Origin (200, 206, 304, 412, 416, errors)', async () => {
      for (const [what, path, options, status] of answers()) {
        const res = await fetchFrom(app, path, { ...options, headers: { ...options.headers, Origin: APP } });
        expect([what, res.status]).toEqual([what, status]);
        expect([what, res.headers['access-control-allow-origin']]).toEqual([what, APP]);
        const exposed = path.startsWith('/.api/') ? 'Content-Length, Location, X-Request-Id, WWW-Authenticate, Retry-After' : EXPOSED;
        expect([what, res.headers['access-control-expose-headers']]).toEqual([what, exposed]);
        expect([what, res.headers['vary']]).toEqual([what, 'Origin']);
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      }
    });

    it('gives an unlisted origin, and a request without Origin, no CORS header but Vary: Origin', async () => {
      for (const headers of [{ Origin: EVIL }, {}] as Array<Record<string, string>>) {
        for (const [what, path, options] of answers()) {
          const res = await fetchFrom(app, path, { ...options, headers: { ...options.headers, ...headers } });
          for (const name of CORS_NAMES) expect([what, name, res.headers[name]]).toEqual([what, name, undefined]);
          expect([what, res.headers['vary']]).toEqual([what, 'Origin']);
        }
      }
    });

    it('keeps Vary: Origin next to the Vary: Accept of a folder URL', async () => {
      const res = await fetchFrom(app, '/', { headers: { Origin: APP, Accept: 'application/json' } });
      expect(res.headers['vary']).toBe('Origin, Accept');
    });

    it('answers a preflight for a suffix range with If-Range: 204 with the methods, headers and Max-Age', async () => {
      const res = await fetchFrom(app, '/hello.txt', {
        method: 'OPTIONS',
        headers: { Origin: APP, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-range,range' },
      });
      expect(res.status).toBe(204);
      expect(res.headers).toMatchObject({
        allow: 'GET, HEAD, OPTIONS',
        'access-control-allow-origin': APP,
        'access-control-allow-methods': 'GET, HEAD',
        'access-control-allow-headers':
          'range, if-range, if-match, if-none-match, if-modified-since, if-unmodified-since, want-repr-digest, want-content-digest, authorization',
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
      expect(res.body).toHaveLength(0);
    });

    it('answers a preflight the same whether the file exists or not (it says nothing about files)', async () => {
      const headers = { Origin: APP, 'Access-Control-Request-Method': 'GET' };
      const existing = await fetchFrom(app, '/hello.txt', { method: 'OPTIONS', headers });
      const missing = await fetchFrom(app, '/no/such/file', { method: 'OPTIONS', headers });
      const pick = (h: Record<string, string>) =>
        Object.fromEntries(Object.entries(h).filter(([name]) => name.startsWith('access-control') || name === 'allow'));
      expect(pick(missing.headers)).toEqual(pick(existing.headers));
    });

    test.each<[string, Record<string, string>]>([
      ['an unlisted origin', { Origin: EVIL, 'Access-Control-Request-Method': 'GET' }],
      ['a method files do not have', { Origin: APP, 'Access-Control-Request-Method': 'PUT' }],
      [
        'a header that is not allowed',
        { Origin: APP, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-custom' },
      ],
    ])('refuses a preflight from %s: 204 without any Access-Control-Allow header', async (_what, headers) => {
      const res = await fetchFrom(app, '/hello.txt', { method: 'OPTIONS', headers });
      expect(res.status).toBe(204);
      expect(res.headers['allow']).toBe('GET, HEAD, OPTIONS');
      for (const name of CORS_NAMES) expect(res.headers[name]).toBeUndefined();
    });

    it('answers a plain OPTIONS with 204 and Allow', async () => {
      const res = await fetchFrom(app, '/hello.txt', { method: 'OPTIONS' });
      expect(res.status).toBe(204);
      expect(res.headers['allow']).toBe('GET, HEAD, OPTIONS');
    });

    it('answers OPTIONS of the link-minting route with its own methods and headers', async () => {
      const res = await fetchFrom(app, '/.api/links', {
        method: 'OPTIONS',
        headers: { Origin: APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
      expect(res.headers).toMatchObject({
        allow: 'POST, OPTIONS',
        'access-control-allow-methods': 'POST',
        'access-control-allow-origin': APP,
      });
    });

    it('reads hostile Origin and Access-Control-Request-Headers values (long runs within the header limit) without harm', async () => {
      const port = (app.getHttpServer() as { address(): { port: number } }).address().port;
      for (const [origin, requested] of [
        [`http://${'a'.repeat(12_000)}`, 'range'],
        [APP, ' ,'.repeat(6_000)],
        [APP, `range${' '.repeat(12_000)}x`],
        [APP, '"'.repeat(12_000)],
      ]) {
        const res = await rawRequest(port, 'OPTIONS /hello.txt HTTP/1.1', [
          `Origin: ${origin}`,
          'Access-Control-Request-Method: GET',
          `Access-Control-Request-Headers: ${requested}`,
        ]);
        expect(res.status).toBe(204);
        const granted = origin === APP && requested.trim().replace(/[ ,]/g, '') === '';
        expect(res.headers['access-control-allow-origin']).toBe(granted ? APP : undefined);
      }
    });
  });

  describe('CORS_ORIGINS=*', () => {
    let app: INestApplication;
    beforeAll(async () => {
      ({ app } = await startApp({ FILES_ROOT: root.path, CORS_ORIGINS: '*' }));
    });
    afterAll(() => app.close());

    it('answers every origin with *, never with credentials, and without Vary (the answer is the same for all)', async () => {
      for (const headers of [{ Origin: EVIL }, { Origin: 'null' }, {}] as Array<Record<string, string>>) {
        for (const [what, path, options] of answers()) {
          const res = await fetchFrom(app, path, { ...options, headers: { ...options.headers, ...headers } });
          expect([what, res.headers['access-control-allow-origin']]).toEqual([what, '*']);
          expect(res.headers['access-control-allow-credentials']).toBeUndefined();
          expect([what, res.headers['vary']]).toEqual([what, undefined]);
        }
      }
    });
  });

  describe('CORS_ORIGINS unset', () => {
    let app: INestApplication;
    beforeAll(async () => {
      ({ app } = await startApp({ FILES_ROOT: root.path }));
    });
    afterAll(() => app.close());

    it('sends no CORS header at all, not even Vary, whatever the Origin', async () => {
      for (const [what, path, options] of answers()) {
        const res = await fetchFrom(app, path, { ...options, headers: { ...options.headers, Origin: APP } });
        for (const name of [...CORS_NAMES, 'vary']) expect([what, name, res.headers[name]]).toEqual([what, name, undefined]);
      }
    });

    it('still answers OPTIONS, preflight or not, with 204 and Allow only', async () => {
      const res = await fetchFrom(app, '/hello.txt', {
        method: 'OPTIONS',
        headers: { Origin: APP, 'Access-Control-Request-Method': 'GET' },
      });
      expect(res.status).toBe(204);
      expect(res.headers['allow']).toBe('GET, HEAD, OPTIONS');
      for (const name of CORS_NAMES) expect(res.headers[name]).toBeUndefined();
    });
  });
});
