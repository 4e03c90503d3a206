import { grantOf } from './access-grant.js';

/** Why a request was refused, as logged (`authDenied`) and counted (`http_auth_denied_total{reason}`). */
export type LoggedDenial = 'bad-signature' | 'expired' | 'out-of-scope' | 'bad-token' | 'unauthenticated' | 'rate-limited';

const denials = new WeakMap<object, LoggedDenial>();

export function setDenial(req: object, reason: LoggedDenial): void {
  denials.set(req, reason);
}

/**
 * The access log's view of a request's authentication: `auth` is `public`, `link:KEYID` or
 * `token:NAME` (never the signature or the token), `none` when refused, with `authDenied` the
 * reason (else null).
 */
export function accessLogFields(req: object): { auth: string; authDenied: LoggedDenial | null } {
  const denied = denials.get(req);
  return denied === undefined ? { auth: grantOf(req).auth, authDenied: null } : { auth: 'none', authDenied: denied };
}
