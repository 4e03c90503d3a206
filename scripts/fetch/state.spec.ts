import { parseState, sameResource, urlWithoutSignature } from './state.js';

const URL = 'http://127.0.0.1:3000/big.iso';
const valid = {
  url: URL,
  etag: '"5c-18eac6dfadc0bb67"',
  size: 30,
  reprDigest: 'sha-256=:bk0AvRzgnRQWy+kTjlJCuG/hYffQluoEoL1IxiGhM50=:',
  segments: [
    { start: 0, end: 14, done: 15 },
    { start: 15, end: 29, done: 3 },
  ],
};

describe('parseState (FILE.part.json)', () => {
  it('takes a state this client wrote for the same URL', () => {
    expect(parseState(JSON.stringify(valid), URL)).toEqual(valid);
    const byDate = { ...valid, etag: undefined, lastModified: 'Mon, 23 Nov 2026 20:34:25 GMT' };
    expect(parseState(JSON.stringify(byDate), URL)).toMatchObject({ lastModified: byDate.lastModified, size: 30 });
  });

  test.each<[string, unknown]>([
    ['another URL', { ...valid, url: 'http://127.0.0.1:3000/other.iso' }],
    ['no validator to send in If-Range', { ...valid, etag: undefined }],
    ['a gap between segments', { ...valid, segments: [valid.segments[0], { start: 16, end: 29, done: 0 }] }],
    ['segments short of the size', { ...valid, size: 31 }],
    ['more done than the segment holds', { ...valid, segments: [valid.segments[0], { start: 15, end: 29, done: 16 }] }],
    ['a negative count', { ...valid, segments: [valid.segments[0], { start: 15, end: 29, done: -1 }] }],
    ['a fractional size', { ...valid, size: 29.5 }],
    ['no segments', { ...valid, segments: [] }],
    ['a string where a number belongs', { ...valid, size: '30' }],
    ['a non-string validator', { ...valid, etag: 42 }],
    ['null', null],
    ['an array', []],
  ])('refuses %s (the download starts over)', (_name, value) => {
    expect(parseState(JSON.stringify(value), URL)).toBeUndefined();
  });

  it('refuses a truncated file', () => {
    expect(parseState(JSON.stringify(valid).slice(0, 40), URL)).toBeUndefined();
    expect(parseState('', URL)).toBeUndefined();
  });
});

describe('signed links: a new link to the same file resumes the same download', () => {
  const link = (exp: number, sig: string, extra = '') => `http://127.0.0.1:3000/big.iso?exp=${exp}&kid=k1${extra}&sig=${sig}`;

  it('takes a state saved for an earlier link to the same file, with the new URL', () => {
    const saved = { ...valid, url: link(100, 'old') };
    expect(parseState(JSON.stringify(saved), link(200, 'new'))).toEqual({ ...valid, url: link(200, 'new') });
  });

  test.each<[string, string, string, boolean]>([
    ['new exp, kid and sig', link(100, 'a'), 'http://127.0.0.1:3000/big.iso?exp=200&kid=k2&sig=b', true],
    ['the same pin', link(100, 'a', '&v=5-1'), link(200, 'b', '&v=5-1'), true],
    ['another pin', link(100, 'a', '&v=5-1'), link(200, 'b', '&v=5-2'), false],
    ['another file', link(100, 'a'), 'http://127.0.0.1:3000/other.iso?exp=100&kid=k1&sig=a', false],
    ['another host', link(100, 'a'), 'http://127.0.0.2:3000/big.iso?exp=100&kid=k1&sig=a', false],
    ['a download name added', link(100, 'a'), link(100, 'a', '&filename=x'), false],
  ])('%s → %s', (_what, a, b, same) => {
    expect(sameResource(a, b)).toBe(same);
  });

  it('never shows the signature in what it prints', () => {
    expect(urlWithoutSignature(link(100, 'secret-sig'))).toBe('http://127.0.0.1:3000/big.iso');
  });
});
