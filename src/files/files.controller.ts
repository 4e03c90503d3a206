import { All, Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { grantOf } from '../access/access-grant.js';
import { FileAccessGuard } from '../access/file-access.guard.js';
import { AppConfig } from '../config/app-config.js';
import { DigestService } from '../digest/digest.service.js';
import { parseRequestPath } from '../http/request-path.js';
import { planResponse, wantedDigestAlgorithms, type KnownDigests, type RequestFacts } from '../http/response-plan.js';
import { FileNotFoundError, FolderRedirect, InvalidPathError, MethodNotAllowedError } from './errors.js';
import { FileStorageService } from './file-storage.service.js';
import { FolderRoute, type FolderRequest } from './folder-route.js';
import type { OpenFile } from './open-file.js';
import { sendFolderAnswer, sendPlan } from './response-adapter.js';

const FILE_ROUTES = '{*path}';

/**
 * GET and HEAD of a file, the short story: parse the path, open the file, plan the response from
 * plain values (src/http/response-plan.ts), apply the plan, stream from the same descriptor.
 * Access was decided before this runs (the access guard), and nothing here decides a header.
 */
@Controller()
@UseGuards(FileAccessGuard) // decides access (400/401/403/429) before anything is opened
export class FilesController {
  constructor(
    private readonly storage: FileStorageService,
    private readonly config: AppConfig,
    private readonly digests: DigestService,
    private readonly folders: FolderRoute,
  ) {}

  @Get(FILE_ROUTES)
  download(@Req() req: Request, @Res() res: Response): void | Promise<void> {
    const target = parseRequestPath(req.originalUrl);
    if (target === undefined) throw new InvalidPathError();
    if (target.kind === 'folder') return this.folder(req, res, target.segments);
    const grant = grantOf(req);
    const file = this.openOrRedirect(req, target.segments);
    try {
      const request = requestFacts(req);
      const plan = planResponse({
        request,
        file: { name: file.name, size: file.version.size, mtimeNs: file.version.mtimeNs },
        nowMs: Date.now(),
        maxRanges: this.config.maxRanges,
        digests: this.knownDigests(file, request),
        disposition: { type: grant.download ? 'attachment' : this.config.disposition, filename: grant.filename },
        pin: grant.pin,
        authenticated: grant.authenticated,
        cachePolicy: this.config.cachePolicy,
        newBoundary: () => randomBytes(12).toString('hex'),
      });
      sendPlan(res, plan, file);
    } catch (error) {
      file.descriptor.close();
      throw error;
    }
  }

  /** A folder URL: the HTML index or the JSON listing (the API module decides, after the guard). */
  private async folder(req: Request, res: Response, segments: readonly string[]): Promise<void> {
    sendFolderAnswer(res, await this.folders.answer(folderRequest(req), segments), req.method === 'HEAD');
  }

  /** A file URL that names a folder redirects to the folder URL (RFC 9110 §15.4.2); anything else missing is 404. */
  private openOrRedirect(req: Request, segments: readonly string[]): OpenFile {
    try {
      return this.storage.open(segments);
    } catch (error) {
      const location = error instanceof FileNotFoundError ? this.folders.redirectTarget(folderRequest(req), segments) : undefined;
      throw location === undefined ? error : new FolderRedirect(location);
    }
  }

  @All(FILE_ROUTES)
  otherMethods(): never {
    throw new MethodNotAllowedError();
  }

  /** The digests already known for this version; the missing ones are queued for the worker. */
  private knownDigests(file: OpenFile, request: RequestFacts): KnownDigests {
    if (!this.digests.enabled) return NO_DIGESTS;
    return new Map(this.digests.known(file, wantedDigestAlgorithms(request)));
  }
}

const NO_DIGESTS: KnownDigests = new Map();

function folderRequest(req: Request): FolderRequest {
  return { target: req.originalUrl, query: req.query, accept: req.headers.accept, grant: grantOf(req) };
}

function requestFacts(req: Request): RequestFacts {
  return {
    method: req.method,
    range: header(req, 'range'),
    ifRange: header(req, 'if-range'),
    ifMatch: header(req, 'if-match'),
    ifNoneMatch: header(req, 'if-none-match'),
    ifModifiedSince: header(req, 'if-modified-since'),
    ifUnmodifiedSince: header(req, 'if-unmodified-since'),
    wantReprDigest: header(req, 'want-repr-digest'),
    wantContentDigest: header(req, 'want-content-digest'),
  };
}

/** A field sent more than once is one comma-separated list (RFC 9110 §5.3). */
function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
