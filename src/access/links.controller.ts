import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Request } from 'express';
import { CreateLinkDto } from './create-link.dto.js';
import { jsonBodyOf } from './json-body.js';
import { LinkMinter, LinkRequestError, type MintedLink } from './link-minter.js';
import { ReadTokenGuard } from './token.guard.js';

export const LINKS_PATH = '/.api/links';

/**
 * The body as a validated CreateLinkDto (what Nest's ValidationPipe does, done here because the
 * body is looked at only after the token guard), or a 400 with one message naming the field
 * ("ttl must be an integer number"). class-validator lists a property's failed constraints
 * bottom decorator first, so the last one is the DTO's first check (the type).
 */
function createLinkDto(body: unknown): CreateLinkDto {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LinkRequestError('the body must be a JSON object');
  const dto = plainToInstance(CreateLinkDto, body);
  const [first] = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (first !== undefined) throw new LinkRequestError(Object.values(first.constraints ?? {}).at(-1) ?? `${first.property} is invalid`);
  return dto;
}

/** `POST /.api/links`: a token holder mints a signed link (201 `{url, expiresAt, version}`). */
@Controller()
@UseGuards(ReadTokenGuard)
export class LinksController {
  constructor(private readonly minter: LinkMinter) {}

  @Post(LINKS_PATH)
  @HttpCode(201)
  create(@Req() req: Request): MintedLink {
    return this.minter.mint(createLinkDto(jsonBodyOf(req)));
  }
}
