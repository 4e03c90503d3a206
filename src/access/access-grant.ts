/**
 * What the access decision allows one request, handed from the access guard to the controller:
 * the guard calls setGrant(req, ...), the controller (and the access log) read grantOf(req).
 * A request the guard never saw (health probes, metrics) is PUBLIC_GRANT.
 */
export interface AccessGrant {
  /** `public`, `link:KEYID` or `token:NAME`: logged as the access log's `auth`. */
  readonly auth: string;
  /** A valid link or token: the response is `Cache-Control: private`. */
  readonly authenticated: boolean;
  /** `v`: the file's strong ETag without quotes; another version on disk answers 412 (reason: changed). */
  readonly pin?: string;
  /** `dl=1`: Content-Disposition attachment. */
  readonly download: boolean;
  /** A signed `filename`: the name the browser should save as. */
  readonly filename?: string;
}

export const PUBLIC_GRANT: AccessGrant = Object.freeze({ auth: 'public', authenticated: false, download: false });

const grants = new WeakMap<object, AccessGrant>();

export function grantOf(req: object): AccessGrant {
  return grants.get(req) ?? PUBLIC_GRANT;
}

export function setGrant(req: object, grant: AccessGrant): void {
  grants.set(req, grant);
}
