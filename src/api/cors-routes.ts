import { Injectable } from '@nestjs/common';
import type { CorsRoute } from '../http/cors.js';

/** What a script may read from a file response (issue 10): ranges, validators, digests, the request id, the auth challenge. */
export const FILE_EXPOSED_HEADERS = [
  'Content-Range',
  'Accept-Ranges',
  'Content-Length',
  'Content-Disposition',
  'ETag',
  'Last-Modified',
  'Repr-Digest',
  'Content-Digest',
  'X-Request-Id',
  'WWW-Authenticate', // private mode: a script can tell "needs a token" (401) from other errors
  'Retry-After', // 429 after too many failed authentications
] as const;

/**
 * Files: GET and HEAD. The Fetch standard safelists `Range` only for one `bytes=N-` or
 * `bytes=N-M` range; a suffix range, several ranges and every `If-*` header are preflighted, so
 * all of them are allowed here, with `Authorization` for bearer tokens.
 */
export const FILE_ROUTE: CorsRoute = {
  methods: ['GET', 'HEAD'],
  allowHeaders: [
    'range',
    'if-range',
    'if-match',
    'if-none-match',
    'if-modified-since',
    'if-unmodified-since',
    'want-repr-digest',
    'want-content-digest',
    'authorization',
  ],
  exposeHeaders: FILE_EXPOSED_HEADERS,
};

/** The JSON API: read-only, bearer tokens in private mode. */
export const API_ROUTE: CorsRoute = {
  methods: ['GET', 'HEAD'],
  allowHeaders: ['authorization'],
  exposeHeaders: ['Content-Length', 'Location', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After'],
};

/** POST /.api/links (issue 9): a JSON body and a bearer token. */
export const LINKS_ROUTE: CorsRoute = {
  methods: ['POST'],
  allowHeaders: ['authorization', 'content-type'],
  exposeHeaders: ['Content-Length', 'Location', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After'],
};

export interface RegisteredRoute extends CorsRoute {
  /** The route answers plain OPTIONS itself (tus does: capability discovery); only preflights are answered here. */
  readonly ownOptions?: boolean;
}

/**
 * Which CORS profile a path has, by longest registered prefix; files are the default. A prefix
 * ending in `/` matches every path that starts with it; any other prefix matches itself and what
 * lies below it (`/.uploads` matches `/.uploads` and `/.uploads/x`, not `/.uploadsx`). Another
 * module adds its own at start-up: the uploads add `/.uploads` (src/uploads/uploads-cors.ts), or
 * withhold it while they are off.
 */
@Injectable()
export class CorsRoutes {
  private prefixes: Array<readonly [string, RegisteredRoute | undefined]> = [
    ['/.api/links', LINKS_ROUTE],
    ['/.api/', API_ROUTE],
  ];

  add(prefix: string, route: RegisteredRoute): void {
    this.register(prefix, route);
  }

  /**
   * No CORS at all under `prefix`: no OPTIONS answer, no CORS header; the route answers every
   * request itself (a switched-off feature answers 404, a preflight included, and grants nothing).
   */
  withhold(prefix: string): void {
    this.register(prefix, undefined);
  }

  /** `path` without its query string; undefined where the CORS policy is withheld. */
  forPath(path: string): RegisteredRoute | undefined {
    for (const [prefix, route] of this.prefixes) if (matches(prefix, path)) return route;
    return FILE_ROUTE;
  }

  private register(prefix: string, route: RegisteredRoute | undefined): void {
    this.prefixes = [...this.prefixes, [prefix, route] as const].sort((a, b) => b[0].length - a[0].length);
  }
}

function matches(prefix: string, path: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return prefix.endsWith('/') || path.length === prefix.length || path.charCodeAt(prefix.length) === 0x2f;
}
