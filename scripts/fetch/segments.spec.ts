import { completedBytes, pendingSegments, planSegments, remainingRange } from './segments.js';

describe('planSegments', () => {
  test.each([
    [10, 1, [[0, 9]]],
    [
      10,
      3,
      [
        [0, 3],
        [4, 7],
        [8, 9],
      ],
    ],
    [10, 10, Array.from({ length: 10 }, (_, i) => [i, i])],
    [
      3,
      8,
      [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
    ],
    [1, 1, [[0, 0]]],
  ])('covers %i bytes in %i segments, in order, without gaps or overlaps', (size, count, expected) => {
    const segments = planSegments(size, count);
    expect(segments.map(({ start, end }) => [start, end])).toEqual(expected);
    expect(segments.every((segment) => segment.done === 0)).toBe(true);
  });

  it('tiles any size exactly', () => {
    for (const [size, count] of [
      [1_000_003, 8],
      [7, 64],
      [64, 64],
      [2 ** 40 + 1, 16],
    ]) {
      const segments = planSegments(size, count);
      expect(segments[0].start).toBe(0);
      expect(segments[segments.length - 1].end).toBe(size - 1);
      for (let i = 1; i < segments.length; i += 1) expect(segments[i].start).toBe(segments[i - 1].end + 1);
      expect(segments.length).toBeLessThanOrEqual(count);
    }
  });
});

describe('progress of segments', () => {
  const segments = [
    { start: 0, end: 9, done: 10 },
    { start: 10, end: 19, done: 4 },
    { start: 20, end: 24, done: 0 },
  ];

  it('counts the bytes received', () => {
    expect(completedBytes(segments)).toBe(14);
  });

  it('lists what is still missing, and asks for exactly the rest of each', () => {
    expect(pendingSegments(segments).map(remainingRange)).toEqual(['bytes=14-19', 'bytes=20-24']);
  });
});
