import { checkToken, mayAct, parseBearer, type TokenEntry } from '../access/tokens.js';

/** What the access check answers for one request: go on, 401 (no bearer credentials), or 403 (a bad token, or one without the write role). */
export type UploadAccess = 'allowed' | 401 | 403;

/**
 * The one seam between uploads and access control: given the request's Authorization header,
 * may it create, append to, read the offset of or delete uploads? Only bearer tokens whose role
 * is `write` may.
 */
export abstract class UploadAuthorizer {
  abstract authorize(authorization: string | undefined): UploadAccess;
}

/**
 * API_TOKENS (src/access/tokens.ts): a valid bearer token whose role is `write`. The same rules as
 * AccessService.requireToken: no bearer credentials (none, or another scheme) → 401; a malformed
 * or unknown token, or a `read` token → 403.
 */
export class WriteTokenAuthorizer extends UploadAuthorizer {
  constructor(private readonly tokens: readonly TokenEntry[]) {
    super();
  }

  authorize(authorization: string | undefined): UploadAccess {
    const presented = parseBearer(authorization);
    if (presented.kind === 'none') return 401;
    const holder = presented.kind === 'bearer' ? checkToken(presented.token, this.tokens) : undefined;
    return holder !== undefined && mayAct(holder, 'write') ? 'allowed' : 403;
  }
}
