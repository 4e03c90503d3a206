import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ForbiddenUploadError, UnauthorizedUploadError, UploadsOffError } from './upload-errors.js';
import { UploadAuthorizer } from './upload-authorizer.js';
import { UploadsConfig } from './uploads-config.js';

/**
 * Decides before anything else is looked at: uploads off → 404 (for OPTIONS too: the CORS policy
 * of /.uploads is withheld then, so every request gets here); OPTIONS (tus discovery, no
 * credentials; CORS preflights were answered by the CORS middleware) → through; anything else
 * needs a `write` token, so an unauthenticated caller learns nothing about which uploads or files exist.
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
