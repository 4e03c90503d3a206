/**
 * Signed links: HMAC-SHA256 over a canonical string, with key ids for rotation. Pure functions
 * over plain values (the clock is a parameter); the README documents the canonical string with a
 * test vector so that a backend in any language can mint links without calling us.
 *
 * The canonical string is six lines joined by "\n" (no trailing newline), UTF-8:
 *
 *     rds-link-v1
 *     <the decoded request path, e.g. /videos/a b.mp4; for a scope link the scope, e.g. /videos/2024/>
 *     <exp: Unix seconds, decimal, no sign or leading zero>
 *     <v: the pinned version, or empty>
 *     <dl: 1, or empty>
 *     <filename: the decoded name, or empty>
 *
 * `sig` = base64url(HMAC-SHA256(key, canonical string)) without padding: 43 characters. The key
 * is the decoded secret bytes of the SIGNING_KEYS entry named by `kid`. A scope always ends with
 * `/` and a file path never does, so the two cannot be confused; no field may contain a line
 * break (the query parser refuses control characters), so the lines cannot be shifted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hasControlCharacter } from './file-query.js';
import type { SigningKey } from './signing-keys.js';

export const CANONICAL_PREFIX = 'rds-link-v1';

/** What a link says, in decoded form. */
export interface LinkClaims {
  /** The decoded path of the one file (`/docs/a b.pdf`), or with `scope` the folder (`/videos/2024/`). */
  readonly resource: string;
  readonly scope: boolean;
  /** Unix seconds: requests starting at or after this second are refused. */
  readonly expires: number;
  /** The pinned version: the file's strong ETag without its quotes. */
  readonly version?: string;
  readonly download: boolean;
  readonly filename?: string;
}

/** Why a request's credentials were refused (the `reason` of the 403 body and the metric label). */
export type DenialReason = 'bad-signature' | 'expired' | 'out-of-scope' | 'bad-token';

export function canonicalString(claims: LinkClaims): string {
  return [
    CANONICAL_PREFIX,
    claims.resource,
    String(claims.expires),
    claims.version ?? '',
    claims.download ? '1' : '',
    claims.filename ?? '',
  ].join('\n');
}

/** The `sig` of these claims under `key`. */
export function signature(key: SigningKey, claims: LinkClaims): string {
  return createHmac('sha256', key.secret).update(canonicalString(claims), 'utf8').digest('base64url');
}

/**
 * The query string (without `?`) of a link for `claims` signed with `key`, parameters in a fixed
 * order (the verifier accepts any order).
 */
export function linkQuery(key: SigningKey, claims: LinkClaims): string {
  const parameters: Array<[string, string]> = [
    ['exp', String(claims.expires)],
    ['kid', key.id],
  ];
  if (claims.scope) parameters.push(['scope', claims.resource]);
  if (claims.version !== undefined) parameters.push(['v', claims.version]);
  if (claims.download) parameters.push(['dl', '1']);
  if (claims.filename !== undefined) parameters.push(['filename', claims.filename]);
  parameters.push(['sig', signature(key, claims)]);
  return parameters.map(([name, value]) => `${name}=${encodeComponent(value)}`).join('&');
}

/** A link as the query parser found it: the claims as sent, with the key id and the signature. */
export interface PresentedLink {
  readonly kid: string;
  readonly sig: string;
  readonly expires: number;
  readonly scope?: string;
  readonly version?: string;
  readonly download: boolean;
  readonly filename?: string;
}

export type LinkVerdict =
  { readonly ok: true; readonly claims: LinkClaims; readonly kid: string } | { readonly ok: false; readonly reason: DenialReason };

/**
 * Checks a presented link for a request of `path` (decoded, `/a/b.txt`) at `nowMs`, in an order
 * that tells an outsider nothing: the signature first (unknown key id, wrong or tampered
 * signature: `bad-signature`), and only for an authentic link whether it has `expired` or the
 * path is `out-of-scope`. A link is valid while `nowMs < exp × 1000`.
 */
export function verifyLink(link: PresentedLink, path: string, keys: readonly SigningKey[], nowMs: number): LinkVerdict {
  const key = keys.find((candidate) => candidate.id === link.kid);
  // A line break in the path would shift the canonical string's lines: never a link we made.
  if (key === undefined || hasControlCharacter(path)) return { ok: false, reason: 'bad-signature' };
  const claims: LinkClaims = {
    resource: link.scope ?? path,
    scope: link.scope !== undefined,
    expires: link.expires,
    version: link.version,
    download: link.download,
    filename: link.filename,
  };
  // Compared as text, not as decoded bytes: the last of 43 base64url characters carries two
  // spare bits, and a link whose signature differs in any character must not pass.
  const expected = Buffer.from(signature(key, claims), 'latin1');
  const presented = Buffer.from(link.sig, 'latin1');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'bad-signature' };
  if (nowMs >= link.expires * 1000) return { ok: false, reason: 'expired' };
  if (claims.scope && !path.startsWith(claims.resource)) return { ok: false, reason: 'out-of-scope' };
  return { ok: true, claims, kid: key.id };
}

/**
 * Percent-encodes a query value or path segment: everything but the unreserved characters
 * (RFC 3986 §2.3). Stricter than encodeURIComponent, which leaves `!'()*` alone.
 */
export function encodeComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The URL path of a decoded path (`/a b/c.txt` → `/a%20b/c.txt`); slashes separate segments. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeComponent).join('/');
}
