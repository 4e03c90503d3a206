import type { INestApplication } from '@nestjs/common';
import { statSync } from 'node:fs';
import { startApp } from '../support/app.js';
import { tamperSignature, TestCredentials } from '../support/access.js';
import { TempRoot } from '../support/fixtures.js';

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** One request with Node's fetch; the body as text. */
async function ask(port: number, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const bodyOf = (answer: Answer): unknown => JSON.parse(answer.body);

/** The metric's value for one reason, from /.metrics. */
async function denied(port: number, reason: string): Promise<number> {
  const text = (await ask(port, '/.metrics')).body;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`http_auth_denied_total{reason="${reason}"} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

describe('access control: private mode', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    root.write('docs/report.pdf', 'the report');
    root.write('videos/2024/a.ts', 'segment a');
    root.write('videos/2024-old/x.ts', 'old segment');
    ({ app, port } = await startApp({ FILES_ROOT: root.path, ...credentials.settings('private'), AUTH_FAILURE_LIMIT: '1000' }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('401 with WWW-Authenticate: Bearer realm="files" and a JSON body without credentials, the same for a missing file', async () => {
    for (const path of ['/docs/report.pdf', '/docs/missing.pdf', '/', '/docs/report.pdf?v=abc', '/docs/report.pdf?filename=x']) {
      for (const method of ['GET', 'HEAD']) {
        const res = await ask(port, path, { method });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="files"');
        expect(res.headers.get('cache-control')).toBe('no-store');
        if (method === 'GET') {
          expect(bodyOf(res)).toEqual({
            statusCode: 401,
            error: 'Unauthorized',
            message: 'a signed link or an Authorization: Bearer token is required',
          });
        }
      }
    }
  });

  it('folder URLs and the listing API need a bearer token: without one they answer like files, and say nothing about what exists', async () => {
    for (const path of [
      '/',
      '/docs/',
      '/docs',
      '/nope',
      '/.api/files/',
      '/.api/files/docs/',
      '/.api/files/docs/report.pdf',
      '/.api/files/nope',
    ]) {
      const res = await ask(port, path, { headers: { Accept: 'text/html' } });
      expect([path, res.status, res.headers.get('www-authenticate')]).toEqual([path, 401, 'Bearer realm="files"']);
      const bad = await ask(port, path, { headers: { Authorization: 'Bearer not-a-token' } });
      expect([path, bad.status]).toEqual([path, 403]);
    }
  });

  it('a signed link opens files, not listings: a scope link to a folder URL is 401', async () => {
    const query = credentials.link('/videos/2024/a.ts', { scope: true, resource: '/videos/2024/' }).split('?')[1];
    expect((await ask(port, `/videos/2024/a.ts?${query}`)).status).toBe(200);
    const folder = await ask(port, `/videos/2024/?${query}`);
    expect([folder.status, folder.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="files"']);
  });

  it('lists folders to a token holder as JSON only (no HTML index in private mode), with the redirect to the folder URL', async () => {
    const headers = { ...credentials.bearer(), Accept: 'text/html' };
    const top = await ask(port, '/', { headers });
    expect([top.status, top.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    expect((bodyOf(top) as { entries: Array<{ name: string }> }).entries.map((entry) => entry.name)).toEqual(['docs', 'videos']);
    const redirect = await ask(port, '/docs', { headers });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/docs/']);
    const api = await ask(port, '/.api/files/docs/', { headers: credentials.bearer() });
    expect((bodyOf(api) as { entries: Array<{ path: string }> }).entries.map((entry) => entry.path)).toEqual(['docs/report.pdf']);
    const metadata = await ask(port, '/.api/files/docs/report.pdf', { headers: credentials.bearer(credentials.writeToken) });
    expect(bodyOf(metadata)).toMatchObject({ path: 'docs/report.pdf', size: 10 });
  });

  it('a non-Bearer Authorization header counts as no credentials (401)', async () => {
    expect((await ask(port, '/docs/report.pdf', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401);
  });

  it('serves a file to a valid bearer token, of either role', async () => {
    for (const token of [credentials.readToken, credentials.writeToken]) {
      const res = await ask(port, '/docs/report.pdf', { headers: credentials.bearer(token) });
      expect(res.status).toBe(200);
      expect(res.body).toBe('the report');
    }
  });

  it('serves a file through a valid signed link, GET, HEAD and Range alike', async () => {
    const link = credentials.link('/docs/report.pdf');
    expect((await ask(port, link)).body).toBe('the report');
    expect((await ask(port, link, { method: 'HEAD' })).status).toBe(200);
    const range = await ask(port, link, { headers: { Range: 'bytes=4-9' } });
    expect(range.status).toBe(206);
    expect(range.body).toBe('report');
  });

  it('serves every file below a scope, and nothing beside it', async () => {
    const query = credentials.link('/videos/2024/a.ts', { scope: true, resource: '/videos/2024/' }).split('?')[1];
    expect((await ask(port, `/videos/2024/a.ts?${query}`)).body).toBe('segment a');
    const beside = await ask(port, `/videos/2024-old/x.ts?${query}`);
    expect(beside.status).toBe(403);
    expect(bodyOf(beside)).toMatchObject({ reason: 'out-of-scope' });
  });

  it('a link for a missing file gets 404 once it is valid (the link holder was given that path)', async () => {
    expect((await ask(port, credentials.link('/docs/missing.pdf'))).status).toBe(404);
  });

  describe('403 with a reason, and nothing that depends on the file', () => {
    const cases: Array<[string, (path: string) => { path: string; headers?: Record<string, string> }, string]> = [
      ['an unknown token', (path) => ({ path, headers: { Authorization: 'Bearer not-a-token' } }), 'bad-token'],
      ['a malformed bearer header', (path) => ({ path, headers: { Authorization: 'Bearer a b' } }), 'bad-token'],
      ['a tampered signature', (path) => ({ path: tamperSignature(credentials.link(path)) }), 'bad-signature'],
      ['a link for another path', (path) => ({ path: `${path}?${credentials.link('/docs/other.pdf').split('?')[1]}` }), 'bad-signature'],
      ['an unknown parameter beside sig', (path) => ({ path: `${credentials.link(path)}&x=1` }), 'bad-signature'],
      ['an expired link', (path) => ({ path: credentials.link(path, { ttlSeconds: -1 }) }), 'expired'],
      [
        'a valid token with a bad link',
        (path) => ({ path: `${credentials.link(path)}&x=1`, headers: credentials.bearer() }),
        'bad-signature',
      ],
      [
        'a valid link with a bad token',
        (path) => ({ path: credentials.link(path), headers: { Authorization: 'Bearer nope' } }),
        'bad-token',
      ],
    ];

    test.each(cases)('%s', async (_what, build, reason) => {
      const answers: Answer[] = [];
      for (const file of ['/docs/report.pdf', '/docs/missing.pdf']) {
        const { path, headers } = build(file);
        const res = await ask(port, path, { headers });
        expect(res.status).toBe(403);
        expect(bodyOf(res)).toMatchObject({ statusCode: 403, error: 'Forbidden', reason });
        expect(res.headers.get('cache-control')).toBe('no-store');
        answers.push(res);
      }
      // An existing and a missing file get byte-identical answers with the same headers (but the request id and date).
      const comparable = (res: Answer) => [res.body, [...res.headers].filter(([name]) => name !== 'x-request-id' && name !== 'date')];
      expect(comparable(answers[0])).toEqual(comparable(answers[1]));
    });
  });

  describe('what a grant changes in the answer', () => {
    const version = () => {
      const stats = statSync(root.resolve('docs/report.pdf'), { bigint: true });
      return `${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}`;
    };

    it('authenticated answers are Cache-Control: private; a pinned current link is private and immutable for a year', async () => {
      expect((await ask(port, credentials.link('/docs/report.pdf'))).headers.get('cache-control')).toBe('private');
      expect((await ask(port, '/docs/report.pdf', { headers: credentials.bearer() })).headers.get('cache-control')).toBe('private');
      const pinned = await ask(port, credentials.link('/docs/report.pdf', { version: version() }));
      expect(pinned.status).toBe(200);
      expect(pinned.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    });

    it('a signed dl=1 and filename set the disposition; the signed name wins over the file name', async () => {
      const res = await ask(port, credentials.link('/docs/report.pdf', { download: true, filename: 'Rapport annuel.pdf' }));
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="Rapport annuel.pdf"');
      const inline = await ask(port, credentials.link('/docs/report.pdf', { filename: 'Résumé.pdf' }));
      expect(inline.headers.get('content-disposition')).toBe(`inline; filename="R?sum?.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf`);
    });

    it('a pinned link to a file that changed answers 412 reason changed, for GET, HEAD and Range alike', async () => {
      root.write('docs/pinned.txt', 'version one');
      const stats = statSync(root.resolve('docs/pinned.txt'), { bigint: true });
      const link = credentials.link('/docs/pinned.txt', { version: `${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}` });
      expect((await ask(port, link)).body).toBe('version one');
      root.write('docs/pinned.txt', 'version two!');
      const requests: RequestInit[] = [
        {},
        { method: 'HEAD' },
        { headers: { Range: 'bytes=0-3' } },
        { headers: { Range: 'bytes=0-3', 'If-Range': '"x"' } },
      ];
      for (const init of requests) {
        const res = await ask(port, link, init);
        expect(res.status).toBe(412);
        if (init.method !== 'HEAD') expect(bodyOf(res)).toMatchObject({ statusCode: 412, reason: 'changed' });
      }
    });
  });

  it('keeps /.healthz and /.readyz open, and /.metrics (it names no file)', async () => {
    expect((await ask(port, '/.healthz')).status).toBe(200);
    expect((await ask(port, '/.readyz')).status).toBe(200);
    const metrics = await ask(port, '/.metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).not.toContain('report.pdf');
  });

  it('counts refusals in http_auth_denied_total{reason}', async () => {
    const before = await Promise.all(['bad-token', 'expired', 'unauthenticated'].map((reason) => denied(port, reason)));
    await ask(port, '/docs/report.pdf', { headers: { Authorization: 'Bearer nope' } });
    await ask(port, credentials.link('/docs/report.pdf', { ttlSeconds: -5 }));
    await ask(port, '/docs/report.pdf');
    const after = await Promise.all(['bad-token', 'expired', 'unauthenticated'].map((reason) => denied(port, reason)));
    expect(after).toEqual(before.map((count) => count + 1));
  });

  it('other methods are refused without credentials before anything else (401, not 405)', async () => {
    expect((await ask(port, '/docs/report.pdf', { method: 'DELETE' })).status).toBe(401);
    expect((await ask(port, '/docs/report.pdf', { method: 'DELETE', headers: credentials.bearer() })).status).toBe(405);
  });
});

