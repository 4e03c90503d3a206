export interface ParsedPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits a multipart/byteranges body (RFC 9110 §14.6) into its parts, strictly. */
export function parseMultipart(body: Buffer, contentType: string): ParsedPart[] {
  const match = /boundary=([^;]+)/.exec(contentType);
  if (!match) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${match[1]}`);
  const parts: ParsedPart[] = [];
  let position = body.indexOf(delimiter);
  if (position !== 0) throw new Error('body does not start with the boundary');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 4).toString() === '--\r\n') {
      if (position + 4 !== body.length) throw new Error('bytes after the closing boundary');
      return parts;
    }
    const headerEnd = body.indexOf('\r\n\r\n', position);
    const headers: Record<string, string> = {};
    for (const line of body
      .subarray(position + 2, headerEnd)
      .toString('latin1')
      .split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const range = /^bytes (\d+)-(\d+)\/\d+$/.exec(headers['content-range'] ?? '');
    if (!range) throw new Error(`bad part Content-Range: ${headers['content-range']}`);
    const length = Number(range[2]) - Number(range[1]) + 1;
    const start = headerEnd + 4;
    parts.push({ headers, body: body.subarray(start, start + length) });
    position = start + length;
    if (body.subarray(position, position + 2).toString() !== '\r\n') throw new Error('part longer than its Content-Range');
    position += 2;
    if (body.indexOf(delimiter, position) !== position) throw new Error('missing boundary after part');
  }
}
