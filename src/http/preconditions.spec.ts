import fc from 'fast-check';
import {
  type ConditionalHeaders,
  type PreconditionOutcome,
  type RepresentationValidators,
  evaluatePreconditions,
  ifRangeAllowsPartial,
} from './preconditions.js';
import { formatHttpDate } from './validators.js';

const WIRE_LM = 784111777000; // Sun, 06 Nov 1994 08:49:37 GMT
const ETAG = '"1f-abc"';
/** Sub-second mtime: on the wire (whole seconds) it is WIRE_LM. */
const CURRENT: RepresentationValidators = { etag: ETAG, lastModifiedMs: WIRE_LM + 500 };

const EQ = 'Sun, 06 Nov 1994 08:49:37 GMT'; // == Last-Modified on the wire
const BEFORE = 'Sun, 06 Nov 1994 08:49:36 GMT'; // one second earlier
const AFTER = 'Sun, 06 Nov 1994 08:49:38 GMT'; // one second later
const EQ_RFC850 = 'Sunday, 06-Nov-94 08:49:37 GMT';
const EQ_ASCTIME = 'Sun Nov  6 08:49:37 1994';
const BEFORE_ASCTIME = 'Sun Nov  6 08:49:36 1994';
const NOW = Date.UTC(2024, 5, 1);

type Row = [label: string, method: string, headers: ConditionalHeaders, expected: PreconditionOutcome];

