import {
  answerOptions,
  corsResponseHeaders,
  isAllowedOrigin,
  parseAllowedOrigins,
  parseFieldNameList,
  type AllowedOrigins,
  type CorsRoute,
} from './cors.js';
import type { HeaderList } from './response-plan.js';

const FILES: CorsRoute = {
  methods: ['GET', 'HEAD'],
  allowHeaders: ['range', 'if-range', 'authorization'],
  exposeHeaders: ['Content-Range', 'ETag'],
};
const LIST = parseAllowedOrigins('http://127.0.0.1:8080, https://app.example.com');
const ANY = parseAllowedOrigins('*');

function headers(list: HeaderList): Record<string, string> {
  const names = list.map(([name]) => name.toLowerCase());
  expect(new Set(names).size).toBe(names.length); // each header once
  return Object.fromEntries(list.map(([name, value]) => [name.toLowerCase(), value]));
}

describe('parseAllowedOrigins (CORS_ORIGINS)', () => {
  it('reads "*" as any origin', () => {
    expect(ANY).toEqual({ any: true });
    expect(parseAllowedOrigins(' * ')).toEqual({ any: true });
  });

  it('reads a comma-separated list of serialized origins, ignoring spaces and empty entries', () => {
    const allowed = parseAllowedOrigins(' https://a.example , ,http://localhost:3000,');
    expect(allowed).toEqual({ any: false, origins: new Set(['https://a.example', 'http://localhost:3000']) });
  });

  test.each<[string, string, RegExp]>([
    ['empty', ' , ', /must be "\*" or a comma-separated list/],
    ['"*" inside a list', 'https://a.example,*', /"\*" must stand alone/],
    ['a host without scheme', 'app.example.com', /not an origin/],
    ['a path', 'https://a.example/app', /not a serialized origin.*write "https:\/\/a.example"/],
    ['a trailing slash', 'https://a.example/', /not a serialized origin/],
    ['upper case', 'https://A.example', /write "https:\/\/a.example"/],
    ['the default port', 'https://a.example:443', /write "https:\/\/a.example"/],
    ['another scheme', 'ftp://a.example', /not http or https/],
    ['null', 'null', /not an origin/],
  ])('refuses %s', (_what, value, message) => {
    expect(() => parseAllowedOrigins(value)).toThrow(message);
  });
});

describe('isAllowedOrigin', () => {
  test.each<[string, AllowedOrigins, string | undefined, boolean]>([
    ['a listed origin', LIST, 'http://127.0.0.1:8080', true],
    ['another port', LIST, 'http://127.0.0.1:8081', false],
    ['a prefix of a listed origin', LIST, 'https://app.example.co', false],
    ['a listed origin plus a suffix', LIST, 'https://app.example.com.evil.test', false],
    ['different case (browsers never send it)', LIST, 'https://APP.example.com', false],
    ['null with a list', LIST, 'null', false],
    ['no Origin', LIST, undefined, false],
    ['any origin with *', ANY, 'https://anything.test', true],
    ['null with *', ANY, 'null', true],
    ['no Origin with *', ANY, undefined, false],
  ])('%s', (_what, allowed, origin, expected) => {
    expect(isAllowedOrigin(allowed, origin)).toBe(expected);
  });

  it('takes linear time on a huge Origin value', () => {
    expect(isAllowedOrigin(LIST, `http://${'a'.repeat(100_000)}`)).toBe(false);
  });
});

describe('corsResponseHeaders (every response that is not OPTIONS)', () => {
  it('grants a listed origin, exposes the route headers and varies on Origin', () => {
    expect(headers(corsResponseHeaders(LIST, FILES, 'https://app.example.com'))).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-expose-headers': 'Content-Range, ETag',
    });
  });

  it('gives an unlisted origin, and a request without Origin, only Vary: Origin', () => {
    expect(headers(corsResponseHeaders(LIST, FILES, 'https://evil.test'))).toEqual({ vary: 'Origin' });
    expect(headers(corsResponseHeaders(LIST, FILES, undefined))).toEqual({ vary: 'Origin' });
  });

  it('answers * the same to everyone, so it needs no Vary', () => {
    for (const origin of ['https://x.test', undefined]) {
      expect(headers(corsResponseHeaders(ANY, FILES, origin))).toEqual({
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'Content-Range, ETag',
      });
    }
  });

  it('never allows credentials', () => {
    for (const allowed of [LIST, ANY]) {
      const list = corsResponseHeaders(allowed, FILES, 'https://app.example.com');
      expect(list.map(([name]) => name)).not.toContain('Access-Control-Allow-Credentials');
    }
  });
});

