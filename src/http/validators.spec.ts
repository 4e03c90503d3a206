import fc from 'fast-check';
import {
  type EntityTag,
  formatHttpDate,
  parseETagList,
  parseEntityTag,
  parseHttpDate,
  strongCompare,
  strongETag,
  weakCompare,
} from './validators.js';

/** Reference epoch ms built with Date (independent from the implementation's arithmetic). */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const x = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  x.setUTCFullYear(y); // Date.UTC maps 0-99 to 1900-1999
  return x.getTime();
}

const RFC_EXAMPLE_MS = 784111777000; // Sun, 06 Nov 1994 08:49:37 GMT
const NOW_2024 = utc(2024, 6, 1); // fixed "now" for the RFC 850 two-digit-year rule

const strong = (tag: string): EntityTag => ({ weak: false, tag });
const weak = (tag: string): EntityTag => ({ weak: true, tag });

describe('strongETag', () => {
  test.each<[number | bigint, bigint, string]>([
    [0, 0n, '"0-0"'],
    [31, 0x17a2b3c4d5e6f70n, '"1f-17a2b3c4d5e6f70"'],
    [31n, 0x17a2b3c4d5e6f70n, '"1f-17a2b3c4d5e6f70"'],
    [Number.MAX_SAFE_INTEGER, 1n, '"1fffffffffffff-1"'],
    [2n ** 64n, 1_700_000_000_123_456_789n, `"10000000000000000-${1_700_000_000_123_456_789n.toString(16)}"`],
    [1, -1_000_000_000n, '"1--3b9aca00"'], // pre-1970 mtime: '-' is a valid etagc
  ])('strongETag(%p, %p) = %s', (size, mtimeNs, expected) => {
    expect(strongETag(size, mtimeNs)).toBe(expected);
  });

  test.each<[number | bigint]>([[-1], [-1n], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 53]])(
    'rejects invalid size %p',
    (size) => {
      expect(() => strongETag(size, 0n)).toThrow(RangeError);
    },
  );

  it('is a valid strong entity-tag and injective in (size, mtimeNs)', () => {
    const size = fc.bigInt({ min: 0n, max: 2n ** 70n });
    const mtime = fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n });
    fc.assert(
      fc.property(size, mtime, size, mtime, (s1, m1, s2, m2) => {
        const e1 = strongETag(s1, m1);
        expect(parseEntityTag(e1)).toEqual(strong(e1));
        if (s1 !== s2 || m1 !== m2) expect(strongETag(s2, m2)).not.toBe(e1);
      }),
    );
  });
});

describe('parseEntityTag', () => {
  test.each<[string, EntityTag | undefined]>([
    ['"abc"', strong('"abc"')],
    ['W/"abc"', weak('"abc"')],
    ['""', strong('""')],
    ['W/""', weak('""')],
    ['"a,b"', strong('"a,b"')], // comma is etagc
    ['"a\\"', strong('"a\\"')], // backslash is etagc, no escaping in entity-tags
    ['"!#~"', strong('"!#~"')],
    ['"\x80\xff"', strong('"\x80\xff"')], // obs-text
    ['"é"', strong('"é"')], // U+00E9 is obs-text (latin1-decoded field)
    ['abc', undefined], // unquoted
    ['W/abc', undefined],
    ['"abc', undefined],
    ['abc"', undefined],
    ['"a"b"', undefined], // embedded quote
    ['"a\\"b"', undefined], // quote cannot be escaped
    ['"a b"', undefined], // SP is not etagc
    ['"a\tb"', undefined],
    ['" "', undefined],
    [' "abc"', undefined], // no surrounding whitespace
    ['"abc" ', undefined],
    ['w/"abc"', undefined], // weak = %s"W/" is case-sensitive
    ['W/ "abc"', undefined],
    ['W/W/"abc"', undefined],
    ['"abc"W/', undefined],
    ['"a\x7f"', undefined], // DEL
    ['"a\x00"', undefined],
    ['"\u0100"', undefined], // above obs-text
    ['"😀"', undefined],
    ['*', undefined],
    ['', undefined],
    ['"a", "b"', undefined], // a list is not one tag
  ])('parseEntityTag(%j) = %j', (input, expected) => {
    expect(parseEntityTag(input)).toEqual(expected);
  });
});

