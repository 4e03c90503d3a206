import fc from 'fast-check';
import { compareCodePoints, compareKeys, decodeCursor, encodeCursor, nameIsAfter, SmallestNames, type EntryKey } from './listing.js';

describe('compareCodePoints', () => {
  test.each<[string, string, number]>([
    ['a', 'b', -1],
    ['B', 'a', -1], // upper case first, as in code-point order
    ['a', 'a', 0],
    ['a', 'ab', -1],
    ['a-b', 'a/b', -1],
    ['\uffff', '\u{10000}', -1], // UTF-16 code units would say the opposite
    ['\ue000', '\ud83d\ude00', -1],
    ['\ud7ff', '\ue000', -1],
  ])('%j vs %j', (a, b, sign) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(sign);
    expect(Math.sign(compareCodePoints(b, a))).toBe(0 - sign);
  });

  it('agrees with UTF-8 byte order on any strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
    );
  });
});

describe('compareKeys and nameIsAfter', () => {
  it('puts the file before the folder of the same name', () => {
    expect(compareKeys({ name: 'a', type: 'file' }, { name: 'a', type: 'folder' })).toBeLessThan(0);
    expect(compareKeys({ name: 'a', type: 'folder' }, { name: 'a-b', type: 'file' })).toBeLessThan(0);
  });

  test.each<[string, EntryKey | undefined, boolean]>([
    ['b', { name: 'a', type: 'folder' }, true],
    ['a', { name: 'a', type: 'folder' }, false],
    ['a', { name: 'a', type: 'file' }, true], // its folder entry may follow
    ['0', { name: 'a', type: 'file' }, false],
    ['a', undefined, true],
  ])('%j after %j: %s', (name, cursor, expected) => {
    expect(nameIsAfter(name, cursor)).toBe(expected);
  });
});

describe('cursor', () => {
  it('round-trips any plain name of either type', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((name) => !name.includes('/') && !name.includes('\0')),
        fc.constantFrom<'file' | 'folder'>('file', 'folder'),
        (name, type) => {
          const cursor = encodeCursor({ name, type });
          expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(decodeCursor(cursor)).toEqual({ name, type });
        },
      ),
    );
  });

  test.each<[string, string]>([
    ['empty', ''],
    ['padding', `${encodeCursor({ name: 'ab', type: 'file' })}=`],
    ['standard base64 characters', '+/+/'],
    ['non-canonical trailing bits', 'ZjphYh'], // "f:ab" is ZjphYg: same bytes, other unused low bits
    ['invalid UTF-8', Buffer.from([0x66, 0x3a, 0xff]).toString('base64url')],
    ['an unknown tag', Buffer.from('x:name').toString('base64url')],
    ['an empty name', Buffer.from('f:').toString('base64url')],
    ['a slash', Buffer.from('f:a/b').toString('base64url')],
    ['a NUL', Buffer.from('d:a\0').toString('base64url')],
    ['far too long', 'A'.repeat(100_000)],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe('SmallestNames (the bounded selection of a page)', () => {
  const shuffled = (count: number): string[] => {
    const names = Array.from({ length: count }, (_, i) => `file-${String(i).padStart(6, '0')}`);
    for (let i = names.length - 1; i > 0; i--) {
      const j = (i * 7919 + 13) % (i + 1);
      [names[i], names[j]] = [names[j], names[i]];
    }
    return names;
  };

  it('keeps the smallest distinct names, sorted, whatever the order offered', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4 })), fc.integer({ min: 0, max: 20 }), (names, capacity) => {
        const selection = new SmallestNames(capacity);
        for (const name of names) selection.offer(name);
        const expected = [...new Set(names)].sort(compareCodePoints).slice(0, capacity);
        expect(selection.sorted()).toEqual(expected);
      }),
    );
  });

  it('never keeps a name twice when several roots offer it', () => {
    const selection = new SmallestNames(3);
    for (const name of ['b', 'a', 'c', 'a', 'b', 'd', 'a']) selection.offer(name);
    expect(selection.sorted()).toEqual(['a', 'b', 'c']);
  });

  it('costs about one comparison per name, not a sort, on a 100,000-name folder', () => {
    const names = shuffled(100_000);
    let comparisons = 0;
    const counting = (a: string, b: string) => {
      comparisons++;
      return compareCodePoints(a, b);
    };
    const selection = new SmallestNames(1001, counting);
    for (const name of names) selection.offer(name);
    expect(selection.sorted()[0]).toBe('file-000000');
    // A sort of the folder would take about N log2 N = 1.7 million comparisons. The selection
    // takes N for the names rejected at the top, plus about 2 log2(1001) = 20 for each name that
    // enters the heap (a few thousand in a shuffled folder), plus the final sort of the page.
    expect(comparisons).toBeLessThan(2 * names.length);
  });
});
