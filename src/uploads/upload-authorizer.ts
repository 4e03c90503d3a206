import { checkToken, mayAct, parseBearer, type TokenEntry } from '../access/tokens.js';

/** What the access check answers for one request: go on, 401 (no or unknown credentials), or 403 (a token without the write role). */
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
 * API_TOKENS (src/access/tokens.ts): a valid bearer token whose role is `write`. No token, another
 * scheme, a malformed or unknown token → 401; a `read` token → 403.
 */
export class WriteTokenAuthorizer extends UploadAuthorizer {
  constructor(private readonly tokens: readonly TokenEntry[]) {
    super();
  }

  authorize(authorization: string | undefined): UploadAccess {
    const presented = parseBearer(authorization);
    if (presented.kind !== 'bearer') return 401;
    const holder = checkToken(presented.token, this.tokens);
    if (holder === undefined) return 401;
    return mayAct(holder, 'write') ? 'allowed' : 403;
  }
}
