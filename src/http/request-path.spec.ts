import { isHiddenName, parseRequestPath } from './request-path.js';

describe('parseRequestPath', () => {
  test.each<[string, string[]]>([
    ['/', []],
    ['/dir/', ['dir']],
    ['/videos/2024/', ['videos', '2024']],
    ['/a%20b/?x=1', ['a b']],
  ])('%j names the folder %j', (target, segments) => {
    expect(parseRequestPath(target)).toEqual({ kind: 'folder', segments });
  });

  test.each<[string, string[] | undefined]>([
    ['/a.txt', ['a.txt']],
    ['/a.txt?download=1', ['a.txt']],
    ['/a.txt#frag', ['a.txt']],
    ['/videos/2024/a.mp4', ['videos', '2024', 'a.mp4']],
    ['/%E4%B8%AD%E6%96%87%20%E6%96%87%E4%BB%B6.txt', ['中文 文件.txt']],
    ['/a%20b', ['a b']],
    ['/100%2525', ['100%25']], // decoded once only
    ['/.hidden', ['.hidden']], // valid name; storage refuses dot-files
    ['/a..b', ['a..b']],
    ['/...', ['...']],
    // traversal and separators
    ['/../etc/passwd', undefined],
    ['/a/../../etc/passwd', undefined],
    ['/./a', undefined],
    ['/%2e%2e/etc/passwd', undefined],
    ['/%2E%2E/etc/passwd', undefined],
    ['/.%2e/etc/passwd', undefined],
    ['/..%2fetc%2fpasswd', undefined],
    ['/..%2Fetc', undefined],
    ['/a%5c..%5cb', undefined],
    ['/a%5C..', undefined],
    ['/a\\..\\b', undefined],
    ['/a%00.txt', undefined],
    ['/a\u0000.txt', undefined],
    ['//etc/passwd', undefined],
    ['/a//b', undefined],
    ['/dir//', undefined],
    ['/../', undefined],
    ['/%2e%2e/', undefined],
    ['etc/passwd', undefined],
    ['http://example.com/a.txt', undefined],
    ['*', undefined],
    ['', undefined],
    ['/%', undefined],
    ['/%zz', undefined],
    ['/%C3%28', undefined], // invalid UTF-8
    ['/%ED%A0%80', undefined], // encoded lone surrogate
  ])('%j → %j', (target, expected) => {
    expect(parseRequestPath(target)).toEqual(expected === undefined ? undefined : { kind: 'file', segments: expected });
  });
});

describe('isHiddenName', () => {
  test.each<[string, boolean]>([
    ['.env', true],
    ['.git', true],
    ['a.txt', false],
    ['a.', false],
  ])('%j → %j', (name, hidden) => expect(isHiddenName(name)).toBe(hidden));
});
