import { Injectable } from '@nestjs/common';
import { AccessConfig } from '../access/access-config.js';
import { UnauthenticatedError } from '../access/access-errors.js';
import { FolderRoute, type FolderAnswer, type FolderRequest } from '../files/folder-route.js';
import { ApiService } from './api.service.js';
import { validateListingQuery } from './dto.js';
import { INDEX_PAGE_HEADERS, renderIndexPage } from './index-page.js';
import { encodeCursor } from './listing.js';
import { chooseListingFormat } from './negotiate.js';
import { queryOf, urlPath } from './target.js';
import { folderListing, indexRows } from './views.js';

/**
 * Folder URLs of the file route (`/`, `/docs/`): the HTML index for browsers, the JSON listing for
 * everyone else (content negotiation on `Accept`, hence `Vary: Accept`), and the 301 from a folder
 * URL without its trailing slash. FilesController asks after the access guard; in private mode
 * only a bearer token lists (a signed link opens files, not folders) and the HTML index is off.
 */
@Injectable()
export class IndexService extends FolderRoute {
  constructor(
    private readonly api: ApiService,
    private readonly access: AccessConfig,
  ) {
    super();
  }

  async answer(request: FolderRequest, segments: readonly string[]): Promise<FolderAnswer> {
    if (!request.grant.mayList) throw new UnauthenticatedError();
    const query = validateListingQuery(request.query);
    const page = await this.api.page(segments, query);
    const vary = ['Vary', 'Accept'] as const;
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

  redirectTarget(request: FolderRequest, segments: readonly string[]): string | undefined {
    if (!request.grant.mayList || segments.length === 0 || !this.api.isListedFolder(segments)) return undefined;
    return `${urlPath(segments, true)}${queryOf(request.target)}`;
  }

  /** The HTML index is for public listings; in private mode folder URLs answer JSON to token holders. */
  private get htmlEnabled(): boolean {
    return this.access.mode === 'public';
  }
}
