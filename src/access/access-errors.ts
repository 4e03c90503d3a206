import { HttpError } from '../common/http-error.js';
import type { DenialReason } from './signed-link.js';

/** The challenge of every 401 (RFC 9110 §11.6.1, RFC 6750 §3). */
export const BEARER_CHALLENGE = 'Bearer realm="files"';

/** Responses about credentials are never stored by a cache. */
const NO_STORE = { 'Cache-Control': 'no-store' };

const DENIAL_MESSAGES: Readonly<Record<DenialReason, string>> = {
  'bad-signature': 'the link is not valid',
  expired: 'the link has expired; ask for a new one',
  'out-of-scope': 'the link does not cover this path',
  'bad-token': 'the token is not valid',
};

/** 401: private mode, and the request carries neither a signed link nor a bearer token. */
export class UnauthenticatedError extends HttpError {
  readonly status = 401;
  constructor() {
    super('a signed link or an Authorization: Bearer token is required', { ...NO_STORE, 'WWW-Authenticate': BEARER_CHALLENGE });
  }
}

/**
 * 403 with `reason`. It depends only on the credentials, never on the file: a refused request
 * learns nothing about which files exist.
 */
export class AccessDeniedError extends HttpError {
  readonly status = 403;
  constructor(
    override readonly reason: DenialReason,
    message = DENIAL_MESSAGES[reason],
  ) {
    super(message, NO_STORE);
  }
}

/** 429: too many failed authentications from this client address (per process). */
export class TooManyFailuresError extends HttpError {
  readonly status = 429;
  constructor(retryAfterSeconds: number) {
    super('too many failed authentications from this address; retry later', { ...NO_STORE, 'Retry-After': String(retryAfterSeconds) });
  }
}

/** 400: a query the service will not act on (an unsigned `filename`, `dl=0`, a repeated `v`...). */
export class BadQueryError extends HttpError {
  readonly status = 400;
}
