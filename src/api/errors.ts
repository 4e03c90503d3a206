import { HttpError } from '../common/http-error.js';

/** A query parameter of the API is malformed (`limit`, `cursor`, an unknown name); the message names it. */
export class BadQueryError extends HttpError {
  readonly status = 400;
}

/** No folder at that path in any root (or listings are off): the same answer either way. */
export class FolderNotFoundError extends HttpError {
  readonly status = 404;
  constructor() {
    super('folder not found');
  }
}
