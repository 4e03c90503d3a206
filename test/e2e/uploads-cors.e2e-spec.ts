import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { fetchFrom, json } from '../support/http.js';
import { API_TOKENS, appendTo, createUpload, tusRequest, WRITE_AUTH, uploadSettings } from '../support/tus.js';

const APP = 'http://127.0.0.1:8080';
const EVIL = 'http://127.0.0.1:6666';
const ALLOWED_HEADERS =
  'authorization, content-type, tus-resumable, upload-length, upload-offset, upload-metadata, upload-defer-length, ' +
  'upload-concat, upload-checksum, repr-digest, x-http-method-override, x-requested-with, x-request-id';
const EXPOSED =
  'Upload-Offset, Upload-Length, Upload-Expires, Upload-Metadata, Location, Tus-Resumable, Tus-Version, Tus-Extension, ' +
  'Tus-Max-Size, X-Request-Id, Retry-After, WWW-Authenticate';
/** What tus-js-client's creation POST asks for (its headers option adds Authorization). */
const CREATION_HEADERS = 'authorization,content-type,tus-resumable,upload-length,upload-metadata,x-request-id';

function corsHeadersOf(headers: Record<string, string> | Headers): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(entries.filter(([name]) => name.startsWith('access-control-')));
}

describe('CORS of /.uploads, uploads on (CORS_ORIGINS lists the page origin)', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    const started = await startApp({
      ...uploadSettings(root.path),
      UPLOAD_MAX_SIZE: '1MiB',
      CORS_ORIGINS: APP,
    });
    app = started.app;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  test.each<[string, string, string]>([
    ['/.uploads/', 'POST', CREATION_HEADERS],
    ['/.uploads', 'POST', 'tus-resumable,upload-length'],
    [`/.uploads/${'a'.repeat(32)}`, 'PATCH', 'authorization,content-type,tus-resumable,upload-offset'],
    [`/.uploads/${'a'.repeat(32)}`, 'HEAD', 'authorization,tus-resumable'],
    [`/.uploads/${'a'.repeat(32)}`, 'DELETE', 'authorization,tus-resumable'],
  ])('grants a preflight to %s for %s from a listed origin: 204 with the uploads methods and headers', async (path, method, requested) => {
    const res = await fetchFrom(app, path, {
      method: 'OPTIONS',
      headers: { Origin: APP, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': requested },
    });
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      allow: 'POST, HEAD, PATCH, DELETE, OPTIONS',
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'POST, HEAD, PATCH, DELETE',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
    // The CORS middleware answered it, before tus and the write-token check.
    expect(res.headers['tus-version']).toBeUndefined();
  });

  test.each<[string, Record<string, string>]>([
    ['an unlisted origin', { Origin: EVIL, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'tus-resumable' }],
    ['GET (never a tus method here)', { Origin: APP, 'Access-Control-Request-Method': 'GET' }],
    ['a header tus does not use', { Origin: APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-custom' }],
  ])('refuses a preflight from %s: no Access-Control-Allow header', async (_what, headers) => {
    const res = await fetchFrom(app, '/.uploads/', { method: 'OPTIONS', headers });
    expect(res.status).toBe(204);
    expect(corsHeadersOf(res.headers)).toEqual({});
  });

  it('gives a path that only starts like it (/.uploads-other) the files profile, not the uploads one', async () => {
    const res = await fetchFrom(app, '/.uploads-other', {
      method: 'OPTIONS',
      headers: { Origin: APP, 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(res.headers['allow']).toBe('GET, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a plain OPTIONS with tus discovery, and no CORS grant to an unlisted origin or none', async () => {
    for (const headers of [{ Origin: EVIL }, {}] as Array<Record<string, string>>) {
      const res = await fetchFrom(app, '/.uploads/', { method: 'OPTIONS', headers });
      expect(res.status).toBe(204);
      expect(res.headers).toMatchObject({
        'tus-version': '1.0.0',
        'tus-extension': 'creation,creation-with-upload,termination,expiration',
        'tus-max-size': String(1024 * 1024),
        vary: 'Origin',
      });
      expect(corsHeadersOf(res.headers)).toEqual({});
    }
  });

  it('lets a listed origin read the discovery headers of a plain OPTIONS', async () => {
    const res = await fetchFrom(app, '/.uploads/', { method: 'OPTIONS', headers: { Origin: APP } });
    expect(res.headers['tus-version']).toBe('1.0.0');
    expect(corsHeadersOf(res.headers)).toEqual({ 'access-control-allow-origin': APP, 'access-control-expose-headers': EXPOSED });
  });

  it('exposes the tus headers on the responses to a listed origin: POST 201, PATCH 204, HEAD 200, DELETE 204', async () => {
    const origin = { Origin: APP };
    const granted = { 'access-control-allow-origin': APP, 'access-control-expose-headers': EXPOSED };
    const data = randomBytes(2000);
    const { res: created, url } = await createUpload(base, data.length, { filename: 'from-a-page.bin' }, origin);
    expect(created.status).toBe(201);
    expect(corsHeadersOf(created.headers)).toEqual(granted);
    expect(created.headers.get('vary')).toBe('Origin');
    expect(created.headers.get('location')).toMatch(/^\/\.uploads\/[0-9a-f]{32}$/);

    const first = await appendTo(url, 0, data.subarray(0, 1000), origin);
    expect(first.status).toBe(204);
    expect(corsHeadersOf(first.headers)).toEqual(granted);
    expect(first.headers.get('upload-offset')).toBe('1000');

    const head = await tusRequest(url, 'HEAD', origin);
    expect(head.status).toBe(200);
    expect(corsHeadersOf(head.headers)).toEqual(granted);

    const { url: other } = await createUpload(base, 10, { filename: 'dropped-by-a-page.bin' }, origin);
    const deleted = await tusRequest(other, 'DELETE', origin);
    expect(deleted.status).toBe(204);
    expect(corsHeadersOf(deleted.headers)).toEqual(granted);

    expect((await appendTo(url, 1000, data.subarray(1000), origin)).status).toBe(204);
    expect(Buffer.from(await (await fetch(`${base}/from-a-page.bin`)).arrayBuffer())).toEqual(data);
  });

  it('lets a listed origin read why a request failed (401 with WWW-Authenticate), and tells an unlisted one nothing', async () => {
    const listed = await fetch(`${base}/.uploads/`, { method: 'POST', headers: { Origin: APP, 'Tus-Resumable': '1.0.0' } });
    expect(listed.status).toBe(401);
    expect(corsHeadersOf(listed.headers)).toEqual({ 'access-control-allow-origin': APP, 'access-control-expose-headers': EXPOSED });
    const unlisted = await tusRequest(`${base}/.uploads/`, 'POST', { Origin: EVIL, 'Upload-Length': '1' });
    expect(corsHeadersOf(unlisted.headers)).toEqual({});
    expect(unlisted.headers.get('vary')).toBe('Origin');
  });
});

describe('CORS of /.uploads, uploads off (UPLOAD_ROOT unset)', () => {
  const root = new TempRoot();
  let app: INestApplication;
  beforeAll(async () => ({ app } = await startApp({ FILES_ROOT: root.path, API_TOKENS, CORS_ORIGINS: APP })));
  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  test.each<[string, Record<string, string>]>([
    ['a plain OPTIONS', {}],
    [
      'a preflight from a listed origin',
      { Origin: APP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'tus-resumable' },
    ],
  ])('answers %s with 404 and grants nothing', async (_what, headers) => {
    for (const path of ['/.uploads', '/.uploads/', `/.uploads/${'a'.repeat(32)}`]) {
      const res = await fetchFrom(app, path, { method: 'OPTIONS', headers });
      expect([path, res.status]).toEqual([path, 404]);
      expect(json(res)).toEqual({ statusCode: 404, error: 'Not Found', message: 'uploads are not enabled' });
      expect(corsHeadersOf(res.headers)).toEqual({});
      expect(res.headers['allow']).toBeUndefined();
      expect(res.headers['tus-version']).toBeUndefined();
    }
  });

  it('answers a POST from a listed origin with 404 and no CORS header', async () => {
    const res = await fetchFrom(app, '/.uploads/', { method: 'POST', headers: { ...WRITE_AUTH, Origin: APP, 'Tus-Resumable': '1.0.0' } });
    expect(res.status).toBe(404);
    expect(corsHeadersOf(res.headers)).toEqual({});
  });
});
