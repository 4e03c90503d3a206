import { mediaTypeFor } from '../http/media-type.js';
import { formatHttpDate, strongETag } from '../http/validators.js';
import type { FolderEntryDto, FileMetadataDto, FolderListingDto } from './dto.js';
import type { FolderPage } from './directory.service.js';
import type { IndexRow } from './index-page.js';
import { encodeCursor } from './listing.js';
import { pinnedUrl, relativePath, urlPath } from './target.js';

/**
 * Plain values → the JSON bodies and index rows of the API. Pure: the services look files up and
 * digests up, these only shape what was found.
 */

/** What is needed of a file version to describe it. */
export interface FileFacts {
  readonly size: number;
  readonly mtimeNs: bigint;
}

/** The validators exactly as the file route sends them (RFC 9110 §8.8), so a client can reuse them in If-Range. */
export function validatorsOf(file: FileFacts): { etag: string; lastModified: string; modifiedMs: number } {
  const modifiedMs = Number(file.mtimeNs / 1_000_000n);
  return { etag: strongETag(file.size, file.mtimeNs), lastModified: formatHttpDate(modifiedMs), modifiedMs };
}

export function fileMetadata(segments: readonly string[], file: FileFacts, sha256: Uint8Array | undefined): FileMetadataDto {
  const { etag, lastModified } = validatorsOf(file);
  return {
    path: relativePath(segments, false),
    size: file.size,
    contentType: mediaTypeFor(segments[segments.length - 1]),
    etag,
    lastModified,
    reprDigest: sha256 === undefined ? null : { 'sha-256': Buffer.from(sha256).toString('base64') },
    url: pinnedUrl(segments, etag),
  };
}

export function folderListing(segments: readonly string[], page: FolderPage): FolderListingDto {
  const entries = page.entries.map((entry): FolderEntryDto => {
    const path = [...segments, entry.name];
    if (entry.type === 'folder' || entry.file === undefined) return { name: entry.name, path: relativePath(path, true), type: 'folder' };
    const { etag, lastModified } = validatorsOf(entry.file.version);
    return {
      name: entry.name,
      path: relativePath(path, false),
      type: 'file',
      size: entry.file.version.size,
      lastModified,
      etag,
      url: pinnedUrl(path, etag),
    };
  });
  return { path: relativePath(segments, true), entries, nextCursor: page.next === undefined ? null : encodeCursor(page.next) };
}

export function indexRows(
  segments: readonly string[],
  page: FolderPage,
  sha256Of: (entry: FolderPage['entries'][number]) => Uint8Array | undefined,
): IndexRow[] {
  return page.entries.map((entry): IndexRow => {
    const path = [...segments, entry.name];
    if (entry.type === 'folder' || entry.file === undefined) return { name: entry.name, type: 'folder', href: urlPath(path, true) };
    const { etag, modifiedMs } = validatorsOf(entry.file.version);
    const sha256 = sha256Of(entry);
    return {
      name: entry.name,
      type: 'file',
      href: pinnedUrl(path, etag),
      size: entry.file.version.size,
      modifiedMs,
      sha256Hex: sha256 === undefined ? undefined : Buffer.from(sha256).toString('hex'),
    };
  });
}
