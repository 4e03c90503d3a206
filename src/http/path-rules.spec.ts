import { MAX_PATH_BYTES, parseRelativePath, segmentProblem, type NameProblem } from './path-rules.js';

describe('segmentProblem', () => {
  test.each<[string, NameProblem | undefined]>([
    ['a.txt', undefined],
    ['report 2024 (final).pdf', undefined],
    ['中文 文件.txt', undefined],
    ['a..b', undefined],
    ['...a', 'hidden'],
    ['100%25', undefined], // a literal percent sign is a plain character here
    ['', 'empty'],
    ['.', 'dot-segment'],
    ['..', 'dot-segment'],
    ['.env', 'hidden'],
    ['.git', 'hidden'],
    ['a/b', 'slash'],
    ['a\\b', 'backslash'],
    ['..\\..\\etc', 'hidden'],
    ['a\u0000b', 'control-character'],
    ['a\nb', 'control-character'],
    ['a\tb', 'control-character'],
    ['a\u007fb', 'control-character'],
    ['a\u0085b', 'control-character'],
    ['a'.repeat(255), undefined],
    ['a'.repeat(256), 'too-long'],
    ['é'.repeat(127), undefined], // 254 bytes
    ['é'.repeat(128), 'too-long'], // 256 bytes in UTF-8, though 128 characters
  ])('%j → %j', (name, expected) => {
    expect(segmentProblem(name)).toBe(expected);
  });

  it('answers long hostile names with one pass (the problem found, not a hang)', () => {
    expect(segmentProblem(' '.repeat(1_000_000))).toBe('too-long');
    expect(segmentProblem(','.repeat(1_000_000))).toBe('too-long');
    expect(segmentProblem('"'.repeat(1_000_000))).toBe('too-long');
    expect(segmentProblem(`${'a'.repeat(1_000_000)}\u0000`)).toBe('control-character');
  });
});

describe('parseRelativePath', () => {
  test.each<[string, string[] | NameProblem]>([
    ['', []],
    ['videos', ['videos']],
    ['videos/2024', ['videos', '2024']],
    ['/videos', 'empty'],
    ['videos/', 'empty'],
    ['videos//2024', 'empty'],
    ['../etc', 'dot-segment'],
    ['a/../../etc', 'dot-segment'],
    ['a/./b', 'dot-segment'],
    ['a/.git', 'hidden'],
    ['.uploads', 'hidden'],
    ['a\\b', 'backslash'],
    ['a/b\u0000', 'control-character'],
    [`a/${'b'.repeat(256)}`, 'too-long'],
    [Array.from({ length: MAX_PATH_BYTES }, () => 'a').join('/'), 'too-long'],
  ])('%j → %j', (path, expected) => {
    const result = parseRelativePath(path);
    expect('segments' in result ? result.segments : result.problem).toEqual(expected);
  });
});
