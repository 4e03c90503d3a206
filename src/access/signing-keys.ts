/**
 * SIGNING_KEYS: `KEYID:SECRET` entries, SECRET the base64 or base64url form of at least 32
 * random bytes (`openssl rand -base64 32`). The first key signs new links; every key verifies,
 * which is how keys rotate. Pure: the caller reads SIGNING_KEYS_FILE.
 */
import { splitEntries } from './tokens.js';

export interface SigningKey {
  /** Sent in links as `kid`, logged as `auth: link:KEYID`. */
  readonly id: string;
  /** The decoded secret bytes: the HMAC key. */
  readonly secret: Buffer;
}

/** A malformed SIGNING_KEYS entry; the message never contains a secret. */
export class SigningKeyError extends Error {}

export const MIN_SECRET_BYTES = 32;
/** Key ids travel in URLs unencoded: unreserved characters only. */
export const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export function parseSigningKeys(text: string): SigningKey[] {
  const keys: SigningKey[] = [];
  for (const [index, part] of splitEntries(text).entries()) {
    const colon = part.indexOf(':');
    const where = `entry ${index + 1}`;
    if (colon === -1) throw new SigningKeyError(`${where} must be KEYID:SECRET`);
    const id = part.slice(0, colon);
    if (!KEY_ID.test(id)) throw new SigningKeyError(`${where} has an invalid key id (1-64 of A-Z a-z 0-9 . _ -)`);
    const secret = decodeSecret(part.slice(colon + 1));
    if (secret === undefined) throw new SigningKeyError(`key ${id}: the secret is not base64 or base64url`);
    if (secret.length < MIN_SECRET_BYTES) {
      throw new SigningKeyError(
        `key ${id}: the secret is ${secret.length} bytes; use at least ${MIN_SECRET_BYTES} random bytes (openssl rand -base64 32)`,
      );
    }
    if (keys.some((key) => key.id === id)) throw new SigningKeyError(`the key id ${id} is listed twice`);
    keys.push({ id, secret });
  }
  return keys;
}

/**
 * Strict base64 / base64url: Buffer.from ignores characters outside the alphabet, so the text is
 * checked first, and must be the canonical encoding of what it decodes to (no stray bits).
 */
function decodeSecret(text: string): Buffer | undefined {
  const unpadded = text.replace(/=+$/, '');
  if (BASE64.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    return bytes.toString('base64').replace(/=+$/, '') === unpadded ? bytes : undefined;
  }
  if (BASE64URL.test(text)) {
    const bytes = Buffer.from(unpadded, 'base64url');
    return bytes.toString('base64url') === unpadded ? bytes : undefined;
  }
  return undefined;
}
