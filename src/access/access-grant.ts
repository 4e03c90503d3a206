/**
 * What the access guard decided about a request, for the controller and the access log. The guard
 * (AccessModule) records it before any file-system lookup; a request it never saw (public mode,
 * no signed parameters) has the public grant.
 */
export interface AccessGrant {
  /** How the request was let in, as the access log shows it: `public`, `link:KEYID` or `token:NAME`. */
  readonly auth: string;
  /** Let in by a credential (a signed link or a bearer token): responses are `Cache-Control: private`. */
  readonly authenticated: boolean;
  /** `v`: the file version the URL is pinned to (the strong ETag without its quotes). */
  readonly pin?: string;
  /** `dl=1`: send `Content-Disposition: attachment`. */
  readonly download: boolean;
  /**
   * May see folder listings (JSON and the HTML index): everyone in public mode, bearer-token
   * holders in private mode (issue 10); a signed link opens files, never a listing.
   */
  readonly mayList: boolean;
  /** A signed `filename`: the name the browser should save as. */
  readonly filename?: string;
}

export const PUBLIC_GRANT: AccessGrant = Object.freeze({ auth: 'public', authenticated: false, mayList: true, download: false });

// Keyed by the request object itself: no property added to Express's Request, no cast.
const grants = new WeakMap<object, AccessGrant>();

export function setGrant(request: object, grant: AccessGrant): void {
  grants.set(request, grant);
}

export function grantOf(request: object): AccessGrant {
  return grants.get(request) ?? PUBLIC_GRANT;
}