describe('answerOptions', () => {
  const preflight = { origin: 'https://app.example.com', requestMethod: 'GET', requestHeaders: 'if-range,range' };
  const granted = {
    allow: 'GET, HEAD, OPTIONS',
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'range, if-range, authorization',
    'access-control-max-age': '600',
  };
  const refused = { allow: 'GET, HEAD, OPTIONS', vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };

  it('answers a plain OPTIONS with Allow only when CORS is off, even with preflight headers', () => {
    expect(headers(answerOptions(undefined, FILES, { origin: undefined, requestMethod: undefined, requestHeaders: undefined }))).toEqual({
      allow: 'GET, HEAD, OPTIONS',
    });
    expect(headers(answerOptions(undefined, FILES, preflight))).toEqual({ allow: 'GET, HEAD, OPTIONS' });
  });

  test.each<[string, AllowedOrigins, Partial<typeof preflight>, Record<string, string>]>([
    ['grants a preflight from a listed origin', LIST, {}, granted],
    ['grants a preflight without requested headers', LIST, { requestHeaders: undefined }, granted],
    ['grants a preflight with OWS and empty list elements', LIST, { requestHeaders: ' Range ,, IF-RANGE\t,' }, granted],
    ['refuses an unlisted origin', LIST, { origin: 'https://evil.test' }, refused],
    ['refuses a method the route does not have', LIST, { requestMethod: 'DELETE' }, refused],
    ['refuses a lower-case method (methods are case-sensitive)', LIST, { requestMethod: 'get' }, refused],
    ['refuses a header the route does not allow', LIST, { requestHeaders: 'range, x-secret' }, refused],
    ['refuses a malformed header list', LIST, { requestHeaders: 'range, "quoted"' }, refused],
    ['answers an OPTIONS without Access-Control-Request-Method as a plain one', LIST, { requestMethod: undefined }, refused],
    [
      'grants any origin with *, varying only on what it checks',
      ANY,
      { origin: 'https://anything.test' },
      {
        ...granted,
        vary: 'Access-Control-Request-Method, Access-Control-Request-Headers',
        'access-control-allow-origin': '*',
      },
    ],
  ])('%s', (_what, allowed, overrides, expected) => {
    expect(headers(answerOptions(allowed, FILES, { ...preflight, ...overrides }))).toEqual(expected);
  });
});

describe('parseFieldNameList (Access-Control-Request-Headers)', () => {
  test.each<[string, string[] | undefined]>([
    ['range', ['range']],
    ['if-range,range,want-repr-digest', ['if-range', 'range', 'want-repr-digest']],
    [' Range , If-None-Match ', ['range', 'if-none-match']],
    ['', []],
    [' , ,, ', []],
    ['a b', undefined],
    ['range;x', undefined],
    ['rañge', undefined],
    ['"range"', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseFieldNameList(value)).toEqual(expected);
  });

  test.each<[string, string, string[] | undefined]>([
    ['spaces inside a name', `a${' '.repeat(15_000)}b`, undefined],
    ['commas', ','.repeat(15_000), []],
    ['spaces and commas', ' ,'.repeat(7_500), []],
    ['one long token', 'x'.repeat(15_000), ['x'.repeat(15_000)]],
    ['tabs then a bad character', `${'\t'.repeat(15_000)}"`, undefined],
  ])('reads long runs of %s in one pass', (_what, value, expected) => {
    expect(parseFieldNameList(value)).toEqual(expected);
  });
});
