import { Controller, HttpCode, Post, Req, UseGuards, ValidationPipe } from '@nestjs/common';
import type { Request } from 'express';
import { CreateLinkDto } from './create-link.dto.js';
import { jsonBodyOf } from './json-body.js';
import { LinkMinter, LinkRequestError, type MintedLink } from './link-minter.js';
import { ReadTokenGuard } from './token.guard.js';

export const LINKS_PATH = '/.api/links';

/**
 * One message naming the field ("ttl must be an integer number"). class-validator lists a
 * property's failed constraints bottom decorator first, so the last one is the DTO's first
 * check (the type), the most useful to read.
 */
const validation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  exceptionFactory: (errors) => {
    const [first] = errors;
    const message =
      first === undefined ? 'invalid body' : (Object.values(first.constraints ?? {}).at(-1) ?? `${first.property} is invalid`);
    return new LinkRequestError(message);
  },
});

/** `POST /.api/links`: a token holder mints a signed link (201 `{url, expiresAt, version}`). */
@Controller()
@UseGuards(ReadTokenGuard)
export class LinksController {
  constructor(private readonly minter: LinkMinter) {}

  @Post(LINKS_PATH)
  @HttpCode(201)
  async create(@Req() req: Request): Promise<MintedLink> {
    const body: unknown = jsonBodyOf(req);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new LinkRequestError('the body must be a JSON object');
    const request = (await validation.transform(body, { type: 'body', metatype: CreateLinkDto })) as CreateLinkDto;
    return this.minter.mint(request);
  }
}
