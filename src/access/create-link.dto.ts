import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import type { LinkRequest } from './link-minter.js';

/** The body of `POST /.api/links`. Unknown fields are refused (400 naming them). */
export class CreateLinkDto implements LinkRequest {
  /** The decoded path of the file (`/docs/a b.pdf`), or of the folder with `scope`. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  path!: string;

  /** Lifetime in seconds, 1 to LINK_MAX_TTL; default 3600. */
  @IsOptional()
  @IsInt()
  @Min(1)
  ttl?: number;

  /** Pin the file's current version (default true): another version on disk answers 412. */
  @IsOptional()
  @IsBoolean()
  pin?: boolean;

  /** A link for every file below the folder `path`. */
  @IsOptional()
  @IsBoolean()
  scope?: boolean;

  /** Content-Disposition: attachment. */
  @IsOptional()
  @IsBoolean()
  download?: boolean;

  /** The name the browser should save as. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  filename?: string;
}
