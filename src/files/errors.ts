/**
 * Typed failures of the download service. Each one knows its HTTP status and a short message
 * that never contains a path of the server's disk; `HttpErrorFilter` is the one place that turns
 * them into responses.
 */
export abstract class DownloadError extends Error {
  abstract readonly status: number;
  /** Extra response headers the status needs (Allow for 405, Content-Range for 416). */
  readonly headers: Readonly<Record<string, string>> = {};
  /** A machine-readable cause, sent as the body's `reason` (403: bad-signature, expired...). */
  readonly reason?: string;
}

/** The request path is malformed or tries to leave the roots (`..`, encoded slashes, NUL...). */
export class InvalidPathError extends DownloadError {
  readonly status = 400;
  constructor() {
    super('invalid path');
  }
}

/** Nothing servable at that path: missing, a directory, a dot-file, or outside every root. */
export class FileNotFoundError extends DownloadError {
  readonly status = 404;
  constructor() {
    super('file not found');
  }
}

/** RFC 9110 §15.5.6: only GET and HEAD are defined on files. */
export class MethodNotAllowedError extends DownloadError {
  readonly status = 405;
  override readonly headers = { Allow: 'GET, HEAD' };
  constructor() {
    super('method not allowed; use GET or HEAD');
  }
}

/** RFC 9110 §15.5.13: If-Match or If-Unmodified-Since evaluated to false. */
export class PreconditionFailedError extends DownloadError {
  readonly status = 412;
  constructor() {
    super('precondition failed');
  }
}

/** RFC 9110 §15.5.17: no range of the set overlaps the file; Content-Range says its size. */
export class RangeNotSatisfiableError extends DownloadError {
  readonly status = 416;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(size: number) {
    super('range not satisfiable');
    this.headers = { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' };
  }
}
