import fc from 'fast-check';
import { type ByteRange, type RangeDecision, type RangeLimits, parseRangeHeader, totalRangeLength } from './range.js';

const FULL: RangeDecision = { kind: 'full' };
const UNSATISFIABLE: RangeDecision = { kind: 'unsatisfiable' };
const partial = (...pairs: Array<[number, number]>): RangeDecision => ({
  kind: 'partial',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});

const LIMITS: RangeLimits = { maxRanges: 10 };
const MAX = Number.MAX_SAFE_INTEGER;
const HUGE = '123456789012345678901234567890'; // 30 digits, far beyond 2^53

type Row = [header: string | undefined, size: number, expected: RangeDecision];

describe('parseRangeHeader', () => {
  describe('rule 1: absent or empty header', () => {
    it.each<Row>([
      [undefined, 10000, FULL],
      ['', 10000, FULL],
      ['   ', 10000, FULL],
      ['\t', 0, FULL],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rules 2 and 6: valid single ranges (RFC 9110 §14.1.1 examples)', () => {
    it.each<Row>([
      ['bytes=0-0', 10000, partial([0, 0])], // one byte, not the whole file
      ['bytes=0-499', 10000, partial([0, 499])],
      ['bytes=500-999', 10000, partial([500, 999])],
      ['bytes=500-', 10000, partial([500, 9999])],
      ['bytes=9500-', 10000, partial([9500, 9999])],
      ['bytes=-500', 10000, partial([9500, 9999])],
      ['bytes=-500', 100, partial([0, 99])], // suffix longer than the file: the whole file as 206
      ['bytes=-1', 10000, partial([9999, 9999])],
      ['bytes=0-99999', 10000, partial([0, 9999])], // last-pos clamped
      ['bytes=9999-9999', 10000, partial([9999, 9999])],
      ['bytes=999-', 1000, partial([999, 999])],
      ['bytes=007-010', 10000, partial([7, 10])], // leading zeros
      ['bytes=0-', 10000, partial([0, 9999])],
      ['bytes=-10000', 10000, partial([0, 9999])],
      ['bytes=-9999', 10000, partial([1, 9999])],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 2: range-unit is case-insensitive, surrounding whitespace trimmed', () => {
    it.each<Row>([
      ['BYTES=0-1', 10, partial([0, 1])],
      ['Bytes=0-1', 10, partial([0, 1])],
      ['bYtEs=0-1', 10, partial([0, 1])],
      ['  bytes=0-1  ', 10, partial([0, 1])],
      ['\tbytes=0-1\t', 10, partial([0, 1])],
      ['bytes=0-1\r\n', 10, FULL], // only SP / HTAB are trimmed
      ['\nbytes=0-1', 10, FULL],
      ['\u00a0bytes=0-1', 10, FULL], // NBSP is not OWS
      ['byte\u017f=0-1', 10, FULL], // LONG S is not an ASCII case variant of "s"
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 2: list rule (RFC 9110 §5.6.1) for range-set', () => {
    it.each<Row>([
      ['bytes=0-1,3-4', 10, partial([0, 1], [3, 4])],
      ['bytes=0-1,,3-4', 10, partial([0, 1], [3, 4])],
      ['bytes=, 0-1', 10, partial([0, 1])],
      ['bytes=,0-1', 10, partial([0, 1])],
      ['bytes= ,0-1', 10, partial([0, 1])], // empty first element, then OWS ","
      ['bytes=0-1,', 10, partial([0, 1])],
      ['bytes=0-1 ,', 10, partial([0, 1])],
      ['bytes=0-1 , 3-4', 10, partial([0, 1], [3, 4])],
      ['bytes=0-1\t,\t3-4', 10, partial([0, 1], [3, 4])],
      ['bytes=0-1 ,\t ,  3-4', 10, partial([0, 1], [3, 4])],
      ['bytes=,,,0-1,,,', 10, partial([0, 1])],
      ['bytes=', 10, FULL], // 1#: at least one non-empty element
      ['bytes=,', 10, FULL],
      ['bytes=, ,', 10, FULL],
      ['bytes= ', 10, FULL],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 3: unknown range units are ignored (RFC 9110 §14.2)', () => {
    it.each<Row>([
      ['items=0-1', 10, FULL],
      ['none=0-1', 10, FULL],
      ['bytes2=0-1', 10, FULL],
      ['byte=0-1', 10, FULL],
      ['b ytes=0-1', 10, FULL],
      ['=0-1', 10, FULL],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 4: syntactically invalid headers are ignored', () => {
    it.each<Row>([
      ['bytes=1-0', 10, FULL], // last-pos < first-pos is invalid (§14.1.1)
      ['bytes=5-4', 10, FULL],
      ['bytes=0-1,5-4', 10, FULL], // one invalid spec invalidates the whole header
      ['bytes=20-,5-4', 10, FULL], // invalid wins over unsatisfiable
      ['bytes=abc', 10, FULL],
      ['bytes0-1', 10, FULL],
      ['bytes', 10, FULL],
      ['bytes=--1', 10, FULL],
      ['bytes=-', 10, FULL],
      ['bytes=1', 10, FULL],
      ['bytes=1-2-3', 10, FULL],
      ['bytes=+1-2', 10, FULL],
      ['bytes=1-+2', 10, FULL],
      ['bytes=-+1', 10, FULL],
      ['bytes=-1-', 10, FULL],
      ['bytes=1.5-2', 10, FULL],
      ['bytes=1-2.0', 10, FULL],
      ['bytes=0x10-', 100, FULL],
      ['bytes=1e2-', 1000, FULL],
      ['bytes=\uff10-1', 10, FULL], // fullwidth digit zero
      ['bytes=\u0661-2', 10, FULL], // arabic-indic digit one
      ['bytes = 0-1', 10, FULL], // no whitespace around "="
      ['bytes =0-1', 10, FULL],
      ['bytes= 0-1', 10, FULL],
      ['bytes==0-1', 10, FULL],
      ['bytes=0-1=2', 10, FULL],
      ['bytes=0 -1', 10, FULL], // no whitespace inside a spec
      ['bytes=0- 1', 10, FULL],
      ['bytes=- 1', 10, FULL],
      ['bytes=0-1;3-4', 10, FULL],
      ['bytes=0-1,abc', 10, FULL],
      ['bytes=0-1\u0000', 10, FULL],
      ['bytes=0-1, 2-3 x', 10, FULL],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 5: numbers beyond Number.MAX_SAFE_INTEGER', () => {
    it.each<Row>([
      [`bytes=${HUGE}-`, 10000, UNSATISFIABLE],
      [`bytes=${HUGE}-${HUGE}`, 10000, UNSATISFIABLE],
      [`bytes=0-${HUGE}`, 10000, partial([0, 9999])],
      [`bytes=-${HUGE}`, 10000, partial([0, 9999])],
      [`bytes=-${HUGE}`, MAX, partial([0, MAX - 1])],
      ['bytes=99999999999999999999-5', 10000, FULL], // last < first even though first is huge
      ['bytes=5-99999999999999999999', 10000, partial([5, 9999])],
      ['bytes=99999999999999999999-99999999999999999998', 10000, FULL], // exact comparison
      ['bytes=99999999999999999998-99999999999999999999', 10000, UNSATISFIABLE],
      ['bytes=9007199254740992-9007199254740991', MAX, FULL], // just across the safe boundary
      ['bytes=9007199254740991-', MAX, UNSATISFIABLE],
      ['bytes=9007199254740990-', MAX, partial([MAX - 1, MAX - 1])],
      ['bytes=9007199254740990-9007199254740993', MAX, partial([MAX - 1, MAX - 1])],
      ['bytes=-9007199254740993', MAX, partial([0, MAX - 1])],
      ['bytes=-0000000000000000000000000001', 10000, partial([9999, 9999])],
      ['bytes=000000000000000000000000005-0000000000000000000009', 10000, partial([5, 9])],
      [`bytes=0-0,${HUGE}-`, 10000, partial([0, 0])],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 6: satisfiability (RFC 9110 §14.1.1, §15.5.17)', () => {
    it.each<Row>([
      ['bytes=9500-', 9000, UNSATISFIABLE],
      ['bytes=1000-', 1000, UNSATISFIABLE],
      ['bytes=1000-2000', 1000, UNSATISFIABLE],
      ['bytes=-0', 10000, UNSATISFIABLE],
      ['bytes=-000', 10000, UNSATISFIABLE],
      ['bytes=-0,-0', 10000, UNSATISFIABLE],
      ['bytes=-0,0-1', 10000, partial([0, 1])],
      ['bytes=2000-,0-1', 1000, partial([0, 1])], // unsatisfiable specs are dropped
      ['bytes=2000-,3000-', 1000, UNSATISFIABLE],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 6: size 0 and size 1', () => {
    it.each<Row>([
      ['bytes=0-', 0, UNSATISFIABLE],
      ['bytes=0-0', 0, UNSATISFIABLE],
      ['bytes=0-99', 0, UNSATISFIABLE],
      ['bytes=-0', 0, UNSATISFIABLE],
      ['bytes=-5', 0, FULL], // satisfiable per §14.1.1, but a 206 of zero bytes is inexpressible
      ['bytes=-1', 0, FULL],
      [`bytes=-${HUGE}`, 0, FULL],
      ['bytes=0-,-5', 0, FULL],
      ['bytes=0-,-0', 0, UNSATISFIABLE],
      ['items=0-', 0, FULL],
      ['bytes=1-0', 0, FULL],
      ['bytes=0-', 1, partial([0, 0])],
      ['bytes=0-0', 1, partial([0, 0])],
      ['bytes=0-5', 1, partial([0, 0])],
      ['bytes=-1', 1, partial([0, 0])],
      ['bytes=-5', 1, partial([0, 0])],
      ['bytes=1-', 1, UNSATISFIABLE],
      ['bytes=-0', 1, UNSATISFIABLE],
      ['bytes=0-0,-1', 1, FULL], // two copies of the single byte
      ['bytes=0-0,1-', 1, partial([0, 0])],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 7: more bytes than one copy of the representation', () => {
    it.each<Row>([
      ['bytes=0-,0-', 100, FULL],
      ['bytes=0-59,40-99', 100, FULL],
      ['bytes=-60,0-59', 100, FULL],
      ['bytes=0-99999,-1', 10000, FULL], // lengths are counted after clamping
      ['bytes=0-49,50-99', 100, partial([0, 99])], // exactly one copy is fine
      ['bytes=0-49,25-74', 100, partial([0, 74])], // overlap, but 100 bytes in total
      ['bytes=0-99,200-300', 100, partial([0, 99])], // unsatisfiable specs do not count
      [`bytes=0-,-${HUGE}`, MAX, FULL],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 8: coalescing, in request order (RFC 9110 §15.3.7.2)', () => {
    it.each<Row>([
      ['bytes=0-5,3-8', 100, partial([0, 8])], // overlapping
      ['bytes=0-4,5-9', 100, partial([0, 9])], // adjacent
      ['bytes=0-3,5-6', 100, partial([0, 3], [5, 6])], // a one-byte gap stays a gap
      ['bytes=50-59,0-9', 100, partial([50, 59], [0, 9])], // parts keep the request's order
      ['bytes=0-9,2-3', 100, partial([0, 9])], // contained
      ['bytes=2-3,0-9', 100, partial([0, 9])], // containing, listed second
      ['bytes=0-1,3-4,2-2', 100, partial([0, 4])], // a middle range bridges two
      ['bytes=-2,0-1', 10, partial([8, 9], [0, 1])],
      ['bytes=50-59,0-9,55-70', 100, partial([50, 70], [0, 9])], // a merged range sits where its first member was
      ['bytes=50-59,0-9,5-20', 100, partial([50, 59], [0, 20])],
      ['bytes=-5,0-4', 10, partial([0, 9])], // suffix adjacent to an int-range
      ['bytes=8-,-3', 100, partial([8, 99])], // 92 + 3 bytes, coalesced
      ['bytes=9-9,7-7,5-5,3-3,1-1', 100, partial([9, 9], [7, 7], [5, 5], [3, 3], [1, 1])],
      ['bytes=4-4,3-3,2-2,1-1,0-0', 100, partial([0, 4])],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  describe('rule 7: maxRanges', () => {
    type LimitRow = [header: string, size: number, maxRanges: number, expected: RangeDecision];
    it.each<LimitRow>([
      ['bytes=0-0,2-2,4-4', 100, 3, partial([0, 0], [2, 2], [4, 4])],
      ['bytes=0-0,2-2,4-4,6-6', 100, 3, FULL],
      ['bytes=0-0,,2-2, ,4-4,', 100, 3, partial([0, 0], [2, 2], [4, 4])], // empties do not count
      ['bytes=0-0,200-,300-,400-', 100, 3, FULL], // unsatisfiable specs count
      ['bytes=0-0,0-0', 100, 1, FULL], // counted before coalescing
      ['bytes=0-0', 100, 1, partial([0, 0])],
      ['bytes=0-0', 100, 0, FULL],
      ['bytes=0-0', 100, Number.NaN, FULL],
      ['bytes=1-0,2-2', 100, 1, FULL],
    ])('%j on size %d with maxRanges %d', (header, size, maxRanges, expected) => {
      expect(parseRangeHeader(header, size, { maxRanges })).toEqual(expected);
    });
  });

  describe('sizes that are not a representation length are served in full', () => {
    it.each<Row>([
      ['bytes=0-0', -1, FULL],
      ['bytes=0-0', 1.5, FULL],
      ['bytes=0-0', Number.NaN, FULL],
      ['bytes=0-0', Number.POSITIVE_INFINITY, FULL],
      ['bytes=0-0', MAX + 1, FULL],
    ])('%j on size %d', (header, size, expected) => {
      expect(parseRangeHeader(header, size, LIMITS)).toEqual(expected);
    });
  });

  it('does not share range arrays between calls', () => {
    const first = parseRangeHeader('bytes=0-1', 10, LIMITS);
    if (first.kind === 'partial') first.ranges[0].end = 9;
    expect(parseRangeHeader('bytes=0-1', 10, LIMITS)).toEqual(partial([0, 1]));
  });

  it('handles a long run of whitespace in linear time', () => {
    const spaces = ' '.repeat(200_000);
    const started = Date.now();
    expect(parseRangeHeader(`bytes=0-1,${spaces}x${spaces}`, 10, LIMITS)).toEqual(FULL);
    expect(parseRangeHeader(`bytes=0-1${spaces}x`, 10, LIMITS)).toEqual(FULL);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('totalRangeLength', () => {
  it.each<[ranges: ByteRange[], expected: number]>([
    [[], 0],
    [[{ start: 0, end: 0 }], 1],
    [[{ start: 0, end: 499 }], 500],
    [
      [
        { start: 0, end: 9 },
        { start: 20, end: 29 },
      ],
      20,
    ],
    [[{ start: 0, end: MAX - 1 }], MAX],
  ])('%j → %d', (ranges, expected) => {
    expect(totalRangeLength(ranges)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based tests
// ---------------------------------------------------------------------------------------------

/** A generated decimal number: the digits sent on the wire and their exact value. */
interface GeneratedNumber {
  digits: string;
  value: bigint;
}

type GeneratedSpec =
  { kind: 'int-range'; first: GeneratedNumber; last: GeneratedNumber | undefined } | { kind: 'suffix-range'; length: GeneratedNumber };

function decimalArb(smallMax: number): fc.Arbitrary<GeneratedNumber> {
  const leadingZeros = fc.string({ unit: fc.constant('0'), maxLength: 3 });
  const small = fc.nat({ max: smallMax }).map(BigInt);
  const huge = fc.bigInt({ min: 2n ** 53n - 3n, max: 10n ** 30n });
  return fc
    .tuple(leadingZeros, fc.oneof({ weight: 4, arbitrary: small }, { weight: 1, arbitrary: huge }))
    .map(([zeros, value]) => ({ digits: zeros + value.toString(), value }));
}

function specArb(smallMax: number): fc.Arbitrary<GeneratedSpec> {
  const decimal = decimalArb(smallMax);
  return fc.oneof(
    fc.record({ kind: fc.constant('int-range' as const), first: decimal, last: fc.option(decimal, { nil: undefined }) }),
    fc.record({ kind: fc.constant('suffix-range' as const), length: decimal }),
  );
}

function renderSpec(spec: GeneratedSpec): string {
  return spec.kind === 'int-range' ? `${spec.first.digits}-${spec.last?.digits ?? ''}` : `-${spec.length.digits}`;
}

const owsArb = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 });

interface GeneratedElement {
  spec: GeneratedSpec | undefined; // undefined: an empty list element
  before: string;
  after: string;
}

interface GeneratedHeader {
  unit: string;
  elements: GeneratedElement[];
  outer: [string, string];
}

function headerArb(smallMax: number, maxElements: number): fc.Arbitrary<GeneratedHeader> {
  const element = fc.record({
    spec: fc.option(specArb(smallMax), { nil: undefined, freq: 5 }),
    before: owsArb,
    after: owsArb,
  });
  return fc.record({
    unit: fc.mixedCase(fc.constant('bytes')),
    elements: fc.array(element, { minLength: 1, maxLength: maxElements }),
    outer: fc.tuple(owsArb, owsArb),
  });
}

/** The header as a client might send it: OWS only where the grammar allows it. */
function renderHeader({ unit, elements, outer }: GeneratedHeader): string {
  const last = elements.length - 1;
  const rangeSet = elements
    .map(({ spec, before, after }, index) => {
      const text = spec === undefined ? '' : renderSpec(spec);
      return (index === 0 ? '' : before) + text + (index === last ? '' : after);
    })
    .join(',');
  return `${outer[0]}${unit}=${rangeSet}${outer[1]}`;
}

function specsOf(header: GeneratedHeader): GeneratedSpec[] {
  return header.elements.flatMap(({ spec }) => (spec === undefined ? [] : [spec]));
}

/** The same request without casing, whitespace or empty elements. */
function renderCanonical(specs: readonly GeneratedSpec[]): string {
  return `bytes=${specs.map(renderSpec).join(',')}`;
}

const sizeArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.nat({ max: 20000 }), fc.maxSafeNat());
const maxRangesArb = fc.integer({ min: 0, max: 10 });

function expectWellFormed(decision: RangeDecision, size: number, maxRanges: number): void {
  expect(['full', 'unsatisfiable', 'partial']).toContain(decision.kind);
  if (decision.kind !== 'partial') return;
  const { ranges } = decision;
  expect(ranges.length).toBeGreaterThanOrEqual(1);
  expect(ranges.length).toBeLessThanOrEqual(maxRanges);
  for (const { start, end } of ranges) {
    expect(Number.isSafeInteger(start) && Number.isSafeInteger(end)).toBe(true);
    expect(0 <= start && start <= end && end < size).toBe(true);
  }
  const ascending = [...ranges].sort((a, b) => a.start - b.start);
  for (let index = 1; index < ascending.length; index++) {
    // Non-overlapping and non-adjacent.
    expect(ascending[index].start).toBeGreaterThan(ascending[index - 1].end + 1);
  }
  expect(totalRangeLength(ranges)).toBeLessThanOrEqual(size);
}

/** The byte positions a single spec selects, by brute force over [0, size). */
function selectedBytes(spec: GeneratedSpec, size: number): number[] {
  const selected: number[] = [];
  for (let position = 0; position < size; position++) {
    const at = BigInt(position);
    const isSelected =
      spec.kind === 'int-range'
        ? spec.first.value <= at && (spec.last === undefined || at <= spec.last.value)
        : BigInt(size) - at <= spec.length.value;
    if (isSelected) selected.push(position);
  }
  return selected;
}

/** Maximal runs of consecutive positions in a sorted set. */
function runsOf(sortedPositions: readonly number[]): ByteRange[] {
  const runs: ByteRange[] = [];
  for (const position of sortedPositions) {
    const previous = runs[runs.length - 1];
    if (previous !== undefined && previous.end + 1 === position) previous.end = position;
    else runs.push({ start: position, end: position });
  }
  return runs;
}

function inAscendingOrder<T extends RangeDecision>(decision: T): T {
  return decision.kind === 'partial' ? { ...decision, ranges: [...decision.ranges].sort((a, b) => a.start - b.start) } : decision;
}

function coveredBytes(ranges: readonly ByteRange[]): number[] {
  return ranges.flatMap(({ start, end }) => Array.from({ length: end - start + 1 }, (_, offset) => start + offset));
}

/** A deliberately naive reference: the rules read literally, one byte at a time. */
function referenceDecision(specs: readonly GeneratedSpec[], size: number, maxRanges: number): RangeDecision {
  const isInvalid = specs.some((spec) => spec.kind === 'int-range' && spec.last !== undefined && spec.last.value < spec.first.value);
  if (specs.length === 0 || isInvalid || specs.length > maxRanges) return FULL;
  const hasEmptySatisfiableSuffix = size === 0 && specs.some((spec) => spec.kind === 'suffix-range' && spec.length.value > 0n);
  if (hasEmptySatisfiableSuffix) return FULL;
  const selections = specs.map((spec) => selectedBytes(spec, size));
  const union = [...new Set(selections.flat())].sort((a, b) => a - b);
  if (union.length === 0) return UNSATISFIABLE;
  const requestedBytes = selections.reduce((total, selection) => total + selection.length, 0);
  if (requestedBytes > size) return FULL;
  return { kind: 'partial', ranges: runsOf(union) };
}

describe('parseRangeHeader properties', () => {
  it('(a) never throws and always answers one of the three kinds, for any string', () => {
    const rangeishAlphabet = fc.constantFrom(...'bytesBYTES=-,0123456789 \t+.x\uff10'.split(''));
    const anyHeader = fc.oneof(
      fc.constant(undefined),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: rangeishAlphabet, maxLength: 40 }),
      fc.string({ unit: rangeishAlphabet, maxLength: 40 }).map((rest) => `bytes=${rest}`),
    );
    fc.assert(
      fc.property(anyHeader, sizeArb, maxRangesArb, (header, size, maxRanges) => {
        const decision = parseRangeHeader(header, size, { maxRanges });
        expectWellFormed(decision, size, maxRanges);
      }),
      { numRuns: 10000 },
    );
  });

  it('(a) never throws for arbitrary numeric inputs', () => {
    fc.assert(
      fc.property(fc.string(), fc.double(), fc.double(), (header, size, maxRanges) => {
        const decision = parseRangeHeader(header, size, { maxRanges });
        expect(['full', 'unsatisfiable', 'partial']).toContain(decision.kind);
      }),
      { numRuns: 3000 },
    );
  });

  it('(b) grammar-generated headers give well-formed, bounded decisions', () => {
    fc.assert(
      fc.property(headerArb(30000, 12), sizeArb, maxRangesArb, (header, size, maxRanges) => {
        const decision = parseRangeHeader(renderHeader(header), size, { maxRanges });
        expectWellFormed(decision, size, maxRanges);
        if (decision.kind === 'partial') expect(decision.ranges.length).toBeLessThanOrEqual(specsOf(header).length);
      }),
      { numRuns: 5000 },
    );
  });

  it('(b) unit casing, OWS and empty list elements never change the decision', () => {
    fc.assert(
      fc.property(headerArb(30000, 12), sizeArb, maxRangesArb, (header, size, maxRanges) => {
        const limits = { maxRanges };
        const canonical = parseRangeHeader(renderCanonical(specsOf(header)), size, limits);
        expect(parseRangeHeader(renderHeader(header), size, limits)).toEqual(canonical);
      }),
      { numRuns: 5000 },
    );
  });

  it('(c) a single well-formed range matches the byte-by-byte reference', () => {
    fc.assert(
      fc.property(specArb(40), fc.integer({ min: 0, max: 32 }), (spec, size) => {
        const expected = referenceDecision([spec], size, 1);
        expect(parseRangeHeader(`bytes=${renderSpec(spec)}`, size, { maxRanges: 1 })).toEqual(expected);
      }),
      { numRuns: 10000 },
    );
  });

  it('(d) multiple ranges: same decision as the reference, and coalescing keeps exactly the covered bytes', () => {
    fc.assert(
      fc.property(headerArb(40, 6), fc.integer({ min: 0, max: 32 }), maxRangesArb, (header, size, maxRanges) => {
        const specs = specsOf(header);
        const decision = parseRangeHeader(renderHeader(header), size, { maxRanges });
        expect(inAscendingOrder(decision)).toEqual(referenceDecision(specs, size, maxRanges));
        if (decision.kind === 'partial') {
          const selections = specs.map((spec) => selectedBytes(spec, size));
          const requested = new Set(selections.flat());
          expect(coveredBytes(inAscendingOrder(decision).ranges)).toEqual([...requested].sort((a, b) => a - b));
          // Request order: each part sits where the first range-spec it covers was listed.
          const firstListed = decision.ranges.map((range) =>
            selections.findIndex((selection) => selection.some((byte) => range.start <= byte && byte <= range.end)),
          );
          expect(firstListed).toEqual([...firstListed].sort((a, b) => a - b));
        }
      }),
      { numRuns: 5000 },
    );
  });
});
