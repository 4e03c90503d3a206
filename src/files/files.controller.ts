import { All, Controller, Get, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppConfig } from '../config/app-config.js';
import { DigestService } from '../digest/digest.service.js';
import { multipartLayout, contentRange } from '../http/multipart.js';
import { evaluatePreconditions } from '../http/preconditions.js';
import { describeRepresentation, type Representation } from '../http/representation.js';
import { parseRequestPath } from '../http/request-path.js';
import { totalRangeLength } from '../http/range.js';
import {
  InvalidPathError,
  MethodNotAllowedError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
} from './errors.js';
import { FileStorageService } from './file-storage.service.js';
import { modifiedMs } from './file-version.js';
import type { OpenFile } from './open-file.js';
import { RangeService } from './range.service.js';

const FILE_ROUTES = ['/', '*path'];

/**
 * GET and HEAD of a file, read top to bottom as RFC 9110 tells it: find the file, evaluate the
 * preconditions (§13.2.2), work out the ranges (§14), write the headers, stream the bytes.
 */
@Controller()
export class FilesController {
  constructor(
    private readonly storage: FileStorageService,
    private readonly ranges: RangeService,
    private readonly config: AppConfig,
    private readonly digests: DigestService,
  ) {}

  @Get(FILE_ROUTES)
  download(@Req() req: Request, @Res({ passthrough: true }) res: Response): StreamableFile {
    const segments = parseRequestPath(req.originalUrl);
    if (segments === undefined) throw new InvalidPathError();
    const file = this.storage.open(segments);
    try {
      return this.respond(req, res, file);
    } catch (error) {
      file.descriptor.close();
      throw error;
    }
  }

  @All(FILE_ROUTES)
  otherMethods(): never {
    throw new MethodNotAllowedError();
  }

  private respond(req: Request, res: Response, file: OpenFile): StreamableFile {
    const representation = describeRepresentation({ name: file.name, size: file.version.size, mtimeNs: file.version.mtimeNs, mtimeMs: modifiedMs(file.version) }, this.config.disposition);
    res.setHeader('ETag', representation.etag);
    res.setHeader('Last-Modified', representation.lastModified);
    res.setHeader('Accept-Ranges', 'bytes');
    // RFC 9530 §3: the digest of the whole selected representation, also on 206 and 304 (README);
    // HttpErrorFilter drops it from error responses.
    const wantReprDigest = header(req, 'want-repr-digest');
    const reprDigest = this.digests.reprDigest(file, wantReprDigest);
    if (reprDigest !== undefined) res.setHeader('Repr-Digest', reprDigest);

    const outcome = evaluatePreconditions(req.method, conditionalHeaders(req), representation.validators);
    if (outcome === 'precondition-failed') throw new PreconditionFailedError();
    if (outcome === 'not-modified') {
      res.status(304);
      return this.noBody(file);
    }

    const decision = this.ranges.select(
      { method: req.method, range: req.headers.range, ifRange: header(req, 'if-range') },
      file.version.size,
      representation.validators,
      Date.now(),
    );
    if (decision.kind === 'unsatisfiable') throw new RangeNotSatisfiableError(file.version.size);

    res.setHeader('Content-Disposition', representation.contentDisposition);
    if (decision.kind === 'full') {
      // The content of a 200 is the whole representation, so its Content-Digest is free (RFC 9530 §2).
      // Usually neither Want- field is sent, and the Repr-Digest already computed is the answer.
      const wantContentDigest = header(req, 'want-content-digest');
      const contentDigest =
        req.method !== 'GET' ? undefined : wantContentDigest === wantReprDigest ? reprDigest : this.digests.reprDigest(file, wantContentDigest);
      if (contentDigest !== undefined) res.setHeader('Content-Digest', contentDigest);
      this.writeEntityHeaders(res.status(200), representation, file.version.size);
      return req.method === 'HEAD' ? this.noBody(file) : streamable(this.storage.readRange(file));
    }
    if (decision.ranges.length === 1) {
      const [range] = decision.ranges;
      this.writeEntityHeaders(res.status(206), representation, totalRangeLength(decision.ranges));
      res.setHeader('Content-Range', contentRange(range, file.version.size));
      return streamable(this.storage.readRange(file, range));
    }
    const layout = multipartLayout(decision.ranges, file.version.size, representation.contentType, randomBytes(12).toString('hex'));
    res.status(206).setHeader('Content-Type', layout.contentType);
    res.setHeader('Content-Length', layout.contentLength);
    return streamable(this.storage.readMultipart(file, layout));
  }

  private writeEntityHeaders(res: Response, representation: Representation, contentLength: number): void {
    res.setHeader('Content-Type', representation.contentType);
    res.setHeader('Content-Length', contentLength);
  }

  /** 304 and HEAD: headers only; the handle is closed at once. */
  private noBody(file: OpenFile): StreamableFile {
    file.descriptor.close();
    return new HeadersOnly();
  }
}

/**
 * An empty body that adds no header of its own: Nest would otherwise give a 304 a default
 * `Content-Type: application/octet-stream`, which RFC 9110 §15.4.5 asks us not to send.
 */
class HeadersOnly extends StreamableFile {
  constructor() {
    // An ended byte stream; Readable.from([]) would be object-mode, which Nest pipes through an extra Transform.
    const empty = new Readable({ read: () => undefined });
    empty.push(null);
    super(empty);
  }

  override getHeaders(): ReturnType<StreamableFile['getHeaders']> {
    return { type: undefined as unknown as string, disposition: undefined, length: undefined };
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function conditionalHeaders(req: Request) {
  return {
    ifMatch: header(req, 'if-match'),
    ifNoneMatch: header(req, 'if-none-match'),
    ifModifiedSince: header(req, 'if-modified-since'),
    ifUnmodifiedSince: header(req, 'if-unmodified-since'),
  };
}

/**
 * Status and headers are already decided; a read error from here on can only cut the body short.
 * Nest's default handler would answer 400 with the raw error message (a server path), so ours
 * answers a bare 500 if nothing was sent yet and otherwise aborts the connection.
 */
function streamable(stream: Readable): StreamableFile {
  return new StreamableFile(stream).setErrorHandler((_error, response) => {
    const res = response as unknown as Response;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const name of ['Content-Length', 'Repr-Digest', 'Content-Digest']) res.removeHeader(name);
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'read error' });
  });
}
