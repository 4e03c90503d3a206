import { contentType } from 'mime-types';
import { extname } from 'node:path';

const OPAQUE = 'application/octet-stream';

/**
 * Content-Type by lower-cased extension, for the extensions mime-types knows: bounded by its
 * database (about a thousand), so request paths cannot grow it; unknown extensions are not kept.
 */
const KNOWN = new Map<string, string>();

/** Content-Type from the file name's extension; unknown types are opaque bytes. */
export function mediaTypeFor(fileName: string): string {
  const extension = extname(fileName);
  if (extension === '') return OPAQUE;
  const key = extension.toLowerCase();
  const cached = KNOWN.get(key);
  if (cached !== undefined) return cached;
  const type = contentType(key);
  if (type === false) return OPAQUE;
  KNOWN.set(key, type);
  return type;
}
