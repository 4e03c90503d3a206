import { chooseListingFormat } from './negotiate.js';

describe('chooseListingFormat', () => {
  const CHROMIUM = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
  test.each<[string | undefined, 'json' | 'html']>([
    [CHROMIUM, 'html'],
    ['text/html', 'html'],
    ['application/json', 'json'],
    ['*/*', 'json'],
    [undefined, 'json'],
    ['', 'json'],
    ['text/*', 'html'],
    ['text/html;q=0.5, application/json', 'json'],
    ['application/json;q=0.1, text/html;q=0.2', 'html'],
    ['image/png', 'json'], // neither is acceptable: the JSON listing (406 would help nobody here)
    ['text/html;q=0', 'json'],
  ])('Accept %j → %s', (accept, format) => {
    expect(chooseListingFormat(accept, true)).toBe(format);
  });

  it('answers JSON whatever the Accept when HTML is off', () => {
    expect(chooseListingFormat(CHROMIUM, false)).toBe('json');
  });

  test.each([
    ['spaces', `text/html${' '.repeat(15_000)};q=1`, 'html'],
    ['commas', `${','.repeat(15_000)}text/html`, 'html'],
    ['semicolons', `text/html${';'.repeat(15_000)}`, 'html'],
    // negotiator does not read quoted-pairs in parameters; such a value falls back to JSON, harmlessly.
    ['quoted-pairs', `text/html;a="${'\\"'.repeat(7_000)}"`, 'json'],
    ['slashes', `${'/'.repeat(15_000)}`, 'json'],
  ])('reads long runs of %s', (_what, accept, format) => {
    expect(chooseListingFormat(accept, true)).toBe(format);
  });
});
