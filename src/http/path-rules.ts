/**
 * What makes a name the service can serve, as pure functions over plain strings: one rule for the
 * names a download may ask for and the names an upload may create. Every check is a single pass
 * over the characters (no regular expression), so any input costs linear time.
 */

/** Most bytes in one path segment: NAME_MAX of Linux file systems (ext4, xfs, tmpfs...). */
export const MAX_SEGMENT_BYTES = 255;

/** Most bytes in a whole relative path (PATH_MAX is 4096 including the root and the NUL). */
export const MAX_PATH_BYTES = 3072;

/** Why a name is refused; each is a short, stable word for error bodies and metrics. */
export type NameProblem =
  | 'empty'
  | 'dot-segment' // `.` or `..`: would change directory
  | 'hidden' // starts with `.`: never served, so an upload could never be downloaded
  | 'slash' // a separator inside one segment
  | 'backslash'
  | 'control-character' // NUL, C0, DEL or C1 controls: invisible, and NUL ends a C path
  | 'too-long';

/** The problem with one path segment (a file or folder name), or undefined when it is fine. */
export function segmentProblem(name: string): NameProblem | undefined {
  if (name === '') return 'empty';
  if (name === '.' || name === '..') return 'dot-segment';
  if (name.startsWith('.')) return 'hidden';
  for (let index = 0; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if (code === 0x2f) return 'slash';
    if (code === 0x5c) return 'backslash';
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'control-character';
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_SEGMENT_BYTES) return 'too-long';
  return undefined;
}

export type PathCheck = { readonly segments: string[] } | { readonly problem: NameProblem };

/**
 * A relative path such as `videos/2024` split into segments, each of which must pass
 * `segmentProblem`: no leading, trailing or doubled `/` (each would be an empty segment). An
 * empty string is the root itself (no segments).
 */
export function parseRelativePath(path: string): PathCheck {
  if (path === '') return { segments: [] };
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return { problem: 'too-long' };
  const segments = path.split('/');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) return { problem };
  }
  return { segments };
}
