import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiMovedPermanentlyResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { ListingGuard } from '../access/token.guard.js';
import { FileNotFoundError, FolderRedirect, InvalidPathError } from '../files/errors.js';
import { ApiService } from './api.service.js';
import { ErrorDto, FileMetadataDto, validateListingQuery, type FolderListingDto } from './dto.js';
import { parseTarget, queryOf, urlPath } from './target.js';
import { folderListing } from './views.js';

export const API_FILES_PREFIX = '/.api/files';

/**
 * `GET /.api/files/{path}`: the metadata of a file; `GET /.api/files/{folder}/` (trailing slash,
 * `/.api/files/` for the top): a page of its listing. One route, because Express matches paths
 * with or without a trailing slash alike; the slash in the raw request-target decides. The listing
 * operations are added to the OpenAPI document in openapi.ts, from the same DTOs.
 */
@ApiTags('files')
@Controller()
@UseGuards(ListingGuard) // private mode: an API token (401/403/429) before any lookup
export class ApiController {
  constructor(private readonly api: ApiService) {}

  @Get([API_FILES_PREFIX.slice(1), `${API_FILES_PREFIX.slice(1)}/*path`])
  @ApiOperation({
    operationId: 'getFileMetadata',
    summary: 'Metadata of a file',
    description: 'The file a download of `/{path}` would serve: size, type, validators, SHA-256 when known, and its version-pinned URL.',
  })
  @ApiParam({
    name: 'path',
    description: 'Path below the roots; slashes separate folders, each segment percent-encoded.',
    example: 'hello.txt',
  })
  @ApiOkResponse({ type: FileMetadataDto })
  @ApiMovedPermanentlyResponse({
    type: ErrorDto,
    description: 'A folder is there, not a file: `Location` is its listing URL (with the trailing slash).',
    headers: { Location: { description: 'The listing URL.', schema: { type: 'string', example: '/.api/files/docs/' } } },
  })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Invalid path (`..`, encoded slashes, NUL, empty segments).' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No file there (missing, a dot-file, or not a regular file).' })
  @ApiBearerAuth()
  @ApiUnauthorizedResponse({ type: ErrorDto, description: 'ACCESS=private and no bearer token (a signed link does not open the API).' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'A bad token (`reason: bad-token`).' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'Too many failed authentications from this client address.' })
  async files(@Req() req: Request): Promise<FileMetadataDto | FolderListingDto> {
    const target = parseTarget(req.originalUrl, API_FILES_PREFIX);
    if (target === undefined) throw new InvalidPathError();
    const query = queryOf(req.originalUrl);
    if (target.kind === 'bare') throw new FolderRedirect(`${API_FILES_PREFIX}/${query}`);
    if (target.kind === 'folder') {
      const page = await this.api.page(target.segments, validateListingQuery(req.query));
      return folderListing(target.segments, page);
    }
    try {
      return this.api.metadata(target.segments);
    } catch (error) {
      if (error instanceof FileNotFoundError && this.api.isListedFolder(target.segments)) {
        throw new FolderRedirect(`${API_FILES_PREFIX}${urlPath(target.segments, true)}${query}`);
      }
      throw error;
    }
  }
}
