import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from './digest-fields.js';
import {
  cacheControlFor,
  planResponse,
  wantedDigestAlgorithms,
  type PlanInput,
  type RequestFacts,
  type ResponsePlan,
} from './response-plan.js';

const SIZE = 1000;
const MTIME_NS = 1_700_000_000_123_456_789n; // Tue, 14 Nov 2023 22:13:20 GMT (+0.123456789 s)
const ETAG = `"3e8-${MTIME_NS.toString(16)}"`;
const PIN = ETAG.slice(1, -1);
const LAST_MODIFIED = 'Tue, 14 Nov 2023 22:13:20 GMT';
const NOW = Date.UTC(2024, 0, 1);
const SHA256 = createHash('sha256').update('x').digest();
const SHA512 = createHash('sha512').update('x').digest();
const REPR_256 = `sha-256=:${SHA256.toString('base64')}:`;
const REPR_512 = `sha-512=:${SHA512.toString('base64')}:`;

function plan(request: Partial<RequestFacts> = {}, overrides: Partial<PlanInput> = {}): ResponsePlan {
  return planResponse({
    request: { method: 'GET', ...request },
    file: { name: 'report.pdf', size: SIZE, mtimeNs: MTIME_NS },
    nowMs: NOW,
    maxRanges: 4,
    digests: new Map<DigestAlgorithm, Uint8Array>([['sha-256', SHA256]]),
    disposition: { type: 'inline' },
    authenticated: false,
    newBoundary: () => 'BOUNDARY',
    ...overrides,
  });
}

function headersOf(response: ResponsePlan): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    expect(headers[name]).toBeUndefined(); // every header once
    headers[name] = value;
  }
  return headers;
}

const VALIDATORS = { ETag: ETAG, 'Last-Modified': LAST_MODIFIED, 'Accept-Ranges': 'bytes' };

