import { growthOf } from '../../test/support/linear.js';
import { type FileQuery, isCanonicalSeconds, isScope, isVersion, parseFileQuery } from './file-query.js';

const SIG = 'wv99LTgP1hEZPXdgdOmHFcnfdvHJU-smqjLt4cyNm4E';
const SIGNED = `exp=1767225600&kid=k1&sig=${SIG}`;

const kindOf = (target: string) => parseFileQuery(target).kind;

describe('parseFileQuery: unsigned', () => {
  test.each<[string, FileQuery]>([
    ['/a.txt', { kind: 'plain', version: undefined, download: false }],
    ['/a.txt?', { kind: 'plain', version: undefined, download: false }],
    ['/a.txt?v=5c-18eac6dfadc0bb67', { kind: 'plain', version: '5c-18eac6dfadc0bb67', download: false }],
    ['/a.txt?dl=1', { kind: 'plain', version: undefined, download: true }],
    ['/a.txt?v=5c-1&dl=1&t=12345&utm_source=x', { kind: 'plain', version: '5c-1', download: true }],
    ['/a.txt?%76=5c-1', { kind: 'plain', version: '5c-1', download: false }],
    ['/a.txt?x=%zz&&=', { kind: 'plain', version: undefined, download: false }],
  ])('%s', (target, expected) => {
    expect(parseFileQuery(target)).toEqual(expected);
  });

  test.each([
    ['/a.txt?filename=evil.bat', 'filename is only accepted in a signed link'],
    ['/a.txt?dl=1&filename=x', 'filename is only accepted in a signed link'],
    ['/a.txt?v=1&v=2', 'query parameter v appears more than once'],
    ['/a.txt?dl=1&dl=1', 'query parameter dl appears more than once'],
    ['/a.txt?v=', 'v must be a version'],
    ['/a.txt?v', 'v must be a version'],
    ['/a.txt?v=%225c-1%22', 'v must be a version'],
    ['/a.txt?v=a%20b', 'v must be a version'],
    ['/a.txt?v=%zz', 'v must be a version'],
    ['/a.txt?dl=0', 'dl must be 1'],
    ['/a.txt?dl=true', 'dl must be 1'],
    ['/a.txt?dl', 'dl must be 1'],
  ])('%s → 400 %s', (target, message) => {
    const query = parseFileQuery(target);
    expect(query.kind).toBe('bad-request');
    expect(query).toMatchObject({ message: expect.stringContaining(message) as string });
  });
});

