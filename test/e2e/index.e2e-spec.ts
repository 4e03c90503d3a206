import type { INestApplication } from '@nestjs/common';
import { utimesSync } from 'node:fs';
import { INDEX_CSP } from '../../src/api/index-page.js';
import { DigestService } from '../../src/digest/digest.service.js';
import { startApp } from '../support/app.js';
import { sha256, TempRoot } from '../support/fixtures.js';
import { fetchFrom, json } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';
import { sleep } from '../support/wait.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('folder URLs: the HTML index and the JSON listing', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let port: number;
  let hostileBytes: Buffer;

  beforeAll(async () => {
    root.write('hello.txt', 'hello\n');
    root.write('docs/readme.md', '# docs\n');
    hostileBytes = root.write('<img src=x onerror=alert(1)>.txt', 'not a tag');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(root.resolve('hello.txt'), anHourAgo, anHourAgo);
    await sleep(1100); // the digest worker hashes only files whose ctime is a second old
    ({ app, port } = await startApp({ FILES_ROOT: root.path }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('answers a browser with the HTML index, with a CSP that allows no script and nothing from elsewhere', async () => {
    const res = await fetchFrom(app, '/', { headers: { Accept: BROWSER } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(INDEX_CSP);
    expect(res.headers['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+='; frame-ancestors 'none'/,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['vary']).toBe('Accept');
    expect(res.headers['content-length']).toBe(String(res.body.length));
    const html = res.body.toString();
    expect(html).toContain('<a href="/docs/"><bdi>docs/</bdi></a>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.txt');
    expect(html).not.toContain('<img');
  });

  it('links every file to its version-pinned URL, which serves it', async () => {
    const html = (await fetchFrom(app, '/', { headers: { Accept: 'text/html' } })).body.toString();
    const href = /<a href="(\/%3Cimg[^"]+)">/.exec(html)?.[1];
    expect(href).toMatch(/^\/%3Cimg%20src%3Dx%20onerror%3Dalert\(1\)%3E\.txt\?v=[0-9a-f]+-[0-9a-f]+$/);
    const res = await fetchFrom(app, href ?? '');
    expect(res.status).toBe(200);
    expect(res.body.equals(hostileBytes)).toBe(true);
  });

  it('shows the SHA-256 of a file once it is known, and does not start hashing by itself', async () => {
    const digests = app.get(DigestService);
    const helloRow = (html: string) => html.split('\n').find((line) => line.includes('<bdi>hello.txt</bdi>')) ?? '';
    await digests.whenIdle();
    const cached = digests.cachedFiles;
    expect(helloRow((await fetchFrom(app, '/', { headers: { Accept: 'text/html' } })).body.toString())).not.toContain('<code>');
    await digests.whenIdle();
    expect(digests.cachedFiles).toBe(cached); // looking at the folder hashed nothing
    await fetchFrom(app, '/hello.txt', { method: 'HEAD' }); // a download's interest queues it
    await digests.whenIdle();
    const after = (await fetchFrom(app, '/', { headers: { Accept: 'text/html' } })).body.toString();
    expect(helloRow(after)).toContain(`<code>${sha256(Buffer.from('hello\n'))}</code>`);
  });

  test.each<[string, Record<string, string>]>([
    ['no Accept', {}],
    ['*/*', { Accept: '*/*' }],
    ['application/json', { Accept: 'application/json' }],
  ])('answers the JSON listing to %s', async (_what, headers) => {
    const res = await fetchFrom(app, '/docs/', { headers });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['vary']).toBe('Accept');
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect(json(res)).toMatchObject({ path: 'docs/', entries: [{ name: 'readme.md', type: 'file' }], nextCursor: null });
  });

  it('answers HEAD with the headers of the GET and no body', async () => {
    const get = await fetchFrom(app, '/docs/', { headers: { Accept: 'text/html' } });
    const head = await fetchFrom(app, '/docs/', { method: 'HEAD', headers: { Accept: 'text/html' } });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('pages the index with a next-page link', async () => {
    const html = (await fetchFrom(app, '/?limit=1', { headers: { Accept: 'text/html' } })).body.toString();
    const next = /<a href="(\?cursor=[A-Za-z0-9_-]+&amp;limit=1)" rel="next">/.exec(html)?.[1];
    expect(next).toBeDefined();
    const second = (await fetchFrom(app, `/${(next ?? '').replace('&amp;', '&')}`, { headers: { Accept: 'text/html' } })).body.toString();
    expect(second).toContain('<bdi>docs/</bdi>');
  });

  test.each<[string, number, string]>([
    ['/nope/', 404, 'folder not found'],
    ['/hello.txt/', 404, 'folder not found'],
    ['/?limit=0', 400, 'limit must be an integer between 1 and 10000'],
    ['/?cursor=zzz', 400, 'cursor is not one this service made (pass nextCursor as it was)'],
    ['/docs//', 400, 'invalid path'],
    ['/docs/%2e%2e/', 400, 'invalid path'],
  ])('%s answers %d with a JSON error, also to a browser', async (target, status, message) => {
    const res = await rawRequest(port, `GET ${target} HTTP/1.1`, [`Accept: ${BROWSER}`]);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body.toString())).toEqual({ statusCode: status, error: expect.any(String) as unknown, message });
  });

  test.each<[string, number, string | undefined]>([
    ['/docs', 301, '/docs/'],
    ['/docs?limit=5', 301, '/docs/?limit=5'],
    ['/nope', 404, undefined],
  ])('GET %s answers %d (a folder named without its trailing slash redirects, query kept)', async (target, status, location) => {
    const res = await rawRequest(port, `GET ${target} HTTP/1.1`, [`Accept: ${BROWSER}`]);
    expect(res.status).toBe(status);
    expect(res.headers['location']).toBe(location);
  });
});
