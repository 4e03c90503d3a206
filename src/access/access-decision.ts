/**
 * The access decision for a file request, as one pure function over plain values (the request
 * target, the Authorization header, the settings, now), in the order of the "Private files"
 * issue, before any file-system lookup:
 *
 * 1. Public mode and no credentials: served as before (`v` and `dl` honoured; an unsigned
 *    `filename` or a malformed `v`/`dl` is a 400).
 * 2. A bearer token or a signed link: each one presented must be valid, else 403 with its
 *    reason (`bad-token`; `bad-signature`, `expired`, `out-of-scope`).
 * 3. Private mode and no credentials: 401.
 * The file itself (404, 412 for a pin that no longer matches) is the controller's business.
 */
import type { AccessGrant } from './access-grant.js';
import { parseFileQuery } from './file-query.js';
import type { DenialReason } from './signed-link.js';
import { verifyLink } from './signed-link.js';
import type { SigningKey } from './signing-keys.js';
import { checkToken, parseBearer, type TokenEntry } from './tokens.js';
import { parseRequestPath } from '../http/request-path.js';

export interface AccessRequest {
  /** The raw request-target: path and query, as received. */
  readonly target: string;
  readonly authorization: string | undefined;
}

export interface AccessPolicy {
  readonly mode: 'public' | 'private';
  readonly signingKeys: readonly SigningKey[];
  readonly tokens: readonly TokenEntry[];
}

export type AccessDecision =
  | { readonly kind: 'grant'; readonly grant: AccessGrant }
  | { readonly kind: 'unauthenticated' }
  | { readonly kind: 'denied'; readonly reason: DenialReason }
  | { readonly kind: 'bad-request'; readonly message: string };

/** True when the request carries a bearer header or any signed-link parameter (valid or not). */
export function presentsCredentials(request: AccessRequest): boolean {
  if (parseBearer(request.authorization).kind !== 'none') return true;
  const kind = parseFileQuery(request.target).kind;
  return kind === 'signed' || kind === 'bad-link';
}

export function decideAccess(request: AccessRequest, policy: AccessPolicy, nowMs: number): AccessDecision {
  const bearer = parseBearer(request.authorization);
  const query = parseFileQuery(request.target);
  const hasLink = query.kind === 'signed' || query.kind === 'bad-link';

  if (bearer.kind === 'none' && !hasLink) {
    if (policy.mode === 'private') return { kind: 'unauthenticated' };
    if (query.kind === 'bad-request') return query;
    return { kind: 'grant', grant: { auth: 'public', authenticated: false, mayList: true, pin: query.version, download: query.download } };
  }

  let auth: string | undefined;
  if (bearer.kind !== 'none') {
    const holder = bearer.kind === 'bearer' ? checkToken(bearer.token, policy.tokens) : undefined;
    if (holder === undefined) return { kind: 'denied', reason: 'bad-token' };
    auth = `token:${holder.name}`; // either role may read
  }
  if (query.kind === 'bad-link') return { kind: 'denied', reason: 'bad-signature' };
  if (query.kind === 'signed') {
    const path = decodedPath(request.target);
    if (path === undefined) return { kind: 'denied', reason: 'bad-signature' }; // no link is ever made for an invalid path
    const verdict = verifyLink(query.link, path, policy.signingKeys, nowMs);
    if (!verdict.ok) return { kind: 'denied', reason: verdict.reason };
    const { version, download, filename } = verdict.claims;
    return {
      kind: 'grant',
      grant: {
        auth: auth ?? `link:${verdict.kid}`,
        authenticated: true,
        mayList: auth !== undefined || policy.mode === 'public',
        pin: version,
        download,
        filename,
      },
    };
  }
  if (query.kind === 'bad-request') return query;
  // The token alone (`auth` is set: without a link, a bearer header got us here).
  return {
    kind: 'grant',
    grant: { auth: auth ?? 'public', authenticated: true, mayList: true, pin: query.version, download: query.download },
  };
}

/** The decoded request path a link signs: `/a b/c.txt`, or for a folder `/a b/` (`/` for the top). */
export function decodedPath(target: string): string | undefined {
  const parsed = parseRequestPath(target);
  if (parsed === undefined) return undefined;
  const joined = `/${parsed.segments.join('/')}`;
  return parsed.kind === 'folder' && parsed.segments.length > 0 ? `${joined}/` : joined;
}
