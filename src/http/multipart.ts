import { rangeLength, type ByteRange } from './range.js';

/** One part of a multipart/byteranges body: its header block, then the file bytes of `range`. */
export interface BodyPart {
  header: Buffer;
  range: ByteRange;
}

export interface MultipartLayout {
  /** Value of the response's Content-Type header. */
  contentType: string;
  parts: BodyPart[];
  /** Closing delimiter written after the last part. */
  trailer: Buffer;
  /** Exact length of the whole body, for Content-Length. */
  contentLength: number;
}

/**
 * RFC 9110 §14.6: lays out a `multipart/byteranges` body. Each part carries the
 * representation's Content-Type and its own Content-Range (§14.4). Pure: the caller streams
 * `header`, then the bytes of `range`, for each part, then `trailer`.
 */
export function multipartLayout(ranges: readonly ByteRange[], size: number, partContentType: string, boundary: string): MultipartLayout {
  const parts = ranges.map((range, index) => ({
    range,
    header: Buffer.from(
      `${index === 0 ? '' : '\r\n'}--${boundary}\r\n` +
        `Content-Type: ${partContentType}\r\n` +
        `Content-Range: ${contentRange(range, size)}\r\n\r\n`,
      'latin1',
    ),
  }));
  const trailer = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  const contentLength = parts.reduce((total, part) => total + part.header.length + rangeLength(part.range), trailer.length);
  return { contentType: `multipart/byteranges; boundary=${boundary}`, parts, trailer, contentLength };
}

/** RFC 9110 §14.4: `bytes first-last/complete-length`. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
