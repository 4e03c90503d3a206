import { Injectable } from '@nestjs/common';
import { DigestService } from '../digest/digest.service.js';
import { FileStorageService } from '../files/file-storage.service.js';
import { ApiConfig } from './api-config.js';
import { DirectoryService, type FolderPage, type ListedFile } from './directory.service.js';
import type { FileMetadataDto, ListingQuery } from './dto.js';
import { BadQueryError, FolderNotFoundError } from './errors.js';
import { decodeCursor, DEFAULT_LIMIT } from './listing.js';
import { fileMetadata } from './views.js';

/**
 * What the API knows about files and folders, for the JSON endpoints and the HTML index alike:
 * files are found by FileStorageService (the very lookup a download makes), folders by
 * DirectoryService, digests come from DigestService's cache.
 */
@Injectable()
export class ApiService {
  constructor(
    private readonly storage: FileStorageService,
    private readonly directories: DirectoryService,
    private readonly digests: DigestService,
    private readonly config: ApiConfig,
  ) {}

  get listingEnabled(): boolean {
    return this.config.listing;
  }

  /** The metadata of the file a download of `segments` would serve. Like a HEAD, it queues the digest when unknown. */
  metadata(segments: readonly string[]): FileMetadataDto {
    const file = this.storage.open(segments);
    try {
      const [known] = this.digests.known(file, ['sha-256']);
      return fileMetadata(segments, file.version, known?.[1]);
    } finally {
      file.descriptor.close();
    }
  }

  /** Whether `segments` names a folder that would be listed (for the redirect to its trailing-slash URL). */
  isListedFolder(segments: readonly string[]): boolean {
    return this.config.listing && this.directories.isFolder(segments);
  }

  /** One page of a folder. Throws FolderNotFoundError when there is none (or listings are off), BadQueryError for a bad cursor. */
  async page(segments: readonly string[], query: ListingQuery): Promise<FolderPage> {
    if (!this.config.listing) throw new FolderNotFoundError();
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && after === undefined)
      throw new BadQueryError('cursor is not one this service made (pass nextCursor as it was)');
    const page = await this.directories.list(segments, after, query.limit ?? DEFAULT_LIMIT);
    if (page === undefined) throw new FolderNotFoundError();
    return page;
  }

  /** The SHA-256 of a listed file if already computed; never queues (looking at a folder must not hash it). */
  knownSha256(file: ListedFile): Uint8Array | undefined {
    return this.digests.peek(file.version, 'sha-256');
  }
}
