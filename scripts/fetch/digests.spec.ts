import { createHash } from 'node:crypto';
import { algorithmsIn, checkableDigests, compareDigests, sameDigests } from './digests.js';

const b64 = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('base64');
const sha256 = b64('sha256', 'x');
const sha512 = b64('sha512', 'x');

describe('checkableDigests (Repr-Digest members we can check)', () => {
  it('lists sha-512 before sha-256 whatever the order in the field', () => {
    expect(checkableDigests(`sha-256=:${sha256}:, sha-512=:${sha512}:`)).toEqual([
      ['sha-512', sha512],
      ['sha-256', sha256],
    ]);
  });

  it('skips algorithms it does not know and members of other shapes', () => {
    expect(checkableDigests(`md5=:AAAA:, sha-256=:${sha256}:, sha-512=42`)).toEqual([['sha-256', sha256]]);
    expect(checkableDigests('garbage')).toEqual([]);
    expect(checkableDigests('')).toEqual([]);
  });

  it('runs in linear time on hostile input', () => {
    const hostile = `${' '.repeat(100_000)},${'=:'.repeat(50_000)},${'"'.repeat(100_000)}`;
    expect(checkableDigests(hostile)).toEqual([]);
  });
});

describe('compareDigests', () => {
  it('matches when every checkable algorithm agrees', () => {
    const actual = new Map([
      ['sha-256', sha256],
      ['sha-512', sha512],
    ]);
    expect(compareDigests(`sha-256=:${sha256}:, sha-512=:${sha512}:`, actual)).toEqual({
      kind: 'match',
      checked: [
        ['sha-512', sha512],
        ['sha-256', sha256],
      ],
    });
  });

  it('names the algorithm and both values on a mismatch', () => {
    const other = b64('sha256', 'y');
    expect(compareDigests(`sha-256=:${sha256}:`, new Map([['sha-256', other]]))).toEqual({
      kind: 'mismatch',
      algorithm: 'sha-256',
      expected: sha256,
      actual: other,
    });
  });

  it('is unverifiable without a field, or with nothing checkable in it', () => {
    expect(compareDigests(undefined, new Map())).toEqual({ kind: 'unverifiable' });
    expect(compareDigests('md5=:AAAA:', new Map())).toEqual({ kind: 'unverifiable' });
    expect(algorithmsIn('md5=:AAAA:')).toEqual([]);
  });
});

describe('sameDigests', () => {
  it('agrees when the algorithms both carry have the same value', () => {
    expect(sameDigests(`sha-256=:${sha256}:`, `sha-512=:${sha512}:, sha-256=:${sha256}:`)).toBe(true);
    expect(sameDigests(`sha-256=:${sha256}:`, `sha-256=:${b64('sha256', 'y')}:`)).toBe(false);
  });
});
