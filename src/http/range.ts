/**
 * Evaluation of the Range request header for byte ranges (RFC 9110 §14).
 *
 * Pure: no I/O, no framework. Given the raw header value and the current length of the
 * selected representation, decide whether to answer 200 (whole representation),
 * 206 (some ranges) or 416 (nothing satisfiable). Never throws.
 */
import { trimLeadingOWS, trimOWS, trimTrailingOWS } from './ows.js';

/** An inclusive byte range: first and last byte positions, 0 <= start <= end < size. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeDecision =
  | { kind: 'full' } // send the whole representation with 200 (no Range, ignored Range)
  | { kind: 'unsatisfiable' } // 416 with Content-Range: bytes */size
  | { kind: 'partial'; ranges: ByteRange[] }; // 206; coalesced, in request order, non-empty

export interface RangeLimits {
  /** Most range-specs accepted in one header; more means the header is ignored (full response). */
  maxRanges: number;
}

/**
 * A decimal value from the header. Any value above Number.MAX_SAFE_INTEGER is represented
 * as Infinity: no representation can be that long, so only its being "past everything" matters.
 */
type Position = number;

/** A syntactically valid range-spec (RFC 9110 §14.1.1), before looking at the size. */
type RangeSpec =
  | { kind: 'int-range'; firstPos: Position; lastPos: Position } // absent last-pos: Infinity
  | { kind: 'suffix-range'; suffixLength: Position };

const FULL_RESPONSE: RangeDecision = Object.freeze({ kind: 'full' });
const UNSATISFIABLE: RangeDecision = Object.freeze({ kind: 'unsatisfiable' });

// RFC 9110 §14.1.1: int-range = first-pos "-" [ last-pos ]; positions are 1*DIGIT.
// [0-9] rather than \d to make the ASCII-only intent explicit.
const INT_RANGE = /^([0-9]+)-([0-9]*)$/;
// RFC 9110 §14.1.1: suffix-range = "-" suffix-length.
const SUFFIX_RANGE = /^-([0-9]+)$/;
// RFC 9110 §14.1.1: the range-unit is case-insensitive. Without the u flag, the i flag
// folds ASCII letters only, so e.g. U+017F LATIN SMALL LETTER LONG S never matches "s".
const BYTES_UNIT = /^bytes$/i;
// Longest decimal digit string that might still be a safe integer (2^53 - 1 has 16 digits).
const MAX_SAFE_INTEGER_DIGITS = 16;

export function parseRangeHeader(header: string | undefined, size: number, limits: RangeLimits): RangeDecision {
  // A length we cannot reason about means we cannot honour a range: serve the whole thing.
  if (header === undefined || !isRepresentationLength(size)) return FULL_RESPONSE;

  const specs = parseRangesSpecifier(header);
  // RFC 9110 §14.2: a server MAY ignore an invalid ranges-specifier, and MUST ignore a
  // range unit it does not understand; both yield undefined here.
  if (specs === undefined) return FULL_RESPONSE;

  // RFC 9110 §14.2 / §17.15: too many ranges is a denial-of-service indicator; ignore the header.
  // Written as a negation so that a NaN limit refuses every header rather than none.
  if (!(specs.length <= limits.maxRanges)) return FULL_RESPONSE;

  return size === 0 ? decideForEmptyRepresentation(specs) : decideForRepresentation(specs, size);
}

/** Total bytes covered by the ranges. */
export function totalRangeLength(ranges: readonly ByteRange[]): number {
  return ranges.reduce((total, range) => total + rangeLength(range), 0);
}

function isRepresentationLength(size: number): boolean {
  return Number.isSafeInteger(size) && size >= 0;
}

/**
 * RFC 9110 §14.1.1 / §14.2: ranges-specifier = range-unit "=" range-set.
 * Returns the non-empty range-specs, or undefined when the header must be ignored
 * (syntax error, or a unit other than bytes).
 */
function parseRangesSpecifier(header: string): RangeSpec[] | undefined {
  // Only the field value's surrounding OWS may be trimmed (RFC 9110 §5.5).
  const value = trimOWS(header);
  const equalsAt = value.indexOf('=');
  if (equalsAt < 0) return undefined;
  // No whitespace is allowed around "=": "bytes =" is not the token "bytes".
  if (!BYTES_UNIT.test(value.slice(0, equalsAt))) return undefined;
  return parseRangeSet(value.slice(equalsAt + 1));
}

/**
 * RFC 9110 §14.1.1: range-set = 1#range-spec, with the §5.6.1 list rule:
 *   1#element => [ element ] *( OWS "," OWS [ element ] ), at least one non-empty element.
 * Empty elements are accepted and ignored (§5.6.1: a recipient MUST accept them).
 * Any malformed element makes the whole range-set invalid.
 */
function parseRangeSet(rangeSet: string): RangeSpec[] | undefined {
  const specs: RangeSpec[] = [];
  const elements = rangeSet.split(',');
  for (let index = 0; index < elements.length; index++) {
    // OWS is only allowed next to a comma, so the first element keeps its leading
    // whitespace ("bytes= 0-1" is invalid; "bytes= ,0-1" is an empty element then 0-1).
    const trimmedEnd = trimTrailingOWS(elements[index]);
    const element = index === 0 ? trimmedEnd : trimLeadingOWS(trimmedEnd);
    if (element === '') continue;
    const spec = parseRangeSpec(element);
    if (spec === undefined) return undefined;
    specs.push(spec);
  }
  return specs.length > 0 ? specs : undefined;
}

