/**
 * The CORS protocol of the Fetch standard (https://fetch.spec.whatwg.org/#http-cors-protocol) as
 * pure decisions over plain values: which origins CORS_ORIGINS allows, what an OPTIONS request is
 * answered, and which headers every other response to an allowed origin carries. No I/O; the
 * middleware in src/api/cors.middleware.ts only applies what these return.
 *
 * Credentials (cookies, HTTP authentication, client certificates) are never allowed:
 * `Access-Control-Allow-Credentials` is never sent, so `*` can never be combined with them. A
 * bearer token is not a credential in the Fetch sense: a script sends it as an ordinary
 * `Authorization` request header, which the preflight allows by name.
 */
import type { HeaderList } from './response-plan.js';

/** CORS_ORIGINS: `*`, or the exact serialized origins that may read responses. */
export type AllowedOrigins = { readonly any: true } | { readonly any: false; readonly origins: ReadonlySet<string> };

/** What one kind of route answers, for its preflights and its responses. */
export interface CorsRoute {
  /** Methods the route implements: `Access-Control-Allow-Methods` and the `Allow` of a plain OPTIONS. */
  readonly methods: readonly string[];
  /** Request headers a script may send (lowercase): `Access-Control-Allow-Headers`. */
  readonly allowHeaders: readonly string[];
  /** Response headers a script may read: `Access-Control-Expose-Headers`. */
  readonly exposeHeaders: readonly string[];
}

/** How long a browser may cache a preflight answer, in seconds (Chromium caps it at 7200). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The only scheme a configured origin may have: this service speaks HTTP(S) to browsers. */
const WEB_SCHEMES = new Set(['http:', 'https:']);

/**
 * Parses CORS_ORIGINS. Each entry must be a serialized origin exactly as a browser sends it in
 * `Origin` (`https://app.example.com`, `http://127.0.0.1:8080`: lowercase, no default port, no
 * path, no trailing slash), because requests are matched by exact comparison, as the Fetch
 * standard's own check does. Throws an Error whose message names the bad entry.
 */
export function parseAllowedOrigins(value: string): AllowedOrigins {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('must be "*" or a comma-separated list of origins');
  if (entries.length === 1 && entries[0] === '*') return { any: true };
  const origins = new Set<string>();
  for (const entry of entries) {
    if (entry === '*') throw new Error('"*" must stand alone, not inside a list');
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`has an entry that is not an origin: ${JSON.stringify(entry)} (expected like https://app.example.com)`);
    }
    if (!WEB_SCHEMES.has(url.protocol)) throw new Error(`has an origin that is not http or https: ${JSON.stringify(entry)}`);
    if (url.origin !== entry) {
      throw new Error(`has an entry that is not a serialized origin: ${JSON.stringify(entry)} (write ${JSON.stringify(url.origin)})`);
    }
    origins.add(entry);
  }
  return { any: false, origins };
}

/**
 * Whether a request's `Origin` may read the response. Exact string comparison with the listed
 * origins (a Set lookup: linear in the header's length, whatever it contains). `null` (opaque
 * origins: sandboxed frames, file: pages) is allowed only by `*`.
 */
export function isAllowedOrigin(allowed: AllowedOrigins, origin: string | undefined): origin is string {
  if (origin === undefined) return false;
  return allowed.any || allowed.origins.has(origin);
}

/**
 * Headers for every non-OPTIONS response (200, 206, 304, 412, 416 and errors alike, so scripts
 * can read why a request failed). With `*` the answer is the same for every origin, so no
 * `Vary`; with a list it depends on `Origin`, so `Vary: Origin` goes on every response, also on
 * those to requests without one (a shared cache must not hand them to a listed origin).
 */
export function corsResponseHeaders(allowed: AllowedOrigins, route: CorsRoute, origin: string | undefined): HeaderList {
  if (allowed.any) return [...grant('*'), ['Access-Control-Expose-Headers', route.exposeHeaders.join(', ')]];
  if (!isAllowedOrigin(allowed, origin)) return [['Vary', 'Origin']];
  return [['Vary', 'Origin'], ...grant(origin), ['Access-Control-Expose-Headers', route.exposeHeaders.join(', ')]];
}

export interface OptionsRequest {
  readonly origin: string | undefined;
  /** `Access-Control-Request-Method`: present only on a CORS preflight. */
  readonly requestMethod: string | undefined;
  /** `Access-Control-Request-Headers`. */
  readonly requestHeaders: string | undefined;
}

/**
 * The answer to any OPTIONS request: always 204 with `Allow`, decided before any file-system
 * lookup (so it says nothing about which files exist, and works in private mode, where browsers
 * send preflights without credentials). A preflight (an OPTIONS with `Origin` and
 * `Access-Control-Request-Method`) from an allowed origin asking for a method and headers the
 * route allows also gets the `Access-Control-Allow-*` headers; any other preflight gets none, and
 * the browser refuses the request. `allowed` undefined: CORS is off, and no CORS header is sent.
 */
export function answerOptions(allowed: AllowedOrigins | undefined, route: CorsRoute, request: OptionsRequest): HeaderList {
  const allow: [string, string] = ['Allow', [...route.methods, 'OPTIONS'].join(', ')];
  if (allowed === undefined) return [allow];
  const isPreflight = request.origin !== undefined && request.requestMethod !== undefined;
  // The grant depends on these three request headers (with `*` only on the last two).
  const vary: [string, string] = [
    'Vary',
    allowed.any
      ? 'Access-Control-Request-Method, Access-Control-Request-Headers'
      : 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  ];
  if (!isPreflight || !isAllowedOrigin(allowed, request.origin)) return [allow, vary];
  // Methods are case-sensitive (RFC 9110 §9.1); browsers upper-case the standard ones themselves.
  if (!route.methods.includes(request.requestMethod ?? '')) return [allow, vary];
  const requested = parseFieldNameList(request.requestHeaders ?? '');
  if (requested === undefined || requested.some((name) => !route.allowHeaders.includes(name))) return [allow, vary];
  return [
    allow,
    vary,
    ...grant(allowed.any ? '*' : request.origin),
    ['Access-Control-Allow-Methods', route.methods.join(', ')],
    ['Access-Control-Allow-Headers', route.allowHeaders.join(', ')],
    ['Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS)],
  ];
}

function grant(origin: string): HeaderList {
  return [['Access-Control-Allow-Origin', origin]];
}

/**
 * `Access-Control-Request-Headers` is `#field-name` (RFC 9110 §5.6.1 list, §5.1 tokens); browsers
 * send it lowercased and sorted, but any client may send anything. One pass over the value, no
 * regular expression: linear in its length for any input. Returns the lowercase names (empty
 * elements skipped), or undefined when an element is not a token.
 */
export function parseFieldNameList(value: string): string[] | undefined {
  const names: string[] = [];
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end === -1) end = value.length;
    let from = start;
    let to = end;
    while (from < to && isOWS(value.charCodeAt(from))) from++;
    while (to > from && isOWS(value.charCodeAt(to - 1))) to--;
    if (to > from) {
      for (let i = from; i < to; i++) if (!isTokenChar(value.charCodeAt(i))) return undefined;
      names.push(value.slice(from, to).toLowerCase());
    }
    start = end + 1;
  }
  return names;
}

function isOWS(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** tchar (RFC 9110 §5.6.2): ALPHA / DIGIT / one of !#$%&'*+-.^_`|~ */
function isTokenChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || TOKEN_SYMBOLS.has(code);
}

const TOKEN_SYMBOLS: ReadonlySet<number> = new Set([..."!#$%&'*+-.^_`|~"].map((symbol) => symbol.charCodeAt(0)));
