import { mediaTypeFor } from './media-type.js';

describe('mediaTypeFor', () => {
  test.each([
    ['a.txt', 'text/plain; charset=utf-8'],
    ['movie.MP4', 'video/mp4'],
    ['page.html', 'text/html; charset=utf-8'],
    ['archive.tar.gz', 'application/gzip'],
    ['data.bin', 'application/octet-stream'],
    ['no-extension', 'application/octet-stream'],
    ['weird.zzzunknown', 'application/octet-stream'],
    ['中文 文件.txt', 'text/plain; charset=utf-8'],
    // Asked again in another case: the remembered answer is the same.
    ['A.TXT', 'text/plain; charset=utf-8'],
    ['again.zzzunknown', 'application/octet-stream'],
    ['trailing-dot.', 'application/octet-stream'],
  ])('%s → %s', (name, expected) => expect(mediaTypeFor(name)).toBe(expected));
});
