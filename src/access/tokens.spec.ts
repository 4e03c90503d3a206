import { createHash } from 'node:crypto';
import { growthOf } from '../../test/support/linear.js';
import { checkToken, generateToken, hashToken, mayAct, parseBearer, parseTokenEntries, TokenEntryError } from './tokens.js';

const hex = (token: string) => createHash('sha256').update(token).digest('hex');

describe('parseTokenEntries', () => {
  it('reads NAME:SHA256HEX with the role read by default, and NAME:SHA256HEX:write', () => {
    const entries = parseTokenEntries(`ci:${hex('one')}, uploader:${hex('two')}:write`);
    expect(entries.map(({ name, role }) => ({ name, role }))).toEqual([
      { name: 'ci', role: 'read' },
      { name: 'uploader', role: 'write' },
    ]);
    expect(entries[0].sha256.toString('hex')).toBe(hex('one'));
  });

  it('accepts line breaks (a secrets file), upper-case hex and surrounding blanks; nothing is no entries', () => {
    expect(parseTokenEntries(`\n a:${hex('1').toUpperCase()} \n\nb:${hex('2')}:read\n`)).toHaveLength(2);
    expect(parseTokenEntries('')).toEqual([]);
    expect(parseTokenEntries(' , \n')).toEqual([]);
  });

  test.each([
    ['ci', /entry 1 must be NAME:SHA256HEX/],
    [`ci:${hex('x')}:read:extra`, /entry 1 must be NAME:SHA256HEX/],
    [`:${hex('x')}`, /entry 1 has an invalid name/],
    [`c i:${hex('x')}`, /entry 1 has an invalid name/],
    ['ci:the-token-itself', /entry 1 \(ci\) must hold the 64-digit hex SHA-256 of the token, not the token \(npm run token -- ci\)/],
    [`ci:${hex('x').slice(1)}`, /must hold the 64-digit hex SHA-256/],
    [`ci:${hex('x')}:admin`, /entry 1 \(ci\) has role "admin"; use read or write/],
    [`ci:${hex('x')},ci:${hex('y')}`, /entry 2: the name ci is listed twice/],
    [`a:${hex('x')},b:${hex('x')}`, /entry 2 \(b\): the same token is listed twice/],
  ])('%s → %s', (text, message) => {
    expect(() => parseTokenEntries(text)).toThrow(TokenEntryError);
    expect(() => parseTokenEntries(text)).toThrow(message);
  });
});

describe('parseBearer', () => {
  test.each<[string | undefined, ReturnType<typeof parseBearer>]>([
    [undefined, { kind: 'none' }],
    ['Bearer abc', { kind: 'bearer', token: 'abc' }],
    ['bearer abc', { kind: 'bearer', token: 'abc' }],
    ['BEARER   abc-._~+/==', { kind: 'bearer', token: 'abc-._~+/==' }],
    ['  Bearer abc  ', { kind: 'bearer', token: 'abc' }],
    ['Bearer\tabc', { kind: 'malformed' }], // 1*SP: a tab is not a separator here
    ['Basic dXNlcjpwYXNz', { kind: 'none' }],
    ['Bearerabc', { kind: 'none' }],
    ['Bearer', { kind: 'malformed' }],
    ['Bearer ', { kind: 'malformed' }],
    ['Bearer a b', { kind: 'malformed' }],
    ['Bearer a=b', { kind: 'malformed' }],
    ['Bearer ===', { kind: 'malformed' }],
    ['Bearer a,b', { kind: 'malformed' }],
    ['Bearer ä', { kind: 'malformed' }],
  ])('%j', (header, expected) => {
    expect(parseBearer(header)).toEqual(expected);
  });

  test.each<[string, (n: number) => string]>([
    ['spaces', (n) => `Bearer ${' '.repeat(n)}x`],
    ['equals signs', (n) => `Bearer ${'='.repeat(n)}`],
    ['token characters around an equals sign', (n) => `Bearer ${'a'.repeat(n)}=${'a'.repeat(n)}`],
    ['tabs around the value', (n) => `${'\t'.repeat(n)}Bearer x${'\t'.repeat(n)}`],
  ])('is linear on long runs of %s', (_what, make) => {
    expect(growthOf(make, parseBearer)).toBeLessThan(24);
  });
});

describe('checkToken', () => {
  const entries = parseTokenEntries(`reader:${hex('r-token')},writer:${hex('w-token')}:write`);

  it('finds the holder of a listed token', () => {
    expect(checkToken('r-token', entries)).toEqual({ name: 'reader', role: 'read' });
    expect(checkToken('w-token', entries)).toEqual({ name: 'writer', role: 'write' });
  });

  it('refuses an unknown token, a prefix, an extension and the hash itself', () => {
    for (const token of ['x', 'r-toke', 'r-tokenn', 'R-TOKEN', hex('r-token'), '']) expect(checkToken(token, entries)).toBeUndefined();
    expect(checkToken('r-token', [])).toBeUndefined();
  });

  it('orders the roles: write may read, read may not write', () => {
    expect(mayAct({ name: 'w', role: 'write' }, 'read')).toBe(true);
    expect(mayAct({ name: 'w', role: 'write' }, 'write')).toBe(true);
    expect(mayAct({ name: 'r', role: 'read' }, 'read')).toBe(true);
    expect(mayAct({ name: 'r', role: 'read' }, 'write')).toBe(false);
  });
});

describe('generateToken and hashToken', () => {
  it('makes 32 random bytes in base64url that parse as a bearer token and check against their own hash', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
    expect(parseBearer(`Bearer ${token}`)).toEqual({ kind: 'bearer', token });
    expect(checkToken(token, parseTokenEntries(`me:${hashToken(token)}`))).toEqual({ name: 'me', role: 'read' });
  });
});