describe('parseFileQuery: signed', () => {
  it('reads every parameter, decoded once', () => {
    expect(parseFileQuery(`/v/a.ts?${SIGNED}&scope=%2Fv%2F&v=5c-1&dl=1&filename=My+file%20%C3%A9.ts`)).toEqual({
      kind: 'signed',
      link: { kid: 'k1', sig: SIG, expires: 1767225600, scope: '/v/', version: '5c-1', download: true, filename: 'My file é.ts' },
    });
    expect(parseFileQuery(`/a?${SIGNED}`)).toMatchObject({
      link: { scope: undefined, version: undefined, download: false, filename: undefined },
    });
  });

  test.each([
    // any one signed-link parameter makes the query a link, which must then be complete
    ['exp=1767225600'],
    ['kid=k1'],
    [`sig=${SIG}`],
    ['scope=%2F'],
    ['exp=1767225600&kid=k1&v=5c-1'],
    // unknown, repeated, empty, valueless
    [`${SIGNED}&t=1`],
    [`${SIGNED}&utm_source=mail`],
    [`${SIGNED}&exp=1767225600`],
    [`${SIGNED}&kid=k1`],
    [`${SIGNED}&sig=${SIG}`],
    [`${SIGNED}&v=1&v=1`],
    [`${SIGNED}&dl=1&%64l=1`],
    [`${SIGNED}&scope=%2F&scope=%2F`],
    [`${SIGNED}&filename=a&filename=a`],
    [`${SIGNED}&`],
    [`&${SIGNED}`],
    [`${SIGNED}&&v=1`],
    [`${SIGNED}&dl`],
    [`${SIGNED}&%zz=1`],
    // non-canonical numbers and values
    [`exp=%2B1767225600&kid=k1&sig=${SIG}`],
    [`exp=+1767225600&kid=k1&sig=${SIG}`],
    [`exp=01767225600&kid=k1&sig=${SIG}`],
    [`exp=1767225600.0&kid=k1&sig=${SIG}`],
    [`exp=1.7e9&kid=k1&sig=${SIG}`],
    [`exp=0&kid=k1&sig=${SIG}`],
    [`exp=-1&kid=k1&sig=${SIG}`],
    [`exp=&kid=k1&sig=${SIG}`],
    [`exp=1767225600%20&kid=k1&sig=${SIG}`],
    [`exp=9999999999999&kid=k1&sig=${SIG}`],
    [`${SIGNED}&dl=0`],
    [`${SIGNED}&dl=true`],
    [`${SIGNED}&dl=01`],
    [`exp=1767225600&kid=k%2F1&sig=${SIG}`],
    [`exp=1767225600&kid=&sig=${SIG}`],
    [`exp=1767225600&kid=k1&sig=${SIG}=`],
    [`exp=1767225600&kid=k1&sig=${SIG.slice(1)}`],
    [`exp=1767225600&kid=k1&sig=${SIG.slice(1)}+`],
    [`exp=1767225600&kid=k1&sig=${SIG.replace('w', '%77')}x`],
    [`${SIGNED}&v=`],
    [`${SIGNED}&v=%22x%22`],
    [`${SIGNED}&scope=v%2F`],
    [`${SIGNED}&scope=%2Fv`],
    [`${SIGNED}&scope=%2Fv%2F..%2F`],
    [`${SIGNED}&scope=%2F%2F`],
    [`${SIGNED}&filename=`],
    [`${SIGNED}&filename=a%2Fb`],
    [`${SIGNED}&filename=a%5Cb`],
    [`${SIGNED}&filename=a%0Ab`],
    [`${SIGNED}&filename=..`],
  ])('?%s → bad-link (403 bad-signature)', (query) => {
    expect(kindOf(`/a.txt?${query}`)).toBe('bad-link');
  });

  it('accepts a signature given with percent-encoded characters (decoded before it is compared)', () => {
    expect(parseFileQuery(`/a?exp=1767225600&kid=k1&sig=${SIG.replace('w', '%77')}`)).toMatchObject({ link: { sig: SIG } });
  });

  test.each<[string, (n: number) => string]>([
    ['ampersands', (n) => `/a?${'&'.repeat(n)}`],
    ['ampersands after a link', (n) => `/a?${SIGNED}${'&'.repeat(n)}`],
    ['escapes', (n) => `/a?v=${'%25'.repeat(n / 3)}`],
    ['plus signs', (n) => `/a?filename=${'+'.repeat(n)}&${SIGNED}`],
    ['equals signs', (n) => `/a?${'='.repeat(n)}`],
    ['question marks', (n) => `/a${'?'.repeat(n)}`],
  ])('is linear on long runs of %s', (_what, make) => {
    expect(growthOf(make, parseFileQuery)).toBeLessThan(24);
  });
});

describe('value rules', () => {
  test.each([
    ['1', true],
    ['1767225600', true],
    ['999999999999', true],
    ['0', false],
    ['01', false],
    ['+1', false],
    ['1e3', false],
    ['', false],
    ['1000000000000', false],
  ])('isCanonicalSeconds(%j) = %s', (text, expected) => expect(isCanonicalSeconds(text)).toBe(expected));

  test.each([
    ['5c-18eac6dfadc0bb67', true],
    ['-1-a', true],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
    ['"x"', false],
    ['a b', false],
    ['é', false],
  ])('isVersion(%j) = %s', (text, expected) => expect(isVersion(text)).toBe(expected));

  test.each([
    ['/', true],
    ['/videos/', true],
    ['/videos/2024/', true],
    ['/videos', false],
    ['videos/', false],
    ['//', false],
    ['/./', false],
    ['/../', false],
    ['/a\\b/', false],
    ['/a//b/', false],
  ])('isScope(%j) = %s', (text, expected) => expect(isScope(text)).toBe(expected));
});
