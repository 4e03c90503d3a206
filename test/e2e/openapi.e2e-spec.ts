import type { INestApplication } from '@nestjs/common';
import { Validator, type SpecData } from '@seriousme/openapi-schema-validator';
import { utimesSync } from 'node:fs';
import { startApp } from '../support/app.js';
import { TestCredentials } from '../support/access.js';
import { TempRoot } from '../support/fixtures.js';
import { fetchFrom, json, type FetchOptions } from '../support/http.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[] }> };
}

type Method = NonNullable<FetchOptions['method']>;

/** Requests that, between them, reach every path and method of the document and the statuses this build can give. */
type Scenario = [template: string, method: Method, url: string, headers: Record<string, string>];

const SCENARIOS: Scenario[] = [
  ['/{path}', 'GET', '/hello.txt', {}],
  ['/{path}', 'GET', '/hello.txt', { Range: 'bytes=-500' }],
  ['/{path}', 'GET', '/hello.txt', { Range: 'bytes=0-1,5-6' }],
  ['/{path}', 'GET', '/hello.txt', { 'If-None-Match': '*' }],
  ['/{path}', 'GET', '/hello.txt', { 'If-Match': '"nope"' }],
  ['/{path}', 'GET', '/hello.txt', { Range: 'bytes=99999-' }],
  ['/{path}', 'GET', '/missing.txt', {}],
  ['/{path}', 'GET', '/a%2fb', {}],
  ['/{path}', 'HEAD', '/hello.txt', {}],
  ['/{path}', 'HEAD', '/hello.txt', { 'If-None-Match': '*' }],
  ['/{path}', 'HEAD', '/hello.txt', { 'If-Unmodified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' }],
  ['/{path}', 'HEAD', '/missing.txt', {}],
  ['/{path}', 'OPTIONS', '/hello.txt', {}],
  ['/{path}', 'OPTIONS', '/hello.txt', { Origin: 'http://127.0.0.1:9', 'Access-Control-Request-Method': 'GET' }],
  ['/{path}', 'POST', '/hello.txt', {}],
  ['/{path}', 'PUT', '/hello.txt', {}],
  ['/{path}', 'DELETE', '/hello.txt', {}],
  ['/{path}', 'PATCH', '/hello.txt', {}],
  ['/', 'GET', '/', { Accept: 'text/html' }],
  ['/', 'GET', '/', { Accept: 'application/json' }],
  ['/', 'GET', '/?limit=0', {}],
  ['/{folder}/', 'GET', '/docs/', {}],
  ['/{folder}/', 'GET', '/docs/', { Accept: 'text/html' }],
  ['/{folder}/', 'GET', '/nope/', {}],
  ['/.api/files/', 'GET', '/.api/files/', {}],
  ['/.api/files/', 'GET', '/.api/files/?cursor=x', {}],
  ['/.api/files/{folder}/', 'GET', '/.api/files/docs/?limit=1', {}],
  ['/.api/files/{folder}/', 'GET', '/.api/files/nope/', {}],
  ['/.api/files/{path}', 'GET', '/.api/files/hello.txt', {}],
  ['/.api/files/{path}', 'GET', '/.api/files/docs', {}],
  ['/.api/files/{path}', 'GET', '/.api/files/missing.txt', {}],
  ['/.api/files/{path}', 'GET', '/.api/files/a%2fb', {}],
];

/** One request, answered with a status, content type and required JSON fields the document lists for its operation; returns the status. */
async function expectAsDocumented(document: Document, app: INestApplication, scenario: Scenario): Promise<number> {
  const [template, method, url, headers] = scenario;
  const operation = document.paths[template]?.[method.toLowerCase()];
  expect([template, method, operation === undefined ? 'undocumented' : 'documented']).toEqual([template, method, 'documented']);
  const res = await fetchFrom(app, url, { method, headers });
  const what = `${method} ${url} ${JSON.stringify(headers)} → ${res.status}`;
  const response = operation.responses[String(res.status)];
  expect([what, response === undefined ? 'undocumented status' : 'ok']).toEqual([what, 'ok']);
  const type = res.headers['content-type']?.split(';')[0];
  if (method === 'HEAD' || res.status === 204 || res.status === 304) return res.status;
  const documented = Object.keys(response.content ?? {});
  // `*/*` is the file itself, typed by its extension; everything else must be named exactly.
  const matches = documented.includes(type ?? '') || (documented.includes('*/*') && !url.startsWith('/.api/'));
  expect([what, type, matches ? 'ok' : 'undocumented content type']).toEqual([what, type, 'ok']);
  const ref = response.content?.[type ?? '']?.schema?.$ref;
  if (ref !== undefined) {
    const schema = document.components.schemas[ref.replace('#/components/schemas/', '')];
    const body = json(res) as Record<string, unknown>;
    for (const field of schema.required ?? []) expect([what, field, field in body]).toEqual([what, field, true]);
  }
  return res.status;
}

