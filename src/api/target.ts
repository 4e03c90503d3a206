import { parseRequestPath } from '../http/request-path.js';

/**
 * What a request-target below a prefix names: a file (`/a/b.txt`), a folder (trailing slash:
 * `/`, `/docs/`), or nothing valid (undefined: the same rules as downloads, so `..`, encoded
 * slashes, NUL and empty segments are refused). `bare` is the prefix itself without its slash
 * (`/.api/files`), which redirects to the top folder. Pure.
 */
export type ParsedTarget =
  | { readonly kind: 'file'; readonly segments: string[] }
  | { readonly kind: 'folder'; readonly segments: string[] }
  | { readonly kind: 'bare' };

export function parseTarget(requestTarget: string, prefix = ''): ParsedTarget | undefined {
  const queryAt = requestTarget.search(/[?#]/);
  const path = queryAt === -1 ? requestTarget : requestTarget.slice(0, queryAt);
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  if (rest === '') return prefix === '' ? undefined : { kind: 'bare' };
  const parsed = parseRequestPath(rest);
  return parsed === undefined ? undefined : { kind: parsed.kind, segments: [...parsed.segments] };
}

/** The path of a file or folder relative to the roots, as the API shows it: `docs/readme.md`, `docs/`, `` for the top. */
export function relativePath(segments: readonly string[], folder: boolean): string {
  if (segments.length === 0) return '';
  return folder ? `${segments.join('/')}/` : segments.join('/');
}

/** The URL path of a file or folder, each segment percent-encoded: `/docs/read%20me.md`, `/docs/`. */
export function urlPath(segments: readonly string[], folder: boolean): string {
  const encoded = segments.map((segment) => encodeURIComponent(segment)).join('/');
  if (segments.length === 0) return '/';
  return folder ? `/${encoded}/` : `/${encoded}`;
}

/**
 * The version-pinned URL of a file: its URL with `?v=` the strong ETag without its quotes (the
 * "Private files" issue): the bytes at that URL can never change, a changed file answers 412.
 */
export function pinnedUrl(segments: readonly string[], etag: string): string {
  return `${urlPath(segments, false)}?v=${encodeURIComponent(etag.slice(1, -1))}`;
}

/** The query string of a request-target, with its `?`, or ''. */
export function queryOf(requestTarget: string): string {
  const at = requestTarget.indexOf('?');
  if (at === -1) return '';
  const hash = requestTarget.indexOf('#', at);
  return hash === -1 ? requestTarget.slice(at) : requestTarget.slice(at, hash);
}
