import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { type DispositionType, formatContentDisposition } from './content-disposition.js';

/** Independent oracle for toWellFormed: Node's UTF-8 encoder turns lone surrogates into U+FFFD. */
const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

const HEADER =
  /^(inline|attachment); filename="((?:[^"\\]|\\[\x20-\x7e])*)"(?:; filename\*=UTF-8''((?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})*))?$/;

function parse(header: string): { type: string; filename: string; ext?: string } {
  const m = HEADER.exec(header);
  if (m === null) throw new Error(`unparseable: ${header}`);
  return { type: m[1], filename: m[2].replace(/\\(.)/g, '$1'), ext: m[3] === undefined ? undefined : decodeURIComponent(m[3]) };
}

describe('formatContentDisposition', () => {
  test.each<[type: DispositionType, name: string, expected: string]>([
    ['attachment', 'a.txt', 'attachment; filename="a.txt"'],
    ['inline', 'a.txt', 'inline; filename="a.txt"'],
    ['attachment', 'report 2024 (final).pdf', 'attachment; filename="report 2024 (final).pdf"'],
    ['attachment', "it's *ok*.txt", `attachment; filename="it's *ok*.txt"`],
    ['attachment', 'a;b=c,d.txt', 'attachment; filename="a;b=c,d.txt"'], // separators are fine inside quotes
    ['attachment', '100%.txt', 'attachment; filename="100%.txt"'], // '%' not followed by 2 hex digits
    ['attachment', '~!@#$^&()[]{}+=`|.txt', 'attachment; filename="~!@#$^&()[]{}+=`|.txt"'],
    // The spec example
    ['attachment', '中文 文件.txt', `attachment; filename="?? ??.txt"; filename*=UTF-8''%E4%B8%AD%E6%96%87%20%E6%96%87%E4%BB%B6.txt`],
    ['inline', 'résumé.pdf', `inline; filename="r?sum?.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`],
    // Latin-1 is NOT kept raw in the fallback (unlike jshttp's ISO-8859-1 fallback)
    ['attachment', 'ÿ', `attachment; filename="?"; filename*=UTF-8''%C3%BF`],
    ['attachment', '\u00a0', `attachment; filename="?"; filename*=UTF-8''%C2%A0`],
    // One '?' per code point, 4-byte UTF-8
    ['attachment', '😀.png', `attachment; filename="?.png"; filename*=UTF-8''%F0%9F%98%80.png`],
    ['attachment', 'a\u{10FFFF}', `attachment; filename="a?"; filename*=UTF-8''a%F4%8F%BF%BF`],
    // Control characters
    ['attachment', 'a\tb', `attachment; filename="a?b"; filename*=UTF-8''a%09b`],
    ['attachment', 'a\r\nb', `attachment; filename="a??b"; filename*=UTF-8''a%0D%0Ab`],
    ['attachment', '\0', `attachment; filename="?"; filename*=UTF-8''%00`],
    ['attachment', 'x\x7f', `attachment; filename="x?"; filename*=UTF-8''x%7F`],
    ['attachment', 'x\u0085', `attachment; filename="x?"; filename*=UTF-8''x%C2%85`],
    ['attachment', 'x\u2028y', `attachment; filename="x?y"; filename*=UTF-8''x%E2%80%A8y`],
    // Lone surrogates → U+FFFD, never a throw
    ['attachment', '\ud800x', `attachment; filename="?x"; filename*=UTF-8''%EF%BF%BDx`],
    ['attachment', 'x\udc00', `attachment; filename="x?"; filename*=UTF-8''x%EF%BF%BD`],
    ['attachment', '\udc00\ud800', `attachment; filename="??"; filename*=UTF-8''%EF%BF%BD%EF%BF%BD`],
    // Quote and backslash: quoted-pair in filename, plus filename* (RFC 6266 Appendix D)
    ['attachment', 'my "file".txt', `attachment; filename="my \\"file\\".txt"; filename*=UTF-8''my%20%22file%22.txt`],
    ['attachment', 'back\\slash', `attachment; filename="back\\\\slash"; filename*=UTF-8''back%5Cslash`],
    // '%XX' in the name: some UAs percent-decode filename, so filename* is added (RFC 6266 Appendix D)
    ['attachment', '100%25.txt', `attachment; filename="100%25.txt"; filename*=UTF-8''100%2525.txt`],
    ['attachment', 'a%e9', `attachment; filename="a%e9"; filename*=UTF-8''a%25e9`],
    // attr-chars stay literal in filename*, everything else is encoded (uppercase hex)
    ['attachment', 'é!#$&+-.^_`|~', `attachment; filename="?!#$&+-.^_\`|~"; filename*=UTF-8''%C3%A9!#$&+-.^_\`|~`],
    [
      'attachment',
      "é'()*,;=@[]{}/:?<>",
      `attachment; filename="?'()*,;=@[]{}/:?<>"; filename*=UTF-8''%C3%A9%27%28%29%2A%2C%3B%3D%40%5B%5D%7B%7D%2F%3A%3F%3C%3E`,
    ],
    ['attachment', 'éAZaz09', `attachment; filename="?AZaz09"; filename*=UTF-8''%C3%A9AZaz09`],
    // Empty name: just the type
    ['attachment', '', 'attachment'],
    ['inline', '', 'inline'],
  ])('%s %j', (type, name, expected) => {
    expect(formatContentDisposition(type, name)).toBe(expected);
  });

  const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
  const inputs = fc.oneof(anyUtf16, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string());

  it('output is always printable ASCII and parses back to the (well-formed) input', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom<DispositionType>('inline', 'attachment'), (name, type) => {
        const header = formatContentDisposition(type, name);
        expect(header).toMatch(/^[\x20-\x7e]*$/);
        const expectedName = wellFormed(name);
        if (expectedName === '') {
          expect(header).toBe(type);
          return;
        }
        const parsed = parse(header);
        expect(parsed.type).toBe(type);
        // The fallback has exactly one character per code point of the name.
        expect([...parsed.filename].length).toBe([...expectedName].length);
        if (parsed.ext === undefined) {
          // No filename*: the fallback must be the exact name.
          expect(parsed.filename).toBe(expectedName);
        } else {
          expect(parsed.ext).toBe(expectedName);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('filename* is present exactly when the fallback is lossy or ambiguous', () => {
    fc.assert(
      fc.property(inputs, (name) => {
        const header = formatContentDisposition('attachment', name);
        const wf = wellFormed(name);
        const lossy = /[^\x20-\x7e]/.test(wf) || /["\\]/.test(wf) || /%[0-9A-Fa-f]{2}/.test(wf);
        expect(header.includes('; filename*=')).toBe(wf !== '' && lossy);
      }),
    );
  });
});
