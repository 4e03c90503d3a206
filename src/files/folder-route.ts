import type { AccessGrant } from '../access/access-grant.js';
import type { HeaderList } from '../http/response-plan.js';

/** A complete answer to a folder URL, decided before it is written. */
export interface FolderAnswer {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: string;
}

/** What a folder URL's answer depends on: the raw request-target, its parsed query, `Accept` and the access grant. */
export interface FolderRequest {
  readonly target: string;
  readonly query: unknown;
  readonly accept: string | undefined;
  readonly grant: AccessGrant;
}

/**
 * What the file route does with folder URLs (`/`, `/docs/`) and with a file URL that names a
 * folder (`/docs`). FilesController asks after the access guard, so a folder is never looked at
 * for a caller who may not read; the API module provides it (IndexService), FilesModule only
 * knows this shape.
 */
export abstract class FolderRoute {
  /** The answer for a folder URL; throws a HttpError to answer instead (400, 401, 404). */
  abstract answer(request: FolderRequest, segments: readonly string[]): Promise<FolderAnswer>;
  /** For a file URL that found no file: the folder URL to redirect to (query kept), or undefined (the 404 stands). */
  abstract redirectTarget(request: FolderRequest, segments: readonly string[]): string | undefined;
}
