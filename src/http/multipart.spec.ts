import { contentRange, multipartLayout } from './multipart.js';

describe('contentRange', () => {
  test.each([
    [{ start: 0, end: 0 }, 10, 'bytes 0-0/10'],
    [{ start: 0, end: 9 }, 10, 'bytes 0-9/10'],
    [{ start: 5, end: 9 }, 10, 'bytes 5-9/10'],
  ])('%j of %d → %s', (range, size, expected) => expect(contentRange(range, size)).toBe(expected));
});

describe('multipartLayout', () => {
  const file = Buffer.from('0123456789abcdefghij');
  const ranges = [
    { start: 0, end: 1 },
    { start: 10, end: 14 },
  ];
  const layout = multipartLayout(ranges, file.length, 'text/plain; charset=utf-8', 'BOUNDARY');
  const body = Buffer.concat([
    ...layout.parts.flatMap((part) => [part.header, file.subarray(part.range.start, part.range.end + 1)]),
    layout.trailer,
  ]).toString('latin1');

  it('names the boundary in the content type', () => {
    expect(layout.contentType).toBe('multipart/byteranges; boundary=BOUNDARY');
  });

  it('builds the exact RFC 9110 §14.6 body', () => {
    expect(body).toBe(
      '--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/20\r\n\r\n01' +
        '\r\n--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 10-14/20\r\n\r\nabcde' +
        '\r\n--BOUNDARY--\r\n',
    );
  });

  it('announces the exact content length', () => {
    expect(layout.contentLength).toBe(Buffer.byteLength(body, 'latin1'));
  });
});
