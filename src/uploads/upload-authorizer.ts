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

/** Until token verification is wired in: nobody may upload (401 without credentials, 403 with any). */
export class NobodyMayUpload extends UploadAuthorizer {
  authorize(authorization: string | undefined): UploadAccess {
    return authorization === undefined ? 401 : 403;
  }
}
