import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Counter } from 'prom-client';
import { MetricsService } from '../operations/metrics.service.js';
import { AccessConfig } from './access-config.js';
import { decideAccess, presentsCredentials } from './access-decision.js';
import { AccessDeniedError, BadQueryError, TooManyFailuresError, UnauthenticatedError } from './access-errors.js';
import { PUBLIC_GRANT, setGrant, type AccessGrant } from './access-grant.js';
import { setDenial, type LoggedDenial } from './access-log.js';
import { FailureLimiter } from './failure-limiter.js';
import type { DenialReason } from './signed-link.js';
import { checkToken, mayAct, parseBearer, type TokenHolder, type TokenRole } from './tokens.js';

/**
 * Applies the pure access decisions to requests: the failure limit (429), the denial metric and
 * the access log's `auth` fields. Every refusal is thrown as a HttpError, which
 * HttpErrorFilter answers.
 *
 * For other modules: `requireToken(req, role)` guards a route that needs an API token
 * (`POST /.api/links` needs `read`; uploads need `write`).
 */
@Injectable()
export class AccessService {
  private readonly limiter: FailureLimiter;
  private readonly denied: Counter<'reason'>;

  constructor(
    private readonly config: AccessConfig,
    metrics: MetricsService,
  ) {
    this.limiter = new FailureLimiter(config.failureLimit, config.failureWindowSeconds * 1000);
    this.denied = new Counter({
      name: 'http_auth_denied_total',
      help: 'Requests refused for their credentials, by reason: bad-signature, expired, out-of-scope, bad-token (403), unauthenticated (401), rate-limited (429).',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
  }

  /** The grant of a file request (GET/HEAD of a path), or throws 400/401/403/429. */
  authorizeFileRequest(req: Request, nowMs = Date.now()): AccessGrant {
    // The common case, three checks: public mode, no Authorization header, no query string. There
    // is nothing to parse or verify, and the public grant is what grantOf answers for a request
    // whose grant was never set (what decideAccess's step 1 grants it).
    if (this.config.mode === 'public' && req.headers.authorization === undefined && !req.originalUrl.includes('?')) return PUBLIC_GRANT;
    const request = { target: req.originalUrl, authorization: req.headers.authorization };
    if (this.config.mode === 'private' || presentsCredentials(request)) this.checkNotBlocked(req, nowMs);
    const decision = decideAccess(request, this.config, nowMs);
    switch (decision.kind) {
      case 'grant':
        setGrant(req, decision.grant);
        return decision.grant;
      case 'bad-request':
        throw new BadQueryError(decision.message);
      case 'unauthenticated':
        this.refuse(req, 'unauthenticated');
        throw new UnauthenticatedError();
      case 'denied':
        throw this.deny(req, decision.reason, nowMs);
    }
  }

  /**
   * The holder of the request's bearer token, who must be allowed `role`; else throws 401 (no
   * token), 403 `bad-token` (unknown or malformed, or a `read` token where `write` is needed)
   * or 429. Sets the request's grant (`token:NAME`) for the access log.
   */
  requireToken(req: Request, role: TokenRole, nowMs = Date.now()): TokenHolder {
    this.checkNotBlocked(req, nowMs);
    const bearer = parseBearer(req.headers.authorization);
    if (bearer.kind === 'none') {
      this.refuse(req, 'unauthenticated');
      throw new UnauthenticatedError();
    }
    const holder = bearer.kind === 'bearer' ? checkToken(bearer.token, this.config.tokens) : undefined;
    if (holder === undefined) throw this.deny(req, 'bad-token', nowMs);
    if (!mayAct(holder, role)) {
      this.refuse(req, 'bad-token'); // a known token: not a guess, so not counted towards the limit
      throw new AccessDeniedError('bad-token', `the token may not ${role}`);
    }
    setGrant(req, { auth: `token:${holder.name}`, authenticated: true, mayList: true, download: false });
    return holder;
  }

  private checkNotBlocked(req: Request, nowMs: number): void {
    const retryAfter = this.limiter.retryAfter(clientAddress(req), nowMs);
    if (retryAfter === undefined) return;
    this.refuse(req, 'rate-limited');
    throw new TooManyFailuresError(retryAfter);
  }

  private deny(req: Request, reason: DenialReason, nowMs: number): AccessDeniedError {
    this.limiter.recordFailure(clientAddress(req), nowMs);
    this.refuse(req, reason);
    return new AccessDeniedError(reason);
  }

  private refuse(req: Request, reason: LoggedDenial): void {
    this.denied.inc({ reason });
    setDenial(req, reason);
  }
}

/** The client's address: Express's req.ip, which follows X-Forwarded-For only when `trust proxy` is set. */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