const P: PreconditionOutcome = 'proceed';
const NM: PreconditionOutcome = 'not-modified';
const PF: PreconditionOutcome = 'precondition-failed';

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  test.each<Row>([
    ['no conditional headers', 'GET', {}, P],

    // Step 1: If-Match, strong comparison
    ['If-Match * (representation exists)', 'GET', { ifMatch: '*' }, P],
    ['If-Match exact strong tag', 'GET', { ifMatch: ETAG }, P],
    ['If-Match tag in a list', 'GET', { ifMatch: `"x", ${ETAG}, "y"` }, P],
    ['If-Match list with OWS and empty elements', 'GET', { ifMatch: ` ,, "x" ,\t${ETAG} , ` }, P],
    ['If-Match weak tag never matches (strong comparison)', 'GET', { ifMatch: `W/${ETAG}` }, PF],
    ['If-Match different tag', 'GET', { ifMatch: '"1f-abd"' }, PF],
    ['If-Match prefix of the tag', 'GET', { ifMatch: '"1f-ab"' }, PF],
    ['If-Match malformed (unquoted)', 'GET', { ifMatch: '1f-abc' }, PF],
    ['If-Match malformed list containing the tag', 'GET', { ifMatch: `${ETAG}, garbage` }, PF],
    ['If-Match * mixed into a list is malformed', 'GET', { ifMatch: `${ETAG}, *` }, PF],
    ['If-Match empty value = absent', 'GET', { ifMatch: '' }, P],
    ['If-Match only empty elements = absent', 'GET', { ifMatch: ' , ' }, P],
    ['If-Match on HEAD', 'HEAD', { ifMatch: '"nope"' }, PF],

    // Step 2: If-Unmodified-Since (only without If-Match)
    ['IUS equal to Last-Modified (sub-second mtime truncated)', 'GET', { ifUnmodifiedSince: EQ }, P],
    ['IUS after Last-Modified', 'GET', { ifUnmodifiedSince: AFTER }, P],
    ['IUS one second before Last-Modified', 'GET', { ifUnmodifiedSince: BEFORE }, PF],
    ['IUS before, asctime format', 'GET', { ifUnmodifiedSince: BEFORE_ASCTIME }, PF],
    ['IUS equal, RFC 850 format', 'GET', { ifUnmodifiedSince: EQ_RFC850 }, P],
    ['IUS invalid date is ignored', 'GET', { ifUnmodifiedSince: 'yesterday' }, P],
    ['IUS lowercase gmt is invalid → ignored', 'GET', { ifUnmodifiedSince: 'Sun, 06 Nov 1994 08:49:36 gmt' }, P],
    ['IUS with surrounding OWS', 'GET', { ifUnmodifiedSince: ` ${BEFORE}\t` }, PF],
    ['IUS two members is invalid → ignored', 'GET', { ifUnmodifiedSince: `${BEFORE}, ${BEFORE}` }, P],

    // Precedence: If-Match over If-Unmodified-Since
    ['If-Match matches: IUS (failing) not evaluated', 'GET', { ifMatch: ETAG, ifUnmodifiedSince: BEFORE }, P],
    ['If-Match *: IUS (failing) not evaluated', 'GET', { ifMatch: '*', ifUnmodifiedSince: BEFORE }, P],
    ['If-Match fails although IUS would pass', 'GET', { ifMatch: '"x"', ifUnmodifiedSince: AFTER }, PF],
    ['If-Match malformed although IUS would pass', 'GET', { ifMatch: 'x', ifUnmodifiedSince: AFTER }, PF],
    ['empty If-Match is absent: IUS evaluated', 'GET', { ifMatch: '', ifUnmodifiedSince: BEFORE }, PF],

    // Step 3: If-None-Match, weak comparison
    ['INM exact tag', 'GET', { ifNoneMatch: ETAG }, NM],
    ['INM weak form of the tag (weak comparison)', 'GET', { ifNoneMatch: `W/${ETAG}` }, NM],
    ['INM tag in a list', 'GET', { ifNoneMatch: `"x", W/${ETAG}` }, NM],
    ['INM *', 'GET', { ifNoneMatch: '*' }, NM],
    ['INM different tag', 'GET', { ifNoneMatch: '"x"' }, P],
    ['INM prefix of the tag', 'GET', { ifNoneMatch: '"1f-ab"' }, P],
    ['INM malformed is ignored', 'GET', { ifNoneMatch: '1f-abc' }, P],
    ['INM malformed list containing the tag is ignored', 'GET', { ifNoneMatch: `${ETAG} x` }, P],
    ['INM empty is absent', 'GET', { ifNoneMatch: '' }, P],
    ['INM on HEAD', 'HEAD', { ifNoneMatch: ETAG }, NM],
    ['INM * on HEAD', 'HEAD', { ifNoneMatch: '*' }, NM],

    // Step 4: If-Modified-Since (only without If-None-Match)
    ['IMS equal to Last-Modified (sub-second mtime truncated)', 'GET', { ifModifiedSince: EQ }, NM],
    ['IMS after Last-Modified', 'GET', { ifModifiedSince: AFTER }, NM],
    ['IMS one second before Last-Modified', 'GET', { ifModifiedSince: BEFORE }, P],
    ['IMS equal, RFC 850', 'GET', { ifModifiedSince: EQ_RFC850 }, NM],
    ['IMS equal, asctime', 'GET', { ifModifiedSince: EQ_ASCTIME }, NM],
    ['IMS invalid is ignored', 'GET', { ifModifiedSince: 'garbage' }, P],
    ['IMS Date.parse-only nonsense is ignored', 'GET', { ifModifiedSince: '2030' }, P],
    ['IMS with surrounding OWS', 'GET', { ifModifiedSince: `\t${EQ} ` }, NM],
    ['IMS on HEAD', 'HEAD', { ifModifiedSince: EQ }, NM],

    // Precedence: If-None-Match over If-Modified-Since
    ['INM mismatch: IMS (would 304) not evaluated', 'GET', { ifNoneMatch: '"x"', ifModifiedSince: AFTER }, P],
    ['INM match: IMS (would 200) not evaluated', 'GET', { ifNoneMatch: ETAG, ifModifiedSince: BEFORE }, NM],
    ['INM malformed is ignored, so IMS is evaluated', 'GET', { ifNoneMatch: 'x', ifModifiedSince: AFTER }, NM],
    ['INM empty is absent, so IMS is evaluated', 'GET', { ifNoneMatch: '', ifModifiedSince: EQ }, NM],

    // Steps 1/2 before step 3
    ['If-Match fails before INM would 304', 'GET', { ifMatch: '"x"', ifNoneMatch: ETAG }, PF],
    ['IUS fails before INM would 304', 'GET', { ifUnmodifiedSince: BEFORE, ifNoneMatch: ETAG }, PF],
    ['IUS fails before IMS would 304', 'GET', { ifUnmodifiedSince: BEFORE, ifModifiedSince: AFTER }, PF],
    ['If-Match passes, then INM 304', 'GET', { ifMatch: ETAG, ifNoneMatch: ETAG }, NM],
    ['If-Match passes, then IMS 304', 'GET', { ifMatch: ETAG, ifModifiedSince: EQ }, NM],
    [
      'all five fields, all passing',
      'GET',
      { ifMatch: ETAG, ifUnmodifiedSince: BEFORE, ifNoneMatch: '"x"', ifModifiedSince: BEFORE, ifRange: 'x' },
      P,
    ],

    // Other methods (§13.1.2, §13.1.3): INM match → 412; IMS ignored. Method names are case-sensitive.
    ['POST with matching INM', 'POST', { ifNoneMatch: ETAG }, PF],
    ['PUT with INM *', 'PUT', { ifNoneMatch: '*' }, PF],
    ['POST ignores IMS', 'POST', { ifModifiedSince: AFTER }, P],
    ['lowercase "get" is not GET', 'get', { ifModifiedSince: AFTER }, P],
    ['POST honours If-Match failure', 'POST', { ifMatch: '"x"' }, PF],
  ])('%s', (_label, method, headers, expected) => {
    expect(evaluatePreconditions(method, headers, CURRENT, NOW)).toBe(expected);
  });

  test.each<[label: string, lastModifiedMs: number, headers: ConditionalHeaders, expected: PreconditionOutcome]>([
    ['whole-second mtime, IMS equal', WIRE_LM, { ifModifiedSince: EQ }, NM],
    ['mtime .999, IMS equal', WIRE_LM + 999, { ifModifiedSince: EQ }, NM],
    ['mtime next second, IMS equal', WIRE_LM + 1000, { ifModifiedSince: EQ }, P],
    ['mtime .999, IUS equal', WIRE_LM + 999, { ifUnmodifiedSince: EQ }, P],
    ['mtime next second, IUS equal', WIRE_LM + 1000, { ifUnmodifiedSince: EQ }, PF],
    // Pre-1970: floor, not truncation toward zero (-0.5 s is 23:59:59)
    ['pre-1970 sub-second mtime, IMS 23:59:59', -500, { ifModifiedSince: 'Wed, 31 Dec 1969 23:59:59 GMT' }, NM],
    ['pre-1970 sub-second mtime, IUS 23:59:59', -500, { ifUnmodifiedSince: 'Wed, 31 Dec 1969 23:59:59 GMT' }, P],
    // No modification date: date conditions ignored (§13.1.3, §13.1.4)
    ['NaN mtime ignores IMS', Number.NaN, { ifModifiedSince: AFTER }, P],
    ['NaN mtime ignores IUS', Number.NaN, { ifUnmodifiedSince: BEFORE }, P],
  ])('lastModified precision: %s', (_label, lastModifiedMs, headers, expected) => {
    expect(evaluatePreconditions('GET', headers, { etag: ETAG, lastModifiedMs }, NOW)).toBe(expected);
  });

  test.each<[label: string, etag: string, headers: ConditionalHeaders, expected: PreconditionOutcome]>([
    ['weak current tag fails strong If-Match', `W/${ETAG}`, { ifMatch: ETAG }, PF],
    ['weak current tag matches INM weakly', `W/${ETAG}`, { ifNoneMatch: ETAG }, NM],
    ['malformed current tag never matches If-Match', 'oops', { ifMatch: '"oops"' }, PF],
    ['malformed current tag: If-Match * still true', 'oops', { ifMatch: '*' }, P],
    ['malformed current tag: INM * still 304', 'oops', { ifNoneMatch: '*' }, NM],
  ])('current validator edge: %s', (_label, etag, headers, expected) => {
    expect(evaluatePreconditions('GET', headers, { etag, lastModifiedMs: WIRE_LM }, NOW)).toBe(expected);
  });

  it('a client revalidating with the validators it was given always gets 304', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253402300799999 }),
        fc.stringMatching(/^[0-9a-f]{1,16}$/),
        fc.constantFrom('GET', 'HEAD'),
        (lm, tag, method) => {
          const current = { etag: `"${tag}"`, lastModifiedMs: lm };
          const lastModified = formatHttpDate(lm);
          expect(evaluatePreconditions(method, { ifNoneMatch: current.etag }, current)).toBe(NM);
          expect(evaluatePreconditions(method, { ifModifiedSince: lastModified }, current)).toBe(NM);
          expect(evaluatePreconditions(method, { ifMatch: current.etag, ifUnmodifiedSince: lastModified }, current)).toBe(P);
          expect(evaluatePreconditions(method, { ifUnmodifiedSince: lastModified }, current)).toBe(P);
        },
      ),
    );
  });

  it('never throws on arbitrary header values', () => {
    const h = fc.option(fc.string({ unit: 'binary' }), { nil: undefined });
    fc.assert(
      fc.property(h, h, h, h, (ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince) => {
        const outcome = evaluatePreconditions('GET', { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince }, CURRENT, NOW);
        expect([P, NM, PF]).toContain(outcome);
      }),
    );
  });
});

