/**
 * Validators: entity-tags (RFC 9110 §8.8.3) and HTTP-dates (RFC 9110 §5.6.7).
 *
 * Pure functions, no I/O. Parsers implement the exact ABNF; they do not trim
 * surrounding whitespace (callers strip field OWS, RFC 9110 §5.5), except
 * parseETagList, whose list rule (§5.6.1) includes OWS.
 */
import { isOWS } from './ows.js';

/** A parsed entity-tag. `tag` is the opaque-tag including its double quotes, e.g. '"abc"'. */
export interface EntityTag {
  weak: boolean;
  tag: string;
}

/**
 * Strong ETag from size and modification time in nanoseconds (from fs.stat({bigint:true}).mtimeNs),
 * identical on every replica serving the same file: '"<size hex>-<mtimeNs hex>"'. Never uses inode.
 * A negative mtimeNs (pre-1970 file) yields a '-' sign, which is a valid etagc.
 * @throws RangeError if size is negative or not a safe integer.
 */
export function strongETag(size: number | bigint, mtimeNs: bigint): string {
  if (typeof size === 'number' && !Number.isSafeInteger(size)) {
    throw new RangeError(`strongETag: size must be a safe integer, got ${size}`);
  }
  const s = typeof size === 'bigint' ? size : BigInt(size);
  if (s < 0n) throw new RangeError(`strongETag: size must be >= 0, got ${s}`);
  return `"${s.toString(16)}-${mtimeNs.toString(16)}"`;
}

/*
 * §8.8.3: entity-tag = [ weak ] opaque-tag ; weak = %s"W/" (case-sensitive)
 * opaque-tag = DQUOTE *etagc DQUOTE ; etagc = %x21 / %x23-7E / obs-text ; obs-text = %x80-FF
 * Code units above U+00FF cannot come from a (latin1-decoded) field value and are rejected.
 */
const ENTITY_TAG = /^(W\/)?("[\x21\x23-\x7E\x80-\xFF]*")$/;
/** Same grammar, sticky, for scanning inside a list. */
const ENTITY_TAG_STICKY = /(W\/)?("[\x21\x23-\x7E\x80-\xFF]*")/y;

/** Parses one entity-tag (W/"x" or "x"); undefined if malformed. etagc = %x21 / %x23-7E / obs-text(%x80-FF). */
export function parseEntityTag(value: string): EntityTag | undefined {
  const m = ENTITY_TAG.exec(value);
  if (m === null) return undefined;
  return { weak: m[1] !== undefined, tag: m[2] };
}

/**
 * Parses an If-Match / If-None-Match value: '*' or a #entity-tag list (RFC 9110 §5.6.1 list rule,
 * OWS around commas, empty elements ignored). Returns undefined if the field is malformed (any
 * element not a valid entity-tag), so callers can treat a malformed field per RFC.
 *
 * Commas are legal etagc (%x2C), so '"a,b"' is ONE tag: the value is scanned, never split on ','.
 * '*' is only valid as the whole field value (§13.1.1, §13.1.2); '*' inside a list is malformed.
 * A value with no elements ('' or ' , ,') yields [].
 */
export function parseETagList(value: string): '*' | EntityTag[] | undefined {
  const n = value.length;
  let start = 0;
  let end = n;
  while (start < end && isOWS(value[start])) start++;
  while (end > start && isOWS(value[end - 1])) end--;
  if (end - start === 1 && value[start] === '*') return '*';

  const tags: EntityTag[] = [];
  let i = start;
  for (;;) {
    // Expecting an element (possibly empty).
    while (i < end && isOWS(value[i])) i++;
    if (i >= end) return tags;
    if (value[i] === ',') {
      i++; // empty element (§5.6.1.2: recipients MUST accept and ignore them)
      continue;
    }
    ENTITY_TAG_STICKY.lastIndex = i;
    const m = ENTITY_TAG_STICKY.exec(value);
    if (m === null || ENTITY_TAG_STICKY.lastIndex > end) return undefined;
    tags.push({ weak: m[1] !== undefined, tag: m[2] });
    i = ENTITY_TAG_STICKY.lastIndex;
    // After an element: OWS, then ',' or end of value.
    while (i < end && isOWS(value[i])) i++;
    if (i >= end) return tags;
    if (value[i] !== ',') return undefined;
    i++;
  }
}

/** §8.8.3.2: strong comparison: both not weak and tags identical. */
export function strongCompare(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.tag === b.tag;
}

/** §8.8.3.2: weak comparison: tags identical regardless of W/. */
export function weakCompare(a: EntityTag, b: EntityTag): boolean {
  return a.tag === b.tag;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const DAY_NAMES_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const MS_PER_DAY = 86_400_000;

/** A time as HTTP-dates carry it: whole seconds, floored (§5.6.7 has one-second resolution). */
export function wholeSecondsMs(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * IMF-fixdate, e.g. 'Sun, 06 Nov 1994 08:49:37 GMT' (§5.6.7). Sub-second parts are truncated
 * towards the past (floor), matching how Last-Modified is compared elsewhere.
 * @throws RangeError for non-finite input or a year outside 0000-9999 (year = 4DIGIT).
 */
export function formatHttpDate(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`formatHttpDate: invalid time ${epochMs}`);
  const d = new Date(wholeSecondsMs(epochMs));
  const year = d.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new RangeError(`formatHttpDate: year out of range for IMF-fixdate: ${epochMs}`);
  }
  return (
    `${DAY_NAMES[d.getUTCDay()]}, ${pad(d.getUTCDate(), 2)} ${MONTHS[d.getUTCMonth()]} ${pad(year, 4)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)} GMT`
  );
}

