import { contentType } from 'mime-types';
import { extname } from 'node:path';

/** Content-Type from the file name's extension; unknown types are opaque bytes. */
export function mediaTypeFor(fileName: string): string {
  const extension = extname(fileName);
  return (extension && contentType(extension)) || 'application/octet-stream';
}
