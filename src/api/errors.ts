import { DownloadError } from '../files/errors.js';

/** A query parameter of the API is malformed (`limit`, `cursor`, an unknown name); the message names it. */
export class BadQueryError extends DownloadError {
  readonly status = 400;
}

/** No folder at that path in any root (or listings are off): the same answer either way. */
export class FolderNotFoundError extends DownloadError {
  readonly status = 404;
  constructor() {
    super('folder not found');
  }
}

/** A folder asked for without its trailing slash: RFC 9110 §15.4.2 permanent redirect to the folder URL. */
export class FolderRedirect extends DownloadError {
  readonly status = 301;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(location: string) {
    super('moved permanently');
    this.headers = { Location: location };
  }
}
