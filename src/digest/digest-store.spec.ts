import { createHash } from 'node:crypto';
import { parseStoredDigest, pathBelowRoot, storeKey } from './digest-store.js';

const version = { size: 10, mtimeNs: 1_700_000_000_123_456_789n, ctimeNs: 1_700_000_001_000_000_000n };

describe('storeKey', () => {
  it('is the same for every replica that sees the same path and stamps, whatever its device and inode', () => {
    expect(storeKey('a/b.txt', { ...version, dev: 1n, ino: 2n } as typeof version)).toBe(storeKey('a/b.txt', version));
    expect(storeKey('a/b.txt', version)).toMatch(/^rds:digest:v1:[0-9a-f]{64}$/);
  });

  test.each([
    ['another path', storeKey('a/c.txt', version)],
    ['another size', storeKey('a/b.txt', { ...version, size: 11 })],
    ['another mtime', storeKey('a/b.txt', { ...version, mtimeNs: version.mtimeNs + 1n })],
    ['a write that restored the mtime (another ctime)', storeKey('a/b.txt', { ...version, ctimeNs: version.ctimeNs + 1n })],
  ])('differs for %s', (_name, other) => {
    expect(other).not.toBe(storeKey('a/b.txt', version));
  });

  it('cannot be made to collide by moving digits between the path and the stamps', () => {
    expect(storeKey('x1', { size: 23, mtimeNs: 4n, ctimeNs: 5n })).not.toBe(storeKey('x', { size: 123, mtimeNs: 4n, ctimeNs: 5n }));
  });
});

describe('pathBelowRoot', () => {
  it('names the path below the first root containing it', () => {
    expect(pathBelowRoot(['/srv/a', '/srv/b'], '/srv/b/x/y.txt')).toBe('x/y.txt');
    expect(pathBelowRoot(['/srv/a', '/srv/b'], '/srv/a/y.txt')).toBe('y.txt');
  });

  it('has none for a path outside every root, or a root itself', () => {
    expect(pathBelowRoot(['/srv/a'], '/srv/ab/y.txt')).toBeUndefined();
    expect(pathBelowRoot(['/srv/a'], '/srv/a')).toBeUndefined();
    expect(pathBelowRoot(['/srv/a'], '/etc/passwd')).toBeUndefined();
  });
});

describe('parseStoredDigest', () => {
  const sha256 = createHash('sha256').update('x').digest();
  const sha512 = createHash('sha512').update('x').digest();

  it('takes canonical base64 of the right length', () => {
    expect(Buffer.from(parseStoredDigest('sha-256', sha256.toString('base64')) ?? [])).toEqual(sha256);
    expect(Buffer.from(parseStoredDigest('sha-512', sha512.toString('base64')) ?? [])).toEqual(sha512);
  });

  test.each<[string, unknown]>([
    ['a sha-512 digest for sha-256', sha512.toString('base64')],
    ['a truncated value', sha256.toString('base64').slice(0, 20)],
    ['not base64', '!'.repeat(44)],
    ['non-canonical base64 (no padding)', sha256.toString('base64').replace(/=+$/, '')],
    ['hex', sha256.toString('hex')],
    ['nothing', null],
    ['a number', 42],
    ['a huge value', 'A'.repeat(1_000_000)],
  ])('refuses %s', (_name, value) => {
    expect(parseStoredDigest('sha-256', value)).toBeUndefined();
  });
});
