import { randomBytes } from 'node:crypto';
import { parseSigningKeys, SigningKeyError } from './signing-keys.js';

describe('parseSigningKeys', () => {
  const secret = randomBytes(32);

  it('decodes base64 (openssl rand -base64 32) and base64url secrets, padded or not; the first key comes first', () => {
    const keys = parseSigningKeys(`new:${secret.toString('base64')},old:${secret.toString('base64url')}`);
    expect(keys.map((key) => key.id)).toEqual(['new', 'old']);
    expect(keys[0].secret.equals(secret)).toBe(true);
    expect(keys[1].secret.equals(secret)).toBe(true);
    const padded = randomBytes(40).toString('base64url') + '=';
    expect(() => parseSigningKeys(`k:${padded}`)).not.toThrow();
  });

  it('reads a secrets file with one key per line', () => {
    expect(parseSigningKeys(`\nk1:${secret.toString('base64')}\nk2:${randomBytes(48).toString('base64')}\n`)).toHaveLength(2);
  });

  test.each([
    ['k1', /entry 1 must be KEYID:SECRET/],
    [`:${randomBytes(32).toString('base64')}`, /entry 1 has an invalid key id/],
    [`k/1:${randomBytes(32).toString('base64')}`, /entry 1 has an invalid key id/],
    ['k1:not base64!', /key k1: the secret is not base64 or base64url/],
    ['k1:ab+c_d', /key k1: the secret is not base64 or base64url/],
    [
      `k1:${randomBytes(31).toString('base64')}`,
      /key k1: the secret is 31 bytes; use at least 32 random bytes \(openssl rand -base64 32\)/,
    ],
    ['k1:c2VjcmV0', /key k1: the secret is 6 bytes/],
    [`k1:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`, /the key id k1 is listed twice/],
  ])('%s → %s', (text, message) => {
    expect(() => parseSigningKeys(text)).toThrow(SigningKeyError);
    expect(() => parseSigningKeys(text)).toThrow(message);
  });

  it('never repeats a secret in its messages', () => {
    const short = randomBytes(16).toString('base64');
    try {
      parseSigningKeys(`k1:${short}`);
      throw new Error('expected a SigningKeyError');
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });
});
