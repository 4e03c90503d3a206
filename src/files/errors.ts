import { HttpError } from '../common/http-error.js';

/** The request path is malformed or tries to leave the roots (`..`, encoded slashes, NUL...). */
export class InvalidPathError extends HttpError {
  readonly status = 400;
  constructor() {
    super('invalid path');
  }
}

/** Nothing servable at that path: missing, a directory, a dot-file, or outside every root. */
export class FileNotFoundError extends HttpError {
  readonly status = 404;
  constructor() {
    super('file not found');
  }
}

/** A folder asked for without its trailing slash: RFC 9110 §15.4.2 permanent redirect to the folder URL. */
export class FolderRedirect extends HttpError {
  readonly status = 301;
  constructor(location: string) {
    super('moved permanently', { Location: location });
  }
}

/** RFC 9110 §15.5.6: only GET and HEAD are defined on files. */
export class MethodNotAllowedError extends HttpError {
  readonly status = 405;
  constructor() {
    super('method not allowed; use GET or HEAD', { Allow: 'GET, HEAD' });
  }
}

/** RFC 9110 §15.5.13: If-Match or If-Unmodified-Since evaluated to false. */
export class PreconditionFailedError extends HttpError {
  readonly status = 412;
  constructor(headers?: Readonly<Record<string, string>>) {
    super('precondition failed', headers);
  }
}

/** A version-pinned URL (`?v=`) whose file is no longer that version: 412 rather than other bytes. */
export class VersionChangedError extends HttpError {
  readonly status = 412;
  override readonly reason = 'changed';
  constructor(headers?: Readonly<Record<string, string>>) {
    super('the file is no longer the version this URL names', headers);
  }
}

/** RFC 9110 §15.5.17: no range of the set overlaps the file; Content-Range says its size. */
export class RangeNotSatisfiableError extends HttpError {
  readonly status = 416;
  constructor(headers?: Readonly<Record<string, string>>) {
    super('range not satisfiable', headers);
  }
}

/** The file could not be read, or changed, before any byte of the body was sent. */
export class FileReadError extends HttpError {
  readonly status = 500;
  constructor() {
    super('read error');
  }
}