describe('parseETagList', () => {
  test.each<[string, '*' | EntityTag[] | undefined]>([
    ['*', '*'],
    [' * ', '*'],
    ['\t*\t', '*'],
    ['"a"', [strong('"a"')]],
    ['W/"a"', [weak('"a"')]],
    ['"a", "b"', [strong('"a"'), strong('"b"')]],
    ['"a","b"', [strong('"a"'), strong('"b"')]],
    ['"a" ,\t"b"', [strong('"a"'), strong('"b"')]],
    ['W/"a", "b", W/"c"', [weak('"a"'), strong('"b"'), weak('"c"')]],
    [', "a",, "b" ,', [strong('"a"'), strong('"b"')]], // empty elements ignored
    ['  "a"  ', [strong('"a"')]],
    ['"a,b"', [strong('"a,b"')]], // comma inside a tag is not a separator
    ['"a,b", W/"c,"', [strong('"a,b"'), weak('"c,"')]],
    ['"a", "a"', [strong('"a"'), strong('"a"')]],
    ['', []],
    [' ', []],
    [',', []],
    [' , ,\t, ', []],
    ['*, "a"', undefined], // '*' only as the whole value
    ['"a", *', undefined],
    ['*, *', undefined],
    ['**', undefined],
    ['a', undefined],
    ['"a", b', undefined],
    ['"a" "b"', undefined], // missing comma
    ['"a""b"', undefined],
    ['"a"b', undefined],
    ['"a', undefined],
    ['"a", "b', undefined],
    ['W/ "a"', undefined],
    ['w/"a"', undefined],
    ['"a b"', undefined],
    ['"a"\n', undefined], // LF is not OWS
    ['\r\n"a"', undefined],
    ['"a";q=1', undefined],
  ])('parseETagList(%j) = %j', (input, expected) => {
    expect(parseETagList(input)).toEqual(expected);
  });

  it('never throws on arbitrary strings', () => {
    const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const tokens = fc.constantFrom('"', 'W/', ',', ' ', '\t', '*', 'a', '\x80', '\x7f');
    for (const unit of [anyUnit, tokens, 'binary' as const]) {
      fc.assert(
        fc.property(fc.string({ unit }), (s) => {
          const r = parseETagList(s);
          expect(r === undefined || r === '*' || Array.isArray(r)).toBe(true);
        }),
      );
    }
  });

  it('round-trips generated lists with arbitrary OWS and empty elements', () => {
    const etagc = fc.constantFrom('a', 'Z', '0', '!', '#', ',', '\\', '~', '\x80', '\xff', '-');
    const tag = fc.record({ weak: fc.boolean(), tag: fc.string({ unit: etagc }).map((s) => `"${s}"`) });
    const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 });
    const sep = fc.tuple(ows, fc.integer({ min: 1, max: 3 }), ows).map(([a, n, b]) => a + ','.repeat(n) + b);
    fc.assert(
      fc.property(fc.array(tag, { minLength: 1 }), ows, ows, fc.array(sep, { minLength: 20, maxLength: 20 }), (tags, lead, trail, seps) => {
        const value = lead + tags.map((t, i) => (i > 0 ? seps[i % seps.length] : '') + (t.weak ? 'W/' : '') + t.tag).join('') + trail;
        expect(parseETagList(value)).toEqual(tags);
      }),
    );
  });
});

describe('strongCompare / weakCompare (RFC 9110 §8.8.3.2 table)', () => {
  test.each<[EntityTag, EntityTag, boolean, boolean]>([
    [weak('"1"'), weak('"1"'), false, true],
    [weak('"1"'), weak('"2"'), false, false],
    [weak('"1"'), strong('"1"'), false, true],
    [strong('"1"'), weak('"1"'), false, true],
    [strong('"1"'), strong('"1"'), true, true],
    [strong('"1"'), strong('"2"'), false, false],
    [strong('"a"'), strong('"A"'), false, false], // opaque-tags are case-sensitive
    [strong('"abc"'), strong('"ab"'), false, false], // no prefix/substring matching
  ])('%j vs %j: strong=%p weak=%p', (a, b, s, w) => {
    expect(strongCompare(a, b)).toBe(s);
    expect(weakCompare(a, b)).toBe(w);
    expect(strongCompare(b, a)).toBe(s);
    expect(weakCompare(b, a)).toBe(w);
  });
});

