import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AccessConfig } from './access-config.js';
import { AccessService } from './access.service.js';

/** Routes for API token holders (either role): 401 without a token, 403 `bad-token`, 429. */
@Injectable()
export class ReadTokenGuard implements CanActivate {
  constructor(private readonly access: AccessService) {}

  canActivate(context: ExecutionContext): boolean {
    this.access.requireToken(context.switchToHttp().getRequest<Request>(), 'read');
    return true;
  }
}

/** The listing API (`/.api/files`): open in public mode; in private mode it needs an API token (either role), like folder URLs. */
@Injectable()
export class ListingGuard implements CanActivate {
  constructor(
    private readonly access: AccessService,
    private readonly config: AccessConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.config.mode === 'private') this.access.requireToken(context.switchToHttp().getRequest<Request>(), 'read');
    return true;
  }
}
