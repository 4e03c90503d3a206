import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DownloadError, InvalidPathError } from '../files/errors.js';
import type { HeaderList } from '../http/cors.js';
import { ApiService } from './api.service.js';
import { appendVary } from './cors.middleware.js';
import { validateListingQuery } from './dto.js';
import { FolderRedirect } from './errors.js';
import { INDEX_PAGE_HEADERS, renderIndexPage } from './index-page.js';
import { encodeCursor } from './listing.js';
import { chooseListingFormat } from './negotiate.js';
import { parseTarget, queryOf, urlPath } from './target.js';
import { folderListing, indexRows } from './views.js';

/** A complete answer, decided before it is written: what the file controller applies for a folder URL. */
export interface FolderAnswer {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: string;
}

/** What a folder URL's answer depends on: the raw request-target, its parsed query and `Accept`. */
export interface FolderRequest {
  readonly target: string;
  readonly query: unknown;
  readonly accept: string | undefined;
}

/**
 * Folder URLs of the file route (`/`, `/docs/`): the HTML index for browsers, the JSON listing for
 * everyone else (content negotiation on `Accept`, hence `Vary: Accept`), and the 301 from a folder
 * URL without its trailing slash. The file controller delegates to it with one call each.
 */
@Injectable()
export class IndexService {
  constructor(private readonly api: ApiService) {}

  /** The answer for a folder URL. Throws the DownloadError to answer instead (400 bad query or cursor, 404). */
  async answerFolder(request: FolderRequest, segments: readonly string[]): Promise<FolderAnswer> {
    const query = validateListingQuery(request.query);
    const page = await this.api.page(segments, query);
    const vary: [string, string] = ['Vary', 'Accept'];
    if (chooseListingFormat(request.accept, this.htmlEnabled) === 'json') {
      return {
        status: 200,
        headers: [['Content-Type', 'application/json; charset=utf-8'], vary],
        body: JSON.stringify(folderListing(segments, page)),
      };
    }
    const limit = query.limit === undefined ? '' : `&limit=${query.limit}`;
    const html = renderIndexPage({
      segments,
      rows: indexRows(segments, page, (entry) => (entry.file === undefined ? undefined : this.api.knownSha256(entry.file))),
      nextHref: page.next === undefined ? undefined : `?cursor=${encodeCursor(page.next)}${limit}`,
    });
    return { status: 200, headers: [...INDEX_PAGE_HEADERS, vary], body: html };
  }

  /**
   * For a file URL that found no file: the redirect to the folder URL when a listed folder is
   * there (`/docs` → `/docs/`, query kept), else undefined (the 404 stands).
   */
  folderRedirect(target: string, segments: readonly string[]): FolderRedirect | undefined {
    if (segments.length === 0 || !this.api.isListedFolder(segments)) return undefined;
    return new FolderRedirect(`${urlPath(segments, true)}${queryOf(target)}`);
  }

  /** HTML is for public listings; private mode will turn it off (issue "Private files"). */
  private get htmlEnabled(): boolean {
    return true;
  }

  /**
   * Interim wiring until the rebuilt file controller (issue 8) delegates folder URLs here: an
   * Express middleware in front of the routes that answers GET and HEAD of a trailing-slash URL
   * outside the dot-paths. Remove it when FilesController calls answerFolder and folderRedirect.
   */
  readonly interimFolderRoute = (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isFolderTarget(req.originalUrl)) {
      next();
      return;
    }
    const target = parseTarget(req.originalUrl);
    const answer =
      target?.kind === 'folder'
        ? this.answerFolder({ target: req.originalUrl, query: req.query, accept: req.headers.accept }, target.segments)
        : Promise.reject(new InvalidPathError());
    answer.then(
      (plan) => {
        res.status(plan.status);
        for (const [name, value] of plan.headers) {
          if (name === 'Vary') appendVary(res, value);
          else res.setHeader(name, value);
        }
        res.setHeader('Content-Length', Buffer.byteLength(plan.body));
        res.end(req.method === 'HEAD' ? undefined : plan.body);
      },
      (error: unknown) => {
        if (!(error instanceof DownloadError)) {
          next(error);
          return;
        }
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        res.status(error.status).json({ statusCode: error.status, error: STATUS_CODES[error.status] ?? 'Error', message: error.message });
      },
    );
  };
}

function isFolderTarget(target: string): boolean {
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  return path.endsWith('/') && !path.startsWith('/.');
}
