import { ERRORS } from '@tus/utils';
import { STATUS_CODES } from 'node:http';
import { HttpError } from '../common/http-error.js';

/** The error body of every /.uploads/ response, as for downloads, plus a stable `reason`. */
export interface UploadErrorBody {
  statusCode: number;
  error: string;
  message: string;
  reason: string;
}

/**
 * 460 is the tus checksum extension's "Checksum Mismatch": the status tus clients know for an
 * upload whose bytes do not match the digest it was sent with.
 */
export const CHECKSUM_MISMATCH = 460;

export function statusText(status: number): string {
  return status === CHECKSUM_MISMATCH ? 'Checksum Mismatch' : (STATUS_CODES[status] ?? 'Error');
}

export function errorBody(status: number, reason: string, message: string): string {
  return JSON.stringify({ statusCode: status, error: statusText(status), message, reason } satisfies UploadErrorBody);
}

/**
 * A refusal thrown from a tus hook or store method. @tus/server answers thrown objects with their
 * `status_code` and `body`, so the body is already the JSON error.
 */
export class UploadFailure extends Error {
  readonly body: string;
  constructor(
    readonly status_code: number,
    readonly reason: string,
    message: string,
    /** Already counted in the upload metrics where it was thrown. */
    readonly counted = false,
  ) {
    super(message);
    this.body = errorBody(status_code, reason, message);
  }
}

/**
 * @tus/server's own errors with our reason for each, and two statuses corrected: it answers a
 * missing Upload-Offset and a missing Content-Type with 403, which is about permissions, and a
 * lock it could not get in time with 500; 400, 415 (tus 1.0: PATCH without
 * application/offset+octet-stream) and 503 (try again) say what happened.
 */
const TUS_ERRORS: ReadonlyArray<readonly [{ status_code: number; body: string }, number, string]> = [
  [ERRORS.MISSING_OFFSET, 400, 'missing-offset'],
  [ERRORS.INVALID_CONTENT_TYPE, 415, 'wrong-content-type'],
  [ERRORS.ABORTED, 400, 'aborted'],
  [ERRORS.INVALID_TERMINATION, 400, 'finished'],
  [ERRORS.ERR_LOCK_TIMEOUT, 503, 'locked'],
  [ERRORS.FILE_NOT_FOUND, 404, 'unknown-upload'],
  [ERRORS.INVALID_OFFSET, 409, 'offset-mismatch'],
  [ERRORS.FILE_NO_LONGER_EXISTS, 410, 'expired'],
  [ERRORS.ERR_SIZE_EXCEEDED, 413, 'beyond-upload-length'],
  [ERRORS.ERR_MAX_SIZE_EXCEEDED, 413, 'too-large'],
  [ERRORS.INVALID_LENGTH, 400, 'invalid-length'],
  [ERRORS.INVALID_METADATA, 400, 'invalid-metadata'],
  [ERRORS.FILE_WRITE_ERROR, 500, 'write-error'],
  [ERRORS.UNSUPPORTED_CONCATENATION_EXTENSION, 501, 'unsupported-extension'],
  [ERRORS.UNSUPPORTED_CREATION_DEFER_LENGTH_EXTENSION, 501, 'unsupported-extension'],
  [ERRORS.UNSUPPORTED_EXPIRATION_EXTENSION, 501, 'unsupported-extension'],
];

export interface MappedError {
  readonly status: number;
  readonly reason: string;
  readonly message: string;
}

/** The upload folder's file system is full (ENOSPC while writing): 507, and the upload can resume later. */
export function noSpace(): UploadFailure {
  return new UploadFailure(507, 'no-space', 'the upload folder is full; resume when space is free');
}

/** Any error a tus handler threw, as status, reason and a message that never names a server path. */
export function mapTusError(error: unknown): MappedError | undefined {
  if (error instanceof UploadFailure) return { status: error.status_code, reason: error.reason, message: error.message };
  if (typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === 'ENOSPC') {
    const failure = noSpace();
    return { status: failure.status_code, reason: failure.reason, message: failure.message };
  }
  for (const [known, status, reason] of TUS_ERRORS) {
    if (error === known) return { status, reason, message: known.body.trim().split('\n')[0].toLowerCase() };
  }
  return undefined; // unexpected: the caller logs it and answers 500
}

/** Errors answered before a request reaches tus, through the app's HttpErrorFilter. */
export class UploadsOffError extends HttpError {
  readonly status = 404;
  constructor() {
    super('uploads are not enabled');
  }
}

export class UploadMethodNotAllowedError extends HttpError {
  readonly status = 405;
  override readonly headers = { Allow: 'OPTIONS, POST, HEAD, PATCH, DELETE' };
  constructor() {
    super('method not allowed on /.uploads/');
  }
}

/** tus 1.0 PATCH: "All PATCH requests MUST use Content-Type: application/offset+octet-stream, otherwise the server SHOULD return a 415". */
export class UnsupportedMediaTypeError extends HttpError {
  readonly status = 415;
  constructor() {
    super('a PATCH must have Content-Type: application/offset+octet-stream');
  }
}

export class UnauthorizedUploadError extends HttpError {
  readonly status = 401;
  override readonly headers = { 'WWW-Authenticate': 'Bearer' };
  constructor() {
    super('a bearer token is required');
  }
}

export class ForbiddenUploadError extends HttpError {
  readonly status = 403;
  constructor() {
    super('this token may not upload');
  }
}
