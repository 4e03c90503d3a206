/**
 * Conditional requests: RFC 9110 §13.1 (fields) and §13.2.2 (evaluation order). Pure, no I/O.
 */
import { trimOWS } from './ows.js';
import { EntityTag, parseETagList, parseEntityTag, parseHttpDate, strongCompare, weakCompare, wholeSecondsMs } from './validators.js';

export interface RepresentationValidators {
  /** Strong ETag header value, e.g. '"1f-17a..."'. */
  etag: string;
  /** Last modification in epoch ms (may have sub-second precision; Last-Modified on the wire is whole seconds). */
  lastModifiedMs: number;
}

export interface ConditionalHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
  ifRange?: string;
}

export type PreconditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

/** The request as far as conditional evaluation is concerned. */
export interface ConditionalRequest extends ConditionalHeaders {
  method: string;
  range?: string;
}

/**
 * The result of every conditional header, If-Range included: stop with 412 or 304, or go on, with
 * the Range header still in force (undefined when there was none, when it does not apply to the
 * method, or when If-Range said "send the whole representation").
 */
export type ConditionsOutcome = { kind: 'precondition-failed' } | { kind: 'not-modified' } | { kind: 'proceed'; range: string | undefined };

/**
 * RFC 9110 §13.2.2, all five steps in order, in one place (like Go's checkPreconditions): steps
 * 1-4 decide 412 or 304; step 5, If-Range (§13.1.5), decides whether the Range header is honoured.
 * Range is defined for GET only (§14.2), and If-Range is ignored without a Range (§13.1.5).
 */
export function checkPreconditions(request: ConditionalRequest, current: RepresentationValidators, nowMs: number): ConditionsOutcome {
  const outcome = evaluatePreconditions(request.method, request, current, nowMs);
  if (outcome !== 'proceed') return { kind: outcome };
  if (request.method !== 'GET' || request.range === undefined) return { kind: 'proceed', range: undefined };
  return { kind: 'proceed', range: ifRangeAllowsPartial(request.ifRange, current, nowMs) ? request.range : undefined };
}

type ListField = { kind: 'absent' } | { kind: 'malformed' } | { kind: 'any' } | { kind: 'tags'; tags: EntityTag[] };

/**
 * A field with no list elements ('' or ', ,') is treated as absent: it carries no condition
 * (same as Go's net/http, which ignores an empty If-Match / If-None-Match).
 */
function readListField(value: string | undefined): ListField {
  if (value === undefined) return { kind: 'absent' };
  const parsed = parseETagList(value);
  if (parsed === undefined) return { kind: 'malformed' };
  if (parsed === '*') return { kind: 'any' };
  if (parsed.length === 0) return { kind: 'absent' };
  return { kind: 'tags', tags: parsed };
}

function readDate(value: string | undefined, nowMs: number): number | undefined {
  return value === undefined ? undefined : parseHttpDate(trimOWS(value), nowMs);
}

/**
 * RFC 9110 §13.2.2 order, for a GET or HEAD of an existing representation:
 * 1. If-Match present: '*' → true; else strong comparison against any listed tag; false → precondition-failed.
 *    A malformed If-Match list → precondition-failed (it cannot match).
 * 2. Else if If-Unmodified-Since present and a valid date: lastModified (truncated to whole seconds) > date
 *    → precondition-failed. Invalid date → ignored (§13.1.4).
 * 3. If-None-Match present: '*' or weak comparison matches any → not-modified (method is GET/HEAD).
 *    Malformed → ignore the field.
 * 4. Else (only when If-None-Match is absent) If-Modified-Since valid date: lastModified (whole seconds)
 *    <= date → not-modified. Invalid → ignored.
 * 5. proceed.
 * `method` is 'GET' or 'HEAD'; If-Modified-Since applies only to GET and HEAD (§13.1.3).
 * For any other method a matching If-None-Match yields precondition-failed (§13.1.2).
 * A non-finite lastModifiedMs means "no modification date": both date conditions are then ignored
 * (§13.1.3, §13.1.4). `nowMs` only resolves two-digit RFC 850 years.
 */
