import { createHash } from 'node:crypto';
import { decodeMetadata, hasRoom, readUploadRequest, type RequestReading } from './upload-request.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const meta = (pairs: Record<string, string | Buffer | null>) =>
  Object.entries(pairs)
    .map(([key, value]) => (value === null ? key : `${key} ${b64(value)}`))
    .join(',');

const sha256 = createHash('sha256').update('hello').digest();
const sha512 = createHash('sha512').update('hello').digest();

function problemOf(reading: RequestReading): string | undefined {
  return reading.ok ? undefined : reading.problem;
}

describe('readUploadRequest', () => {
  it('reads the destination from filename and folder', () => {
    expect(readUploadRequest(meta({ filename: 'a b.txt', folder: 'videos/2024', filetype: 'text/plain' }), undefined)).toEqual({
      ok: true,
      request: { destination: { folder: ['videos', '2024'], filename: 'a b.txt' }, expected: {} },
    });
  });

  it('puts a file without folder in the root', () => {
    expect(readUploadRequest(meta({ filename: '中文.txt' }), undefined)).toEqual({
      ok: true,
      request: { destination: { folder: [], filename: '中文.txt' }, expected: {} },
    });
  });

  test.each<[Record<string, string | Buffer | null>, string]>([
    [{}, 'missing-filename'],
    [{ filetype: 'text/plain' }, 'missing-filename'],
    [{ filename: null }, 'missing-filename'],
    [{ filename: '' }, 'filename-empty'],
    [{ filename: '..' }, 'filename-dot-segment'],
    [{ filename: '.env' }, 'filename-hidden'],
    [{ filename: '../etc/passwd' }, 'filename-hidden'],
    [{ filename: 'a/b.txt' }, 'filename-slash'],
    [{ filename: '..\\b.txt' }, 'filename-hidden'],
    [{ filename: 'a\\b.txt' }, 'filename-backslash'],
    [{ filename: 'a\u0000.txt' }, 'filename-control-character'],
    [{ filename: 'a\r\nb' }, 'filename-control-character'],
    [{ filename: 'x'.repeat(256) }, 'filename-too-long'],
    [{ filename: 'a.txt', folder: '../outside' }, 'folder-dot-segment'],
    [{ filename: 'a.txt', folder: '/etc' }, 'folder-empty'],
    [{ filename: 'a.txt', folder: 'a/.git' }, 'folder-hidden'],
    [{ filename: 'a.txt', folder: '.upload-staging' }, 'folder-hidden'],
    [{ filename: 'a.txt', folder: 'a\\b' }, 'folder-backslash'],
    [{ filename: Buffer.from([0x61, 0xff, 0x62]) }, 'metadata-not-utf8'],
    [{ filename: Buffer.from([0xed, 0xa0, 0x80]) }, 'metadata-not-utf8'], // an encoded lone surrogate
  ])('%j → %s', (pairs, problem) => {
    expect(problemOf(readUploadRequest(meta(pairs), undefined))).toBe(problem);
  });

  it('refuses base64 that Node would decode leniently', () => {
    expect(problemOf(readUploadRequest('filename YS50eHQ', undefined))).toBe('metadata-not-utf8'); // unpadded
    expect(problemOf(readUploadRequest('filename YS5*eHQ=', undefined))).toBe('metadata-not-utf8');
    expect(problemOf(readUploadRequest('filename YS50=HQ=', undefined))).toBe('metadata-not-utf8');
  });

  it('takes the sha256 metadata value (the digest in base64, as Repr-Digest has it) as the expected SHA-256', () => {
    const reading = readUploadRequest(meta({ filename: 'a', sha256: sha256.toString('base64') }), undefined);
    expect(reading).toMatchObject({ ok: true, request: { expected: { 'sha-256': sha256.toString('base64') } } });
  });

  it('takes a sha512 metadata value too', () => {
    const reading = readUploadRequest(meta({ filename: 'a', sha512: sha512.toString('base64') }), undefined);
    expect(reading).toMatchObject({ ok: true, request: { expected: { 'sha-512': sha512.toString('base64') } } });
  });

  it('takes the supported algorithms of Repr-Digest, ignoring unknown ones', () => {
    const field = `sha-512=:${sha512.toString('base64')}:, blake3=:AAAA:, sha-256=:${sha256.toString('base64')}:`;
    expect(readUploadRequest(meta({ filename: 'a' }), field)).toMatchObject({
      ok: true,
      request: { expected: { 'sha-256': sha256.toString('base64'), 'sha-512': sha512.toString('base64') } },
    });
  });

  it('accepts the same SHA-256 in both places', () => {
    const reading = readUploadRequest(meta({ filename: 'a', sha256: sha256.toString('base64') }), `sha-256=:${sha256.toString('base64')}:`);
    expect(reading.ok).toBe(true);
  });

  test.each<[string | undefined, string | undefined, string]>([
    [b64('short'), undefined, 'invalid-digest'], // base64 of 5 bytes, not 32
    ['not base64!', undefined, 'invalid-digest'],
    [undefined, 'sha-256=abc', 'invalid-digest'], // a token, not a Byte Sequence
    [undefined, 'sha-256=:AAAA:', 'invalid-digest'], // 3 bytes
    [undefined, 'sha-256=:::', 'invalid-digest'],
    [undefined, ',,,,', 'invalid-digest'],
    [undefined, `${' '.repeat(100_000)}x`, 'invalid-digest'],
    [undefined, `"${'"'.repeat(100_000)}`, 'invalid-digest'],
    [undefined, 'md5=:AAAAAAAAAAAAAAAAAAAAAA==:', 'unsupported-digest'],
    [sha256.toString('base64'), `sha-256=:${Buffer.alloc(32).toString('base64')}:`, 'conflicting-digests'],
  ])('sha256 %j with Repr-Digest %j → %s', (sha256Value, reprDigest, problem) => {
    const header = meta(sha256Value === undefined ? { filename: 'a' } : { filename: 'a', sha256: sha256Value });
    expect(problemOf(readUploadRequest(header, reprDigest))).toBe(problem);
  });
});

describe('decodeMetadata', () => {
  it('decodes keys with and without values', () => {
    expect(decodeMetadata(`filename ${b64('a.txt')},is_confidential`)).toEqual(
      new Map([
        ['filename', 'a.txt'],
        ['is_confidential', null],
      ]),
    );
  });

  it('reads a long run of commas in linear time', () => {
    expect(decodeMetadata(','.repeat(200_000))?.size).toBe(1);
  });
});

describe('hasRoom', () => {
  test.each<[number, number, number, boolean]>([
    [1000, 100, 0, true],
    [1000, 1000, 0, true],
    [1000, 1001, 0, false],
    [1000, 100, 900, true],
    [1000, 101, 900, false],
    [100, 0, 200, false], // already below the minimum: nothing more
  ])('free %d, length %d, minimum %d → %s', (free, length, minFree, expected) => {
    expect(hasRoom(free, length, minFree)).toBe(expected);
  });
});