describe('planResponse: the status and header matrix', () => {
  it('200 for a plain GET: validators, digests, disposition, type and length, the whole file as body', () => {
    const response = plan();
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual({
      ...VALIDATORS,
      'Repr-Digest': REPR_256,
      'Content-Disposition': 'inline; filename="report.pdf"',
      'Content-Type': 'application/pdf',
      'Content-Length': '1000',
      'Content-Digest': REPR_256,
    });
    expect(response.body).toEqual({ kind: 'bytes', range: { start: 0, end: 999 } });
  });

  it('200 for HEAD: the same headers but Content-Digest (there is no content), no body', () => {
    const response = plan({ method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(headersOf(response)['Content-Digest']).toBeUndefined();
    expect(headersOf(response)['Content-Length']).toBe('1000');
    expect(response.body).toEqual({ kind: 'none' });
  });

  it('HEAD ignores Range (RFC 9110 §14.2 defines it for GET)', () => {
    expect(plan({ method: 'HEAD', range: 'bytes=0-9' }).status).toBe(200);
  });

  it('206 for one range: Content-Range and the range length, whole-file Repr-Digest, no Content-Digest', () => {
    const response = plan({ range: 'bytes=10-19' });
    expect(response.status).toBe(206);
    expect(headersOf(response)).toEqual({
      ...VALIDATORS,
      'Repr-Digest': REPR_256,
      'Content-Disposition': 'inline; filename="report.pdf"',
      'Content-Type': 'application/pdf',
      'Content-Length': '10',
      'Content-Range': 'bytes 10-19/1000',
    });
    expect(response.body).toEqual({ kind: 'bytes', range: { start: 10, end: 19 } });
  });

  it('206 multipart/byteranges for several ranges, with the exact body length', () => {
    const response = plan({ range: 'bytes=0-1,5-6' });
    expect(response.status).toBe(206);
    const headers = headersOf(response);
    expect(headers['Content-Type']).toBe('multipart/byteranges; boundary=BOUNDARY');
    expect(headers['Content-Range']).toBeUndefined();
    if (response.body.kind !== 'multipart') throw new Error('expected a multipart body');
    expect(response.body.layout.parts.map((part) => part.range)).toEqual([
      { start: 0, end: 1 },
      { start: 5, end: 6 },
    ]);
    expect(headers['Content-Length']).toBe(String(response.body.layout.contentLength));
  });

  it('asks for a boundary only when the answer is multipart', () => {
    let calls = 0;
    const newBoundary = () => `B${++calls}`;
    plan({}, { newBoundary });
    plan({ range: 'bytes=0-1' }, { newBoundary });
    expect(calls).toBe(0);
    plan({ range: 'bytes=0-1,3-4' }, { newBoundary });
    expect(calls).toBe(1);
  });

  it('304 for a matching If-None-Match: validators, Repr-Digest and caching only, no body (§15.4.5)', () => {
    const response = plan({ ifNoneMatch: ETAG }, { cachePolicy: 'public, max-age=60' });
    expect(response.status).toBe(304);
    expect(headersOf(response)).toEqual({ ...VALIDATORS, 'Repr-Digest': REPR_256, 'Cache-Control': 'public, max-age=60' });
    expect(response.body).toEqual({ kind: 'none' });
  });

  it('412 for a failed If-Match: validators only, no digest, an error body', () => {
    const response = plan({ ifMatch: '"other"' });
    expect(response).toEqual({ status: 412, headers: Object.entries(VALIDATORS), body: { kind: 'error', error: 'precondition-failed' } });
  });

  it('416 for an unsatisfiable range: Content-Range bytes */size (§15.5.17), no digest', () => {
    const response = plan({ range: 'bytes=1000-' });
    expect(response.status).toBe(416);
    expect(headersOf(response)).toEqual({ ...VALIDATORS, 'Content-Range': 'bytes */1000' });
    expect(response.body).toEqual({ kind: 'error', error: 'range-not-satisfiable' });
  });

  test.each<[string, Partial<RequestFacts>, number]>([
    ['412 wins over 304 (If-Match is step 1)', { ifMatch: '"other"', ifNoneMatch: ETAG }, 412],
    ['412 wins over 416', { ifMatch: '"other"', range: 'bytes=5000-' }, 412],
    ['304 wins over a range', { ifNoneMatch: ETAG, range: 'bytes=0-9' }, 304],
    ['304 wins over 416', { ifNoneMatch: ETAG, range: 'bytes=5000-' }, 304],
    ['If-Range with the current ETag: the range', { range: 'bytes=0-9', ifRange: ETAG }, 206],
    ['If-Range with another ETag: the whole file', { range: 'bytes=0-9', ifRange: '"old"' }, 200],
    ['If-Range with a weak ETag: the whole file', { range: 'bytes=0-9', ifRange: `W/${ETAG}` }, 200],
    ['If-Range with the exact Last-Modified: the range', { range: 'bytes=0-9', ifRange: LAST_MODIFIED }, 206],
    ['If-Range with another date: the whole file', { range: 'bytes=0-9', ifRange: 'Tue, 14 Nov 2023 22:13:21 GMT' }, 200],
    ['a failed If-Range turns even an unsatisfiable range into 200', { range: 'bytes=5000-', ifRange: '"old"' }, 200],
    ['If-Range without Range is ignored', { ifRange: '"old"' }, 200],
    ['an invalid Range is ignored', { range: 'bytes=9-1' }, 200],
    ['another unit is ignored', { range: 'items=0-1' }, 200],
    ['more ranges than maxRanges: the whole file', { range: 'bytes=0-0,2-2,4-4,6-6,8-8' }, 200],
    ['exactly maxRanges: multipart', { range: 'bytes=0-0,2-2,4-4,6-6' }, 206],
  ])('%s', (_label, request, status) => {
    expect(plan(request).status).toBe(status);
  });

  it('a Last-Modified within a second of now is weak: a date If-Range gets the whole file (§8.8.2.2)', () => {
    const justNow = Number(MTIME_NS / 1_000_000n) + 500;
    expect(plan({ range: 'bytes=0-9', ifRange: LAST_MODIFIED }, { nowMs: justNow }).status).toBe(200);
  });
});

describe('planResponse: version pins (?v=)', () => {
  it('serves the pinned version as usual when it is current, cacheable for a year and immutable', () => {
    const response = plan({ range: 'bytes=0-9' }, { pin: PIN });
    expect(response.status).toBe(206);
    expect(headersOf(response)['Cache-Control']).toBe('public, max-age=31536000, immutable');
  });

  test.each<[string, Partial<RequestFacts>]>([
    ['GET', {}],
    ['HEAD', { method: 'HEAD' }],
    ['a Range without If-Range (curl -C -, wget -c)', { range: 'bytes=500-' }],
    ['a matching If-None-Match', { ifNoneMatch: '"3e8-0"' }],
  ])('answers 412 version-changed to %s when the file is another version', (_label, request) => {
    const response = plan(request, { pin: '3e8-0' });
    expect(response.status).toBe(412);
    expect(response.body).toEqual({ kind: 'error', error: 'version-changed' });
    expect(headersOf(response)).toEqual(VALIDATORS);
  });

  it('compares the pin with the whole ETag: a prefix or the quoted form is another version', () => {
    expect(plan({}, { pin: PIN.slice(0, -1) }).status).toBe(412);
    expect(plan({}, { pin: ETAG }).status).toBe(412);
  });
});

describe('planResponse: digests', () => {
  const both = new Map<DigestAlgorithm, Uint8Array>([
    ['sha-256', SHA256],
    ['sha-512', SHA512],
  ]);

  it('sends no digest field while none is known', () => {
    const headers = headersOf(plan({}, { digests: new Map() }));
    expect(headers['Repr-Digest']).toBeUndefined();
    expect(headers['Content-Digest']).toBeUndefined();
  });

  it('follows Want-Repr-Digest and Want-Content-Digest separately', () => {
    const headers = headersOf(
      plan({ wantReprDigest: 'sha-512=10, sha-256=1', wantContentDigest: 'sha-256=0, sha-512=1' }, { digests: both }),
    );
    expect(headers['Repr-Digest']).toBe(`${REPR_512}, ${REPR_256}`);
    expect(headers['Content-Digest']).toBe(REPR_512);
  });

  it('leaves out an algorithm that is wanted but not known yet', () => {
    expect(headersOf(plan({ wantReprDigest: 'sha-512=10, sha-256=1' }))['Repr-Digest']).toBe(REPR_256);
  });

  test.each<[Partial<RequestFacts>, DigestAlgorithm[]]>([
    [{}, ['sha-256']],
    [{ wantReprDigest: 'sha-512=5' }, ['sha-512', 'sha-256']],
    [{ wantReprDigest: 'sha-256=0', wantContentDigest: 'sha-512=3' }, ['sha-512', 'sha-256']],
    [{ wantReprDigest: 'sha-256=0' }, ['sha-256']], // Content-Digest still wants its default
    [{ wantReprDigest: 'sha-256=0', wantContentDigest: 'sha-256=0' }, []],
  ])('wantedDigestAlgorithms(%j) → %j', (request, algorithms) => {
    expect(wantedDigestAlgorithms(request).sort()).toEqual(algorithms.sort());
  });
});

describe('planResponse: disposition', () => {
  it('uses the disposition type it is given and the requested name', () => {
    expect(headersOf(plan({}, { disposition: { type: 'attachment' } }))['Content-Disposition']).toBe('attachment; filename="report.pdf"');
  });

  it('saves as a given filename, with an RFC 8187 filename* when it is not plain ASCII, keeping the type of the file', () => {
    const headers = headersOf(plan({}, { disposition: { type: 'attachment', filename: 'Bericht Übersicht.txt' } }));
    expect(headers['Content-Disposition']).toBe(
      `attachment; filename="Bericht ?bersicht.txt"; filename*=UTF-8''Bericht%20%C3%9Cbersicht.txt`,
    );
    expect(headers['Content-Type']).toBe('application/pdf');
  });
});

describe('cacheControlFor', () => {
  test.each<[boolean, boolean, string | undefined, string | undefined]>([
    [false, false, undefined, undefined],
    [false, false, 'public, max-age=60', 'public, max-age=60'],
    [false, true, undefined, 'private'],
    [false, true, 'public, max-age=60, s-maxage=600', 'private, max-age=60'],
    [false, true, 'no-cache', 'private, no-cache'],
    [true, false, 'no-cache', 'public, max-age=31536000, immutable'],
    [true, true, undefined, 'private, max-age=31536000, immutable'],
  ])('pinned=%s authenticated=%s policy=%j → %j', (pinned, authenticated, policy, expected) => {
    expect(cacheControlFor({ pinned, authenticated, policy })).toBe(expected);
  });

  it('marks every authenticated answer private, 304 included', () => {
    expect(headersOf(plan({ ifNoneMatch: ETAG }, { authenticated: true }))['Cache-Control']).toBe('private');
    expect(headersOf(plan({ range: 'bytes=0-0' }, { authenticated: true }))['Cache-Control']).toBe('private');
  });
});
