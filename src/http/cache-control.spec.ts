import { cacheControlProblem } from './cache-control.js';

describe('cacheControlProblem (CACHE_CONTROL)', () => {
  test.each([
    'no-cache',
    'public, max-age=3600',
    'max-age=60,must-revalidate',
    'public, max-age=86400, stale-while-revalidate=60',
    'private, no-cache="Set-Cookie"',
    'ext="a \\"quoted\\" value", no-store',
  ])('accepts %j', (value) => {
    expect(cacheControlProblem(value)).toBeUndefined();
  });

  test.each<[string, RegExp]>([
    ['', /no directive/],
    [' , ', /no directive/],
    ['max-age=', /without a value/],
    ['max age=60', /unexpected character at position 5/],
    ['public; max-age=60', /unexpected character at position 7/],
    ['=60', /cannot start a directive/],
    ['no-cache="x', /unterminated/],
    ['public\r\nSet-Cookie: a=b', /unexpected character/],
    ['x="a\nb"', /control character/],
    ['max-age=60 60', /unexpected character/],
  ])('refuses %j', (value, problem) => {
    expect(cacheControlProblem(value)).toMatch(problem);
  });

  it('reads long runs of separators and quotes in one pass', () => {
    expect(cacheControlProblem(`${', '.repeat(20_000)}public`)).toBeUndefined();
    expect(cacheControlProblem(`x="${'\\"'.repeat(20_000)}`)).toMatch(/unterminated/);
  });
});
