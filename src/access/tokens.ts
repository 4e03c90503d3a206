/**
 * API tokens: the entries of API_TOKENS and the bearer check. Pure functions, no Nest, no I/O.
 *
 * The settings hold the SHA-256 of each token, never the token (a leaked environment must not
 * leak tokens). A presented token is hashed and compared with every entry in constant time
 * (`timingSafeEqual` on the 32-byte digests, no early exit), so neither the time nor the answer
 * says how close a guess was or which entry it came near.
 *
 * The API other modules use (uploads needs `write` tokens):
 * - `parseBearer(authorizationHeader)` → the presented token, `none`, or `malformed`;
 * - `checkToken(token, entries)` → the `TokenHolder` `{ name, role }` or `undefined`;
 * - `mayAct(holder, role)`: `write` tokens may also read.
 * Nest code normally calls `AccessService.requireToken(req, role)` instead, which also counts
 * failures for the rate limit and answers 401/403/429.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_ROLES = ['read', 'write'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Who presented a valid token. `name` is logged (`auth: token:NAME`); the token never is. */
export interface TokenHolder {
  readonly name: string;
  readonly role: TokenRole;
}

/** One `NAME:SHA256HEX[:ROLE]` entry of API_TOKENS. */
export interface TokenEntry extends TokenHolder {
  /** SHA-256 of the token's UTF-8 bytes. */
  readonly sha256: Buffer;
}

/** A malformed API_TOKENS entry; the message names the entry by position and never shows a hash. */
export class TokenEntryError extends Error {}

/** Token names appear in logs and in `npm run token` output: short and plain. */
export const TOKEN_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Parses API_TOKENS (or the content of API_TOKENS_FILE): entries separated by commas or line
 * breaks, surrounding whitespace and empty entries ignored. Duplicate names and duplicate hashes
 * (one token under two names) are errors.
 */
export function parseTokenEntries(text: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  const parts = splitEntries(text);
  for (const [index, part] of parts.entries()) {
    const fields = part.split(':');
    const where = `entry ${index + 1}`;
    if (fields.length < 2 || fields.length > 3) throw new TokenEntryError(`${where} must be NAME:SHA256HEX or NAME:SHA256HEX:ROLE`);
    const [name, hex, role = 'read'] = fields;
    if (!TOKEN_NAME.test(name)) throw new TokenEntryError(`${where} has an invalid name (1-64 of A-Z a-z 0-9 . _ -)`);
    if (!SHA256_HEX.test(hex)) {
      throw new TokenEntryError(
        `${where} (${name}) must hold the 64-digit hex SHA-256 of the token, not the token (npm run token -- ${name})`,
      );
    }
    if (!isRole(role)) throw new TokenEntryError(`${where} (${name}) has role "${role}"; use read or write`);
    const sha256 = Buffer.from(hex, 'hex');
    if (entries.some((entry) => entry.name === name)) throw new TokenEntryError(`${where}: the name ${name} is listed twice`);
    if (entries.some((entry) => entry.sha256.equals(sha256)))
      throw new TokenEntryError(`${where} (${name}): the same token is listed twice`);
    entries.push({ name, role, sha256 });
  }
  return entries;
}

/** Entries of a comma- or newline-separated setting, trimmed, empty ones dropped. */
export function splitEntries(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function isRole(value: string): value is TokenRole {
  return (TOKEN_ROLES as readonly string[]).includes(value);
}

/** What an Authorization header carries, as far as this service is concerned. */
export type PresentedBearer =
  /** No Authorization header, or one with another scheme (Basic...): no bearer credentials. */
  | { readonly kind: 'none' }
  /** `Bearer` with something that is not a b64token: a credential, and a bad one. */
  | { readonly kind: 'malformed' }
  | { readonly kind: 'bearer'; readonly token: string };

/**
 * Reads `Authorization: Bearer <b64token>` (RFC 6750 §2.1; the scheme is case-insensitive,
 * RFC 9110 §11.1). A single pass over the value: linear on any input.
 */
export function parseBearer(header: string | undefined): PresentedBearer {
  if (header === undefined) return { kind: 'none' };
  let start = 0;
  let end = header.length;
  while (start < end && isOWS(header.charCodeAt(start))) start++;
  while (end > start && isOWS(header.charCodeAt(end - 1))) end--;
  const scheme = 'bearer';
  if (end - start < scheme.length || header.slice(start, start + scheme.length).toLowerCase() !== scheme) return { kind: 'none' };
  let i = start + scheme.length;
  if (i < end && !isOWS(header.charCodeAt(i))) return { kind: 'none' }; // "Bearerx ...": another scheme
  while (i < end && header.charCodeAt(i) === 0x20) i++;
  const token = header.slice(i, end);
  return isB64Token(token) ? { kind: 'bearer', token } : { kind: 'malformed' };
}

/** b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
function isB64Token(value: string): boolean {
  let i = 0;
  while (i < value.length && isB64Char(value.charCodeAt(i))) i++;
  if (i === 0) return false;
  while (i < value.length && value.charCodeAt(i) === 0x3d) i++;
  return i === value.length;
}

function isB64Char(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x7e || // ~
    c === 0x2b || // +
    c === 0x2f // /
  );
}

function isOWS(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The holder of `token`, or undefined. Hashes the token once and compares the digest with every
 * entry using `timingSafeEqual`, whatever matched before, so the time taken depends only on the
 * number of entries.
 */
export function checkToken(token: string, entries: readonly TokenEntry[]): TokenHolder | undefined {
  const digest = createHash('sha256').update(token, 'utf8').digest();
  let holder: TokenHolder | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(digest, entry.sha256)) holder = { name: entry.name, role: entry.role };
  }
  return holder;
}

/** Roles are ordered: a `write` token may do what a `read` token may. */
export function mayAct(holder: TokenHolder, role: TokenRole): boolean {
  return role === 'read' || holder.role === 'write';
}

/** Hex SHA-256 of a token: the form API_TOKENS stores. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token: 32 bytes, base64url (43 characters, a valid b64token). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