describe('ifRangeAllowsPartial (RFC 9110 §13.1.5)', () => {
  const LATER = NOW; // a response Date long after Last-Modified

  test.each<[label: string, ifRange: string | undefined, nowMs: number, expected: boolean]>([
    ['absent', undefined, LATER, true],

    // entity-tag: strong comparison only
    ['same strong tag', ETAG, LATER, true],
    ['same strong tag with OWS', ` ${ETAG}\t`, LATER, true],
    ['weak tag never matches', `W/${ETAG}`, LATER, false],
    ['different strong tag', '"1f-abd"', LATER, false],
    ['prefix of the tag (no substring match)', '"1f-ab"', LATER, false],
    ['tag followed by garbage (no substring match)', `${ETAG}x`, LATER, false],
    ['a list containing the tag (If-Range is a single tag)', `${ETAG}, "x"`, LATER, false],
    ['unterminated tag', '"1f-abc', LATER, false],
    ['lowercase w/ prefix', `w/${ETAG}`, LATER, false],
    ['W/ without quotes', 'W/1f-abc', LATER, false],
    ['* is not valid in If-Range', '*', LATER, false],
    ['bare opaque-tag without quotes', '1f-abc', LATER, false],

    // HTTP-date: exact match with a strong Last-Modified
    ['date equal, Date far later', EQ, LATER, true],
    ['date equal, RFC 850', EQ_RFC850, LATER, true],
    ['date equal, asctime', EQ_ASCTIME, LATER, true],
    ['date equal with OWS', ` ${EQ} `, LATER, true],
    ['date equal, Date exactly 1 s after Last-Modified (strong)', EQ, WIRE_LM + 1000, true],
    ['date equal, Date 999 ms after wire Last-Modified (same second: weak)', EQ, WIRE_LM + 999, false],
    ['date equal, Date == the sub-second mtime (weak)', EQ, WIRE_LM + 500, false],
    ['date equal, Date == wire Last-Modified (weak)', EQ, WIRE_LM, false],
    ['date equal, clock behind Last-Modified (weak)', EQ, WIRE_LM - 5000, false],
    ['date one second earlier (no <= comparison)', BEFORE, LATER, false],
    ['date one second later (no <= comparison)', AFTER, LATER, false],
    ['date with lowercase gmt', 'Sun, 06 Nov 1994 08:49:37 gmt', LATER, false],
    ['date with wrong day-name', 'Mon, 06 Nov 1994 08:49:37 GMT', LATER, false],

    // garbage
    ['empty', '', LATER, false],
    ['whitespace only', '  ', LATER, false],
    ['garbage', 'foo 1', LATER, false],
    ['bare year', '1994', LATER, false],
    ['epoch number', String(WIRE_LM), LATER, false],
  ])('%s', (_label, ifRange, nowMs, expected) => {
    expect(ifRangeAllowsPartial(ifRange, CURRENT, nowMs)).toBe(expected);
  });

  test.each<[label: string, current: RepresentationValidators, ifRange: string, expected: boolean]>([
    ['weak current ETag never matches', { etag: `W/${ETAG}`, lastModifiedMs: WIRE_LM }, ETAG, false],
    ['weak current ETag vs weak If-Range', { etag: `W/${ETAG}`, lastModifiedMs: WIRE_LM }, `W/${ETAG}`, false],
    ['malformed current ETag never matches', { etag: 'oops', lastModifiedMs: WIRE_LM }, '"oops"', false],
    ['no modification date: date never matches', { etag: ETAG, lastModifiedMs: Number.NaN }, EQ, false],
    ['whole-second mtime, date equal', { etag: ETAG, lastModifiedMs: WIRE_LM }, EQ, true],
    ['mtime .999, date equal', { etag: ETAG, lastModifiedMs: WIRE_LM + 999 }, EQ, true],
    ['mtime next second, date of previous second', { etag: ETAG, lastModifiedMs: WIRE_LM + 1000 }, EQ, false],
  ])('current validator edge: %s', (_label, current, ifRange, expected) => {
    expect(ifRangeAllowsPartial(ifRange, current, LATER)).toBe(expected);
  });

  it('a resuming client that echoes Last-Modified gets 206 iff the file is unchanged and was stable for 1 s', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4102444800000 }),
        fc.integer({ min: -3000, max: 3000 }),
        fc.integer({ min: 0, max: 5000 }),
        (lm, changeMs, dateDelta) => {
          const sent = formatHttpDate(lm);
          const current = { etag: ETAG, lastModifiedMs: lm + changeMs };
          const now = lm + changeMs + dateDelta;
          const wireNow = Math.floor((lm + changeMs) / 1000) * 1000;
          const expected = Math.floor(lm / 1000) === Math.floor((lm + changeMs) / 1000) && wireNow + 1000 <= now;
          expect(ifRangeAllowsPartial(sent, current, now)).toBe(expected);
        },
      ),
    );
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(typeof ifRangeAllowsPartial(s, CURRENT, LATER)).toBe('boolean');
      }),
    );
  });
});