describe('formatHttpDate', () => {
  test.each<[number, string]>([
    [RFC_EXAMPLE_MS, 'Sun, 06 Nov 1994 08:49:37 GMT'],
    [RFC_EXAMPLE_MS + 999, 'Sun, 06 Nov 1994 08:49:37 GMT'], // sub-second truncated
    [RFC_EXAMPLE_MS + 999.9, 'Sun, 06 Nov 1994 08:49:37 GMT'],
    [0, 'Thu, 01 Jan 1970 00:00:00 GMT'],
    [-1, 'Wed, 31 Dec 1969 23:59:59 GMT'], // floor, not truncation toward zero
    [-0.5, 'Wed, 31 Dec 1969 23:59:59 GMT'],
    [-1000, 'Wed, 31 Dec 1969 23:59:59 GMT'],
    [-1001, 'Wed, 31 Dec 1969 23:59:58 GMT'],
    [utc(2024, 2, 29), 'Thu, 29 Feb 2024 00:00:00 GMT'],
    [utc(0, 1, 1), 'Sat, 01 Jan 0000 00:00:00 GMT'],
    [utc(999, 12, 31, 23, 59, 59), `${new Date(utc(999, 12, 31)).toUTCString().slice(0, 3)}, 31 Dec 0999 23:59:59 GMT`],
    [utc(9999, 12, 31, 23, 59, 59), 'Fri, 31 Dec 9999 23:59:59 GMT'],
  ])('formatHttpDate(%p) = %s', (ms, expected) => {
    expect(formatHttpDate(ms)).toBe(expected);
  });

  test.each<[number]>([
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [Number.NEGATIVE_INFINITY],
    [utc(10000, 1, 1)],
    [utc(0, 1, 1) - 1],
    [8.64e15 + 1],
  ])('throws RangeError for %p', (ms) => {
    expect(() => formatHttpDate(ms)).toThrow(RangeError);
  });
});