export function evaluatePreconditions(
  method: string,
  headers: ConditionalHeaders,
  current: RepresentationValidators,
  nowMs: number = Date.now(),
): PreconditionOutcome {
  const currentTag = parseEntityTag(current.etag); // undefined → never matches a listed tag
  const lastModified = Number.isFinite(current.lastModifiedMs) ? wholeSecondsMs(current.lastModifiedMs) : undefined;
  // Methods are case-sensitive (§9.1).
  const isGetOrHead = method === 'GET' || method === 'HEAD';

  // Step 1: If-Match (§13.1.1) uses the STRONG comparison.
  const ifMatch = readListField(headers.ifMatch);
  if (ifMatch.kind !== 'absent') {
    if (ifMatch.kind === 'malformed') return 'precondition-failed';
    if (ifMatch.kind === 'tags') {
      const matched = currentTag !== undefined && ifMatch.tags.some((t) => strongCompare(t, currentTag));
      if (!matched) return 'precondition-failed';
    }
    // '*': true, the representation exists.
  } else {
    // Step 2: If-Unmodified-Since (§13.1.4), only when If-Match is absent.
    const ius = readDate(headers.ifUnmodifiedSince, nowMs);
    if (ius !== undefined && lastModified !== undefined && lastModified > ius) {
      return 'precondition-failed';
    }
  }

  // Step 3: If-None-Match (§13.1.2) uses the WEAK comparison.
  const ifNoneMatch = readListField(headers.ifNoneMatch);
  if (ifNoneMatch.kind === 'any' || ifNoneMatch.kind === 'tags') {
    const matched = ifNoneMatch.kind === 'any' || (currentTag !== undefined && ifNoneMatch.tags.some((t) => weakCompare(t, currentTag)));
    if (matched) return isGetOrHead ? 'not-modified' : 'precondition-failed';
  } else if (isGetOrHead) {
    // Step 4: If-Modified-Since (§13.1.3), only when If-None-Match is absent (or ignored as malformed).
    const ims = readDate(headers.ifModifiedSince, nowMs);
    if (ims !== undefined && lastModified !== undefined && lastModified <= ims) {
      return 'not-modified';
    }
  }

  // Step 5.
  return 'proceed';
}

/**
 * RFC 9110 §13.1.5 If-Range: true means the Range header may be honoured (206), false means send the full 200.
 * - absent → true.
 * - an entity-tag: true only on a STRONG comparison with the current ETag (a weak tag never matches;
 *   a malformed value → false).
 * - an HTTP-date: true only if it equals the current Last-Modified (whole seconds) EXACTLY (not <=), AND that
 *   Last-Modified is a strong validator per §8.8.2.2, implemented as: lastModified (whole seconds) is at
 *   least one second before `nowMs` (the response's Date). Otherwise false.
 * - anything else → false.
 * The caller must only consult this when a Range header is present (§13.1.5: ignore If-Range otherwise).
 */
export function ifRangeAllowsPartial(ifRange: string | undefined, current: RepresentationValidators, nowMs: number): boolean {
  if (ifRange === undefined) return true;
  const value = trimOWS(ifRange);

  // If-Range = entity-tag / HTTP-date. An entity-tag starts with DQUOTE or 'W/'; a date never does.
  if (value.startsWith('"') || value.startsWith('W/')) {
    const tag = parseEntityTag(value);
    // §13.1.5 requires a strong match (§8.8.3.2), so a weak tag can never match.
    if (tag === undefined || tag.weak) return false;
    const currentTag = parseEntityTag(current.etag);
    return currentTag !== undefined && strongCompare(tag, currentTag);
  }

  const date = parseHttpDate(value, nowMs);
  if (date === undefined || !Number.isFinite(current.lastModifiedMs)) return false;
  const lastModified = wholeSecondsMs(current.lastModifiedMs);
  // §13.1.5: exact match required ("an exact match"), never an ordering comparison.
  // §8.8.2.2: Last-Modified is only strong if at least one second before the Date value.
  return date === lastModified && lastModified + 1000 <= nowMs;
}
