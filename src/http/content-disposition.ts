/**
 * Content-Disposition (RFC 6266) with an RFC 8187 `filename*` ext-value. Pure, no I/O.
 */

export type DispositionType = 'inline' | 'attachment';

/**
 * Replace lone surrogates by U+FFFD (what String.prototype.toWellFormed does; not in lib ES2022).
 */
function toWellFormed(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else {
        out += '\uFFFD';
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\uFFFD';
    } else {
      out += s[i];
    }
  }
  return out;
}

/** RFC 8187 §3.2.1 attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" */
function isAttrChar(cp: number): boolean {
  return (
    (cp >= 0x41 && cp <= 0x5a) || // A-Z
    (cp >= 0x61 && cp <= 0x7a) || // a-z
    (cp >= 0x30 && cp <= 0x39) || // 0-9
    '!#$&+-.^_`|~'.includes(String.fromCharCode(cp))
  );
}

function pctByte(b: number): string {
  return '%' + b.toString(16).toUpperCase().padStart(2, '0');
}

/** RFC 8187 §3.2.1 value-chars: UTF-8 bytes, non-attr-char percent-encoded (uppercase hex). */
function encodeExtValue(wellFormed: string): string {
  let out = '';
  for (const ch of wellFormed) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) {
      out += isAttrChar(cp) ? ch : pctByte(cp);
    } else if (cp < 0x800) {
      out += pctByte(0xc0 | (cp >> 6)) + pctByte(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += pctByte(0xe0 | (cp >> 12)) + pctByte(0x80 | ((cp >> 6) & 0x3f)) + pctByte(0x80 | (cp & 0x3f));
    } else {
      out +=
        pctByte(0xf0 | (cp >> 18)) + pctByte(0x80 | ((cp >> 12) & 0x3f)) + pctByte(0x80 | ((cp >> 6) & 0x3f)) + pctByte(0x80 | (cp & 0x3f));
    }
  }
  return out;
}

/**
 * ASCII fallback: printable ASCII (0x20-0x7E) kept, every other code point (non-ASCII,
 * controls incl. HTAB) becomes ONE '?'.
 */
function asciiFallback(wellFormed: string): string {
  let out = '';
  for (const ch of wellFormed) {
    const cp = ch.codePointAt(0) as number;
    out += cp >= 0x20 && cp <= 0x7e ? ch : '?';
  }
  return out;
}

/** Printable ASCII (0x20-0x7E) except `"`, `\\` and `%`: needs no escaping, no fallback and no `filename*`. */
function isPlainAscii(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x25) return false;
  }
  return true;
}

/** RFC 9110 §5.6.4 quoted-string: `"` and `\` as quoted-pair. */
function quote(ascii: string): string {
  return '"' + ascii.replace(/["\\]/g, '\\$&') + '"';
}

/**
 * e.g. formatContentDisposition('attachment', '中文 文件.txt') →
 *  `attachment; filename="?? ??.txt"; filename*=UTF-8''%E4%B8%AD%E6%96%87%20%E6%96%87%E4%BB%B6.txt`.
 *  - `filename` is a quoted-string ASCII fallback: printable ASCII kept, `"` and `\` backslash-escaped,
 *    every other character (non-ASCII, control chars) replaced by '?'. Never raw non-ASCII bytes.
 *  - `filename*` (RFC 8187 ext-value, UTF-8, attr-char set; everything else percent-encoded with
 *    uppercase hex) is added when the fallback differs from the real name (non-ASCII or control
 *    characters present), AND also when the name contains `"` / `\` or a '%XX' hex sequence: RFC 6266
 *    Appendix D warns that some UAs don't unescape quoted-pairs and some percent-decode `filename`,
 *    so those names get the unambiguous `filename*` too (RFC 6266 §4.3: UAs prefer filename*).
 *  - Only the final path segment (basename) is used; the caller passes a basename.
 *  - Lone surrogates are treated as U+FFFD. An empty filename yields just the disposition type.
 */
export function formatContentDisposition(type: DispositionType, filename: string): string {
  // The common case, a name of printable ASCII without `"`, `\` or `%`: the quoted name is the
  // whole answer (what the general path below yields for it, without its per-character copies).
  if (isPlainAscii(filename)) return filename === '' ? type : `${type}; filename="${filename}"`;
  const name = toWellFormed(filename);
  if (name === '') return type;
  const fallback = asciiFallback(name);
  let header = `${type}; filename=${quote(fallback)}`;
  const needsExtValue = fallback !== name || /["\\]/.test(name) || /%[0-9A-Fa-f]{2}/.test(name);
  if (needsExtValue) {
    // RFC 8187 §3.2.1 ext-value = charset "'" [ language ] "'" value-chars; RFC 6266 §4.3 filename*.
    header += `; filename*=UTF-8''${encodeExtValue(name)}`;
  }
  return header;
}