describe('the OpenAPI document', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let document: Document;

  beforeAll(async () => {
    root.write('hello.txt', 'h'.repeat(2000));
    root.write('docs/readme.md', '# docs');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(root.resolve('hello.txt'), anHourAgo, anHourAgo);
    ({ app } = await startApp({ FILES_ROOT: root.path, CORS_ORIGINS: 'http://127.0.0.1:9' }));
    const res = await fetchFrom(app, '/.api/openapi.json');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    document = json(res) as Document;
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('is a valid OpenAPI 3 document (checked by @seriousme/openapi-schema-validator)', async () => {
    expect(document.openapi).toMatch(/^3\./);
    const result = await new Validator().validate(structuredClone(document) as unknown as SpecData);
    expect(result).toEqual({ valid: true });
  });

  it('would be refused by the validator if broken (the check can fail)', async () => {
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { responses?: unknown }>> };
    delete broken.paths['/{path}'].get.responses;
    expect((await new Validator().validate(broken as unknown as SpecData)).valid).toBe(false);
  });

  it('describes the file routes with ranges, conditionals, pinning and signed-link parameters, and every status', () => {
    const get = document.paths['/{path}'].get as unknown as Operation & { parameters: Array<{ name: string; in: string }> };
    expect(get.parameters.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(
      expect.arrayContaining(
        ['Range', 'If-Range', 'If-Match', 'If-None-Match', 'If-Modified-Since', 'If-Unmodified-Since']
          .map((name) => `header:${name}`)
          .concat(['v', 'dl', 'filename', 'exp', 'kid', 'sig', 'scope'].map((name) => `query:${name}`)),
      ),
    );
    expect(Object.keys(get.responses).sort()).toEqual(['200', '206', '301', '304', '400', '401', '403', '404', '412', '416', '429']);
    expect(Object.keys(get.responses['206'].headers ?? {})).toEqual(expect.arrayContaining(['Content-Range', 'ETag', 'Repr-Digest']));
    expect(Object.keys(get.responses['416'].headers ?? {})).toContain('Content-Range');
    expect(Object.keys(get.responses['429'].headers ?? {})).toContain('Retry-After');
    expect(Object.keys(document.paths['/{path}'].post.responses)).toEqual(['405']);
    expect(Object.keys(document.paths['/{path}'].post.responses['405'].headers ?? {})).toContain('Allow');
  });

  it('answers every listed path and method as documented: a documented status and content type, and the required JSON fields', async () => {
    const reached = new Set<string>();
    for (const [template, method, url, headers] of SCENARIOS) {
      await expectAsDocumented(document, app, [template, method, url, headers]);
      reached.add(`${template} ${method.toLowerCase()}`);
    }
    const listed = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${path} ${method}`));
    expect([...reached].sort()).toEqual(listed.sort());
  });

  it('serves Swagger UI from the local package under a self-only Content-Security-Policy', async () => {
    const page = await fetchFrom(app, '/.api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    const html = page.body.toString();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(source).toMatch(/^\/\.api\/docs\//); // nothing from elsewhere
      expect((await fetchFrom(app, source)).status).toBe(200);
    }
    expect(html).not.toMatch(/<script>|<style>|\sstyle=/); // no inline code for the CSP to block
    expect((await fetchFrom(app, '/.api/docs/index.html')).status).toBe(404); // only the files the page uses
  });
});

describe('the OpenAPI document, private mode: the access statuses are documented where they happen', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let app: INestApplication;

  beforeAll(async () => {
    root.write('hello.txt', 'hello');
    ({ app } = await startApp({ FILES_ROOT: root.path, ...credentials.settings('private'), AUTH_FAILURE_LIMIT: '2' }));
  });

  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('401 without a token, 403 for a bad one, 429 once the failures reach the limit: on files, folders and the API', async () => {
    const document = json(await fetchFrom(app, '/.api/openapi.json')) as Document;
    const bad = { Authorization: 'Bearer not-a-token' };
    const scenarios: Array<[Scenario, number]> = [
      [['/{path}', 'GET', '/hello.txt', {}], 401],
      [['/', 'GET', '/', {}], 401],
      [['/.api/files/', 'GET', '/.api/files/', {}], 401],
      [['/.api/files/{path}', 'GET', '/.api/files/hello.txt', {}], 401],
      [['/{path}', 'GET', '/hello.txt', bad], 403],
      [['/.api/files/{path}', 'GET', '/.api/files/hello.txt', bad], 403],
      [['/{path}', 'GET', '/hello.txt', credentials.bearer()], 429],
      [['/.api/files/{path}', 'GET', '/.api/files/hello.txt', credentials.bearer()], 429],
    ];
    const statuses: number[] = [];
    for (const [scenario] of scenarios) statuses.push(await expectAsDocumented(document, app, scenario));
    expect(statuses).toEqual(scenarios.map(([, status]) => status));
  });
});
