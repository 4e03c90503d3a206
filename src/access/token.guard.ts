import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
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
