import type { Segment } from './segments.js';

/** FILE.part.json: what is known about FILE.part. Progress is saved only after the bytes it counts were written. */
export interface PartState {
  readonly url: string;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly size: number;
  reprDigest?: string;
  readonly segments: Segment[];
}

function isSegmentWithin(value: unknown, size: number): value is Segment {
  if (typeof value !== 'object' || value === null) return false;
  const { start, end, done } = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    Number.isSafeInteger(done) &&
    (start as number) >= 0 &&
    (end as number) >= (start as number) &&
    (end as number) < size &&
    (done as number) >= 0 &&
    (done as number) <= (end as number) - (start as number) + 1
  );
}

/**
 * The saved state, if `text` is one this client can safely resume for `url`: the same URL (a new
 * signed link to the same file counts: see sameResource), a validator
 * to send in If-Range, and segments that tile 0..size-1 in order. Anything else (another URL, a
 * truncated or hand-edited file, an old format) means starting over.
 */
export function parseState(text: string, url: string): PartState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Record<string, unknown>;
  const { size, segments, etag, lastModified, reprDigest } = state;
  if (
    typeof state['url'] !== 'string' ||
    !sameResource(state['url'], url) ||
    !Number.isSafeInteger(size) ||
    (size as number) < 1 ||
    !Array.isArray(segments)
  )
    return undefined;
  const optionalString = (field: unknown) => field === undefined || typeof field === 'string';
  if (!optionalString(etag) || !optionalString(lastModified) || !optionalString(reprDigest)) return undefined;
  if (etag === undefined && lastModified === undefined) return undefined; // nothing to resume safely against
  let next = 0;
  for (const segment of segments as unknown[]) {
    if (!isSegmentWithin(segment, size as number) || segment.start !== next) return undefined;
    next = segment.end + 1;
  }
  if (next !== size) return undefined;
  return {
    url,
    etag: etag,
    lastModified: lastModified,
    size: size,
    reprDigest: reprDigest,
    segments: (segments as Segment[]).map(({ start, end, done }) => ({ start, end, done })),
  };
}

/** Signed-link parameters that change whenever a link to the same file is made again. */
const LINK_CREDENTIALS = ['exp', 'kid', 'sig'];

/** The URL without a signed link's exp, kid and sig (also what messages show: no signature is printed). */
export function urlWithoutSignature(url: string): string {
  const parsed = new URL(url);
  for (const name of LINK_CREDENTIALS) parsed.searchParams.delete(name);
  return parsed.href;
}

/** Two URLs of the same download: equal but for the link credentials, so a new link resumes it. */
export function sameResource(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return urlWithoutSignature(a) === urlWithoutSignature(b);
  } catch {
    return false;
  }
}
