/**
 * CACHE_CONTROL is sent verbatim as the `Cache-Control` of file responses at plain (unpinned)
 * URLs, so it is checked once at start-up against RFC 9111 §5.2:
 * `Cache-Control = #cache-directive`, `cache-directive = token [ "=" ( token / quoted-string ) ]`.
 * One pass over the value, no regular expression. Returns the problem, or undefined when valid.
 */
export function cacheControlProblem(value: string): string | undefined {
  let i = 0;
  let directives = 0;
  const n = value.length;
  for (;;) {
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
    if (i >= n) break;
    const nameStart = i;
    while (i < n && isTokenChar(value.charCodeAt(i))) i++;
    if (i === nameStart) return `has a character that cannot start a directive at position ${i + 1}`;
    directives++;
    if (value[i] === '=') {
      i++;
      if (value[i] === '"') {
        i++;
        while (i < n && value[i] !== '"') {
          if (value[i] === '\\') i++;
          if (i < n && !isQuotedTextChar(value.charCodeAt(i))) return `has a control character at position ${i + 1}`;
          i++;
        }
        if (i >= n) return 'has an unterminated quoted string';
        i++;
      } else {
        const argumentStart = i;
        while (i < n && isTokenChar(value.charCodeAt(i))) i++;
        if (i === argumentStart) return `has a directive without a value at position ${i + 1}`;
      }
    }
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i < n && value[i] !== ',') return `has an unexpected character at position ${i + 1} (directives are separated by commas)`;
  }
  return directives === 0 ? 'has no directive' : undefined;
}

function isTokenChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || TOKEN_SYMBOLS.has(code);
}

/** qdtext and quoted-pair octets (RFC 9110 §5.6.4): HTAB, SP, VCHAR, obs-text; never CR, LF or NUL. */
function isQuotedTextChar(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code !== 0x7f && code <= 0xff);
}

const TOKEN_SYMBOLS: ReadonlySet<number> = new Set([..."!#$%&'*+-.^_`|~"].map((symbol) => symbol.charCodeAt(0)));
