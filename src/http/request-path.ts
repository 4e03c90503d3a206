/** What a request-target names: a file, or a folder (a path ending in `/`, `/` itself included). */
export interface RequestPath {
  readonly kind: 'file' | 'folder';
  readonly segments: readonly string[];
}

/**
 * Turns the raw request-target of a GET (`/videos/2024/a%20b.mp4?x=1`) into decoded path
 * segments, or `undefined` when the target must be rejected. Pure: no file system access.
 *
 * Every segment is percent-decoded exactly once (so `%2525` names a file called `%25`), and the
 * result is a list of plain names that cannot change directory: no `.` or `..`, no slash or
 * backslash (raw or encoded), no NUL. Absolute-form targets (`http://host/x`) and empty
 * segments (`//etc/passwd`) are rejected too. Dot-files are not this function's concern: they
 * are valid names that the storage layer refuses to serve. One trailing slash makes the target a
 * folder (`/docs/`); any other empty segment (`/docs//`, `//etc`) is rejected.
 */
export function parseRequestPath(requestTarget: string): RequestPath | undefined {
  const path = stripQueryAndFragment(requestTarget);
  if (!path.startsWith('/')) return undefined;
  if (path === '/') return { kind: 'folder', segments: [] };
  const folder = path.endsWith('/');
  const segments: string[] = [];
  for (const raw of path.slice(1, folder ? -1 : undefined).split('/')) {
    const segment = decodeSegment(raw);
    if (segment === undefined || !isPlainName(segment)) return undefined;
    segments.push(segment);
  }
  return { kind: folder ? 'folder' : 'file', segments };
}

/** True for names the service never serves: dot-files and dot-folders. */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

function stripQueryAndFragment(target: string): string {
  const query = target.indexOf('?');
  const fragment = target.indexOf('#');
  const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment);
  return end === -1 ? target : target.slice(0, end);
}

function decodeSegment(raw: string): string | undefined {
  // Encoded separators would be decoded into a second level of path structure.
  if (/%(2f|5c|00)/i.test(raw)) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // malformed escape or invalid UTF-8
  }
}

function isPlainName(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[/\\\0]/.test(segment);
}