/** RFC 9110 §14.1.1: range-spec = int-range / suffix-range. */
function parseRangeSpec(element: string): RangeSpec | undefined {
  const intRange = INT_RANGE.exec(element);
  if (intRange !== null) {
    const [, firstDigits, lastDigits] = intRange;
    if (lastDigits === '') {
      return { kind: 'int-range', firstPos: parsePosition(firstDigits), lastPos: Number.POSITIVE_INFINITY };
    }
    // RFC 9110 §14.1.1: an int-range with last-pos < first-pos is invalid. Compared on the
    // digits themselves, so the answer is exact even for numbers beyond 2^53.
    if (compareDecimalDigits(lastDigits, firstDigits) < 0) return undefined;
    return { kind: 'int-range', firstPos: parsePosition(firstDigits), lastPos: parsePosition(lastDigits) };
  }
  const suffixRange = SUFFIX_RANGE.exec(element);
  if (suffixRange !== null) {
    return { kind: 'suffix-range', suffixLength: parsePosition(suffixRange[1]) };
  }
  return undefined;
}

/** 1*DIGIT to a number; anything above Number.MAX_SAFE_INTEGER becomes Infinity. */
function parsePosition(digits: string): Position {
  const significant = withoutLeadingZeros(digits);
  if (significant.length > MAX_SAFE_INTEGER_DIGITS) return Number.POSITIVE_INFINITY;
  // Number() rounds monotonically, so every value above 2^53 - 1 lands at or above 2^53.
  const value = Number(significant);
  return value > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : value;
}

/** Exact ordering of two 1*DIGIT strings of any length: negative, zero or positive. */
function compareDecimalDigits(left: string, right: string): number {
  const a = withoutLeadingZeros(left);
  const b = withoutLeadingZeros(right);
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function withoutLeadingZeros(digits: string): string {
  let firstSignificant = 0;
  while (firstSignificant < digits.length && digits[firstSignificant] === '0') firstSignificant++;
  return digits.slice(firstSignificant);
}

/**
 * Size 0. Every int-range is unsatisfiable (first-pos < 0 is impossible), but RFC 9110 §14.1.1
 * calls a suffix-range with a non-zero suffix-length satisfiable. A 206 of zero bytes cannot
 * be expressed (Content-Range needs first <= last), so that case is served as a full, empty 200.
 */
function decideForEmptyRepresentation(specs: readonly RangeSpec[]): RangeDecision {
  const hasNonZeroSuffix = specs.some((spec) => spec.kind === 'suffix-range' && spec.suffixLength > 0);
  return hasNonZeroSuffix ? FULL_RESPONSE : UNSATISFIABLE;
}

function decideForRepresentation(specs: readonly RangeSpec[], size: number): RangeDecision {
  const ranges = specs.map((spec) => toSatisfiableRange(spec, size)).filter(isByteRange);
  // RFC 9110 §14.1.1 / §15.5.17: no satisfiable range-spec means 416.
  if (ranges.length === 0) return UNSATISFIABLE;
  // RFC 9110 §14.2 / §17.15: overlapping ranges are an amplification vector; never agree to
  // send more bytes than one copy of the representation.
  if (exceedsLength(ranges, size)) return FULL_RESPONSE;
  return { kind: 'partial', ranges: coalesce(ranges) };
}

/** RFC 9110 §14.1.1: the clamped range a spec selects on a non-empty representation, if any. */
function toSatisfiableRange(spec: RangeSpec, size: number): ByteRange | undefined {
  const lastByte = size - 1;
  if (spec.kind === 'int-range') {
    // Satisfiable iff first-pos < length; a last-pos at or past the end means the last byte.
    if (spec.firstPos >= size) return undefined;
    return { start: spec.firstPos, end: Math.min(spec.lastPos, lastByte) };
  }
  // Satisfiable iff suffix-length > 0; a suffix longer than the representation selects all of it.
  if (spec.suffixLength === 0) return undefined;
  return { start: size - Math.min(spec.suffixLength, size), end: lastByte };
}

function isByteRange(range: ByteRange | undefined): range is ByteRange {
  return range !== undefined;
}

/** Whether the ranges, overlaps counted twice, add up to more than `size` bytes. */
function exceedsLength(ranges: readonly ByteRange[], size: number): boolean {
  let remaining = size; // exact: every intermediate value stays within [0, size]
  for (const range of ranges) {
    const length = rangeLength(range);
    if (length > remaining) return true;
    remaining -= length;
  }
  return false;
}

/**
 * RFC 9110 §15.3.7.2: a server MAY coalesce ranges that overlap or are separated by a gap
 * smaller than the multipart overhead; we merge overlapping and adjacent ones. The parts that
 * remain SHOULD follow the order in which the request listed them, so each merged range takes
 * the place of the earliest-listed range it absorbed.
 */
function coalesce(ranges: readonly ByteRange[]): ByteRange[] {
  const ascending = ranges.map((range, order) => ({ ...range, order })).sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number; order: number }[] = [];
  for (const range of ascending) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && range.start <= previous.end + 1) {
      previous.end = Math.max(previous.end, range.end);
      previous.order = Math.min(previous.order, range.order);
    } else {
      merged.push(range);
    }
  }
  return merged.sort((a, b) => a.order - b.order).map(({ start, end }) => ({ start, end }));
}

/** Bytes in one inclusive range. */
export function rangeLength(range: ByteRange): number {
  return range.end - range.start + 1;
}
