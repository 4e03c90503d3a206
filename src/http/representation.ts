import { type DispositionType, formatContentDisposition } from './content-disposition.js';
import { mediaTypeFor } from './media-type.js';
import type { RepresentationValidators } from './preconditions.js';
import { formatHttpDate, strongETag } from './validators.js';

/** What the service knows about a file, as plain values. */
export interface FileFacts {
  name: string;
  size: number;
  mtimeNs: bigint;
  mtimeMs: number;
}

export interface Representation {
  validators: RepresentationValidators;
  /** Headers sent with every 200, 206 and HEAD of this file (and, for the validators, 304). */
  etag: string;
  lastModified: string;
  contentType: string;
  contentDisposition: string;
}

/**
 * The representation metadata of a file (RFC 9110 §8.3, §8.8). The ETag depends only on size and
 * the nanosecond mtime, so every replica that sees the same file computes the same one.
 */
export function describeRepresentation(file: FileFacts, disposition: DispositionType): Representation {
  const etag = strongETag(file.size, file.mtimeNs);
  return {
    validators: { etag, lastModifiedMs: file.mtimeMs },
    etag,
    lastModified: formatHttpDate(file.mtimeMs),
    contentType: mediaTypeFor(file.name),
    contentDisposition: formatContentDisposition(disposition, file.name),
  };
}
