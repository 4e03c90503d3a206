import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AccessService } from './access.service.js';

/**
 * Decides a file request before the controller opens anything: sets the request's AccessGrant
 * (read with grantOf(req)) or throws 400/401/403/429.
 */
@Injectable()
export class FileAccessGuard implements CanActivate {
  constructor(private readonly access: AccessService) {}

  canActivate(context: ExecutionContext): boolean {
    this.access.authorizeFileRequest(context.switchToHttp().getRequest<Request>());
    return true;
  }
}
