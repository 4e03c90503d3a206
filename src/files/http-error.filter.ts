import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DownloadError } from './errors.js';

const DIGEST_FIELDS = ['Repr-Digest', 'Content-Digest'];

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  reason?: string;
}

/**
 * Maps every failure to a small JSON body. Only our own typed errors and Nest's HTTP exceptions
 * keep their message; anything else becomes a generic 500 so no server path or stack leaks.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, message, headers, reason } = this.describe(exception);
    if (response.headersSent) {
      // Mid-body failure: ending normally would make a truncated file look complete.
      response.destroy();
      return;
    }
    // The content is now the error message, not the file: its digests (RFC 9530) no longer apply.
    for (const digestField of DIGEST_FIELDS) response.removeHeader(digestField);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const body: ErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
    if (reason !== undefined) body.reason = reason;
    response.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; message: string; headers: Readonly<Record<string, string>>; reason?: string } {
    if (exception instanceof DownloadError) {
      return { status: exception.status, message: exception.message, headers: exception.headers, reason: exception.reason };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest's own messages ("Cannot GET /x") echo only the request, never the disk.
      return { status, message: (STATUS_CODES[status] ?? 'error').toLowerCase(), headers: {} };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: 500, message: 'internal server error', headers: {} };
  }
}