describe('parseHttpDate', () => {
  test.each<[string, number]>([
    // The three formats of RFC 9110 §5.6.7
    ['Sun, 06 Nov 1994 08:49:37 GMT', RFC_EXAMPLE_MS],
    ['Sunday, 06-Nov-94 08:49:37 GMT', RFC_EXAMPLE_MS],
    ['Sun Nov  6 08:49:37 1994', RFC_EXAMPLE_MS],
    ['Sun Nov 06 08:49:37 1994', RFC_EXAMPLE_MS], // date3 allows 2DIGIT too
    ['Thu Nov 16 08:49:37 1995', utc(1995, 11, 16, 8, 49, 37)],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['Wed, 31 Dec 1969 23:59:59 GMT', -1000],
    ['Sat, 01 Jan 0000 00:00:00 GMT', utc(0, 1, 1)],
    ['Fri, 31 Dec 9999 23:59:59 GMT', utc(9999, 12, 31, 23, 59, 59)],
    // Leap years
    ['Thu, 29 Feb 2024 00:00:00 GMT', utc(2024, 2, 29)],
    ['Tue, 29 Feb 2000 00:00:00 GMT', utc(2000, 2, 29)], // divisible by 400
    ['Thu Feb 29 00:00:00 2024', utc(2024, 2, 29)],
    ['Thursday, 29-Feb-24 00:00:00 GMT', utc(2024, 2, 29)],
    ['Tue, 28 Feb 2023 00:00:00 GMT', utc(2023, 2, 28)],
    // Leap second (second = 00-60) is accepted only at 23:59:60 and clamped to :59
    ['Wed, 31 Dec 2008 23:59:60 GMT', utc(2008, 12, 31, 23, 59, 59)],
    ['Sat Dec 31 23:59:60 2016', utc(2016, 12, 31, 23, 59, 59)],
    // RFC 850 two-digit years, relative to now = 2024-06-01T00:00:00Z
    ['Monday, 01-Jan-74 00:00:00 GMT', utc(2074, 1, 1)], // < 50 years ahead → future
    ['Friday, 01-Jun-74 00:00:00 GMT', utc(2074, 6, 1)], // exactly 50 years ahead is not "more than"
    ['Saturday, 01-Jun-74 00:00:01 GMT', utc(1974, 6, 1, 0, 0, 1)], // > 50 years ahead → past century
    ['Saturday, 01-Jan-00 00:00:00 GMT', utc(2000, 1, 1)],
    ['Wednesday, 01-Jan-25 00:00:00 GMT', utc(2025, 1, 1)],
    ['Tuesday, 29-Feb-00 00:00:00 GMT', utc(2000, 2, 29)],
  ])('parseHttpDate(%j) = %p', (input, expected) => {
    expect(parseHttpDate(input, NOW_2024)).toBe(expected);
  });

  test.each<[string, number, number | undefined]>([
    ['Saturday, 01-Jan-01 00:00:00 GMT', utc(2099, 6, 1), utc(2101, 1, 1)], // next century is within 50 years
    ['Monday, 01-Jan-01 00:00:00 GMT', utc(2099, 6, 1), undefined], // 2001 rejected: 2101 is a Saturday
    ['Saturday, 29-Feb-44 00:00:00 GMT', utc(2094, 6, 1), utc(2144, 2, 29)],
    ['Monday, 29-Feb-00 00:00:00 GMT', utc(2060, 1, 1), undefined], // resolves to 2100: not a leap year
    ['Wednesday, 01-Mar-00 00:00:00 GMT', utc(1960, 1, 1), utc(2000, 3, 1)], // 40 years ahead: future
    ['Thursday, 01-Mar-00 00:00:00 GMT', utc(1960, 1, 1), undefined], // 1900 is not chosen
    ['Thursday, 01-Mar-00 00:00:00 GMT', utc(1940, 1, 1), utc(1900, 3, 1)], // 60 years ahead: past
  ])('two-digit year: parseHttpDate(%j, now=%p) = %p', (input, now, expected) => {
    expect(parseHttpDate(input, now)).toBe(expected);
  });

  test.each<[string, string]>([
    ['empty', ''],
    ['bare year (Date.parse accepts it)', '2024'],
    ['nonsense (Date.parse accepts it)', 'foo 1'],
    ['ISO 8601', '1994-11-06T08:49:37Z'],
    ['numeric offset', 'Sun, 06 Nov 1994 08:49:37 +0000'],
    ['lowercase gmt (GMT is %s"GMT", case-sensitive)', 'Sun, 06 Nov 1994 08:49:37 gmt'],
    ['UTC instead of GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
    ['missing GMT', 'Sun, 06 Nov 1994 08:49:37'],
    ['RFC 850 missing GMT', 'Sunday, 06-Nov-94 08:49:37'],
    ['RFC 850 lowercase gmt', 'Sunday, 06-Nov-94 08:49:37 gmt'],
    ['asctime with GMT', 'Sun Nov  6 08:49:37 1994 GMT'],
    ['lowercase day-name', 'sun, 06 Nov 1994 08:49:37 GMT'],
    ['uppercase day-name', 'SUN, 06 Nov 1994 08:49:37 GMT'],
    ['lowercase month', 'Sun, 06 nov 1994 08:49:37 GMT'],
    ['invalid day-name', 'Snu, 06 Nov 1994 08:49:37 GMT'],
    ['invalid month', 'Sun, 06 Nox 1994 08:49:37 GMT'],
    ['long day-name in IMF-fixdate', 'Sunday, 06 Nov 1994 08:49:37 GMT'],
    ['short day-name in RFC 850', 'Sun, 06-Nov-94 08:49:37 GMT'],
    ['long day-name in asctime', 'Sunday Nov  6 08:49:37 1994'],
    ['invalid long day-name', 'Sonday, 06-Nov-94 08:49:37 GMT'],
    ['day-name inconsistent with date', 'Mon, 06 Nov 1994 08:49:37 GMT'],
    ['day-name inconsistent (RFC 850)', 'Monday, 06-Nov-94 08:49:37 GMT'],
    ['day-name inconsistent (asctime)', 'Mon Nov  6 08:49:37 1994'],
    ['Feb 29 in a non-leap year', 'Fri, 29 Feb 2019 00:00:00 GMT'],
    ['Feb 29 in 1900 (century, not leap)', 'Thu, 29 Feb 1900 00:00:00 GMT'],
    ['Feb 29 non-leap asctime', 'Fri Feb 29 00:00:00 2019'],
    ['Feb 30', 'Sat, 30 Feb 2019 00:00:00 GMT'],
    ['Apr 31', 'Wed, 31 Apr 2019 00:00:00 GMT'],
    ['day 00', 'Sun, 00 Nov 1994 08:49:37 GMT'],
    ['day 32', 'Sun, 32 Jan 1994 08:49:37 GMT'],
    ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT'],
    ['minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT'],
    ['second 61', 'Sun, 06 Nov 1994 08:49:61 GMT'],
    ['leap second not at 23:59', 'Sun, 06 Nov 1994 08:49:60 GMT'],
    ['single-digit day in IMF-fixdate', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['single-digit hour', 'Sun, 06 Nov 1994 8:49:37 GMT'],
    ['two-digit year in IMF-fixdate', 'Sun, 06 Nov 94 08:49:37 GMT'],
    ['five-digit year', 'Sun, 06 Nov 01994 08:49:37 GMT'],
    ['negative year', 'Sun, 06 Nov -994 08:49:37 GMT'],
    ['four-digit year in RFC 850', 'Sunday, 06-Nov-1994 08:49:37 GMT'],
    ['asctime single space before 1-digit day', 'Sun Nov 6 08:49:37 1994'],
    ['asctime two-digit year', 'Sun Nov  6 08:49:37 94'],
    ['double space', 'Sun,  06 Nov 1994 08:49:37 GMT'],
    ['missing comma', 'Sun 06 Nov 1994 08:49:37 GMT'],
    ['tab separator', 'Sun,\t06 Nov 1994 08:49:37 GMT'],
    ['leading space', ' Sun, 06 Nov 1994 08:49:37 GMT'],
    ['trailing space', 'Sun, 06 Nov 1994 08:49:37 GMT '],
    ['trailing garbage', 'Sun, 06 Nov 1994 08:49:37 GMTx'],
    ['two members', 'Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT'],
    ['fractional seconds', 'Sun, 06 Nov 1994 08:49:37.5 GMT'],
    ['non-ASCII digits', 'Sun, ０6 Nov 1994 08:49:37 GMT'],
    ['Arabic-Indic digits', 'Sun, 06 Nov 1994 08:49:٣٧ GMT'],
  ])('rejects %s: %j', (_label, input) => {
    expect(parseHttpDate(input, NOW_2024)).toBeUndefined();
  });

  const MIN_S = utc(0, 1, 1) / 1000;
  const MAX_S = utc(9999, 12, 31, 23, 59, 59) / 1000;

  it('round-trips formatHttpDate for whole seconds in years 0000-9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_S, max: MAX_S }), (s) => {
        expect(parseHttpDate(formatHttpDate(s * 1000))).toBe(s * 1000);
      }),
      { numRuns: 2000 },
    );
  });

  it('formatHttpDate then parseHttpDate floors sub-second times', () => {
    fc.assert(
      fc.property(fc.double({ min: MIN_S * 1000, max: MAX_S * 1000 + 999, noNaN: true }), (ms) => {
        expect(parseHttpDate(formatHttpDate(ms))).toBe(Math.floor(ms / 1000) * 1000 + 0); // + 0 normalises -0
      }),
    );
  });

  it('agrees with toUTCString for 1970-2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: utc(2100, 1, 1) / 1000 }), (s) => {
        expect(formatHttpDate(s * 1000)).toBe(new Date(s * 1000).toUTCString());
      }),
    );
  });

  it('parses asctime and RFC 850 renderings of the same instant identically', () => {
    const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    // RFC 850 is only unambiguous within the 100-year window around "now"; stay well inside it.
    const lo = utc(1975, 1, 1) / 1000;
    const hi = utc(2073, 12, 31) / 1000;
    fc.assert(
      fc.property(fc.integer({ min: lo, max: hi }), (s) => {
        const d = new Date(s * 1000);
        const [dn, dd, mon, yyyy, time] = formatHttpDate(s * 1000)
          .replace(',', '')
          .split(' ');
        const asctime = `${dn} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} ${yyyy}`;
        const rfc850 = `${days[d.getUTCDay()]}, ${dd}-${mon}-${yyyy.slice(2)} ${time} GMT`;
        expect(parseHttpDate(asctime, NOW_2024)).toBe(s * 1000);
        expect(parseHttpDate(rfc850, NOW_2024)).toBe(s * 1000);
      }),
    );
  });

  it('never throws and only returns whole seconds', () => {
    const dateish = fc.constantFrom('Sun', 'Sunday', ',', ' ', '-', 'Nov', 'Feb', 'GMT', '0', '6', '9', '29', ':', '1994', '94');
    for (const unit of [dateish, 'binary' as const]) {
      fc.assert(
        fc.property(fc.string({ unit }), fc.integer({ min: -8.64e15, max: 8.64e15 }), (s, now) => {
          const r = parseHttpDate(s, now);
          if (r !== undefined) expect(Number.isInteger(r / 1000)).toBe(true);
        }),
      );
    }
  });
});
