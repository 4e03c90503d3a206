import { createHash } from 'node:crypto';
import { formatDigestField, parseDigestField, parseWantDigest, selectDigestAlgorithms } from './digest-fields.js';

const helloSha256 = createHash('sha256').update('hello').digest();
const helloSha512 = createHash('sha512').update('hello').digest();

describe('formatDigestField', () => {
  it('writes a Structured Fields Dictionary of Byte Sequences (RFC 9530 §3)', () => {
    expect(formatDigestField([['sha-256', helloSha256]])).toBe(`sha-256=:${helloSha256.toString('base64')}:`);
    expect(
      formatDigestField([
        ['sha-512', helloSha512],
        ['sha-256', helloSha256],
      ]),
    ).toBe(`sha-512=:${helloSha512.toString('base64')}:, sha-256=:${helloSha256.toString('base64')}:`);
  });

  it('matches the RFC 9530 §B example for {"hello": "world"}', () => {
    const body = Buffer.from('{"hello": "world"}');
    expect(formatDigestField([['sha-256', createHash('sha256').update(body).digest()]])).toBe(
      'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
    );
  });

  it('is empty for no digests', () => {
    expect(formatDigestField([])).toBe('');
  });
});

describe('parseDigestField', () => {
  it.each([
    ['sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', { 'sha-256': 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=' }],
    ['sha-256=:AAAA:,   unixsum=:AQ==:', { 'sha-256': 'AAAA', unixsum: 'AQ==' }],
    ['', {}],
  ])('parses %j', (field, expected) => {
    const parsed = parseDigestField(field);
    expect(parsed && Object.fromEntries([...parsed].map(([name, bytes]) => [name, bytes.toString('base64')]))).toEqual(expected);
  });

  it.each([
    ['sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='], // a Token, not a Byte Sequence
    ['sha-256=:not base64!:'],
    ['sha-256=1'],
    ['sha-256=("a")'],
    ['SHA-256=:AAAA:'], // keys are lowercase
    ['sha-256=:AAAA:,'],
  ])('rejects %j', (field) => {
    expect(parseDigestField(field)).toBeUndefined();
  });

  it('treats an absent field as absent', () => {
    expect(parseDigestField(undefined)).toBeUndefined();
  });
});

describe('parseWantDigest (RFC 9530 §4)', () => {
  it.each([
    ['sha-256=1', [['sha-256', 1]]],
    [
      'sha-512=3, sha-256=10, unixsum=0',
      [
        ['sha-512', 3],
        ['sha-256', 10],
        ['unixsum', 0],
      ],
    ],
    ['sha-256=0', [['sha-256', 0]]],
    ['sha-256=10;q=1', [['sha-256', 10]]], // parameters are allowed and ignored
    ['', []],
  ])('parses %j', (field, expected) => {
    expect([...(parseWantDigest(field) ?? new Map())]).toEqual(expected);
  });

  it.each([
    ['sha-256=11'],
    ['sha-256=-1'],
    ['sha-256=1.5'],
    ['sha-256'], // a bare key is Boolean true, not an integer
    ['sha-256="10"'],
    ['sha-256=(1 2)'],
    ['sha-256=1,'],
    ['sha-256=1 sha-512=2'],
    ['sha 256=1'],
  ])('ignores the malformed %j', (field) => {
    expect(parseWantDigest(field)).toBeUndefined();
  });
});

describe('selectDigestAlgorithms', () => {
  it.each([
    [undefined, ['sha-256']],
    ['', ['sha-256']],
    ['unixsum=10, md5=3', ['sha-256']],
    ['sha-256=1', ['sha-256']],
    ['sha-256=10, sha-512=3', ['sha-256']],
    ['sha-256=5, sha-512=5', ['sha-256']],
    ['sha-512=10, sha-256=3', ['sha-512', 'sha-256']],
    ['sha-512=1', ['sha-512', 'sha-256']],
    ['sha-512=0', ['sha-256']],
    ['sha-256=0, sha-512=1', ['sha-512']],
    ['sha-256=0', []],
    ['sha-256=0, sha-512=0', []],
    ['sha-256=0, md5=10', []],
  ])('Want-Repr-Digest %j sends %j', (field, expected) => {
    expect(selectDigestAlgorithms(parseWantDigest(field))).toEqual(expected);
  });

  it('falls back to the default for a malformed field', () => {
    expect(selectDigestAlgorithms(parseWantDigest('sha-512=99'))).toEqual(['sha-256']);
  });
});
