import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';
import { BadQueryError } from './errors.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './listing.js';

const LIMIT_MESSAGE = `limit must be an integer between 1 and ${MAX_LIMIT}`;

/** '25' → 25; anything else ('', '1e3', '25x', ['1','2'] from a repeated parameter) stays as is and fails IsInt. */
function strictInteger({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : value;
}

/** The query of a folder listing, on `/.api/files/{folder}/` and on folder URLs. */
export class ListingQuery {
  @ApiPropertyOptional({
    description: 'Most entries in the page.',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    type: 'integer',
  })
  @IsOptional()
  @Transform(strictInteger)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(MAX_LIMIT, { message: LIMIT_MESSAGE })
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque: the `nextCursor` of the previous page. Stays valid while files are added or removed.' })
  @IsOptional()
  @IsString({ message: 'cursor must be given once' })
  cursor?: string;
}

/**
 * Validates a parsed query string against ListingQuery: unknown parameters are refused (a typo such
 * as `limt` should not silently list 1000 entries). Throws BadQueryError naming the problem.
 */
export function validateListingQuery(query: unknown): ListingQuery {
  const dto = plainToInstance(ListingQuery, query ?? {});
  const [first] = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (first !== undefined) {
    const message =
      first.constraints?.whitelistValidation !== undefined
        ? `unknown query parameter: ${first.property}`
        : Object.values(first.constraints ?? {})[0];
    throw new BadQueryError(message ?? 'invalid query');
  }
  return dto;
}

export class ReprDigestDto {
  @ApiProperty({
    description: 'SHA-256 of the whole file, base64 (as in `Repr-Digest`, RFC 9530).',
    example: 'bk0AvRzgnRQWy+kTjlJCuG/hYffQluoEoL1IxiGhM50=',
  })
  'sha-256'!: string;
}

export class FileMetadataDto {
  @ApiProperty({ description: 'Path below the roots, without a leading slash.', example: 'docs/readme.md' })
  path!: string;

  @ApiProperty({ description: 'Bytes.', example: 92, type: 'integer' })
  size!: number;

  @ApiProperty({ example: 'text/markdown; charset=utf-8' })
  contentType!: string;

  @ApiProperty({ description: 'The strong ETag of the current version, as in the `ETag` header.', example: '"5c-18eac6dfadc0bb67"' })
  etag!: string;

  @ApiProperty({ description: 'HTTP-date, as in the `Last-Modified` header.', example: 'Mon, 23 Nov 2026 20:34:25 GMT' })
  lastModified!: string;

  @ApiProperty({ type: ReprDigestDto, nullable: true, description: 'Null until the digest has been computed (it is then queued).' })
  reprDigest!: ReprDigestDto | null;

  @ApiProperty({
    description: 'The version-pinned URL: the bytes there never change; 412 once the file did.',
    example: '/docs/readme.md?v=5c-18eac6dfadc0bb67',
  })
  url!: string;
}

export class FolderEntryDto {
  @ApiProperty({ example: 'readme.md' })
  name!: string;

  @ApiProperty({ description: 'Folders end with a slash.', example: 'docs/readme.md' })
  path!: string;

  @ApiProperty({ enum: ['file', 'folder'] })
  type!: 'file' | 'folder';

  @ApiPropertyOptional({ description: 'Files only.', type: 'integer' })
  size?: number;

  @ApiPropertyOptional({ description: 'Files only: HTTP-date.' })
  lastModified?: string;

  @ApiPropertyOptional({ description: 'Files only.' })
  etag?: string;

  @ApiPropertyOptional({ description: 'Files only: the version-pinned URL.' })
  url?: string;
}

export class FolderListingDto {
  @ApiProperty({ description: 'The folder, with its trailing slash; "" for the top.', example: 'docs/' })
  path!: string;

  @ApiProperty({
    type: [FolderEntryDto],
    description: 'Sorted by name in Unicode code-point order; a file before a folder of the same name.',
  })
  entries!: FolderEntryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

export class ErrorDto {
  @ApiProperty({ type: 'integer', example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'Not Found' })
  error!: string;

  @ApiProperty({ example: 'file not found' })
  message!: string;

  @ApiPropertyOptional({ description: 'Why access was denied (403) or a pinned version refused (412).', example: 'expired' })
  reason?: string;
}
