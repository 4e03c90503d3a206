import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ForbiddenUploadError, UnauthorizedUploadError, UploadsOffError } from './upload-errors.js';
import { UploadAuthorizer } from './upload-authorizer.js';
import { UploadsConfig } from './uploads-config.js';

/**
 * Decides before anything else is looked at: uploads off → 404; OPTIONS (tus discovery and CORS
 * preflights, which carry no credentials) → through; anything else needs a `write` token, so an
 * unauthenticated caller learns nothing about which uploads or files exist.
 */
@Injectable()
export class UploadAccessGuard implements CanActivate {
  constructor(
    private readonly config: UploadsConfig,
    private readonly authorizer: UploadAuthorizer,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.enabled) throw new UploadsOffError();
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'OPTIONS') return true;
    const access = this.authorizer.authorize(req.headers.authorization);
    if (access === 401) throw new UnauthorizedUploadError();
    if (access === 403) throw new ForbiddenUploadError();
    return true;
  }
}