describe('access control: public mode', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    root.write('hello.txt', 'hello');
    ({ app, port } = await startApp({ FILES_ROOT: root.path, ...credentials.settings('public') }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('serves without credentials as before, ignoring query parameters that are not ours', async () => {
    expect((await ask(port, '/hello.txt')).body).toBe('hello');
    expect((await ask(port, '/hello.txt?t=123&utm_source=x')).body).toBe('hello');
  });

  it('still checks credentials that are presented: a bad link or token is 403, a good one is served', async () => {
    expect(bodyOf(await ask(port, `${credentials.link('/hello.txt')}&x=1`))).toMatchObject({ statusCode: 403, reason: 'bad-signature' });
    expect(bodyOf(await ask(port, '/hello.txt', { headers: { Authorization: 'Bearer nope' } }))).toMatchObject({ reason: 'bad-token' });
    expect(bodyOf(await ask(port, '/hello.txt?exp=1'))).toMatchObject({ reason: 'bad-signature' });
    expect((await ask(port, credentials.link('/hello.txt'))).body).toBe('hello');
    expect((await ask(port, '/hello.txt', { headers: credentials.bearer() })).body).toBe('hello');
  });

  it('?v= works unsigned: the current version is served (public, immutable), another gets 412 reason changed', async () => {
    const stats = statSync(root.resolve('hello.txt'), { bigint: true });
    const current = `${stats.size.toString(16)}-${stats.mtimeNs.toString(16)}`;
    const res = await ask(port, `/hello.txt?v=${current}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const stale = await ask(port, '/hello.txt?v=5-1');
    expect(stale.status).toBe(412);
    expect(bodyOf(stale)).toMatchObject({ statusCode: 412, reason: 'changed' });
    expect((await ask(port, '/missing.txt?v=5-1')).status).toBe(404);
  });

  it("?dl=1 works unsigned: attachment with the file's own name", async () => {
    const res = await ask(port, '/hello.txt?dl=1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="hello.txt"');
    expect(res.headers.get('cache-control')).toBeNull();
  });

  test.each([
    ['/hello.txt?filename=evil.bat', 'filename is only accepted in a signed link'],
    ['/hello.txt?dl=0', 'dl must be 1'],
    ['/hello.txt?v=1&v=2', 'query parameter v appears more than once'],
    ['/missing.txt?filename=evil.bat', 'filename is only accepted in a signed link'],
  ])('400 for %s', async (path, message) => {
    const res = await ask(port, path);
    expect(res.status).toBe(400);
    expect(bodyOf(res)).toEqual({ statusCode: 400, error: 'Bad Request', message });
  });
});

describe('access control: too many failures', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    root.write('hello.txt', 'hello');
    ({ app, port } = await startApp({ FILES_ROOT: root.path, ...credentials.settings('private'), AUTH_FAILURE_LIMIT: '3' }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('answers 429 with Retry-After after AUTH_FAILURE_LIMIT failures, even to valid credentials, and counts it', async () => {
    for (let i = 0; i < 3; i++)
      expect((await ask(port, '/hello.txt', { headers: { Authorization: `Bearer guess${i}` } })).status).toBe(403);
    for (const headers of [{ Authorization: 'Bearer guess' }, credentials.bearer(), {}]) {
      const res = await ask(port, '/hello.txt', { headers });
      expect(res.status).toBe(429);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(bodyOf(res)).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    }
    const link = await ask(port, credentials.link('/hello.txt'));
    expect(link.status).toBe(429);
    expect(await denied(port, 'rate-limited')).toBe(4);
    // Probes are not file requests: still open.
    expect((await ask(port, '/.healthz')).status).toBe(200);
  });
});

describe('access control: the failure limit behind a trusted proxy', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    root.write('hello.txt', 'hello');
    ({ app, port } = await startApp({
      FILES_ROOT: root.path,
      ...credentials.settings('private'),
      AUTH_FAILURE_LIMIT: '1',
      TRUST_PROXY: 'true',
    }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('counts per client address as the proxy appended it to X-Forwarded-For (TRUST_PROXY=true)', async () => {
    const from = (address: string, authorization = 'Bearer guess') =>
      ask(port, '/hello.txt', { headers: { Authorization: authorization, 'X-Forwarded-For': address } });
    expect((await from('198.51.100.7')).status).toBe(403);
    expect((await from('198.51.100.7')).status).toBe(429);
    expect((await from('203.0.113.9')).status).toBe(403); // another client behind the same proxy
    // Only the last hop counts: a client cannot pick a fresh address by prepending one.
    expect((await from('192.0.2.1, 203.0.113.9')).status).toBe(429);
  });
});