function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysInMonth(y: number, month: number): number {
  // month: 1-12
  if (month === 2) return isLeapYear(y) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil).
 * Pure arithmetic: avoids Date.UTC, which maps years 0-99 to 1900-1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** 0 = Sunday. 1970-01-01 was a Thursday. */
function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

const DAY_RE = DAY_NAMES.join('|');
const DAY_LONG_RE = DAY_NAMES_LONG.join('|');
const MONTH_RE = MONTHS.join('|');
// §5.6.7 grammar; day-name, month and GMT are case-sensitive (%s"...") so lowercase is rejected.
// \d is ASCII-only in JS regexes.
const IMF_FIXDATE = new RegExp(`^(${DAY_RE}), (\\d{2}) (${MONTH_RE}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
const RFC850_DATE = new RegExp(`^(${DAY_LONG_RE}), (\\d{2})-(${MONTH_RE})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$`);
// asctime-date = day-name SP date3 SP time-of-day SP year ; date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
const ASCTIME_DATE = new RegExp(`^(${DAY_RE}) (${MONTH_RE}) (\\d{2}| \\d) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`);

interface DateParts {
  weekday: number;
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Validates ranges and the day-name, returns epoch ms or undefined. */
function toEpochMs(p: DateParts): number | undefined {
  if (p.month < 1 || p.month > 12) return undefined;
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) return undefined;
  if (p.hour > 23 || p.minute > 59) return undefined;
  let second = p.second;
  if (second === 60) {
    // §5.6.7 second = 2DIGIT (00-60, leap second). Leap seconds only exist at 23:59:60 UTC;
    // POSIX time cannot represent them, so we clamp to 23:59:59 (the conservative choice for
    // both If-Modified-Since and If-Unmodified-Since).
    if (p.hour !== 23 || p.minute !== 59) return undefined;
    second = 59;
  } else if (second > 59) {
    return undefined;
  }
  const days = daysFromCivil(p.year, p.month, p.day);
  // Reject a day-name inconsistent with the date (e.g. 'Mon, 06 Nov 1994'): such a value is not
  // a real timestamp, so it is treated as invalid (and the header ignored, §13.1.3/§13.1.4).
  if (weekdayOfDays(days) !== p.weekday) return undefined;
  return days * MS_PER_DAY + ((p.hour * 60 + p.minute) * 60 + second) * 1000;
}

/**
 * §5.6.7 two-digit year rule: a year that "appears to be more than 50 years in the future" is the most
 * recent past year with the same last two digits. We pick the unique century for which the timestamp
 * is in (now + 50y - 100y, now + 50y].
 */
function resolveTwoDigitYear(yy: number, month: number, day: number, secondsOfDay: number, nowMs: number): number {
  const now = new Date(nowMs);
  const nowYear = now.getUTCFullYear();
  const limit = new Date(nowMs);
  limit.setUTCFullYear(nowYear + 50);
  const limitMs = limit.getTime();
  // Candidate timestamp (normalised: an invalid day just rolls over; validity is checked later).
  const ts = (y: number): number => daysFromCivil(y, month, day) * MS_PER_DAY + secondsOfDay * 1000;
  let year = nowYear - (((nowYear % 100) + 100) % 100) + yy;
  while (ts(year) > limitMs) year -= 100;
  while (ts(year + 100) <= limitMs) year += 100;
  return year;
}

/**
 * Parses an HTTP-date in any of the three formats of §5.6.7 (IMF-fixdate, obsolete RFC 850
 * 'Sunday, 06-Nov-94 08:49:37 GMT' with the two-digit-year rule of §5.6.7, asctime 'Sun Nov  6 08:49:37 1994').
 * Returns epoch milliseconds (whole seconds) or undefined when invalid.
 *
 * Strict: exact grammar (no surrounding whitespace), case-sensitive names, 'GMT' required for the
 * first two formats, calendar-valid dates, day-name must agree with the date.
 * `nowMs` is only used to resolve RFC 850 two-digit years (defaults to the current time).
 */
export function parseHttpDate(value: string, nowMs: number = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(value);
  if (m !== null) {
    return toEpochMs({
      weekday: DAY_NAMES.indexOf(m[1] as (typeof DAY_NAMES)[number]),
      day: Number(m[2]),
      month: MONTHS.indexOf(m[3] as (typeof MONTHS)[number]) + 1,
      year: Number(m[4]),
      hour: Number(m[5]),
      minute: Number(m[6]),
      second: Number(m[7]),
    });
  }
  m = RFC850_DATE.exec(value);
  if (m !== null) {
    const day = Number(m[2]);
    const month = MONTHS.indexOf(m[3] as (typeof MONTHS)[number]) + 1;
    const hour = Number(m[5]);
    const minute = Number(m[6]);
    const second = Number(m[7]);
    const year = resolveTwoDigitYear(Number(m[4]), month, day, (hour * 60 + minute) * 60 + second, nowMs);
    return toEpochMs({
      weekday: DAY_NAMES_LONG.indexOf(m[1] as (typeof DAY_NAMES_LONG)[number]),
      day,
      month,
      year,
      hour,
      minute,
      second,
    });
  }
  m = ASCTIME_DATE.exec(value);
  if (m !== null) {
    return toEpochMs({
      weekday: DAY_NAMES.indexOf(m[1] as (typeof DAY_NAMES)[number]),
      month: MONTHS.indexOf(m[2] as (typeof MONTHS)[number]) + 1,
      day: Number(m[3].trim()),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
      year: Number(m[7]),
    });
  }
  return undefined;
}
