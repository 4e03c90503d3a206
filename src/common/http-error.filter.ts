import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { HttpError } from './http-error.js';

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
    if (response.headersSent) {
      // Mid-body failure: ending normally would make a truncated file look complete.
      response.destroy();
      return;
    }
    writeError(response, this.describe(exception));
  }

  private describe(exception: unknown): DescribedError {
    if (exception instanceof HttpError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest's own messages ("Cannot GET /x") echo only the request, never the disk.
      return { status, message: (STATUS_CODES[status] ?? 'error').toLowerCase(), headers: {} };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: 500, message: 'internal server error', headers: {} };
  }
}

type DescribedError = Pick<HttpError, 'status' | 'message' | 'headers' | 'reason'>;

/** The one writer of error bodies: `{statusCode, error, message[, reason]}` with the error's own headers. */
export function writeError(response: Response, error: DescribedError): void {
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
  const body: ErrorBody = { statusCode: error.status, error: STATUS_CODES[error.status] ?? 'Error', message: error.message };
  if (error.reason !== undefined) body.reason = error.reason;
  response.status(error.status).json(body);
}
