import type { INestApplication } from '@nestjs/common';
import { statSync } from 'node:fs';
import { startApp } from '../support/app.js';
import { TestCredentials } from '../support/access.js';
import { TempRoot } from '../support/fixtures.js';

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

async function ask(port: number, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(path.startsWith('http') ? path : `http://127.0.0.1:${port}${path}`, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const json = (answer: Answer): Record<string, unknown> => JSON.parse(answer.body) as Record<string, unknown>;

describe('POST /.api/links', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let app: INestApplication;
  let port: number;

  const mint = (body: unknown, headers: Record<string, string> = credentials.bearer(), raw?: string) =>
    ask(port, '/.api/links', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: raw ?? JSON.stringify(body),
    });

  beforeAll(async () => {
    root.write('docs/report 2024.pdf', 'the report');
    root.write('videos/2024/a.ts', 'segment a');
    ({ app, port } = await startApp({ FILES_ROOT: root.path, ...credentials.settings('private'), LINK_MAX_TTL: '86400' }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('201 {url, expiresAt, version}: a relative, pinned link that serves the file', async () => {
    const before = Date.now();
    const res = await mint({ path: '/docs/report 2024.pdf', ttl: 120 });
    expect(res.status).toBe(201);
    const body = json(res);
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'url', 'version']);
    const stats = statSync(root.resolve('docs/report 2024.pdf'), { bigint: true });
    expect(body.version).toBe(`${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}`);
    expect(body.url).toMatch(/^\/docs\/report%202024\.pdf\?exp=\d+&kid=k1&v=[0-9a-f]+-[0-9a-f]+&sig=[\w-]{43}$/);
    const expires = Date.parse(body.expiresAt as string);
    expect(expires - before).toBeGreaterThanOrEqual(120_000);
    expect(expires - before).toBeLessThanOrEqual(122_000);
    const served = await ask(port, body.url as string);
    expect(served.status).toBe(200);
    expect(served.body).toBe('the report');
  });

  it('unpinned, download and filename links; a scope link opens the files below', async () => {
    const unpinned = json(await mint({ path: 'docs/report 2024.pdf', pin: false, download: true, filename: 'Report.pdf' }));
    expect(unpinned.url).toMatch(/^\/docs\/report%202024\.pdf\?exp=\d+&kid=k1&dl=1&filename=Report\.pdf&sig=/);
    expect(unpinned.version).toMatch(/^[0-9a-f]+-[0-9a-f]+$/);
    expect((await ask(port, unpinned.url as string)).status).toBe(200);

    const scoped = await mint({ path: '/videos/2024', scope: true });
    expect(scoped.status).toBe(201);
    const { url, version } = json(scoped);
    expect(version).toBeNull();
    expect(url).toMatch(/^\/videos\/2024\/\?exp=\d+&kid=k1&scope=%2Fvideos%2F2024%2F&sig=/);
    const query = (url as string).split('?')[1];
    expect((await ask(port, `/videos/2024/a.ts?${query}`)).body).toBe('segment a');
  });

  it('the default lifetime is one hour', async () => {
    const { expiresAt } = json(await mint({ path: '/docs/report 2024.pdf' }));
    expect(Date.parse(expiresAt as string) - Date.now()).toBeGreaterThan(3_590_000);
    expect(Date.parse(expiresAt as string) - Date.now()).toBeLessThanOrEqual(3_601_000);
  });

  test.each<[unknown, RegExp]>([
    [{}, /^path must be a string$|^path should not be empty$/],
    [{ path: 42 }, /^path must be a string$/],
    [{ path: '/docs/report 2024.pdf', ttl: 'soon' }, /^ttl must be an integer number$/],
    [{ path: '/docs/report 2024.pdf', ttl: 1.5 }, /^ttl must be an integer number$/],
    [{ path: '/docs/report 2024.pdf', ttl: 0 }, /^ttl must not be less than 1$/],
    [{ path: '/docs/report 2024.pdf', ttl: 86_401 }, /^ttl must be at most LINK_MAX_TTL \(86400 seconds\)$/],
    [{ path: '/docs/report 2024.pdf', pin: 'yes' }, /^pin must be a boolean value$/],
    [{ path: '/docs/report 2024.pdf', owner: 'me' }, /^property owner should not exist$/],
    [{ path: '/docs/report 2024.pdf', filename: 'a/b.pdf' }, /^filename must be a plain file name/],
    [{ path: '/docs/../etc/passwd' }, /^path must be a file path/],
    [{ path: '/docs/' }, /^path must be a file path/],
    [{ path: '/videos/', scope: true, pin: true }, /^pin cannot be used with scope/],
    [{ path: '/videos/', scope: true, filename: 'x' }, /^filename cannot be used with scope/],
    [[1, 2], /^the body must be a JSON object$/],
  ])('400 naming the field for %j', async (body, message) => {
    const res = await mint(body);
    expect(res.status).toBe(400);
    expect(json(res)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(json(res).message).toMatch(message);
  });

  it('400 for a body that is not JSON, 413 for a large one, 415 for another content type', async () => {
    expect((await mint(undefined, credentials.bearer(), '{"path":')).status).toBe(400);
    const large = await mint(undefined, credentials.bearer(), JSON.stringify({ path: 'x'.repeat(20_000) }));
    expect(large.status).toBe(413);
    const text = await ask(port, '/.api/links', {
      method: 'POST',
      headers: { ...credentials.bearer(), 'Content-Type': 'text/plain' },
      body: 'path=/x',
    });
    expect(text.status).toBe(415);
  });

  it('404 for a missing file: the token holder may know', async () => {
    const res = await mint({ path: '/docs/missing.pdf' });
    expect(res.status).toBe(404);
    expect(json(res)).toEqual({ statusCode: 404, error: 'Not Found', message: 'file not found' });
  });

  it('401 without a token and 403 bad-token with a bad one, before the body is looked at', async () => {
    for (const raw of [JSON.stringify({ path: '/docs/report 2024.pdf' }), '{"broken', JSON.stringify({ path: '/missing' })]) {
      const anonymous = await mint(undefined, {}, raw);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="files"');
      const bad = await mint(undefined, { Authorization: 'Bearer wrong' }, raw);
      expect(bad.status).toBe(403);
      expect(json(bad)).toMatchObject({ reason: 'bad-token' });
    }
  });

  it('a signed link does not open the API', async () => {
    const link = credentials.link('/.api/links');
    const res = await ask(port, link, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"path":"/x"}' });
    expect(res.status).toBe(401);
  });

  it('only POST: GET /.api/links is not a file either', async () => {
    expect((await ask(port, '/.api/links', { headers: credentials.bearer() })).status).toBe(404);
  });
});

describe('POST /.api/links with PUBLIC_BASE_URL, and without keys', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let withBase: { app: INestApplication; port: number };
  let keyless: { app: INestApplication; port: number };

  beforeAll(async () => {
    root.write('a.txt', 'a');
    withBase = await startApp({
      FILES_ROOT: root.path,
      ...credentials.settings('public'),
      PUBLIC_BASE_URL: 'https://files.example.com/dl/',
    });
    keyless = await startApp({ FILES_ROOT: root.path, ...credentials.settings('public'), SIGNING_KEYS: '', PUBLIC_BASE_URL: '' });
  });

  afterAll(async () => {
    await withBase.app.close();
    await keyless.app.close();
    root.cleanup();
  });

  const mint = (port: number, headers: Record<string, string> = {}) =>
    ask(port, '/.api/links', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...credentials.bearer(), ...headers },
      body: JSON.stringify({ path: '/a.txt' }),
    });

  it('makes absolute links from PUBLIC_BASE_URL, never from the Host header', async () => {
    const res = await mint(withBase.port, { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' });
    expect(res.status).toBe(201);
    expect(json(res).url).toMatch(/^https:\/\/files\.example\.com\/dl\/a\.txt\?exp=/);
  });

  it('503 without SIGNING_KEYS, saying so', async () => {
    const res = await mint(keyless.port);
    expect(res.status).toBe(503);
    expect(json(res).message).toBe('SIGNING_KEYS is not set: this service cannot make links');
  });
});
