/**
 * RFC 9110 §5.6.3: OWS = *( SP / HTAB ). The one whitespace helper of every header parser.
 * Loops, never a regex: `/^[ \t]+|[ \t]+$/g` backtracks quadratically on a long run of
 * whitespace that is not at the end of the value, so one 14 KB header could stall the event loop.
 */
export function isOWS(character: string): boolean {
  return character === ' ' || character === '\t';
}

export function trimLeadingOWS(text: string): string {
  let start = 0;
  while (start < text.length && isOWS(text[start])) start++;
  return start === 0 ? text : text.slice(start);
}

export function trimTrailingOWS(text: string): string {
  let end = text.length;
  while (end > 0 && isOWS(text[end - 1])) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** A field value never includes its surrounding OWS (§5.5). */
export function trimOWS(text: string): string {
  return trimTrailingOWS(trimLeadingOWS(text));
}
